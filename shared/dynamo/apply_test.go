package dynamo_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/borderdesk/borderdesk/events"
	"github.com/borderdesk/borderdesk/shared/dynamo"
	"github.com/borderdesk/borderdesk/shared/dynamo/embedded"
	"github.com/borderdesk/borderdesk/shared/errs"
	"github.com/borderdesk/borderdesk/shared/ticket"
)

func apply(t *testing.T, s *dynamo.Store, f ticket.Fact, newID func() string) dynamo.Outcome {
	t.Helper()
	out, err := s.ApplyFact(context.Background(), f, newID)
	if err != nil {
		t.Fatalf("ApplyFact(%s %s) = %v", f.Event.Type, f.Event.ID, err)
	}
	if out.Backlog {
		if _, err := s.DrainParked(context.Background(), f.Event.MerchantID, out.TicketID, t0, newID); err != nil {
			t.Fatalf("DrainParked(%s) = %v", out.TicketID, err)
		}
	}
	return out
}

func change(t *testing.T, s *dynamo.Store, id string, st ticket.Status) {
	t.Helper()
	if _, _, err := s.ChangeTicket(context.Background(), "demo", id, dynamo.Change{
		Status: st, Entry: ticket.Entry{ID: "st-" + id + string(st), Kind: ticket.EntryStatus, At: t0.Add(time.Minute), Body: string(st)},
	}); err != nil {
		t.Fatalf("ChangeTicket(%s, %s) = %v", id, st, err)
	}
}

func disputeOnly(order string) events.Payment {
	// What Stripe really sends: a dispute names the charge and the payment intent, no order.
	return events.Payment{PaymentID: "pi_" + order, ChargeID: "ch_" + order, Status: "needs_response",
		Dispute: &events.Dispute{ID: "dp_1", Reason: "fraudulent", Status: "needs_response", Amount: events.Money{Amount: 4990, Currency: "eur"}}}
}

func TestAnyReferenceFindsTheTicket(t *testing.T) {
	for _, tc := range []struct {
		name  string
		order []int
	}{{"payment failure first", []int{0, 1}}, {"chargeback first", []int{1, 0}}} {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t)
			newID := ids()
			facts := []ticket.Fact{
				fact(t, "demo", "a", events.PaymentFailed, t0, payment("10482")),
				fact(t, "demo", "b", events.PaymentDisputeOpened, t0.Add(time.Hour), disputeOnly("10482")),
			}
			for _, i := range tc.order {
				apply(t, s, facts[i], newID)
			}
			page, err := s.ListTickets(context.Background(), "demo", ticket.Filter{})
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Tickets) != 1 {
				t.Fatalf("ListTickets = %d tickets; want the chargeback on its order's one", len(page.Tickets))
			}
			tk := page.Tickets[0]
			if tk.OrderID != "10482" || tk.Category != ticket.CategoryChargeback || !strings.Contains(fmt.Sprint(tk.References), "dispute:dp_1") {
				t.Errorf("ticket = order %q %s refs %v; want order 10482, chargeback, holding dp_1", tk.OrderID, tk.Category, tk.References)
			}
		})
	}
}

func TestAnEventTyingTwoTicketsMergesThem(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	newID := ids()
	parcel := events.Shipment{TrackingNumber: "JD1", Carrier: "dhl", Status: "Exception"}
	exception := apply(t, s, fact(t, "demo", "x", events.ShipmentException, t0, parcel), newID)               // tk_001, parcel only
	failed := apply(t, s, fact(t, "demo", "p", events.PaymentFailed, t0.Add(time.Hour), payment("7")), newID) // tk_002, order 7
	if exception.TicketID == failed.TicketID {
		t.Fatalf("the parcel and the order opened one ticket before anything tied them")
	}
	parcel.OrderID, parcel.Status = "7", "InTransit"
	tie := apply(t, s, fact(t, "demo", "u", events.ShipmentUpdated, t0.Add(2*time.Hour), parcel), newID)
	if tie.TicketID != "tk_001" || fmt.Sprint(tie.Merged) != "[tk_002]" {
		t.Fatalf("tying event = %+v; want it on the older tk_001 with tk_002 merged in", tie)
	}
	again := apply(t, s, fact(t, "demo", "u", events.ShipmentUpdated, t0.Add(2*time.Hour), parcel), newID)
	if !again.Duplicate {
		t.Errorf("redelivered tying event = %+v; want a duplicate", again)
	}
	tk, entries, err := s.GetTicket(ctx, "demo", "tk_002")
	if err != nil {
		t.Fatal(err)
	}
	if tk.ID != "tk_001" || tk.OrderID != "7" || tk.Category != ticket.CategoryShippingException || len(entries) != 4 {
		t.Errorf("GetTicket(merged tk_002) = %s order %q %s with %d entries; want the survivor tk_001 with both timelines and the merge line (4)",
			tk.ID, tk.OrderID, tk.Category, len(entries))
	}
	page, err := s.ListTickets(ctx, "demo", ticket.Filter{})
	if err != nil || len(page.Tickets) != 1 || page.Tickets[0].ID != "tk_001" {
		t.Errorf("inbox after the merge = %v, %v; want only tk_001", page.Tickets, err)
	}
	// The next event about order 7 alone goes straight to the survivor.
	next := apply(t, s, fact(t, "demo", "q", events.PaymentFailed, t0.Add(3*time.Hour), payment("7")), newID)
	if next.TicketID != "tk_001" || len(next.Merged) != 0 {
		t.Errorf("event about the merged ticket's order = %+v; want it on tk_001", next)
	}
}

func TestNothingLandsUnseen(t *testing.T) {
	newID := ids()
	s := newStore(t)
	ctx := context.Background()
	first := apply(t, s, fact(t, "demo", "a", events.PaymentFailed, t0, payment("1")), newID)
	change(t, s, first.TicketID, ticket.StatusSolved)

	note := apply(t, s, fact(t, "demo", "r", events.PaymentRefunded, t0.Add(time.Hour), func() events.Payment {
		p := payment("1")
		p.Refund = &events.Refund{Status: "succeeded", Amount: p.Amount}
		return p
	}()), newID)
	tk, _, _ := s.GetTicket(ctx, "demo", first.TicketID)
	if note.TicketID != first.TicketID || tk.Status != ticket.StatusSolved {
		t.Errorf("refund notice on a solved ticket = %+v, status %s; want it noted on %s, still solved", note, tk.Status, first.TicketID)
	}

	dispute := disputeOnly("1")
	reopened := apply(t, s, fact(t, "demo", "b", events.PaymentDisputeOpened, t0.Add(2*time.Hour), dispute), newID)
	tk, _, _ = s.GetTicket(ctx, "demo", first.TicketID)
	if reopened.TicketID != first.TicketID || reopened.Action != ticket.ActReopen || tk.Status != ticket.StatusOpen {
		t.Errorf("chargeback on a solved ticket = %+v, status %s; want %s reopened", reopened, tk.Status, first.TicketID)
	}

	change(t, s, first.TicketID, ticket.StatusClosed)
	if _, _, err := s.ChangeTicket(ctx, "demo", first.TicketID, dynamo.Change{Status: ticket.StatusOpen,
		Entry: ticket.Entry{ID: "re", Kind: ticket.EntryStatus, At: t0.Add(3 * time.Hour)}}); !errs.Is(err, errs.Conflict) {
		t.Errorf("reopening a closed ticket: error = %v; want a conflict (closed is final)", err)
	}
	msg := events.Message{MessageID: "m1", Customer: events.Customer{Email: "anna@example.de"}, OrderID: "1", Text: "Any news?"}
	follow := apply(t, s, fact(t, "demo", "m", events.MessageReceived, t0.Add(4*time.Hour), msg), newID)
	fu, _, _ := s.GetTicket(ctx, "demo", follow.TicketID)
	if !follow.Opened || fu.FollowUpOf != first.TicketID || fu.Status != ticket.StatusOpen {
		t.Errorf("message about a closed ticket = %+v, follow-up of %q; want a new open ticket following up %s", follow, fu.FollowUpOf, first.TicketID)
	}
	// The follow-up took over the closed ticket's references: a second chargeback, naming
	// only the payment, joins it instead of opening another follow-up.
	dispute.Dispute.ID = "dp_2"
	second := apply(t, s, fact(t, "demo", "c", events.PaymentDisputeOpened, t0.Add(5*time.Hour), dispute), newID)
	if second.TicketID != follow.TicketID {
		t.Errorf("chargeback after the follow-up = %+v; want it on the follow-up %s", second, follow.TicketID)
	}
	open, err := s.ListTickets(ctx, "demo", ticket.Filter{Status: ticket.StatusOpen})
	if err != nil || len(open.Tickets) != 1 || open.Tickets[0].ID != follow.TicketID {
		t.Errorf("open inbox = %v, %v; want the follow-up", open.Tickets, err)
	}
}

// hookTransport runs hook once, before the first request whose body contains match.
type hookTransport struct {
	match string
	once  sync.Once
	hook  func()
}

func (h *hookTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	if r.Header.Get("X-Amz-Target") == "DynamoDB_20120810.GetItem" && strings.Contains(string(body), h.match) {
		h.once.Do(h.hook)
	}
	return http.DefaultTransport.RoundTrip(r)
}

// TestEventRacingASolveDoesNotHideInTheSolvedTicket is the regression for an event that
// read the open-ticket link, lost the race to an agent solving the ticket, and then merged
// into the solved ticket at its new version: urgent, and in no open inbox.
func TestEventRacingASolveDoesNotHideInTheSolvedTicket(t *testing.T) {
	ctx := context.Background()
	db, err := embedded.Start(ctx, "127.0.0.1:0", "test")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	agent := dynamo.New(db.Client, "test")
	newID := ids()
	first := apply(t, agent, fact(t, "demo", "a", events.PaymentFailed, t0, payment("5")), newID)

	// Ticketing's client: right after it has read the links and before it reads the ticket,
	// the agent solves the ticket.
	hooked := &hookTransport{match: `"TICKET"`, hook: func() { change(t, agent, first.TicketID, ticket.StatusSolved) }}
	client := dynamodb.New(db.Client.Options(), func(o *dynamodb.Options) { o.HTTPClient = &http.Client{Transport: hooked} })
	ticketing := dynamo.New(client, "test")
	out, err := ticketing.ApplyFact(ctx, fact(t, "demo", "b", events.PaymentDisputeOpened, t0.Add(time.Hour), disputeOnly("5")), newID)
	if err != nil {
		t.Fatal(err)
	}
	tk, _, err := agent.GetTicket(ctx, "demo", out.TicketID)
	if err != nil {
		t.Fatal(err)
	}
	if tk.Status != ticket.StatusOpen || tk.Category != ticket.CategoryChargeback {
		t.Errorf("chargeback that raced a solve landed on %s: %s/%s; want an open chargeback ticket", out.TicketID, tk.Status, tk.Category)
	}
}

func TestEveryParkedEventJoinsWhateverTheirNumber(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	newID := ids()
	const scans = 500
	parcel := events.Shipment{TrackingNumber: "LP00123", Carrier: "cainiao", Status: "InTransit"}
	for i := range scans {
		out := apply(t, s, fact(t, "demo", fmt.Sprintf("scan%03d", i), events.ShipmentUpdated, t0.Add(time.Duration(i)*time.Minute), parcel), newID)
		if !out.Parked {
			t.Fatalf("scan %d = %+v; want parked (no ticket yet)", i, out)
		}
	}
	parcel.Status = "Exception"
	opened := apply(t, s, fact(t, "demo", "exc", events.ShipmentException, t0.Add(scans*time.Minute), parcel), newID)
	_, entries, err := s.GetTicket(ctx, "demo", opened.TicketID)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != scans+1 {
		t.Errorf("timeline has %d entries; want all %d parked scans and the exception", len(entries), scans+1)
	}
	later := apply(t, s, fact(t, "demo", "late", events.ShipmentUpdated, t0.Add(time.Hour*24), parcel), newID)
	if later.TicketID != opened.TicketID || later.Parked {
		t.Errorf("scan after the opening = %+v; want it on %s", later, opened.TicketID)
	}
}

func TestRetriedReplyIsStoredOnce(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	out := apply(t, s, fact(t, "demo", "a", events.PaymentFailed, t0, payment("9")), ids())
	reply := func(entryID, body, fingerprint string) (ticket.Entry, error) {
		_, e, err := s.ChangeTicket(ctx, "demo", out.TicketID, dynamo.Change{
			Entry:       ticket.Entry{ID: entryID, Kind: ticket.EntryReply, At: t0.Add(time.Minute), Author: "anna@demo.test", Body: body},
			Idempotency: &dynamo.Idempotency{Key: "anna@demo.test#k1", Fingerprint: fingerprint},
		})
		return e, err
	}
	first, err := reply("r1", "Hallo Anna", "f1")
	if err != nil {
		t.Fatal(err)
	}
	again, err := reply("r2", "Hallo Anna", "f1")
	if err != nil || again.ID != first.ID {
		t.Errorf("retried reply = %s, %v; want the first one, %s", again.ID, err, first.ID)
	}
	if _, err := reply("r3", "Something else", "f2"); !errs.Is(err, errs.Unprocessable) {
		t.Errorf("same key, other body: error = %v; want unprocessable", err)
	}
	_, entries, _ := s.GetTicket(ctx, "demo", out.TicketID)
	if len(entries) != 2 {
		t.Errorf("timeline has %d entries; want the event and one reply", len(entries))
	}
}

func TestExpiredParksSettleTheirCount(t *testing.T) {
	ctx := context.Background()
	db, err := embedded.Start(ctx, "127.0.0.1:0", "test")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s := dynamo.New(db.Client, "test")
	newID := ids()
	parcel := events.Shipment{TrackingNumber: "EXP1", Carrier: "ups", Status: "InTransit"}
	apply(t, s, fact(t, "demo", "old", events.ShipmentUpdated, t0, parcel), newID)
	// DynamoDB's TTL deletes the park, not the count on the link.
	if _, err := db.Client.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String("test"), Key: map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: "M#demo#PARK#tracking:exp1"}, "sk": &types.AttributeValueMemberS{Value: "EV#old"},
	}}); err != nil {
		t.Fatal(err)
	}
	parcel.Status = "Exception"
	out := apply(t, s, fact(t, "demo", "exc", events.ShipmentException, t0.Add(time.Hour), parcel), newID)
	link, err := db.Client.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("test"), Key: map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: "M#demo#LINK#tracking:exp1"}, "sk": &types.AttributeValueMemberS{Value: "LINK"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := link.Item["parked"].(*types.AttributeValueMemberN); n == nil || n.Value != "0" {
		t.Errorf("parked count after draining expired parks = %v; want 0", link.Item["parked"])
	}
	if !out.Opened {
		t.Errorf("exception = %+v; want it to open a ticket", out)
	}
}

// A ticket with more references than one DynamoDB transaction has items for (each of its
// writes re-puts a search item per reference) still takes its events, and search finds it
// by the newest of them: the search items are written after the transaction when they would
// not fit in it. Before, the 100th reference made every write fail, for good.
func TestTicketWithMoreReferencesThanATransactionHolds(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	newID := ids()
	parcel := func(n int, st string) events.Shipment {
		return events.Shipment{TrackingNumber: fmt.Sprintf("TRK%03d", n), Carrier: "dhl", OrderID: "777", Status: st}
	}
	opened := apply(t, s, fact(t, "demo", "exc", events.ShipmentException, t0, parcel(0, "Exception")), newID)
	const parcels = 120
	for i := 1; i <= parcels; i++ {
		out := apply(t, s, fact(t, "demo", fmt.Sprintf("scan%03d", i), events.ShipmentUpdated, t0.Add(time.Duration(i)*time.Minute), parcel(i, "InTransit")), newID)
		if out.TicketID != opened.TicketID {
			t.Fatalf("parcel %d filed on %+v; want ticket %s", i, out, opened.TicketID)
		}
	}
	tk, _, err := s.GetTicket(ctx, "demo", opened.TicketID)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(tk.References); n <= parcels {
		t.Fatalf("ticket holds %d references; want over %d (order and every tracking number)", n, parcels)
	}
	for _, q := range []string{"TRK000", "TRK099", fmt.Sprintf("TRK%03d", parcels)} {
		page, err := s.SearchTickets(ctx, "demo", q, ticket.Filter{})
		if err != nil || len(page.Tickets) != 1 || page.Tickets[0].ID != opened.TicketID {
			t.Errorf("search %s = %+v, %v; want ticket %s", q, page.Tickets, err, opened.TicketID)
		}
	}
}

// The ticket.opened an event causes carries that event's correlation id, so on call can
// follow one webhook past ticketing into the functions the announcement reaches.
func TestAnnouncementCarriesTheCauseCorrelation(t *testing.T) {
	s := newStore(t)
	f := fact(t, "demo", "a", events.PaymentFailed, t0, payment("4711"))
	f.Event.CorrelationID = "req-webhook-1"
	apply(t, s, f, ids())
	recs, err := s.PendingOutbox(context.Background(), t0.Add(time.Hour), 10)
	if err != nil || len(recs) == 0 {
		t.Fatalf("PendingOutbox = %d records, %v; want the ticket.opened", len(recs), err)
	}
	for _, r := range recs {
		if r.Event.CorrelationID != "req-webhook-1" {
			t.Errorf("%s correlation id = %q; want the cause's req-webhook-1", r.Event.Type, r.Event.CorrelationID)
		}
	}
}
