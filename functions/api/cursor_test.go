package api_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/borderdesk/borderdesk/functions/api"
	"github.com/borderdesk/borderdesk/shared/ticket"
)

// TestCursorsAreBoundAndSigned: a cursor continues exactly the query that issued it. One from
// another sort or filter, another merchant, another key, or made up is a clean 400 — before,
// a sort=updated cursor paged sort=oldest and a hand-made start key was accepted.
func TestCursorsAreBoundAndSigned(t *testing.T) {
	clock := func() time.Time { return t0.Add(4 * time.Hour) }
	key := bytes.Repeat([]byte("k"), ticket.MinCursorKey)
	cursors, err := ticket.NewCursors(key)
	if err != nil {
		t.Fatal(err)
	}
	srv, callers := contractServer(t, clock, api.Cursors(cursors))
	get := func(as, query string) (int, api.TicketList, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", srv.URL+"/api/v1/tickets?"+query, nil)
		req.Header.Set("Authorization", "Bearer "+callers[as])
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var raw json.RawMessage
		_ = json.NewDecoder(resp.Body).Decode(&raw)
		var list api.TicketList
		_ = json.Unmarshal(raw, &list)
		return resp.StatusCode, list, string(raw)
	}
	code, first, body := get("li", "limit=1")
	if code != 200 || first.NextCursor == "" {
		t.Fatalf("GET ?limit=1 = %d %s; want 200 with a next_cursor", code, body)
	}
	c := url.QueryEscape(first.NextCursor)
	if code, next, body := get("li", "limit=2&cursor="+c); code != 200 || len(next.Tickets) == 0 || next.Tickets[0].ID == first.Tickets[0].ID {
		t.Errorf("GET the next page (another limit) = %d %s; want 200 and the tickets after %s", code, body, first.Tickets[0].ID)
	}
	// A search pages too, newest activity first, and its cursor continues only that search.
	code, s1, body := get("li", "q=anna@example.de&limit=1")
	if code != 200 || len(s1.Tickets) != 1 || s1.Tickets[0].ID != "tk_006" || s1.NextCursor == "" {
		t.Fatalf("GET ?q=anna@example.de&limit=1 = %d %s; want tk_006 and a next_cursor", code, body)
	}
	sc := url.QueryEscape(s1.NextCursor)
	if code, s2, body := get("li", "q=anna@example.de&limit=1&cursor="+sc); code != 200 || len(s2.Tickets) != 1 || s2.Tickets[0].ID != "tk_001" || s2.NextCursor != "" {
		t.Errorf("second search page = %d %s; want tk_001 and the end", code, body)
	}
	if code, _, body := get("li", "q=ben@example.fr&limit=1&cursor="+sc); code != 400 {
		t.Errorf("a search cursor for another search = %d %s; want 400", code, body)
	}
	// The same key in another Server (another instance of the Lambda) takes the cursor too.
	again, _ := ticket.NewCursors(key)
	srv2, callers2 := contractServer(t, clock, api.Cursors(again))
	req, _ := http.NewRequest("GET", srv2.URL+"/api/v1/tickets?limit=1&cursor="+c, nil)
	req.Header.Set("Authorization", "Bearer "+callers2["li"])
	if resp, err := srv2.Client().Do(req); err != nil || resp.StatusCode != 200 {
		t.Errorf("another instance with the same key: %v, %v; want 200", resp.Status, err)
	}
	other, _ := ticket.NewCursors(bytes.Repeat([]byte("o"), ticket.MinCursorKey))
	srv3, callers3 := contractServer(t, clock, api.Cursors(other))

	payload, sig, _ := strings.Cut(first.NextCursor, ".")
	tests := []struct {
		name, as, query string
	}{
		{"another sort", "li", "limit=1&sort=oldest&cursor=" + c},
		{"the priority order", "li", "limit=1&sort=priority&cursor=" + c},
		{"a status filter", "li", "limit=1&status=open&cursor=" + c},
		{"a category filter", "li", "limit=1&category=chargeback&cursor=" + c},
		{"a priority filter", "li", "limit=1&priority=urgent&cursor=" + c},
		{"a language filter", "li", "limit=1&language=de&cursor=" + c},
		{"my queue", "li", "limit=1&assignee=me&cursor=" + c},
		{"a search", "li", "limit=1&q=1001&cursor=" + c},
		{"another agent's queue", "kim", "limit=1&assignee=me&cursor=" + c},
		{"another merchant", "sam", "limit=1&cursor=" + c},
		{"an altered position", "li", "limit=1&cursor=" + url.QueryEscape("e30."+sig)},
		{"an altered signature", "li", "limit=1&cursor=" + url.QueryEscape(payload+"."+strings.Repeat("A", len(sig)))},
		{"a made-up start key", "li", "limit=1&cursor=eyJpeCI6ImluYm94IiwicGsiOiJNI2RlbW8jVCN0a18wMDEiLCJzayI6IlRJQ0tFVCJ9"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if code, _, body := get(tc.as, tc.query); code != 400 || !strings.Contains(body, `"invalid"`) {
				t.Errorf("GET ?%s as %s = %d %s; want 400 invalid", tc.query, tc.as, code, body)
			}
		})
	}
	t.Run("another key", func(t *testing.T) {
		req, _ := http.NewRequest("GET", srv3.URL+"/api/v1/tickets?limit=1&cursor="+c, nil)
		req.Header.Set("Authorization", "Bearer "+callers3["li"])
		if resp, err := srv3.Client().Do(req); err != nil || resp.StatusCode != 400 {
			t.Errorf("a cursor signed with another key: %v, %v; want 400", resp.Status, err)
		}
	})
}
