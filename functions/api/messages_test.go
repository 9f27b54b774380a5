package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
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
	"github.com/borderdesk/borderdesk/shared/ticket"
)

// TestRetriedReplyIsStoredOnce is the regression for a reply the browser retried (a dropped
// connection, a double click) being stored — and later sent — twice.
func TestRetriedReplyIsStoredOnce(t *testing.T) {
	ctx := context.Background()
	at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	db, err := embedded.Start(ctx, "127.0.0.1:0", "api")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	store := dynamo.New(db.Client, "api")
	anna := merchant.Agent{ID: "sub-anna", Email: "anna@demo.test", Name: "Anna", MerchantID: "demo", Role: merchant.RoleAgent}
	if err := store.PutMerchant(ctx, merchant.Merchant{ID: "demo", Name: "Demo"}); err != nil {
		t.Fatal(err)
	}
	if err := store.PutAgent(ctx, anna); err != nil {
		t.Fatal(err)
	}
	ev, _ := events.New(events.PaymentFailed, "ev_1", "demo", "stripe", "evt_1", at, events.Payment{PaymentID: "pi_1", OrderID: "10482",
		Customer: events.Customer{Email: "jonas@example.de"}})
	f, _ := ticket.Read(ev)
	opened, err := store.ApplyFact(ctx, f, func() string { return "tk_1" })
	if err != nil {
		t.Fatal(err)
	}
	hmac := auth.NewHMAC([]byte("test-secret-test-secret-test-secret"), time.Hour, func() time.Time { return at })
	n := 0
	srv := httptest.NewServer(api.New(store, hmac, func() time.Time { return at }, func() string { n++; return fmt.Sprint("en_", n) },
		slog.New(slog.NewTextHandler(io.Discard, nil))))
	t.Cleanup(srv.Close)
	token, err := hmac.Issue(anna)
	if err != nil {
		t.Fatal(err)
	}
	post := func(key, body string) (int, string) {
		req, _ := http.NewRequest("POST", srv.URL+"/api/v1/tickets/"+opened.TicketID+"/messages", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		if key != "" {
			req.Header.Set("Idempotency-Key", key)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	reply := `{"kind":"reply","body":"Hallo Jonas, wir kümmern uns darum."}`
	tests := []struct {
		name, key, body string
		want            int
		wantID          string
	}{
		{"first", "k-1", reply, http.StatusCreated, "en_1"},
		{"retried", "k-1", reply, http.StatusCreated, "en_1"},
		{"same key, other body", "k-1", `{"kind":"reply","body":"Something else"}`, http.StatusUnprocessableEntity, ""},
		{"another key", "k-2", reply, http.StatusCreated, "en_4"},
	}
	for _, tc := range tests {
		status, body := post(tc.key, tc.body)
		var e struct {
			ID string `json:"id"`
		}
		_ = json.Unmarshal([]byte(body), &e)
		if status != tc.want || e.ID != tc.wantID {
			t.Errorf("%s: POST messages = %d %s; want %d with entry %q", tc.name, status, body, tc.want, tc.wantID)
		}
	}
	_, entries, _ := store.GetTicket(ctx, "demo", opened.TicketID)
	replies := 0
	for _, e := range entries {
		if e.Kind == ticket.EntryReply {
			replies++
		}
	}
	if replies != 2 {
		t.Errorf("ticket has %d replies; want 2 (k-1 once, k-2 once)", replies)
	}
}
