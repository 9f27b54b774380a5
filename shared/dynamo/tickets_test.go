package dynamo_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/borderdesk/borderdesk/events"
	"github.com/borderdesk/borderdesk/shared/dynamo"
	"github.com/borderdesk/borderdesk/shared/dynamo/embedded"
	"github.com/borderdesk/borderdesk/shared/errs"
	"github.com/borderdesk/borderdesk/shared/ticket"
)

var t0 = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

func newStore(t *testing.T) *dynamo.Store {
	t.Helper()
	ctx := context.Background()
	db, err := embedded.Start(ctx, "127.0.0.1:0", "test")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return dynamo.New(db.Client, "test")
}

func fact(t *testing.T, merchant, id string, typ events.DetailType, at time.Time, data any) ticket.Fact {
	t.Helper()
	e, err := events.New(typ, id, merchant, "stripe", "evt_"+id, at, data)
	if err != nil {
		t.Fatal(err)
	}
	f, err := ticket.Read(e)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func payment(order string) events.Payment {
	return events.Payment{PaymentID: "pi_" + order, OrderID: order, Customer: events.Customer{Email: "anna@example.de"},
		Amount: events.Money{Amount: 4990, Currency: "eur"}, Status: "requires_payment_method", DeclineCode: "insufficient_funds"}
}

func ids() func() string {
	n := 0
	return func() string { n++; return fmt.Sprintf("tk_%03d", n) }
}

func TestApplyFactOpensMergesAndDeduplicates(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	newID := ids()
	failed := fact(t, "demo", "a", events.PaymentFailed, t0, payment("1001"))
	dispute := payment("1001")
	dispute.Dispute = &events.Dispute{ID: "dp_1", Reason: "fraudulent", Status: "needs_response", Amount: events.Money{Amount: 4990, Currency: "eur"}}
	disputed := fact(t, "demo", "b", events.PaymentDisputeOpened, t0.Add(time.Hour), dispute)

	steps := []struct {
		f    ticket.Fact
		want dynamo.Outcome
	}{
		{failed, dynamo.Outcome{TicketID: "tk_001", Action: ticket.ActOpen, Opened: true}},
		{failed, dynamo.Outcome{TicketID: "tk_001", Duplicate: true}},
		{disputed, dynamo.Outcome{TicketID: "tk_001", Action: ticket.ActJoin}},
	}
	for i, st := range steps {
		got, err := s.ApplyFact(ctx, st.f, newID)
		if err != nil || fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", st.want) {
			t.Fatalf("step %d: ApplyFact(%s) = %+v, %v; want %+v", i, st.f.Event.ID, got, err, st.want)
		}
	}
	tk, entries, err := s.GetTicket(ctx, "demo", "tk_001")
	if err != nil {
		t.Fatal(err)
	}
	if tk.Category != ticket.CategoryChargeback || tk.Priority != ticket.PriorityUrgent || len(entries) != 2 {
		t.Errorf("ticket = %s/%s with %d entries; want chargeback/urgent with 2", tk.Category, tk.Priority, len(entries))
	}
	if _, _, err := s.GetTicket(ctx, "acme", "tk_001"); !errs.Is(err, errs.NotFound) {
		t.Errorf("GetTicket(acme, tk_001) error = %v; want not found", err)
	}
}

func TestApplyFactConcurrentEventsShareOneTicket(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	var mu sync.Mutex
	n := 0
	newID := func() string { mu.Lock(); defer mu.Unlock(); n++; return fmt.Sprintf("tk_%03d", n) }
	var wg sync.WaitGroup
	for i := range 6 {
		wg.Go(func() {
			// Three distinct events and three redeliveries, all at once.
			f := fact(t, "demo", fmt.Sprintf("ev%d", i%3), events.PaymentFailed, t0.Add(time.Duration(i%3)*time.Minute), payment("2002"))
			if _, err := s.ApplyFact(ctx, f, newID); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	page, err := s.ListTickets(ctx, "demo", ticket.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Tickets) != 1 {
		t.Fatalf("ListTickets = %d tickets; want 1", len(page.Tickets))
	}
	_, entries, _ := s.GetTicket(ctx, "demo", page.Tickets[0].ID)
	if len(entries) != 3 {
		t.Errorf("timeline has %d entries; want 3", len(entries))
	}
}

func TestListTicketsPaginatesFiltersAndStaysInTenant(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	newID := ids()
	for i := range 5 {
		typ := events.PaymentFailed
		if i%2 == 1 {
			typ = events.PaymentDisputeOpened
		}
		p := payment(fmt.Sprint(4000 + i))
		p.Dispute = &events.Dispute{ID: fmt.Sprint("dp_", i), Reason: "fraudulent", Status: "needs_response"}
		if _, err := s.ApplyFact(ctx, fact(t, "demo", fmt.Sprint("e", i), typ, t0.Add(time.Duration(i)*time.Minute), p), newID); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.ApplyFact(ctx, fact(t, "acme", "x", events.PaymentFailed, t0, payment("9")), newID); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		f    ticket.Filter
		want [][]string
	}{
		{"all newest first in pages", ticket.Filter{Limit: 2}, [][]string{{"tk_005", "tk_004"}, {"tk_003", "tk_002"}, {"tk_001"}}},
		{"by category", ticket.Filter{Category: ticket.CategoryChargeback, Limit: 1}, [][]string{{"tk_004"}, {"tk_002"}}},
		{"by status and priority", ticket.Filter{Status: ticket.StatusOpen, Priority: ticket.PriorityNormal}, [][]string{{"tk_005", "tk_003", "tk_001"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := tc.f
			for i, want := range tc.want {
				page, err := s.ListTickets(ctx, "demo", f)
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, tk := range page.Tickets {
					got = append(got, tk.ID)
				}
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Fatalf("page %d = %v; want %v", i, got, want)
				}
				if last := i == len(tc.want)-1; last != (page.Next == "") {
					t.Fatalf("page %d next = %q; want last page %v", i, page.Next, last)
				}
				f.Cursor = page.Next
			}
		})
	}
	first, _ := s.ListTickets(ctx, "demo", ticket.Filter{Limit: 1})
	if _, err := s.ListTickets(ctx, "acme", ticket.Filter{Cursor: first.Next}); !errs.Is(err, errs.Invalid) {
		t.Errorf("acme with demo's cursor: error = %v; want invalid", err)
	}
}

// TestChangeTicketIfSeen: an agent's change made from a view of the ticket that news has
// overtaken — an event joining between their read and their change, even one joining while
// the change is in flight, or a merge onto a ticket whose version happens to match — is
// refused with the ticket as it now is, and writes nothing.
func TestChangeTicketIfSeen(t *testing.T) {
	ctx := context.Background()
	dispute := payment("1001")
	dispute.Dispute = &events.Dispute{ID: "dp_1", Reason: "fraudulent", Status: "needs_response", Amount: events.Money{Amount: 4990, Currency: "eur"}}
	chargeback := fact(t, "demo", "cb", events.PaymentDisputeOpened, t0.Add(time.Hour), dispute)
	parcel := func(id, order string, at time.Time) ticket.Fact {
		return fact(t, "demo", id, events.ShipmentDelayed, at, events.Shipment{TrackingNumber: "GLS42", Carrier: "gls", OrderID: order, Status: "InTransit"})
	}

	tests := []struct {
		name string
		// setup opens the tickets; seen names the one the agent opened. between runs after
		// the agent's read and before their change; during, inside the change's transaction.
		setup          []ticket.Fact
		seen           string
		between        []ticket.Fact
		during         []ticket.Fact
		star           bool // no IfSeen: the change goes through whatever happened
		wantStale      bool
		wantStatusOpen bool
	}{
		{name: "nothing new", setup: []ticket.Fact{fact(t, "demo", "f1", events.PaymentFailed, t0, payment("1001"))}, seen: "tk_001"},
		{name: "chargeback joined after the read", setup: []ticket.Fact{fact(t, "demo", "f1", events.PaymentFailed, t0, payment("1001"))}, seen: "tk_001",
			between: []ticket.Fact{chargeback}, wantStale: true, wantStatusOpen: true},
		{name: "chargeback joined during the change", setup: []ticket.Fact{fact(t, "demo", "f1", events.PaymentFailed, t0, payment("1001"))}, seen: "tk_001",
			during: []ticket.Fact{chargeback}, wantStale: true, wantStatusOpen: true},
		{name: "without IfSeen news does not stop it", setup: []ticket.Fact{fact(t, "demo", "f1", events.PaymentFailed, t0, payment("1001"))}, seen: "tk_001",
			between: []ticket.Fact{chargeback}, star: true},
		// tk_002 is at version 2 when seen; merged into tk_001 (1 → 2): same version, another ticket.
		{name: "merged into a ticket at the same version", seen: "tk_002",
			setup: []ticket.Fact{
				fact(t, "demo", "f1", events.PaymentFailed, t0, payment("1001")),
				parcel("p1", "", t0.Add(time.Minute)), parcel("p2", "", t0.Add(2*time.Minute)),
			},
			between: []ticket.Fact{parcel("p3", "1001", t0.Add(3*time.Minute))}, wantStale: true, wantStatusOpen: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t)
			newID := ids()
			apply := func(fs []ticket.Fact) {
				for _, f := range fs {
					if _, err := s.ApplyFact(ctx, f, newID); err != nil {
						t.Fatalf("ApplyFact(%s): %v", f.Event.ID, err)
					}
				}
			}
			apply(tc.setup)
			shown, _, err := s.GetTicket(ctx, "demo", tc.seen)
			if err != nil {
				t.Fatal(err)
			}
			apply(tc.between)
			c := dynamo.Change{Status: ticket.StatusSolved, Entry: ticket.Entry{ID: "solve", Kind: ticket.EntryStatus, At: t0.Add(2 * time.Hour), Author: "sub-li", Body: "status solved"}}
			if !tc.star {
				c.IfSeen = &dynamo.Seen{TicketID: shown.ID, Version: shown.Version}
			}
			if tc.during != nil {
				// Announce runs after the change's read and before its write.
				done := false
				c.Source = events.SourceAPI
				c.Announce = func(ticket.Ticket, ticket.Entry) ([]events.Event, error) {
					if !done {
						done = true
						apply(tc.during)
					}
					return nil, nil
				}
			}
			_, _, changeErr := s.ChangeTicket(ctx, "demo", tc.seen, c)
			var stale *dynamo.StaleError
			if got := errors.As(changeErr, &stale); got != tc.wantStale || (changeErr != nil && !tc.wantStale) {
				t.Fatalf("ChangeTicket(%s, seen v%d) error = %v; want stale %v", tc.seen, shown.Version, changeErr, tc.wantStale)
			}
			now, entries, err := s.GetTicket(ctx, "demo", tc.seen)
			if err != nil {
				t.Fatal(err)
			}
			if stale != nil {
				if !errs.Is(changeErr, errs.Conflict) {
					t.Errorf("stale error kind = %s; want conflict", errs.KindOf(changeErr))
				}
				if stale.Ticket.ID != now.ID || stale.Ticket.Version != now.Version {
					t.Errorf("StaleError.Ticket = %s v%d; want the ticket as it is, %s v%d", stale.Ticket.ID, stale.Ticket.Version, now.ID, now.Version)
				}
			}
			if open := now.Status == ticket.StatusOpen; open != tc.wantStatusOpen {
				t.Errorf("ticket %s is %s; want open %v", now.ID, now.Status, tc.wantStatusOpen)
			}
			solved := slices.ContainsFunc(entries, func(e ticket.Entry) bool { return e.ID == "solve" })
			if solved == tc.wantStale {
				t.Errorf("timeline has the solve entry = %v; want %v", solved, !tc.wantStale)
			}
		})
	}
}
