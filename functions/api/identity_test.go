package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/borderdesk/borderdesk/events"
	"github.com/borderdesk/borderdesk/functions/api"
	"github.com/borderdesk/borderdesk/shared/auth"
	"github.com/borderdesk/borderdesk/shared/dynamo"
	"github.com/borderdesk/borderdesk/shared/dynamo/embedded"
	"github.com/borderdesk/borderdesk/shared/merchant"
)

// TestSubIsTheIdentity is the regression for agents identified by their token's email claim,
// which a Cognito user may be able to change: a token whose email is another agent's still
// acts as its own sub — in what it reads as "me", what it writes as author and assignee, its
// read markers and its replies' idempotency keys.
func TestSubIsTheIdentity(t *testing.T) {
	ctx := context.Background()
	db, err := embedded.Start(ctx, "127.0.0.1:0", "identity")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	store := dynamo.New(db.Client, "identity")
	seed(t, store) // li (sub-li) works for demo
	ana := merchant.Agent{ID: "sub-ana", Email: "ana@demo.test", Name: "Ana", MerchantID: "demo", Role: merchant.RoleAgent}
	if err := store.PutAgent(ctx, ana); err != nil {
		t.Fatal(err)
	}
	clock := func() time.Time { return t0.Add(4 * time.Hour) }
	hmac := auth.NewHMAC([]byte("identity test secret"), time.Hour, clock)
	n := 0
	srv := api.New(store, hmac, clock, func() string { n++; return fmt.Sprintf("en_%03d", n) }, slog.New(slog.DiscardHandler))
	token := func(a merchant.Agent) string {
		tok, err := hmac.Issue(a)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	liAsAna := token(merchant.Agent{ID: "sub-li", Email: ana.Email, MerchantID: "demo", Role: merchant.RoleAgent})
	li := token(merchant.Agent{ID: "sub-li", Email: "li@demo.test", MerchantID: "demo", Role: merchant.RoleAgent})
	anaToken := token(ana)
	do := func(tok, method, path, body, key string) (int, map[string]any) {
		t.Helper()
		r := httptest.NewRequest(method, path, strings.NewReader(body))
		r.Header.Set("Authorization", "Bearer "+tok)
		r.Header.Set("X-Request-Id", "req-"+method+"-"+path)
		if key != "" {
			r.Header.Set("Idempotency-Key", key)
		}
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, r)
		var out map[string]any
		if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
			t.Fatalf("%s %s = %d %s; want JSON", method, path, w.Code, w.Body)
		}
		return w.Code, out
	}

	t.Run("me", func(t *testing.T) {
		code, me := do(liAsAna, "GET", "/api/v1/me", "", "")
		if code != 200 || me["id"] != "sub-li" || me["email"] != "li@demo.test" || me["name"] != "Li Wei" {
			t.Errorf("GET /api/v1/me with ana's email claim = %d %v; want li (sub-li, li@demo.test)", code, me)
		}
	})
	t.Run("author", func(t *testing.T) {
		code, e := do(liAsAna, "POST", "/api/v1/tickets/tk_001/messages", `{"kind":"note","body":"Mine."}`, "")
		if code != 201 || e["author"] != "sub-li" || e["author_email"] != "li@demo.test" {
			t.Errorf("POST a note with ana's email claim = %d %v; want author sub-li (li@demo.test)", code, e)
		}
	})
	t.Run("reply event", func(t *testing.T) {
		code, e := do(liAsAna, "POST", "/api/v1/tickets/tk_003/messages", `{"kind":"reply","body":"From li."}`, "")
		if code != 201 {
			t.Fatalf("POST a reply with ana's email claim = %d %v", code, e)
		}
		recs, err := store.PendingOutbox(ctx, clock().Add(time.Hour), 100)
		if err != nil {
			t.Fatal(err)
		}
		var authors []string
		for _, rec := range recs {
			var reply events.Reply
			if rec.Event.Type == events.MessageReplied && rec.Event.Decode(&reply) == nil && reply.EntryID == e["id"] {
				authors = append(authors, reply.Author)
				if want := "req-POST-/api/v1/tickets/tk_003/messages"; rec.Event.CorrelationID != want {
					t.Errorf("message.replied correlation id = %q; want the request's %q", rec.Event.CorrelationID, want)
				}
			}
		}
		if fmt.Sprint(authors) != "[li@demo.test]" {
			t.Errorf("message.replied authors for li's reply = %v; want [li@demo.test], li's record's email, not the claim's", authors)
		}
	})
	t.Run("assignee me", func(t *testing.T) {
		if code, _ := do(li, "PATCH", "/api/v1/tickets/tk_003", `{"assignee":"sub-ana"}`, ""); code != 200 {
			t.Fatalf("assign tk_003 to ana = %d", code)
		}
		code, sum := do(li, "PATCH", "/api/v1/tickets/tk_004", `{"assignee":"sub-li"}`, "")
		if code != 200 || sum["assignee"] != "sub-li" || sum["assignee_email"] != "li@demo.test" || sum["assignee_name"] != "Li Wei" {
			t.Errorf("assign tk_004 to sub-li = %d %v; want assignee sub-li shown as Li Wei, li@demo.test", code, sum)
		}
		_, list := do(liAsAna, "GET", "/api/v1/tickets?assignee=me", "", "")
		if got := ids(list); got != "[tk_004]" {
			t.Errorf("GET ?assignee=me with ana's email claim = %s; want li's queue [tk_004]", got)
		}
	})
	t.Run("read markers", func(t *testing.T) {
		do(li, "POST", "/api/v1/tickets/tk_002/messages", `{"kind":"note","body":"New activity."}`, "")
		do(liAsAna, "GET", "/api/v1/tickets/tk_002", "", "") // li reads it, with ana's email
		for _, tc := range []struct {
			who, tok   string
			wantUnread bool
		}{{"li", li, false}, {"ana", anaToken, true}} {
			_, list := do(tc.tok, "GET", "/api/v1/tickets", "", "")
			if got := unread(list)["tk_002"]; got != tc.wantUnread {
				t.Errorf("tk_002 unread for %s = %v; want %v (li read it)", tc.who, got, tc.wantUnread)
			}
		}
	})
	t.Run("idempotency key", func(t *testing.T) {
		if code, _ := do(liAsAna, "POST", "/api/v1/tickets/tk_001/messages", `{"kind":"reply","body":"One."}`, "k1"); code != 201 {
			t.Fatalf("first reply = %d; want 201", code)
		}
		if code, _ := do(li, "POST", "/api/v1/tickets/tk_001/messages", `{"kind":"reply","body":"Two."}`, "k1"); code != 422 {
			t.Errorf("li's key k1 again with another body = %d; want 422: it is li's key, whatever the email", code)
		}
		if code, _ := do(anaToken, "POST", "/api/v1/tickets/tk_001/messages", `{"kind":"reply","body":"Two."}`, "k1"); code != 201 {
			t.Errorf("ana's own key k1 = %d; want 201: another agent's key", code)
		}
	})
}

func ids(list map[string]any) string {
	var out []string
	tickets, _ := list["tickets"].([]any)
	for _, tk := range tickets {
		out = append(out, tk.(map[string]any)["id"].(string))
	}
	return fmt.Sprint(out)
}

func unread(list map[string]any) map[string]bool {
	out := map[string]bool{}
	tickets, _ := list["tickets"].([]any)
	for _, tk := range tickets {
		m := tk.(map[string]any)
		out[m["id"].(string)], _ = m["unread"].(bool)
	}
	return out
}
