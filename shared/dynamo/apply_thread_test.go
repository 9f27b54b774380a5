package dynamo_test

import (
	"context"
	"testing"
	"time"

	"github.com/borderdesk/borderdesk/events"
	"github.com/borderdesk/borderdesk/shared/ticket"
)

func mail(from, order, thread string) events.Message {
	return events.Message{
		MessageID: "m-" + from + thread, Channel: events.ChannelEmail, Customer: events.Customer{Email: from}, OrderID: order, Text: "Re: …",
		Email: &events.EmailMeta{MessageID: "<x@example.test>", ThreadTicket: thread},
	}
}

func web(from, order string) events.Message {
	return events.Message{MessageID: "w-" + from + order, Channel: events.ChannelWeb, Customer: events.Customer{Email: from}, OrderID: order, Text: "Hallo"}
}

// TestEmailReplyThreads: a reply naming its ticket joins that one — not the customer's other
// tickets, and without merging them; a forged thread from another address files as a new
// mail; another merchant's ticket id leads nowhere; a closed ticket gets a follow-up.
func TestEmailReplyThreads(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	newID := ids()
	at := func(h int) time.Time { return t0.Add(time.Duration(h) * time.Hour) }
	open := func(merchant, id string, h int, m events.Message) string {
		t.Helper()
		out := apply(t, s, fact(t, merchant, id, events.MessageReceived, at(h), m), newID)
		if !out.Opened {
			t.Fatalf("%s: outcome %+v; want a new ticket", id, out)
		}
		return out.TicketID
	}
	orderTicket := open("demo", "e1", 0, web("jonas@example.de", "1001")) // jonas, about order 1001
	otherTicket := open("demo", "e2", 1, web("mia@example.fr", "2002"))   // mia, another ticket
	emailTicket := open("demo", "e3", 2, web("jonas@example.de", ""))     // jonas again, no order: filed by email
	acmeTicket := open("acme", "e4", 3, web("jonas@example.de", "1001"))  // the same customer at another merchant

	entries := func(merchant, id string) []ticket.Entry {
		t.Helper()
		_, es, err := s.GetTicket(ctx, merchant, id)
		if err != nil {
			t.Fatalf("GetTicket(%s) = %v", id, err)
		}
		return es
	}
	steps := []struct {
		name   string
		m      events.Message
		want   string // the ticket it lands on; "" = a new one
		absorb bool
	}{
		{"reply to the order ticket joins it, not the email-filed one", mail("jonas@example.de", "", orderTicket), orderTicket, false},
		{"reply to the email-filed ticket joins that one", mail("Jonas@Example.de", "", emailTicket), emailTicket, false},
		{"a forged thread from another address does not join", mail("mallory@evil.test", "", orderTicket), "", false},
		{"another merchant's ticket id leads nowhere: files under the sender's own references", mail("jonas@example.de", "", acmeTicket), emailTicket, false},
		{"an unknown ticket id files under the sender's own references", mail("mia@example.fr", "2002", "tk_nope"), otherTicket, false},
	}
	for i, st := range steps {
		before := map[string]int{orderTicket: len(entries("demo", orderTicket)), emailTicket: len(entries("demo", emailTicket)), otherTicket: len(entries("demo", otherTicket))}
		out := apply(t, s, fact(t, "demo", "r"+string(rune('1'+i)), events.MessageReceived, at(10+i), st.m), newID)
		switch {
		case st.want == "" && !out.Opened:
			t.Errorf("%s: outcome %+v; want a new ticket", st.name, out)
		case st.want != "" && (out.TicketID != st.want || out.Opened):
			t.Errorf("%s: outcome %+v; want it on %s", st.name, out, st.want)
		case len(out.Merged) > 0:
			t.Errorf("%s: merged %v; want no merge", st.name, out.Merged)
		}
		for id, n := range before {
			want := n
			if id == out.TicketID {
				want++
			}
			if got := len(entries("demo", id)); got != want {
				t.Errorf("%s: ticket %s has %d entries; want %d", st.name, id, got, want)
			}
		}
	}
	if es := entries("acme", acmeTicket); len(es) != 1 {
		t.Errorf("acme's ticket has %d entries; want its own 1: no demo mail reaches it", len(es))
	}
	if tk, _, _ := s.GetTicket(ctx, "demo", orderTicket); tk.Customer.Email != "jonas@example.de" || tk.Knows("mallory@evil.test") {
		t.Errorf("order ticket customer %q, knows mallory %v; want jonas, and the outsider not among its people", tk.Customer.Email, tk.Knows("mallory@evil.test"))
	}

	// Closed is final: jonas's reply to it opens a follow-up that links to it.
	change(t, s, orderTicket, ticket.StatusClosed)
	out := apply(t, s, fact(t, "demo", "r-closed", events.MessageReceived, at(20), mail("jonas@example.de", "", orderTicket)), newID)
	if !out.Opened || out.Action != ticket.ActFollowUp {
		t.Fatalf("reply to a closed ticket: outcome %+v; want a follow-up", out)
	}
	if tk, _, err := s.GetTicket(ctx, "demo", out.TicketID); err != nil || tk.FollowUpOf != orderTicket {
		t.Errorf("follow-up = %+v, %v; want it to follow up %s", tk.FollowUpOf, err, orderTicket)
	}

	// Merged: a reply to the absorbed ticket lands on the survivor. A payment on order 3003
	// opens a ticket; the same payment named with order 2002 ties it to mia's, the older,
	// which absorbs it.
	absorbed := apply(t, s, fact(t, "demo", "p1", events.PaymentFailed, at(21), events.Payment{
		PaymentID: "pi_9", OrderID: "3003", Customer: events.Customer{Email: "mia@example.fr"},
	}), newID).TicketID
	tie := apply(t, s, fact(t, "demo", "p2", events.PaymentDisputeOpened, at(22), events.Payment{
		PaymentID: "pi_9", OrderID: "2002", Customer: events.Customer{Email: "mia@example.fr"}, Dispute: &events.Dispute{ID: "dp_9"},
	}), newID)
	if tie.TicketID != otherTicket || len(tie.Merged) != 1 || tie.Merged[0] != absorbed {
		t.Fatalf("tie: outcome %+v; want %s absorbed into %s (the test's premise)", tie, absorbed, otherTicket)
	}
	out = apply(t, s, fact(t, "demo", "r-merged", events.MessageReceived, at(23), mail("mia@example.fr", "", absorbed)), newID)
	if out.TicketID != otherTicket || out.Opened {
		t.Errorf("reply to merged %s: outcome %+v; want it on the survivor %s", absorbed, out, otherTicket)
	}
}
