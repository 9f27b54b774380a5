package ticketing_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	lambdaevents "github.com/aws/aws-lambda-go/events"

	"github.com/borderdesk/borderdesk/events"
	"github.com/borderdesk/borderdesk/functions/ticketing"
	"github.com/borderdesk/borderdesk/shared/dynamo"
	"github.com/borderdesk/borderdesk/shared/dynamo/embedded"
	"github.com/borderdesk/borderdesk/shared/ticket"
)

var t0 = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

func newStore(t *testing.T) *dynamo.Store {
	t.Helper()
	db, err := embedded.Start(context.Background(), "127.0.0.1:0", "ticketing")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return dynamo.New(db.Client, "ticketing")
}

// sqsMessage wraps ev the way EventBridge delivers it to an SQS target.
func sqsMessage(t *testing.T, ev events.Event) lambdaevents.SQSMessage {
	t.Helper()
	detail, _ := json.Marshal(ev)
	body, err := json.Marshal(lambdaevents.CloudWatchEvent{
		Version: "0", ID: "eb-" + ev.ID, DetailType: string(ev.Type), Source: events.SourceIntake,
		AccountID: "123456789012", Time: ev.OccurredAt, Region: "eu-central-1", Resources: []string{}, Detail: detail,
	})
	if err != nil {
		t.Fatal(err)
	}
	return lambdaevents.SQSMessage{MessageId: "m-" + ev.ID, Body: string(body), Attributes: map[string]string{"ApproximateReceiveCount": "1"}}
}

// orderStory is what happens around one order, as events — each under the references its
// provider really sends: the chargeback and the refund name only the payment, the
// exception only the parcel, and the routine scan ties the parcel to the order.
func orderStory(t *testing.T, merchant string) []events.Event {
	t.Helper()
	pay := events.Payment{PaymentID: "pi_1", ChargeID: "ch_1", OrderID: "10482",
		Customer: events.Customer{Email: "jonas.billing@example.de", Name: "J. Weber", Country: "DE"},
		Amount:   events.Money{Amount: 8990, Currency: "eur"}, Status: "requires_payment_method", DeclineCode: "insufficient_funds"}
	dispute := events.Payment{PaymentID: "pi_1", ChargeID: "ch_1", Status: "needs_response", Amount: pay.Amount,
		Dispute: &events.Dispute{ID: "dp_1", Reason: "fraudulent", Status: "needs_response", Amount: pay.Amount}}
	refund := events.Payment{ChargeID: "ch_1", Status: "succeeded", Amount: pay.Amount,
		Refund: &events.Refund{ID: "re_1", Status: "succeeded", Amount: pay.Amount}}
	exception := events.Shipment{TrackingNumber: "JD0146", Carrier: "dhl", Status: "Exception", DestinationCountry: "AT",
		Checkpoints: []events.Checkpoint{{At: "2026-11-02T10:00:00Z", Message: "Held by customs"}}}
	scan := events.Shipment{TrackingNumber: "JD0146", Carrier: "dhl", OrderID: "#10482", Status: "InTransit",
		Checkpoints: []events.Checkpoint{{At: "2026-11-02T08:00:00Z", Message: "Departed Shenzhen"}}}
	msg := events.Message{MessageID: "msg_1", Channel: "web", Customer: events.Customer{Email: "jonas@example.de", Name: "Jonas"}, OrderID: "10482", Text: "Wo ist mein Paket?"}
	specs := []struct {
		typ  events.DetailType
		at   time.Duration
		data any
	}{
		{events.ShipmentUpdated, 0, scan},
		{events.PaymentFailed, time.Hour, pay},
		{events.MessageReceived, 2 * time.Hour, msg},
		{events.PaymentDisputeOpened, 3 * time.Hour, dispute},
		{events.PaymentRefunded, 4 * time.Hour, refund},
		{events.ShipmentException, 5 * time.Hour, exception},
	}
	var out []events.Event
	for i, s := range specs {
		ev, err := events.New(s.typ, fmt.Sprintf("ev_%d", i), merchant, "test", fmt.Sprintf("evt_%d", i), t0.Add(s.at), s.data)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, ev)
	}
	return out
}

func permutations(n int) [][]int {
	if n == 0 {
		return [][]int{{}}
	}
	var out [][]int
	for _, p := range permutations(n - 1) {
		for i := 0; i <= len(p); i++ {
			q := append(append(append([]int{}, p[:i]...), n-1), p[i:]...)
			out = append(out, q)
		}
	}
	return out
}

// endState is what an agent sees of a merchant's tickets, minus ids, write counts and the
// bookkeeping of merges (which tickets were merged depends on arrival order; what the
// survivor holds does not).
func endState(t *testing.T, s *dynamo.Store, merchant string) string {
	t.Helper()
	ctx := context.Background()
	page, err := s.ListTickets(ctx, merchant, ticket.Filter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, tk := range page.Tickets {
		full, entries, err := s.GetTicket(ctx, merchant, tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		full.ID, full.Version, full.Absorbed = "", 0, nil
		entries = slices.DeleteFunc(entries, func(e ticket.Entry) bool { return e.EventType == events.TicketMerged })
		sort.Slice(entries, func(i, j int) bool { return entries[i].ID < entries[j].ID })
		b, _ := json.Marshal(struct {
			T ticket.Ticket
			E []ticket.Entry
		}{full, entries})
		out = append(out, string(b))
	}
	sort.Strings(out)
	return fmt.Sprint(out)
}

func TestOutOfOrderDeliveryLeavesTheSameEndState(t *testing.T) {
	var (
		store *dynamo.Store
		h     *ticketing.Handler
	)
	ctx := context.Background()
	var want string
	for i, perm := range permutations(6) {
		if i%4 == 0 {
			// A fresh table now and then: the embedded table's transactions copy it whole.
			store = newStore(t)
			h = ticketing.New(store, func() time.Time { return t0 }, slog.New(slog.NewTextHandler(io.Discard, nil)))
		}
		merchant := fmt.Sprintf("m%03d", i) // one tenant per ordering: tenants never mix
		story := orderStory(t, merchant)
		for _, j := range perm {
			resp, err := h.Handle(ctx, lambdaevents.SQSEvent{Records: []lambdaevents.SQSMessage{sqsMessage(t, story[j])}})
			if err != nil || len(resp.BatchItemFailures) > 0 {
				t.Fatalf("order %v: Handle(%s) = %+v, %v", perm, story[j].Type, resp, err)
			}
		}
		got := endState(t, store, merchant)
		if i == 0 {
			want = got
			if n := len(got); n < 100 {
				t.Fatalf("end state suspiciously small: %s", got)
			}
			continue
		}
		if got != want {
			t.Fatalf("delivery order %v ends in\n%s\nwant (order %v)\n%s", perm, got, permutations(6)[0], want)
		}
	}
}

func TestRedeliveryIsIdempotentAndPoisonIsReported(t *testing.T) {
	store := newStore(t)
	h := ticketing.New(store, func() time.Time { return t0 }, slog.New(slog.NewTextHandler(io.Discard, nil)))
	ctx := context.Background()
	story := orderStory(t, "demo")
	good := sqsMessage(t, story[1])
	noKey, _ := events.New(events.PaymentFailed, "ev_nokey", "demo", "test", "evt_nokey", t0, events.Payment{})
	tests := []struct {
		name        string
		records     []lambdaevents.SQSMessage
		wantFailed  []string
		wantTickets int
	}{
		{"first delivery", []lambdaevents.SQSMessage{good}, nil, 1},
		{"redelivered twice in one batch", []lambdaevents.SQSMessage{good, good}, nil, 1},
		{"poison beside a good message", []lambdaevents.SQSMessage{
			{MessageId: "garbage", Body: "{not json"}, sqsMessage(t, noKey), sqsMessage(t, story[3]),
		}, []string{"garbage", "m-ev_nokey"}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := h.Handle(ctx, lambdaevents.SQSEvent{Records: tc.records})
			if err != nil {
				t.Fatal(err)
			}
			var failed []string
			for _, f := range resp.BatchItemFailures {
				failed = append(failed, f.ItemIdentifier)
			}
			if fmt.Sprint(failed) != fmt.Sprint(tc.wantFailed) {
				t.Errorf("BatchItemFailures = %v; want %v", failed, tc.wantFailed)
			}
			page, _ := store.ListTickets(ctx, "demo", ticket.Filter{})
			if len(page.Tickets) != tc.wantTickets {
				t.Errorf("tickets = %d; want %d", len(page.Tickets), tc.wantTickets)
			}
		})
	}
}

// TestLateWebhookIsNews: a webhook that arrives late (a provider's retry days after the fact)
// is still new to the agents: it moves its ticket to the top and marks it unread, while the
// timeline keeps when it happened.
func TestLateWebhookIsNews(t *testing.T) {
	store := newStore(t)
	ctx := context.Background()
	now := t0
	h := ticketing.New(store, func() time.Time { return now }, slog.New(slog.NewTextHandler(io.Discard, nil)))
	deliver := func(typ events.DetailType, id string, at time.Time, data any) {
		t.Helper()
		ev, err := events.New(typ, id, "demo", "test", id, at, data)
		if err != nil {
			t.Fatal(err)
		}
		if resp, err := h.Handle(ctx, lambdaevents.SQSEvent{Records: []lambdaevents.SQSMessage{sqsMessage(t, ev)}}); err != nil || len(resp.BatchItemFailures) > 0 {
			t.Fatalf("Handle(%s) = %+v, %v", id, resp, err)
		}
	}
	parcel := events.Shipment{TrackingNumber: "JD1", Carrier: "dhl", OrderID: "1", Status: "Exception"}
	deliver(events.ShipmentException, "ev_old", t0, parcel)
	now = t0.Add(time.Minute)
	deliver(events.PaymentFailed, "ev_other", now, events.Payment{PaymentID: "pi_2", OrderID: "2"})
	page, _ := store.ListTickets(ctx, "demo", ticket.Filter{})
	if len(page.Tickets) != 2 || page.Tickets[0].OrderID != "2" {
		t.Fatalf("inbox = %v; want order 2 first", page.Tickets)
	}
	order1 := page.Tickets[1]
	if err := store.MarkRead(ctx, "demo", "ag_anna", order1.ID, order1.UpdatedAt); err != nil {
		t.Fatal(err)
	}

	// Two days after the fact, AfterShip's retry finally gets through.
	now = t0.Add(48 * time.Hour)
	parcel.Status = "AttemptFail"
	deliver(events.ShipmentException, "ev_late", t0.Add(-time.Hour), parcel)
	page, _ = store.ListTickets(ctx, "demo", ticket.Filter{})
	if page.Tickets[0].ID != order1.ID || !page.Tickets[0].UpdatedAt.Equal(now) {
		t.Errorf("inbox after the late webhook = %s at %s first; want %s at %s", page.Tickets[0].ID, page.Tickets[0].UpdatedAt, order1.ID, now)
	}
	unread, _ := store.Unread(ctx, "demo", "ag_anna", page.Tickets)
	if !unread[order1.ID] {
		t.Errorf("ticket %s unread = false after the late webhook; want true", order1.ID)
	}
	_, entries, _ := store.GetTicket(ctx, "demo", order1.ID)
	var at time.Time
	for _, e := range entries {
		if e.ID == "ev_late" {
			at = e.At
		}
	}
	if !at.Equal(t0.Add(-time.Hour)) {
		t.Errorf("late event on the timeline at %s; want when it happened, %s", at, t0.Add(-time.Hour))
	}
}

// TestConcurrentDeliveryLeavesTheSameEndState: the same story, every event delivered at
// once (and some twice), races for links, merges and parks — and ends as one ticket, the
// same as in order.
func TestConcurrentDeliveryLeavesTheSameEndState(t *testing.T) {
	store := newStore(t)
	h := ticketing.New(store, func() time.Time { return t0 }, slog.New(slog.NewTextHandler(io.Discard, nil)))
	ctx := context.Background()
	for _, ev := range orderStory(t, "inorder") {
		if resp, err := h.Handle(ctx, lambdaevents.SQSEvent{Records: []lambdaevents.SQSMessage{sqsMessage(t, ev)}}); err != nil || len(resp.BatchItemFailures) > 0 {
			t.Fatalf("Handle(%s) = %+v, %v", ev.ID, resp, err)
		}
	}
	want := strings.ReplaceAll(endState(t, store, "inorder"), "inorder", "")
	for round := range 15 {
		merchant := fmt.Sprintf("race%02d", round)
		story := orderStory(t, merchant)
		var wg sync.WaitGroup
		for i, ev := range append(story, story[round%len(story)]) {
			wg.Go(func() {
				msg := sqsMessage(t, ev)
				msg.MessageId = fmt.Sprint(msg.MessageId, "-", i)
				// A message that fails is redelivered until it succeeds, as SQS would.
				for attempt := 0; ; attempt++ {
					resp, err := h.Handle(ctx, lambdaevents.SQSEvent{Records: []lambdaevents.SQSMessage{msg}})
					if err == nil && len(resp.BatchItemFailures) == 0 {
						return
					}
					if attempt == 20 {
						t.Errorf("round %d: %s still failing after %d deliveries", round, ev.ID, attempt)
						return
					}
				}
			})
		}
		wg.Wait()
		if got := strings.ReplaceAll(endState(t, store, merchant), merchant, ""); got != want {
			t.Fatalf("round %d: concurrent delivery ends in\n%s\nwant\n%s", round, got, want)
		}
	}
}
