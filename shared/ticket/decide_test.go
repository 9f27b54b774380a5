package ticket_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/borderdesk/borderdesk/events"
	"github.com/borderdesk/borderdesk/shared/ticket"
)

func TestDecide(t *testing.T) {
	chargeback := fact(t, events.PaymentDisputeOpened, "e1", events.Payment{PaymentID: "pi_1", Dispute: &events.Dispute{ID: "dp_1"}})
	refund := fact(t, events.PaymentRefunded, "e2", events.Payment{PaymentID: "pi_1", Refund: &events.Refund{Status: "succeeded"}})
	tk := func(id string, st ticket.Status, hoursAgo int) ticket.Ticket {
		return ticket.Ticket{ID: id, Status: st, CreatedAt: at.Add(-time.Duration(hoursAgo) * time.Hour)}
	}
	tests := []struct {
		name   string
		f      ticket.Fact
		linked []ticket.Ticket
		want   ticket.Plan
	}{
		{"nothing linked: a problem opens a ticket", chargeback, nil, ticket.Plan{Action: ticket.ActOpen}},
		{"nothing linked: a routine event parks", refund, nil, ticket.Plan{Action: ticket.ActPark}},
		{"an open ticket takes it", chargeback, []ticket.Ticket{tk("a", ticket.StatusOpen, 1)}, ticket.Plan{Action: ticket.ActJoin, Target: "a"}},
		{"a pending ticket takes it", refund, []ticket.Ticket{tk("a", ticket.StatusPending, 1)}, ticket.Plan{Action: ticket.ActJoin, Target: "a"}},
		{"two open tickets merge into the older", chargeback,
			[]ticket.Ticket{tk("young", ticket.StatusOpen, 1), tk("old", ticket.StatusPending, 5), tk("mid", ticket.StatusOpen, 3)},
			ticket.Plan{Action: ticket.ActJoin, Target: "old", Absorb: []string{"mid", "young"}}},
		{"an active ticket beats a solved one", chargeback, []ticket.Ticket{tk("s", ticket.StatusSolved, 9), tk("a", ticket.StatusOpen, 1)},
			ticket.Plan{Action: ticket.ActJoin, Target: "a"}},
		{"a problem reopens the newest solved ticket", chargeback, []ticket.Ticket{tk("s1", ticket.StatusSolved, 9), tk("s2", ticket.StatusSolved, 2)},
			ticket.Plan{Action: ticket.ActReopen, Target: "s2"}},
		{"a routine event notes on a solved ticket", refund, []ticket.Ticket{tk("s", ticket.StatusSolved, 2)}, ticket.Plan{Action: ticket.ActNote, Target: "s"}},
		{"a problem about a closed ticket follows up", chargeback, []ticket.Ticket{tk("c", ticket.StatusClosed, 2)},
			ticket.Plan{Action: ticket.ActFollowUp, FollowUpOf: "c"}},
		{"a routine event about a closed ticket parks", refund, []ticket.Ticket{tk("c", ticket.StatusClosed, 2)}, ticket.Plan{Action: ticket.ActPark}},
		{"solved beats closed", chargeback, []ticket.Ticket{tk("c", ticket.StatusClosed, 1), tk("s", ticket.StatusSolved, 5)},
			ticket.Plan{Action: ticket.ActReopen, Target: "s"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := ticket.Decide(tc.f, tc.linked); fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("Decide(%s, %d tickets) = %+v; want %+v", tc.f.Event.Type, len(tc.linked), got, tc.want)
			}
		})
	}
}

// story is one order's events as they reach ticketing under different references: the
// dispute and the refund name only the payment, the exception only the parcel.
func story(t *testing.T) []ticket.Fact {
	t.Helper()
	billing := events.Customer{Email: "jonas.billing@example.de", Name: "J. Weber", Country: "DE"}
	specs := []struct {
		typ  events.DetailType
		data any
	}{
		{events.PaymentFailed, events.Payment{PaymentID: "pi_1", ChargeID: "ch_1", OrderID: "10482", Customer: billing, Amount: events.Money{Amount: 8990, Currency: "eur"}}},
		{events.PaymentDisputeOpened, events.Payment{PaymentID: "pi_1", ChargeID: "ch_1", Dispute: &events.Dispute{ID: "dp_1", Reason: "fraudulent"}}},
		{events.ShipmentException, events.Shipment{TrackingNumber: "JD1", Status: "Exception", DestinationCountry: "AT"}},
		{events.ShipmentUpdated, events.Shipment{TrackingNumber: "JD1", OrderID: "#10482", Status: "InTransit"}},
		{events.MessageReceived, events.Message{Customer: events.Customer{Email: "jonas@example.de", Name: "Jonas"}, OrderID: "10482", Text: "Wo ist mein Paket?", Language: "de"}},
	}
	var out []ticket.Fact
	for i, s := range specs {
		f := fact(t, s.typ, fmt.Sprintf("e%d", i), s.data)
		f.Event.OccurredAt = at.Add(time.Duration(i) * time.Hour)
		out = append(out, f)
	}
	return out
}

func TestJoinIsOrderIndependent(t *testing.T) {
	facts := story(t)
	fold := func(fs ...ticket.Fact) ticket.Ticket {
		tk, _ := ticket.Open("tk_"+fs[0].Event.ID, fs[0])
		for _, f := range fs[1:] {
			ticket.Merge(&tk, f)
		}
		return tk
	}
	norm := func(tk ticket.Ticket) string {
		tk.ID, tk.Absorbed, tk.Version = "", nil, 0
		b, _ := json.Marshal(tk)
		return string(b)
	}
	want := norm(fold(facts...))
	// Any split of the events over two tickets, joined either way, is the one ticket.
	for mask := 1; mask < 1<<len(facts)-1; mask++ {
		var a, b []ticket.Fact
		for i, f := range facts {
			if mask&(1<<i) != 0 {
				a = append(a, f)
			} else {
				b = append(b, f)
			}
		}
		ta, tb := fold(a...), fold(b...)
		ab, ba := ta, tb
		ticket.Join(&ab, tb)
		ticket.Join(&ba, ta)
		for _, got := range []ticket.Ticket{ab, ba} {
			if norm(got) != want {
				t.Fatalf("Join of split %05b = %s; want %s", mask, norm(got), want)
			}
		}
	}
	all := fold(facts...)
	if all.Customer.Email != "jonas@example.de" || all.Customer.Name != "Jonas" || all.Customer.Country != "AT" ||
		len(all.Contacts) != 1 || all.Contacts[0].Email != "jonas.billing@example.de" {
		t.Errorf("customer = %+v, contacts %+v; want the writer (jonas@, Jonas, AT from the parcel) and the billing contact", all.Customer, all.Contacts)
	}
}

func TestCustomerIsTheSameInAnyOrder(t *testing.T) {
	facts := story(t)
	want := ""
	for _, perm := range [][]int{{0, 1, 2, 3, 4}, {4, 3, 2, 1, 0}, {2, 0, 4, 1, 3}, {1, 4, 0, 3, 2}} {
		tk, _ := ticket.Open("tk", facts[perm[0]])
		for _, i := range perm[1:] {
			ticket.Merge(&tk, facts[i])
		}
		got := fmt.Sprintf("%+v %+v %s", tk.Customer, tk.Contacts, tk.Refs())
		if want == "" {
			want = got
		} else if got != want {
			t.Errorf("order %v: customer %s; want %s", perm, got, want)
		}
	}
}

func TestCheckStatusChange(t *testing.T) {
	tests := []struct {
		from, to ticket.Status
		ok       bool
	}{
		{ticket.StatusOpen, ticket.StatusSolved, true},
		{ticket.StatusSolved, ticket.StatusOpen, true},
		{ticket.StatusSolved, ticket.StatusClosed, true},
		{ticket.StatusClosed, ticket.StatusOpen, false},
		{ticket.StatusOpen, ticket.StatusMerged, false},
	}
	for _, tc := range tests {
		if err := ticket.CheckStatusChange(tc.from, tc.to); (err == nil) != tc.ok {
			t.Errorf("CheckStatusChange(%s, %s) = %v; want ok %v", tc.from, tc.to, err, tc.ok)
		}
	}
}

func TestOrderKeepsTheShopsSpelling(t *testing.T) {
	f := fact(t, events.PaymentFailed, "e1", events.Payment{PaymentID: "pi_1", OrderID: " #J-2041"})
	tk, _ := ticket.Open("tk", f)
	if tk.OrderID != "J-2041" || fmt.Sprint(tk.References) != "[order:j-2041 payment:pi_1]" {
		t.Errorf("Open(order %q) = order %q, refs %v; want J-2041 shown, j-2041 compared", " #J-2041", tk.OrderID, tk.References)
	}
}
