package ticket_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/borderdesk/borderdesk/shared/errs"
	"github.com/borderdesk/borderdesk/shared/ticket"
)

func TestFilterMatch(t *testing.T) {
	tk := ticket.Ticket{
		ID: "tk_1", Status: ticket.StatusOpen, Category: ticket.CategoryChargeback,
		Priority: ticket.PriorityUrgent, Assignee: "anna@demo.test", Language: "de",
	}
	merged := tk
	merged.MergedInto, merged.Status = "tk_0", ticket.StatusMerged
	unassigned := tk
	unassigned.Assignee = ""
	tests := []struct {
		name string
		f    ticket.Filter
		t    ticket.Ticket
		want bool
	}{
		{"no filter", ticket.Filter{}, tk, true},
		{"every filter", ticket.Filter{Status: ticket.StatusOpen, Category: ticket.CategoryChargeback, Priority: ticket.PriorityUrgent, Assignee: "anna@demo.test", Language: "de"}, tk, true},
		{"other status", ticket.Filter{Status: ticket.StatusSolved}, tk, false},
		{"other category", ticket.Filter{Category: ticket.CategoryRefund}, tk, false},
		{"other priority", ticket.Filter{Priority: ticket.PriorityLow}, tk, false},
		{"other language", ticket.Filter{Language: "fr"}, tk, false},
		{"other assignee", ticket.Filter{Assignee: "li@demo.test"}, tk, false},
		{"unassigned wanted, assigned", ticket.Filter{Assignee: ticket.Unassigned}, tk, false},
		{"unassigned wanted, unassigned", ticket.Filter{Assignee: ticket.Unassigned}, unassigned, true},
		{"merged, no filter", ticket.Filter{}, merged, false},
		{"merged, its old status", ticket.Filter{Status: ticket.StatusOpen}, merged, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.f.Match(tc.t); got != tc.want {
				t.Errorf("%+v.Match(%s) = %v; want %v", tc.f, tc.t.ID, got, tc.want)
			}
		})
	}
}

func TestFilterCheckAndNormalized(t *testing.T) {
	tests := []struct {
		f       ticket.Filter
		wantErr bool
	}{
		{ticket.Filter{}, false},
		{ticket.Filter{Status: ticket.StatusPending, Priority: ticket.PriorityHigh, Category: ticket.CategoryRefund, Sort: ticket.SortOldest}, false},
		{ticket.Filter{Status: "bogus"}, true},
		{ticket.Filter{Status: ticket.StatusMerged}, true},
		{ticket.Filter{Priority: "bogus"}, true},
		{ticket.Filter{Category: "bogus"}, true},
		{ticket.Filter{Sort: "sideways"}, true},
	}
	for _, tc := range tests {
		if err := tc.f.Check(); (err != nil) != tc.wantErr || err != nil && !errs.Is(err, errs.Invalid) {
			t.Errorf("Check(%+v) = %v; want error %v (invalid)", tc.f, err, tc.wantErr)
		}
	}
	n := ticket.Filter{Limit: 500}.Normalized()
	if n.Sort != ticket.SortUpdated || n.Limit != ticket.DefaultLimit || n.Budget != ticket.DefaultBudget {
		t.Errorf("Normalized() = sort %q limit %d budget %d; want %q %d %d", n.Sort, n.Limit, n.Budget, ticket.SortUpdated, ticket.DefaultLimit, ticket.DefaultBudget)
	}
}

func TestCursors(t *testing.T) {
	key := bytes.Repeat([]byte("k"), ticket.MinCursorKey)
	c, err := ticket.NewCursors(key)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := ticket.NewCursors(bytes.Repeat([]byte("o"), ticket.MinCursorKey))
	q := ticket.Query{MerchantID: "demo", Filter: ticket.Filter{Status: ticket.StatusOpen, Sort: ticket.SortUpdated, Limit: 2}}
	const pos = ticket.Position(`{"pk":"M#demo#T#tk_1"}`)
	cur := c.Seal(q, pos)
	if got, err := c.Open(q, cur); err != nil || got != pos {
		t.Fatalf("Open(Seal(%q)) = %q, %v; want it back", pos, got, err)
	}
	// The limit and the budget are not part of the query: a client may change its page size.
	resized := q
	resized.Filter.Limit, resized.Filter.Budget = 50, 3
	if got, err := c.Open(resized, cur); err != nil || got != pos {
		t.Errorf("Open with another limit = %q, %v; want %q", got, err, pos)
	}
	// "" is the default sort, so it is the same query as "updated".
	defaultSort := q
	defaultSort.Filter.Sort = ""
	if _, err := c.Open(defaultSort, cur); err != nil {
		t.Errorf("Open with sort \"\" for sort updated = %v; want the same query", err)
	}
	if got := c.Seal(q, ""); got != "" {
		t.Errorf("Seal(last page) = %q; want \"\"", got)
	}
	if got, err := c.Open(q, ""); got != "" || err != nil {
		t.Errorf(`Open("") = %q, %v; want "", nil`, got, err)
	}

	change := func(f func(*ticket.Query)) ticket.Query { q2 := q; f(&q2); return q2 }
	payload, sig, _ := strings.Cut(cur, ".")
	tests := []struct {
		name   string
		c      ticket.Cursors
		q      ticket.Query
		cursor string
	}{
		{"another merchant", c, change(func(q *ticket.Query) { q.MerchantID = "acme" }), cur},
		{"another sort", c, change(func(q *ticket.Query) { q.Filter.Sort = ticket.SortOldest }), cur},
		{"another status", c, change(func(q *ticket.Query) { q.Filter.Status = ticket.StatusPending }), cur},
		{"no status", c, change(func(q *ticket.Query) { q.Filter.Status = "" }), cur},
		{"a category", c, change(func(q *ticket.Query) { q.Filter.Category = ticket.CategoryRefund }), cur},
		{"a priority", c, change(func(q *ticket.Query) { q.Filter.Priority = ticket.PriorityLow }), cur},
		{"an assignee", c, change(func(q *ticket.Query) { q.Filter.Assignee = "anna@demo.test" }), cur},
		{"a language", c, change(func(q *ticket.Query) { q.Filter.Language = "de" }), cur},
		{"a search", c, change(func(q *ticket.Query) { q.Search = "10482" }), cur},
		{"another key", other, q, cur},
		{"zero Cursors", ticket.Cursors{}, q, cur},
		{"altered payload", c, q, "e30." + sig},
		{"altered signature", c, q, payload + "." + strings.Repeat("A", len(sig))},
		{"no signature", c, q, payload},
		{"made up", c, q, "not-a-cursor"},
		{"signature not base64", c, q, payload + ".!!"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got, err := tc.c.Open(tc.q, tc.cursor); !errs.Is(err, errs.Invalid) {
				t.Errorf("Open(%+v, %.20q) = %q, %v; want invalid", tc.q, tc.cursor, got, err)
			}
		})
	}
	if _, err := ticket.NewCursors(key[:16]); err == nil {
		t.Errorf("NewCursors(16 bytes) = nil error; want refused")
	}
	if a, b := ticket.RandomCursorKey(), ticket.RandomCursorKey(); len(a) != ticket.MinCursorKey || bytes.Equal(a, b) {
		t.Errorf("RandomCursorKey() = %x, %x; want two different %d-byte keys", a, b, ticket.MinCursorKey)
	}
}
