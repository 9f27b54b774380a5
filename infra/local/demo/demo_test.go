package demo

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/borderdesk/borderdesk/functions/api"
	"github.com/borderdesk/borderdesk/infra/local"
	"github.com/borderdesk/borderdesk/shared/ticket"
)

// env is the whole local runtime with the demo seeds, behind a loopback server.
type env struct {
	rt      *local.Runtime
	baseURL string
	client  *http.Client
	secrets map[string]Secrets // by merchant id
}

func boot(t *testing.T) env {
	t.Helper()
	noEnv := func(string) string { return "" }
	seeds := local.DemoSeeds(noEnv)
	rt, err := local.Start(t.Context(), local.Config{
		Seeds: seeds, JWTSecret: local.JWTSecret(noEnv), Log: slog.New(slog.NewTextHandler(t.Output(), nil)),
	})
	if err != nil {
		t.Fatalf("local.Start: %v", err)
	}
	t.Cleanup(func() { _ = rt.Close() })
	srv := httptest.NewServer(rt.Handler)
	t.Cleanup(srv.Close)
	e := env{rt: rt, baseURL: srv.URL, client: srv.Client(), secrets: map[string]Secrets{}}
	e.client.Timeout = 10 * time.Second
	for _, s := range seeds {
		e.secrets[s.Merchant.ID] = SecretsOf(s.Merchant, s.Secrets)
	}
	t.Cleanup(func() {
		// Let ticketing finish before the runtime closes, and leave nothing dead-lettered:
		// every event accepted must have been ticketed.
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := rt.WaitIdle(ctx); err != nil {
			t.Errorf("WaitIdle: %v", err)
		}
		for name, q := range rt.Queues {
			if dlq := q.DLQ(); len(dlq) > 0 {
				t.Errorf("queue %s dead-lettered %d messages: %v", name, len(dlq), dlq)
			}
		}
	})
	return e
}

// waitIdle waits until ticketing has applied everything sent.
func (e env) waitIdle(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if err := e.rt.WaitIdle(ctx); err != nil {
		t.Fatalf("WaitIdle: %v", err)
	}
}

func (e env) login(t *testing.T, email string) string {
	t.Helper()
	token, err := Login(t.Context(), e.client, e.baseURL, email)
	if err != nil {
		t.Fatal(err)
	}
	return token
}

func (e env) list(t *testing.T, token string) []api.TicketSummary {
	t.Helper()
	tickets, more, err := Tickets(t.Context(), e.client, e.baseURL, token)
	if err != nil {
		t.Fatal(err)
	}
	if more {
		t.Fatalf("more than %d tickets", maxTickets)
	}
	return tickets
}

// detail reads the first of tickets that match.
func (e env) detail(t *testing.T, token string, tickets []api.TicketSummary, match func(api.TicketSummary) bool) api.TicketDetail {
	t.Helper()
	for _, tk := range tickets {
		if match(tk) {
			d, err := Ticket(t.Context(), e.client, e.baseURL, token, tk.ID)
			if err != nil {
				t.Fatal(err)
			}
			return d
		}
	}
	t.Fatalf("no matching ticket in:\n%s", table(tickets))
	return api.TicketDetail{}
}

func table(tickets []api.TicketSummary) string {
	var b strings.Builder
	for _, tk := range tickets {
		b.WriteString("  " + tk.Subject + " | " + string(tk.Category) + " | " + string(tk.Priority) + " | " + string(tk.Status) + "\n")
	}
	return b.String()
}

func order(id string) func(api.TicketSummary) bool {
	return func(tk api.TicketSummary) bool { return tk.OrderID == id }
}

func TestSendTicketsDemoTrafficForDemoOnly(t *testing.T) {
	e := boot(t)
	report, err := Send(t.Context(), e.client, e.baseURL, "demo", e.secrets["demo"], time.Now())
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	if got, want := len(report.Sent), 7; got != want {
		t.Fatalf("Send sent %d requests; want %d", got, want)
	}
	for _, s := range report.Sent {
		if !strings.Contains(s.Answer, `"accepted"`) {
			t.Errorf("%s: answer %d %s; want accepted", s.Name, s.Status, s.Answer)
		}
	}
	e.waitIdle(t)

	token := e.login(t, "anna@demo.test")
	tickets := e.list(t, token)
	// One ticket per order (the German message joins order 10482's, the chargeback order
	// 10475's through its payment) and one for the message about no order.
	want := []struct {
		orderID  string
		category ticket.Category
		priority ticket.Priority
	}{
		// The customer's message joins the payment failure that started the story.
		{orderPaymentFailed, ticket.CategoryPaymentFailed, ticket.PriorityNormal},
		{orderDisputed, ticket.CategoryChargeback, ticket.PriorityUrgent},
		{orderHeldInCustoms, ticket.CategoryShippingException, ticket.PriorityHigh},
		{orderLate, ticket.CategoryShippingDelay, ticket.PriorityNormal},
		{"", ticket.CategoryCustomerMessage, ticket.PriorityNormal},
	}
	t.Logf("demo's tickets:\n%s", table(tickets))
	if len(tickets) != len(want) {
		t.Fatalf("demo has %d tickets; want %d:\n%s", len(tickets), len(want), table(tickets))
	}
	for _, w := range want {
		found := false
		for _, tk := range tickets {
			if tk.OrderID == w.orderID && tk.Category == w.category {
				found = true
				if tk.Priority != w.priority || tk.Status != ticket.StatusOpen {
					t.Errorf("ticket %q: priority %s, status %s; want %s, open", tk.Subject, tk.Priority, tk.Status, w.priority)
				}
			}
		}
		if !found {
			t.Errorf("no ticket for order %q category %q in:\n%s", w.orderID, w.category, table(tickets))
		}
	}

	// The payment failure and the German message are one conversation.
	d := e.detail(t, token, tickets, order(orderPaymentFailed))
	if p := d.Context.Payment; p == nil || p.DeclineCode != "insufficient_funds" || p.Amount.Amount != 8990 || p.Amount.Currency != "eur" {
		t.Errorf("order %s payment context = %+v; want insufficient_funds, 8990 eur", orderPaymentFailed, p)
	}
	if d.Customer.Country != "DE" || d.Customer.Email != "lena.fischer@example.de" {
		t.Errorf("order %s customer = %+v; want lena.fischer@example.de in DE", orderPaymentFailed, d.Customer)
	}
	if len(d.Messages) != 1 || !strings.Contains(d.Messages[0].Body, "Bestellung "+orderPaymentFailed) {
		t.Errorf("order %s messages = %+v; want the German message", orderPaymentFailed, d.Messages)
	}
	if len(d.Timeline) != 2 {
		t.Errorf("order %s timeline has %d entries; want 2 (payment failed, message)", orderPaymentFailed, len(d.Timeline))
	}

	d = e.detail(t, token, tickets, order(orderHeldInCustoms))
	if s := d.Context.Shipment; s == nil || s.Carrier != "dhl" || s.Status != "Exception" || s.SubStatusMessage != "Delayed (Customs clearance)" {
		t.Errorf("order %s shipment context = %+v; want dhl Exception, customs", orderHeldInCustoms, s)
	}

	if acme := e.list(t, e.login(t, "jo@acme.test")); len(acme) != 0 {
		t.Errorf("acme sees %d tickets; want 0:\n%s", len(acme), table(acme))
	}
}

// TestSendAgainJoinsTheSameTickets: a second run sends new events about the same orders,
// payments and customers, which join the tickets still open rather than opening more.
func TestSendAgainJoinsTheSameTickets(t *testing.T) {
	e := boot(t)
	now := time.Now()
	for i := range 2 {
		if _, err := Send(t.Context(), e.client, e.baseURL, "demo", e.secrets["demo"], now.Add(time.Duration(i)*time.Second)); err != nil {
			t.Fatalf("Send #%d: %v", i+1, err)
		}
	}
	e.waitIdle(t)
	token := e.login(t, "sam@demo.test")
	tickets := e.list(t, token)
	if len(tickets) != 5 {
		t.Fatalf("after two runs demo has %d tickets; want 5:\n%s", len(tickets), table(tickets))
	}
	d := e.detail(t, token, tickets, order(orderPaymentFailed))
	if len(d.Timeline) != 4 {
		t.Errorf("order %s timeline has %d entries after two runs; want 4", orderPaymentFailed, len(d.Timeline))
	}
}

func TestSendReportsRefusals(t *testing.T) {
	e := boot(t)
	s := e.secrets["demo"]
	s.Stripe, s.PublishableKey = "whsec_wrong", "pk_wrong"
	report, err := Send(t.Context(), e.client, e.baseURL, "demo", s, time.Now())
	if err == nil {
		t.Fatal("Send with wrong secrets: no error; want one")
	}
	for _, want := range []string{"payment_failed", "401", "signature does not match", "publishable key"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Send error = %q; want it to mention %q", err, want)
		}
	}
	// Every request is still sent; the AfterShip ones, rightly signed, are accepted.
	statuses := map[int]int{}
	for _, s := range report.Sent {
		statuses[s.Status]++
	}
	if statuses[http.StatusUnauthorized] != 5 || statuses[http.StatusOK] != 2 {
		t.Errorf("Send statuses = %v; want 5×401 and 2×200", statuses)
	}
}

func TestSendStopsWhenNobodyAnswers(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	baseURL := srv.URL
	srv.Close()
	report, err := Send(t.Context(), http.DefaultClient, baseURL, "demo", Secrets{}, time.Now())
	if err == nil || len(report.Sent) != 0 {
		t.Errorf("Send to a closed server = %d sent, %v; want 0 sent and an error", len(report.Sent), err)
	}
}

func TestTrafficIsDeterministicPerSeed(t *testing.T) {
	now := time.Date(2025, 3, 14, 9, 30, 0, 0, time.UTC)
	s := Secrets{Stripe: "whsec_x", AfterShip: "as_x", PublishableKey: "pk_x"}
	a, b := Traffic("demo", s, now, "run-1"), Traffic("demo", s, now, "run-1")
	c := Traffic("demo", s, now, "run-2")
	for i := range a {
		if !bytes.Equal(a[i].Body, b[i].Body) || a[i].Header.Get("Idempotency-Key") != b[i].Header.Get("Idempotency-Key") {
			t.Errorf("Traffic(%q)[%d] differs between calls with the same inputs", "run-1", i)
		}
		if bytes.Equal(a[i].Body, c[i].Body) && a[i].Header.Get("Idempotency-Key") == c[i].Header.Get("Idempotency-Key") {
			t.Errorf("Traffic(%q)[%d] = Traffic(%q)[%d]; want new event ids per seed", "run-1", i, "run-2", i)
		}
	}
}
