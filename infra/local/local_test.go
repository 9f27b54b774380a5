package local_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	lambdaevents "github.com/aws/aws-lambda-go/events"
	"github.com/truora/minidyn/server"

	"github.com/borderdesk/borderdesk/events"
	"github.com/borderdesk/borderdesk/functions/api"
	"github.com/borderdesk/borderdesk/infra/local"
	"github.com/borderdesk/borderdesk/infra/local/queue"
	"github.com/borderdesk/borderdesk/shared/outbox"
	"github.com/borderdesk/borderdesk/shared/providers/aftership"
	"github.com/borderdesk/borderdesk/shared/providers/stripe"
)

// clock is a fake clock the test advances, so visibility timeouts pass without waiting.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type env struct {
	t     *testing.T
	rt    *local.Runtime
	url   string
	clock *clock
}

func start(t *testing.T) *env {
	t.Helper()
	clk := &clock{t: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}
	ctx := context.Background()
	rt, err := local.Start(ctx, local.Config{
		Seeds: local.DemoSeeds(func(string) string { return "" }), JWTSecret: []byte("test"),
		Clock: clk, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(rt.Handler)
	t.Cleanup(func() { srv.Close(); rt.Close() })
	return &env{t: t, rt: rt, url: srv.URL, clock: clk}
}

func (e *env) do(method, path string, body []byte, header map[string]string) (int, []byte) {
	e.t.Helper()
	req, _ := http.NewRequest(method, e.url+path, bytes.NewReader(body))
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func (e *env) stripe(file string) (int, []byte) {
	body := fixture(e.t, "stripe", file)
	return e.do("POST", "/webhooks/demo/stripe", body, map[string]string{"Stripe-Signature": stripe.Sign(body, "whsec_local_demo", e.clock.Now())})
}

func (e *env) token(email string) string {
	e.t.Helper()
	code, b := e.do("POST", "/dev/login", []byte(`{"email":"`+email+`"}`), nil)
	var out struct{ Token string }
	if err := json.Unmarshal(b, &out); code != 200 || err != nil {
		e.t.Fatalf("POST /dev/login %s = %d %s", email, code, b)
	}
	return out.Token
}

func (e *env) tickets(token string) []api.TicketSummary {
	e.t.Helper()
	code, b := e.do("GET", "/api/v1/tickets?limit=100", nil, map[string]string{"Authorization": "Bearer " + token})
	var list api.TicketList
	if err := json.Unmarshal(b, &list); code != 200 || err != nil {
		e.t.Fatalf("GET /api/v1/tickets = %d %s", code, b)
	}
	return list.Tickets
}

func (e *env) idle() {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := e.rt.WaitIdle(ctx); err != nil {
		e.t.Fatalf("queues did not drain: %v", err)
	}
}

func fixture(t *testing.T, provider, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "shared", "providers", provider, "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestSignedWebhooksBecomeTicketsForTheirMerchantOnly is the walking skeleton end to end:
// signed webhooks and a customer message in over HTTP, tickets out through the API.
func TestSignedWebhooksBecomeTicketsForTheirMerchantOnly(t *testing.T) {
	e := start(t)
	if code, b := e.stripe("payment_intent.payment_failed.json"); code != 200 {
		t.Fatalf("stripe webhook = %d %s", code, b)
	}
	track := fixture(t, "aftership", "tracking_update.exception.json")
	if code, b := e.do("POST", "/webhooks/demo/aftership", track, map[string]string{"aftership-hmac-sha256": aftership.Sign(track, "aftership_local_demo")}); code != 200 {
		t.Fatalf("aftership webhook = %d %s", code, b)
	}
	msg := []byte(`{"email":"Camille.Martin@example.com","order_number":"10482","text":"Mon paiement a échoué, que faire ?"}`)
	if code, b := e.do("POST", "/inbound/demo/messages", msg, map[string]string{"X-Borderdesk-Key": "pk_local_demo"}); code != 202 {
		t.Fatalf("customer message = %d %s", code, b)
	}
	// The same dispute webhook, three times at once.
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			if code, b := e.stripe("charge.dispute.created.json"); code != 200 {
				t.Errorf("dispute webhook = %d %s", code, b)
			}
		})
	}
	wg.Wait()
	e.idle()

	anna := e.token("anna@demo.test")
	got := e.tickets(anna)
	byCategory := map[string][]api.TicketSummary{}
	for _, tk := range got {
		byCategory[string(tk.Category)] = append(byCategory[string(tk.Category)], tk)
	}
	if len(got) != 3 || len(byCategory["payment_failed"]) != 1 || len(byCategory["chargeback"]) != 1 || len(byCategory["shipping_exception"]) != 1 {
		t.Fatalf("demo's tickets = %+v; want one payment_failed (with the message), one chargeback, one shipping_exception", got)
	}
	code, b := e.do("GET", "/api/v1/tickets/"+byCategory["payment_failed"][0].ID, nil, map[string]string{"Authorization": "Bearer " + anna})
	var d api.TicketDetail
	if err := json.Unmarshal(b, &d); code != 200 || err != nil {
		t.Fatalf("GET ticket = %d %s", code, b)
	}
	if len(d.Messages) != 1 || d.Messages[0].Kind != "customer" || d.Context.Payment == nil || d.Context.Payment.DeclineReason == "" {
		t.Errorf("payment ticket = %s; want the customer's message threaded in and a payment with a decline reason", b)
	}
	_, b = e.do("GET", "/api/v1/tickets/"+byCategory["chargeback"][0].ID, nil, map[string]string{"Authorization": "Bearer " + anna})
	if err := json.Unmarshal(b, &d); err != nil || len(d.Timeline) != 1 {
		t.Errorf("chargeback timeline = %s; want exactly one entry for three deliveries", b)
	}

	jo := e.token("jo@acme.test")
	if n := len(e.tickets(jo)); n != 0 {
		t.Errorf("acme sees %d tickets; want 0", n)
	}
	if code, _ := e.do("GET", "/api/v1/tickets/"+got[0].ID, nil, map[string]string{"Authorization": "Bearer " + jo}); code != 404 {
		t.Errorf("acme reading demo's ticket = %d; want 404", code)
	}
	if code, _ := e.do("GET", "/api/v1/tickets", nil, nil); code != 401 {
		t.Errorf("no token = %d; want 401", code)
	}
}

// TestAgentWorksATicketToSolved replies, notes and solves through the API.
func TestAgentWorksATicketToSolved(t *testing.T) {
	e := start(t)
	e.stripe("charge.failed.json")
	e.idle()
	sam := e.token("sam@demo.test")
	auth := map[string]string{"Authorization": "Bearer " + sam}
	tks := e.tickets(sam)
	if len(tks) != 1 {
		t.Fatalf("tickets = %d; want 1", len(tks))
	}
	id := tks[0].ID
	steps := []struct {
		method, path, body string
		want               int
	}{
		{"POST", "/api/v1/tickets/" + id + "/messages", `{"kind":"reply","body":"Sorry! Please try another card."}`, 201},
		{"POST", "/api/v1/tickets/" + id + "/messages", `{"kind":"note","body":"Customer called too."}`, 201},
		{"POST", "/api/v1/tickets/" + id + "/messages", `{"kind":"shout","body":"x"}`, 400},
		{"PATCH", "/api/v1/tickets/" + id, `{"status":"solved"}`, 200},
		{"PATCH", "/api/v1/tickets/" + id, `{"status":"gone"}`, 400},
		{"PATCH", "/api/v1/tickets/tk_missing", `{"status":"solved"}`, 404},
	}
	for _, s := range steps {
		e.clock.Advance(time.Minute)
		if code, b := e.do(s.method, s.path, []byte(s.body), auth); code != s.want {
			t.Errorf("%s %s %s = %d %s; want %d", s.method, s.path, s.body, code, b, s.want)
		}
	}
	code, b := e.do("GET", "/api/v1/tickets?status=solved", nil, auth)
	var list api.TicketList
	if err := json.Unmarshal(b, &list); code != 200 || err != nil || len(list.Tickets) != 1 || list.Tickets[0].ID != id {
		t.Errorf("solved tickets = %s; want %s", b, id)
	}
}

// TestFailingConsumerEndsInDLQWithNothingLost: an event ticketing can never file is retried
// up to maxReceiveCount, then rests in the DLQ intact and can be redriven; a transient table
// outage is retried until it passes.
func TestFailingConsumerEndsInDLQWithNothingLost(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	poison, _ := events.New(events.PaymentFailed, "ev_poison", "demo", "stripe", "evt_poison", e.clock.Now(), events.Payment{})
	if err := e.rt.Bus.Publish(ctx, poison); err != nil {
		t.Fatal(err)
	}
	q := e.rt.Queues[events.Ticketing]
	f, _ := events.Lookup(events.Ticketing)
	for i := 0; len(q.DLQ()) == 0 && i < 3*f.Queue.MaxReceives; i++ {
		e.clock.Advance(f.Queue.Visibility + time.Second)
		waitShort(e.rt)
	}
	dlq := q.DLQ()
	if len(dlq) != 1 || dlq[0].ReceiveCount != f.Queue.MaxReceives {
		t.Fatalf("DLQ = %+v; want the poison message after %d receives", dlq, f.Queue.MaxReceives)
	}
	var envelope struct{ Detail events.Event }
	if err := json.Unmarshal([]byte(dlq[0].Body), &envelope); err != nil || envelope.Detail.ID != poison.ID {
		t.Errorf("DLQ body = %s; want the poison event intact", dlq[0].Body)
	}
	// The on-call view shows it, and a redrive puts it back for another round.
	code, b := e.do("GET", "/dev/queues", nil, nil)
	var states []local.QueueState
	err := json.Unmarshal(b, &states)
	i := slices.IndexFunc(states, func(s local.QueueState) bool { return s.Name == events.Ticketing })
	if code != 200 || err != nil || i < 0 || len(states[i].DLQ) != 1 {
		t.Errorf("GET /dev/queues = %d %s; want ticketing with one DLQ message", code, b)
	}
	if code, b := e.do("POST", "/dev/queues/ticketing/redrive", nil, nil); code != 200 || !strings.Contains(string(b), `"redriven":1`) {
		t.Errorf("redrive = %d %s; want 1 redriven", code, b)
	}
	if n := len(q.DLQ()); n != 0 {
		t.Errorf("DLQ after redrive = %d; want 0", n)
	}
	for i := 0; len(q.DLQ()) == 0 && i < 3*f.Queue.MaxReceives; i++ {
		e.clock.Advance(f.Queue.Visibility + time.Second)
		waitShort(e.rt)
	}

	// A table outage: the message fails while it lasts and succeeds after.
	e.rt.DB.Server.EmulateFailure(server.FailureConditionInternalServerError)
	good, _ := events.New(events.PaymentFailed, "ev_good", "demo", "stripe", "evt_good", e.clock.Now(),
		events.Payment{PaymentID: "pi_outage", Amount: events.Money{Amount: 100, Currency: "eur"}})
	if err := e.rt.Bus.Publish(ctx, good); err != nil {
		t.Fatal(err)
	}
	waitShort(e.rt)
	e.rt.DB.Server.EmulateFailure(server.FailureConditionNone)
	e.clock.Advance(f.Queue.Visibility + time.Second)
	e.idle()
	if n := len(q.DLQ()); n != 1 {
		t.Errorf("DLQ after outage = %d; want still 1", n)
	}
	if tks := e.tickets(e.token("anna@demo.test")); len(tks) != 1 || tks[0].Subject != "Payment failed for payment pi_outage" {
		t.Errorf("tickets after outage = %+v; want the one for pi_outage", tks)
	}
}

// waitShort lets the pollers work for a moment; the fake clock holds visibility timeouts.
func waitShort(rt *local.Runtime) {
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_ = rt.WaitIdle(ctx)
}

// effects is a consumer of every event the outbox carries that applies each event's effect
// once, however often the event is delivered: what every Borderdesk consumer must do.
type effects struct {
	mu         sync.Mutex
	deliveries map[string]int // event id → deliveries
	applied    map[string]int // event id → effects applied
	types      map[string]events.DetailType
}

func (c *effects) handle(_ context.Context, ev lambdaevents.SQSEvent) (lambdaevents.SQSEventResponse, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, m := range ev.Records {
		e, err := events.FromSQS(m)
		if err != nil {
			return lambdaevents.SQSEventResponse{}, err
		}
		c.deliveries[e.ID]++
		if _, done := c.types[e.ID]; !done { // the idempotency check: applied already?
			c.applied[e.ID]++
			c.types[e.ID] = e.Type
		}
	}
	return lambdaevents.SQSEventResponse{}, nil
}

// flakyBus is the relay's bus failing after the outbox committed: its first failures calls
// fail outright, and then one call is put on the bus but reported failed (a PutEvents that
// timed out after EventBridge took it), so the relay publishes those events again.
type flakyBus struct {
	next     outbox.Publisher
	mu       sync.Mutex
	failures int
	failed   int
	lost     bool // the acknowledgement was lost once
	seen     map[string]bool
}

func (b *flakyBus) PublishAs(ctx context.Context, source string, evs ...events.Event) error {
	b.mu.Lock()
	for _, e := range evs {
		b.seen[e.ID] = true
	}
	if b.failed < b.failures {
		b.failed++
		b.mu.Unlock()
		return errors.New("bus unavailable")
	}
	loseAck := !b.lost
	b.lost = true
	b.mu.Unlock()
	if err := b.next.PublishAs(ctx, source, evs...); err != nil {
		return err
	}
	if loseAck {
		return errors.New("put events: timed out after delivery")
	}
	return nil
}

// TestOutboxEventsTakeEffectExactlyOnce: the bus fails after ticketing and the API committed
// their events to the outbox, then recovers; every outbox event is delivered to its
// consumer's effects exactly once — duplicates delivered, none applied twice, none lost.
func TestOutboxEventsTakeEffectExactlyOnce(t *testing.T) {
	consumer := &effects{deliveries: map[string]int{}, applied: map[string]int{}, types: map[string]events.DetailType{}}
	flaky := &flakyBus{failures: 4, seen: map[string]bool{}}
	topology := append(slices.Clone(events.Topology), events.Function{
		Name:     "effects",
		Consumes: []events.DetailType{events.TicketOpened, events.TicketReopened, events.TicketMerged, events.MessageReplied},
		Queue:    &events.Queue{Batch: 10, Visibility: time.Minute, MaxReceives: 5},
	})
	clk := &clock{t: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}
	rt, err := local.Start(context.Background(), local.Config{
		Seeds: local.DemoSeeds(func(string) string { return "" }), JWTSecret: []byte("test"),
		Clock: clk, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Topology: topology, QueueHandlers: map[string]queue.Handler{"effects": consumer.handle},
		RelayBus: func(p outbox.Publisher) outbox.Publisher { flaky.next = p; return flaky },
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(rt.Handler)
	t.Cleanup(func() { srv.Close(); rt.Close() })
	e := &env{t: t, rt: rt, url: srv.URL, clock: clk}

	// Three tickets open (three ticket.opened in the outbox), an agent replies on one
	// (message.replied).
	e.stripe("payment_intent.payment_failed.json")
	track := fixture(t, "aftership", "tracking_update.exception.json")
	e.do("POST", "/webhooks/demo/aftership", track, map[string]string{"aftership-hmac-sha256": aftership.Sign(track, "aftership_local_demo")})
	e.stripe("charge.dispute.created.json")
	e.idle()
	anna := map[string]string{"Authorization": "Bearer " + e.token("anna@demo.test")}
	tks := e.tickets(anna["Authorization"][len("Bearer "):])
	if len(tks) == 0 {
		t.Fatalf("tickets = 0; want some")
	}
	if code, b := e.do("POST", "/api/v1/tickets/"+tks[0].ID+"/messages", []byte(`{"kind":"reply","body":"We are on it."}`), anna); code != 201 {
		t.Fatalf("reply = %d %s", code, b)
	}
	e.idle()

	if pending, err := rt.Store.PendingOutbox(context.Background(), time.Time{}, 10); err != nil || len(pending) != 0 {
		t.Errorf("outbox after idle = %d items, %v; want empty", len(pending), err)
	}
	consumer.mu.Lock()
	defer consumer.mu.Unlock()
	flaky.mu.Lock()
	defer flaky.mu.Unlock()
	if flaky.failed != flaky.failures || !flaky.lost {
		t.Errorf("bus failed %d times, lost an ack %v; want %d and true: the test must exercise the outage", flaky.failed, flaky.lost, flaky.failures)
	}
	byType := map[events.DetailType]int{}
	duplicates := 0
	for id := range flaky.seen {
		if n := consumer.applied[id]; n != 1 {
			t.Errorf("event %s took effect %d times; want exactly once", id, n)
		}
		byType[consumer.types[id]]++
		duplicates += consumer.deliveries[id] - 1
	}
	for id := range consumer.applied {
		if !flaky.seen[id] {
			t.Errorf("event %s took effect but never went through the relay", id)
		}
	}
	if byType[events.TicketOpened] < 3 || byType[events.MessageReplied] != 1 {
		t.Errorf("effects by type = %v; want ≥ 3 ticket.opened and 1 message.replied", byType)
	}
	if duplicates == 0 {
		t.Errorf("duplicate deliveries = 0; want some (the lost acknowledgement re-published a batch)")
	}
}
