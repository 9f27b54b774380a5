package dynamo_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/borderdesk/borderdesk/events"
	"github.com/borderdesk/borderdesk/shared/dynamo"
	"github.com/borderdesk/borderdesk/shared/ticket"
)

// inbox seeds demo with: tk_001 payment failed (DE, order 5001), tk_002 chargeback (urgent,
// order 5002), tk_003 shipping exception (high, FR, tracking JD9), each an hour apart.
func inbox(t *testing.T) *dynamo.Store {
	t.Helper()
	s := newStore(t)
	ctx := context.Background()
	newID := ids()
	p1 := payment("5001")
	p1.Customer.Country = "DE"
	p2 := payment("5002")
	p2.Customer = events.Customer{Email: "Lee@Example.com"}
	p2.Dispute = &events.Dispute{ID: "dp", Reason: "fraudulent", Status: "needs_response"}
	ship := events.Shipment{TrackingNumber: "JD9", Carrier: "dhl", Status: "Exception", Customer: events.Customer{Email: "c@example.fr", Country: "FR"}}
	for i, f := range []ticket.Fact{
		fact(t, "demo", "a", events.PaymentFailed, t0, p1),
		fact(t, "demo", "b", events.PaymentDisputeOpened, t0.Add(time.Hour), p2),
		fact(t, "demo", "c", events.ShipmentException, t0.Add(2*time.Hour), ship),
	} {
		if out, err := s.ApplyFact(ctx, f, newID); err != nil || out.TicketID != fmt.Sprintf("tk_%03d", i+1) {
			t.Fatalf("ApplyFact = %+v, %v", out, err)
		}
	}
	return s
}

func ticketIDs(ts []ticket.Ticket) string {
	var out []string
	for _, t := range ts {
		out = append(out, t.ID)
	}
	return fmt.Sprint(out)
}

func TestListSortsAndFilters(t *testing.T) {
	s := inbox(t)
	ctx := context.Background()
	anna := "anna@demo.test"
	if _, err := s.ChangeTicket(ctx, "demo", "tk_003", dynamo.Change{Assignee: &anna, Entry: ticket.Entry{ID: "x1", Kind: ticket.EntryStatus, At: t0.Add(3 * time.Hour)}}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		f    dynamo.Filter
		want string
	}{
		{dynamo.Filter{}, "[tk_003 tk_002 tk_001]"},
		{dynamo.Filter{Sort: dynamo.SortOldest}, "[tk_001 tk_002 tk_003]"},
		{dynamo.Filter{Sort: dynamo.SortPriority}, "[tk_002 tk_003 tk_001]"},
		{dynamo.Filter{Sort: dynamo.SortPriority, Status: ticket.StatusOpen, Limit: 1}, "[tk_002]"},
		{dynamo.Filter{Assignee: anna}, "[tk_003]"},
		{dynamo.Filter{Assignee: dynamo.Unassigned}, "[tk_002 tk_001]"},
		{dynamo.Filter{Language: "de"}, "[tk_001]"},
		{dynamo.Filter{Language: "fr", Status: ticket.StatusOpen}, "[tk_003]"},
	}
	for _, tc := range tests {
		page, err := s.ListTickets(ctx, "demo", tc.f)
		if err != nil {
			t.Fatal(err)
		}
		if got := ticketIDs(page.Tickets); got != tc.want {
			t.Errorf("ListTickets(%+v) = %s; want %s", tc.f, got, tc.want)
		}
	}
	// A cursor from one order of the inbox does not page another.
	page, _ := s.ListTickets(ctx, "demo", dynamo.Filter{Sort: dynamo.SortPriority, Limit: 1})
	if _, err := s.ListTickets(ctx, "demo", dynamo.Filter{Cursor: page.Next}); err == nil {
		t.Errorf("priority cursor on the updated order = nil error; want invalid")
	}
	next, err := s.ListTickets(ctx, "demo", dynamo.Filter{Sort: dynamo.SortPriority, Limit: 1, Cursor: page.Next})
	if err != nil || ticketIDs(next.Tickets) != "[tk_003]" {
		t.Errorf("second priority page = %s, %v; want [tk_003]", ticketIDs(next.Tickets), err)
	}
}

func TestSearchTickets(t *testing.T) {
	s := inbox(t)
	ctx := context.Background()
	tests := []struct{ q, want string }{
		{"5001", "[tk_001]"},
		{"#5002", "[tk_002]"},
		{"lee@example.com", "[tk_002]"},
		{"jd9", "[tk_003]"},
		{"pi_1", "[tk_002 tk_001]"},
		{"nothing", "[]"},
	}
	for _, tc := range tests {
		got, err := s.SearchTickets(ctx, "demo", tc.q, dynamo.Filter{})
		if err != nil || ticketIDs(got) != tc.want {
			t.Errorf("SearchTickets(%q) = %s, %v; want %s", tc.q, ticketIDs(got), err, tc.want)
		}
	}
	if got, _ := s.SearchTickets(ctx, "demo", "pi_1", dynamo.Filter{Priority: ticket.PriorityUrgent}); ticketIDs(got) != "[tk_002]" {
		t.Errorf("SearchTickets(pi_1, urgent) = %s; want [tk_002]", ticketIDs(got))
	}
	if got, _ := s.SearchTickets(ctx, "acme", "5001", dynamo.Filter{}); len(got) != 0 {
		t.Errorf("acme searching demo's order = %s; want nothing", ticketIDs(got))
	}
}

func TestUnread(t *testing.T) {
	s := inbox(t)
	ctx := context.Background()
	page, _ := s.ListTickets(ctx, "demo", dynamo.Filter{})
	tk2, _, _ := s.GetTicket(ctx, "demo", "tk_002")
	if err := s.MarkRead(ctx, "demo", "anna@demo.test", "tk_002", tk2.UpdatedAt); err != nil {
		t.Fatal(err)
	}
	unread, err := s.Unread(ctx, "demo", "anna@demo.test", page.Tickets)
	if err != nil || fmt.Sprint(unread) != "map[tk_001:true tk_003:true]" {
		t.Errorf("Unread = %v, %v; want tk_001 and tk_003", unread, err)
	}
	// New activity makes it unread again; other agents are unaffected.
	if _, err := s.ChangeTicket(ctx, "demo", "tk_002", dynamo.Change{Entry: ticket.Entry{ID: "n1", Kind: ticket.EntryNote, At: t0.Add(5 * time.Hour), Body: "x"}}); err != nil {
		t.Fatal(err)
	}
	page, _ = s.ListTickets(ctx, "demo", dynamo.Filter{})
	if unread, _ := s.Unread(ctx, "demo", "anna@demo.test", page.Tickets); !unread["tk_002"] {
		t.Errorf("after new activity Unread = %v; want tk_002 unread", unread)
	}
}

func TestChangeTicketWritesOnlyChanges(t *testing.T) {
	s := inbox(t)
	ctx := context.Background()
	tags := []string{"vip"}
	at := t0.Add(4 * time.Hour)
	first, err := s.ChangeTicket(ctx, "demo", "tk_001", dynamo.Change{Tags: &tags, Entry: ticket.Entry{ID: "c1", Kind: ticket.EntryStatus, At: at}})
	if err != nil || fmt.Sprint(first.Tags) != "[vip]" {
		t.Fatalf("tagging = %v, %v", first.Tags, err)
	}
	again, err := s.ChangeTicket(ctx, "demo", "tk_001", dynamo.Change{Tags: &tags, Status: ticket.StatusOpen, Entry: ticket.Entry{ID: "c2", Kind: ticket.EntryStatus, At: at.Add(time.Minute)}})
	if err != nil || again.Version != first.Version {
		t.Errorf("repeating the change: version %d → %d, %v; want no write", first.Version, again.Version, err)
	}
	_, entries, _ := s.GetTicket(ctx, "demo", "tk_001")
	if len(entries) != 2 {
		t.Errorf("timeline = %d entries; want 2 (the event and one change)", len(entries))
	}
}
