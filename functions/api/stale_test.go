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

// agentAPI is the API on an empty embedded table with merchant demo and its agent anna, and
// a call that sends anna's requests with the headers given.
func agentAPI(t *testing.T, at time.Time) (*dynamo.Store, func(method, path, body string, h http.Header) (*http.Response, string)) {
	t.Helper()
	ctx := context.Background()
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
	hmac := auth.NewHMAC([]byte("test-secret-test-secret-test-secret"), time.Hour, func() time.Time { return at })
	n := 0
	srv := httptest.NewServer(api.New(store, hmac, func() time.Time { return at }, func() string { n++; return fmt.Sprint("en_", n) },
		slog.New(slog.DiscardHandler)))
	t.Cleanup(srv.Close)
	token, err := hmac.Issue(anna)
	if err != nil {
		t.Fatal(err)
	}
	return store, func(method, path, body string, h http.Header) (*http.Response, string) {
		t.Helper()
		req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range h {
			req.Header[k] = v
		}
		req.Header.Set("Authorization", "Bearer "+token)
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
}

// apply files event typ with data for merchant demo through the store, as ticketing does.
func apply(t *testing.T, store *dynamo.Store, id string, typ events.DetailType, at time.Time, data any) dynamo.Outcome {
	t.Helper()
	ev, err := events.New(typ, id, "demo", "stripe", "evt_"+id, at, data)
	if err != nil {
		t.Fatal(err)
	}
	f, err := ticket.Read(ev)
	if err != nil {
		t.Fatal(err)
	}
	out, err := store.ApplyFact(context.Background(), f, func() string { return "tk_1" })
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestStaleSolveIsRefused is the regression for an agent solving a ticket from a view that
// news has overtaken: they open the ticket, an urgent chargeback joins it a minute later, and
// their "Solve" would have taken the ticket — chargeback and all — out of every open inbox
// view unseen. With the ETag of their view as If-Match the solve is refused and changes
// nothing; read again, the same solve goes through.
func TestStaleSolveIsRefused(t *testing.T) {
	at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	store, call := agentAPI(t, at)
	pay := events.Payment{PaymentID: "pi_1", ChargeID: "ch_1", OrderID: "10482", Customer: events.Customer{Email: "jonas@example.de"},
		Amount: events.Money{Amount: 4990, Currency: "eur"}, Status: "requires_payment_method", DeclineCode: "insufficient_funds"}
	opened := apply(t, store, "ev_1", events.PaymentFailed, at, pay)
	path := "/api/v1/tickets/" + opened.TicketID

	// view reads the ticket as the console does: its ETag, and the body's id and version.
	view := func() (etag string, d api.TicketDetail) {
		t.Helper()
		resp, body := call("GET", path, "", nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s = %d %s", path, resp.StatusCode, body)
		}
		if err := json.Unmarshal([]byte(body), &d); err != nil {
			t.Fatal(err)
		}
		etag = resp.Header.Get("ETag")
		if want := fmt.Sprintf("%q", fmt.Sprintf("%s.%d", d.ID, d.Version)); etag != want {
			t.Errorf("GET %s ETag = %s; want %s (the body's id and version)", path, etag, want)
		}
		return etag, d
	}
	solve := func(ifMatch string) (*http.Response, string) {
		return call("PATCH", path, `{"status":"solved"}`, http.Header{"If-Match": {ifMatch}})
	}

	seen, before := view()
	cb := pay
	cb.Status = "succeeded"
	cb.Dispute = &events.Dispute{ID: "dp_1", Reason: "fraudulent", Status: "needs_response", Amount: pay.Amount}
	if out := apply(t, store, "ev_2", events.PaymentDisputeOpened, at.Add(time.Minute), cb); out.TicketID != opened.TicketID || out.Action != ticket.ActJoin {
		t.Fatalf("the chargeback = %+v; want it joined to %s", out, opened.TicketID)
	}

	resp, body := solve(seen)
	var e struct{ Error, Message string }
	_ = json.Unmarshal([]byte(body), &e)
	if resp.StatusCode != http.StatusPreconditionFailed || e.Error != "stale" || !strings.Contains(e.Message, "changed since you loaded it (new: 1 change; it is now open, urgent priority)") {
		t.Fatalf("PATCH status=solved If-Match %s (the view before the chargeback) = %d %s; want 412 stale saying 1 change, open, urgent", seen, resp.StatusCode, body)
	}
	tk, entries, err := store.GetTicket(context.Background(), "demo", opened.TicketID)
	if err != nil {
		t.Fatal(err)
	}
	if tk.Status != ticket.StatusOpen || len(entries) != 2 {
		t.Fatalf("after the refused solve the ticket is %s with %d entries; want open with 2 (nothing changed)", tk.Status, len(entries))
	}
	if got := resp.Header.Get("ETag"); got != fmt.Sprintf(`"%s.%d"`, tk.ID, tk.Version) {
		t.Errorf("412 ETag = %s; want the ticket's current one", got)
	}

	current, after := view()
	if current == seen || after.Version <= before.Version || after.Priority != ticket.PriorityUrgent {
		t.Fatalf("GET after the chargeback: ETag %s version %d priority %s; want a new ETag (was %s v%d) and urgent", current, after.Version, after.Priority, seen, before.Version)
	}
	if resp, body := solve(current); resp.StatusCode != http.StatusOK || !strings.Contains(body, `"status":"solved"`) {
		t.Fatalf("PATCH status=solved If-Match %s (read again) = %d %s; want 200 solved", current, resp.StatusCode, body)
	}
	if resp, _ := solve(current); resp.StatusCode != http.StatusPreconditionFailed {
		t.Errorf("PATCH again with the ETag of before the solve = %d; want 412", resp.StatusCode)
	}
}

// TestIfMatchForms: "*" and no If-Match change the ticket as it is; anything but one strong
// ETag of ours is a 400 that changes nothing, never a precondition quietly skipped.
func TestIfMatchForms(t *testing.T) {
	at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	store, call := agentAPI(t, at)
	opened := apply(t, store, "ev_1", events.PaymentFailed, at, events.Payment{PaymentID: "pi_1", OrderID: "1", Customer: events.Customer{Email: "jo@example.de"}})
	path := "/api/v1/tickets/" + opened.TicketID
	tag := 0
	tests := []struct {
		ifMatch []string // nil: no header
		want    int
	}{
		{nil, 200},
		{[]string{"*"}, 200},
		{[]string{`"tk_1.3"`}, 200}, // the version the two changes before it left
		{[]string{`"tk_1.3"`}, 412},
		{[]string{`"tk_2.4"`}, 412}, // another ticket's tag
		{[]string{`W/"tk_1.4"`}, 400},
		{[]string{`tk_1.4`}, 400},
		{[]string{`"tk_1.4", "tk_1.5"`}, 400},
		{[]string{`"tk_1.4"`, `"tk_1.5"`}, 400},
		{[]string{`"tk_1.04"`}, 400},
		{[]string{`"tk_1.0"`}, 400},
		{[]string{`"tk_1"`}, 400},
		{[]string{`".4"`}, 400},
		{[]string{`""`}, 400},
		{[]string{``}, 400},
	}
	for _, tc := range tests {
		tag++
		h := http.Header{}
		if tc.ifMatch != nil {
			h["If-Match"] = tc.ifMatch
		}
		before, _, _ := store.GetTicket(context.Background(), "demo", opened.TicketID)
		resp, body := call("PATCH", path, fmt.Sprintf(`{"tags":["t%d"]}`, tag), h)
		after, _, _ := store.GetTicket(context.Background(), "demo", opened.TicketID)
		if resp.StatusCode != tc.want {
			t.Errorf("PATCH If-Match %q = %d %s; want %d", tc.ifMatch, resp.StatusCode, body, tc.want)
		}
		if changed := after.Version != before.Version; changed != (tc.want == 200) {
			t.Errorf("PATCH If-Match %q changed the ticket = %v; want %v", tc.ifMatch, changed, tc.want == 200)
		}
	}
}

// TestEmailHTMLIsSanitisedOnTheWayOut: whatever html a stored entry carries — written by an
// older intake, or by anything else that can write the table — script, event handlers,
// javascript: links, remote images and ids never reach the console; the mail's own words,
// links and inline images do.
func TestEmailHTMLIsSanitisedOnTheWayOut(t *testing.T) {
	at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	store, call := agentAPI(t, at)
	stored := `<p id="app" name="root" onclick="steal()">Hallo, <b>mein Paket</b> fehlt.</p>` +
		`<script>alert(1)</script><img src=x onerror="alert(2)"><img src="https://tracker.example/px.gif">` +
		`<a href="javascript:alert(3)">klick</a><a href="https://shop.example/order/1">Bestellung</a>` +
		`<img src="cid:foto1" alt="Foto"><iframe src="https://evil.example"></iframe><style>body{display:none}</style>`
	opened := apply(t, store, "ev_1", events.MessageReceived, at, events.Message{
		MessageID: "<m1@mail.example.de>", Channel: events.ChannelEmail, Customer: events.Customer{Email: "lena@example.de"},
		Subject: "Paket", Text: "Hallo, mein Paket fehlt.", Email: &events.EmailMeta{MessageID: "<m1@mail.example.de>", HTML: stored},
	})
	resp, body := call("GET", "/api/v1/tickets/"+opened.TicketID, "", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET = %d %s", resp.StatusCode, body)
	}
	var d api.TicketDetail
	if err := json.Unmarshal([]byte(body), &d); err != nil {
		t.Fatal(err)
	}
	if len(d.Messages) != 1 || d.Messages[0].Email == nil {
		t.Fatalf("messages = %+v; want the one email", d.Messages)
	}
	got := d.Messages[0].Email.HTML
	for _, bad := range []string{"<script", "alert(", "onerror", "onclick", "javascript:", "tracker.example", `id=`, `name=`, "<iframe", "<style", "display:none"} {
		if strings.Contains(got, bad) {
			t.Errorf("email html = %s; want no %q", got, bad)
		}
	}
	for _, good := range []string{"<p>Hallo, <b>mein Paket</b> fehlt.</p>", `href="https://shop.example/order/1"`, `rel="nofollow noopener"`, `target="_blank"`, `src="cid:foto1"`} {
		if !strings.Contains(got, good) {
			t.Errorf("email html = %s; want %q kept", got, good)
		}
	}
}
