package ticket_test

import (
	"slices"
	"testing"

	"github.com/borderdesk/borderdesk/events"
	"github.com/borderdesk/borderdesk/shared/ticket"
)

func mailFact(t *testing.T, from, order, thread string) ticket.Fact {
	t.Helper()
	return fact(t, events.MessageReceived, "m1", events.Message{
		MessageID: "m1", Channel: events.ChannelEmail, Customer: events.Customer{Email: from}, OrderID: order, Text: "Danke!",
		Email: &events.EmailMeta{MessageID: "<m1@example.de>", ThreadTicket: thread},
	})
}

// TestThread: only an email reply names a thread, and only a bounded one.
func TestThread(t *testing.T) {
	web := fact(t, events.MessageReceived, "w1", events.Message{MessageID: "w1", Channel: events.ChannelWeb, Customer: events.Customer{Email: "a@example.de"}, Text: "hi"})
	long := make([]byte, ticket.MaxRefLen+1)
	for i := range long {
		long[i] = 'a'
	}
	for _, tc := range []struct {
		name string
		f    ticket.Fact
		want string
	}{
		{"email reply", mailFact(t, "jonas@example.de", "", "tk_1"), "tk_1"},
		{"new email", mailFact(t, "jonas@example.de", "", ""), ""},
		{"web message", web, ""},
		{"payment", fact(t, events.PaymentFailed, "p1", events.Payment{PaymentID: "pi_1"}), ""},
		{"thread id over the limit", mailFact(t, "jonas@example.de", "", string(long)), ""},
	} {
		if got := tc.f.Thread(); got != tc.want {
			t.Errorf("%s: Thread() = %q; want %q", tc.name, got, tc.want)
		}
	}
}

// TestJoinThread: the ticket's customer and known contacts write into it by thread; anyone
// else, another merchant's ticket, or a merged one does not.
func TestJoinThread(t *testing.T) {
	tk := ticket.Ticket{
		ID: "tk_1", MerchantID: "demo", Status: ticket.StatusOpen,
		Customer: events.Customer{Email: "jonas@example.de"},
		Contacts: []events.Customer{{Email: "billing@firma.test"}},
		People:   []ticket.Person{{Email: "jonas@example.de"}, {Email: "billing@firma.test"}, {Email: "parcel@home.test"}},
	}
	other := tk
	other.MerchantID = "acme"
	merged := tk
	merged.Status, merged.MergedInto = ticket.StatusMerged, "tk_0"
	tests := []struct {
		name     string
		from     string
		order    string
		t        ticket.Ticket
		join     bool
		wantRefs []string
	}{
		{"the customer", "jonas@example.de", "", tk, true, []string{}},
		{"the customer, another spelling", "Jonas@Example.DE", "", tk, true, []string{}},
		{"the customer naming an order keeps it", "jonas@example.de", "10482", tk, true, []string{"order:10482"}},
		{"a contact", "billing@firma.test", "", tk, true, []string{}},
		{"a person the events named", "parcel@home.test", "", tk, true, []string{}},
		{"an outsider", "mallory@evil.test", "", tk, false, []string{"email:mallory@evil.test"}},
		{"an outsider naming an order", "mallory@evil.test", "10482", tk, false, []string{"order:10482"}},
		{"another merchant's ticket", "jonas@example.de", "", other, false, []string{"email:jonas@example.de"}},
		{"a merged ticket (the store follows merges first)", "jonas@example.de", "", merged, false, []string{"email:jonas@example.de"}},
		{"no ticket", "jonas@example.de", "", ticket.Ticket{}, false, []string{"email:jonas@example.de"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := mailFact(t, tc.from, tc.order, "tk_1")
			before := slices.Clone(f.Refs)
			got, ok := ticket.JoinThread(f, tc.t)
			if ok != tc.join || !slices.Equal(append([]string{}, got.Refs...), tc.wantRefs) {
				t.Errorf("JoinThread(from %s) = refs %v, %v; want %v, %v", tc.from, got.Refs, ok, tc.wantRefs, tc.join)
			}
			if !slices.Equal(f.Refs, before) {
				t.Errorf("JoinThread changed the fact it was given: refs %v; want %v", f.Refs, before)
			}
		})
	}
}

// TestThreadedReplyDecides: a joined reply lands on its ticket as any message does — an
// open one takes it, a solved one reopens, a closed one gets a follow-up.
func TestThreadedReplyDecides(t *testing.T) {
	f, ok := ticket.JoinThread(mailFact(t, "jonas@example.de", "", "tk_1"), ticket.Ticket{ID: "tk_1", MerchantID: "demo", Customer: events.Customer{Email: "jonas@example.de"}})
	if !ok {
		t.Fatal("JoinThread(the customer) = false")
	}
	for _, tc := range []struct {
		st   ticket.Status
		want ticket.Plan
	}{
		{ticket.StatusOpen, ticket.Plan{Action: ticket.ActJoin, Target: "tk_1"}},
		{ticket.StatusPending, ticket.Plan{Action: ticket.ActJoin, Target: "tk_1"}},
		{ticket.StatusSolved, ticket.Plan{Action: ticket.ActReopen, Target: "tk_1"}},
		{ticket.StatusClosed, ticket.Plan{Action: ticket.ActFollowUp, FollowUpOf: "tk_1"}},
	} {
		got := ticket.Decide(f, []ticket.Ticket{{ID: "tk_1", Status: tc.st, CreatedAt: at}})
		if got.Action != tc.want.Action || got.Target != tc.want.Target || got.FollowUpOf != tc.want.FollowUpOf {
			t.Errorf("Decide(reply to a %s ticket) = %+v; want %+v", tc.st, got, tc.want)
		}
	}
}
