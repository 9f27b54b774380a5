package demo

import (
	"bytes"
	"context"
	"flag"
	"image/png"
	"net/mail"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/borderdesk/borderdesk/infra/local"
	"github.com/borderdesk/borderdesk/shared/inbound"
	sharedmail "github.com/borderdesk/borderdesk/shared/mail"
	"github.com/borderdesk/borderdesk/shared/ticket"
)

var update = flag.Bool("update", false, "rewrite testdata/*.eml from the current output")

var support = mail.Address{Name: "Demo Shop (Berlin)", Address: "support@demo.test"}

// golden compares got with testdata/name, rewriting it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to write it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the rendered mail (run with -update if the change is meant):\n%s", path, got)
	}
}

// The customer's mail is what a mail client sends (golden file), and the parser intake uses
// reads from it what the demo means it to carry: German text with its order number, an HTML
// alternative, the signature folded away, one PNG attachment, nothing automatic.
func TestCustomerEmailIsARealShapedMail(t *testing.T) {
	at := time.Date(2026, 11, 2, 9, 30, 0, 0, time.FixedZone("CET", 3600))
	e := CustomerEmail(support, at, "golden")
	raw := e.Bytes()
	golden(t, "customer-email.eml", raw)
	if !bytes.Equal(raw, CustomerEmail(support, at, "golden").Bytes()) {
		t.Error("CustomerEmail renders differently for the same inputs")
	}
	if other := CustomerEmail(support, at, "another run"); other.MessageID == e.MessageID {
		t.Errorf("two runs share Message-ID %s; want one per run (intake deduplicates on it)", e.MessageID)
	}

	m, err := inbound.Parse(raw)
	if err != nil {
		t.Fatalf("inbound.Parse = %v", err)
	}
	checks := []struct{ name, got, want string }{
		{"Message-ID", m.MessageID, e.MessageID},
		{"From", m.From.Address, "jonas.weber@example.de"},
		{"From name", m.From.Name, "Jonas Weber"},
		{"Subject", m.Subject, "Bestellung 10503: Schreibtisch-Organizer beschädigt angekommen"},
		{"Auto", m.Auto, ""},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("parsed %s = %q; want %q", c.name, c.got, c.want)
		}
	}
	if !strings.Contains(m.Text, "Bestellung 10503") || !strings.Contains(m.Text, "Ersatz schicken?") || strings.Contains(m.Text, "Hamburg") {
		t.Errorf("parsed Text = %q; want the German request without the signature", m.Text)
	}
	if m.HTML == "" {
		t.Error("parsed HTML is empty; want the HTML alternative")
	}
	if got := inbound.OrderNumbers(m.Subject, m.Text); !slices.Equal(got, []string{orderDamaged}) {
		t.Errorf("order numbers = %q; want [%s]", got, orderDamaged)
	}
	if len(m.Attachments) != 1 {
		t.Fatalf("parsed %d attachments; want 1", len(m.Attachments))
	}
	a := m.Attachments[0]
	if a.Filename != "karton-eingedrückt.png" || a.ContentType != "image/png" || a.Inline {
		t.Errorf("attachment = %q %s inline %v; want karton-eingedrückt.png image/png", a.Filename, a.ContentType, a.Inline)
	}
	if _, err := png.Decode(bytes.NewReader(a.Data)); err != nil {
		t.Errorf("attachment does not decode as PNG: %v", err)
	}
}

// The customer's answer is addressed as a mail client addresses an answer to the reply: to
// its Reply-To, in reply to its Message-ID, with the thread's References, the reply quoted.
func TestCustomerAnswerThreadsUnderTheReply(t *testing.T) {
	at := time.Date(2026, 11, 2, 9, 30, 0, 0, time.UTC)
	first := CustomerEmail(support, at, "golden")
	reply := local.SentMail{
		TicketID: "tk_1", MessageID: "<reply-en_1@demo.test>", Subject: "Re: Bestellung 10503",
		From: sharedmail.Address{Name: "Demo Shop (Berlin)", Address: "support@demo.test"}, Text: "Hallo Herr Weber,\n\nErsatz ist unterwegs.",
		SentAt: at.Add(time.Hour),
		Headers: []sharedmail.Header{
			{Name: "Reply-To", Value: `"Demo Shop (Berlin)" <support+tk_1@demo.test>`},
			{Name: "In-Reply-To", Value: "<ticket-tk_1@demo.test>"}, {Name: "References", Value: "<ticket-tk_1@demo.test>"},
		},
	}
	answer := CustomerAnswer(first, reply, at.Add(2*time.Hour), "golden")
	golden(t, "customer-answer.eml", answer.Bytes())
	m, err := inbound.Parse(answer.Bytes())
	if err != nil {
		t.Fatalf("inbound.Parse = %v", err)
	}
	if answer.To.Address != "support+tk_1@demo.test" {
		t.Errorf("answer To = %q; want the reply's Reply-To", answer.To.Address)
	}
	if m.InReplyTo != "<reply-en_1@demo.test>" {
		t.Errorf("parsed In-Reply-To = %q; want the reply's Message-ID", m.InReplyTo)
	}
	if want := []string{first.MessageID, "<ticket-tk_1@demo.test>", "<reply-en_1@demo.test>"}; !slices.Equal(m.References, want) {
		t.Errorf("parsed References = %q; want %q", m.References, want)
	}
	if m.Subject != "Re: Bestellung 10503" || !strings.Contains(m.Quoted, "Ersatz ist unterwegs") || strings.Contains(m.Text, "Ersatz ist unterwegs") {
		t.Errorf("parsed subject %q, text %q, quoted %q; want Re: once and the reply folded into Quoted", m.Subject, m.Text, m.Quoted)
	}
}

// The demo's email round on the whole local runtime: the mail becomes a ticket for order
// 10503, the reply leaves once through the outbox threaded under the ticket, and the
// customer's answer lands on the same ticket.
func TestSendMailRoundThreadsOneTicket(t *testing.T) {
	e := boot(t)
	token := e.login(t, "anna@demo.test")
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	round, err := SendMailRound(ctx, e.client, e.baseURL, e.rt.SMTP.Addr(), token, support, time.Now(), 20*time.Millisecond, 20*time.Second)
	if err != nil {
		t.Fatalf("SendMailRound: %v", err)
	}
	e.waitIdle(t)
	if round.Ticket.OrderID != orderDamaged || round.Ticket.Customer.Email != Customer.Address {
		t.Errorf("ticket = %+v; want order %s for %s", round.Ticket, orderDamaged, Customer.Address)
	}
	if len(round.Tickets) != 1 || round.Tickets[0].ID != round.Ticket.ID {
		t.Errorf("the customer's tickets = %s; want the one ticket %s", table(round.Tickets), round.Ticket.ID)
	}
	var kinds []string
	for _, m := range round.Messages {
		kinds = append(kinds, m.Kind)
	}
	if want := []string{string(ticket.EntryCustomer), string(ticket.EntryReply), string(ticket.EntryCustomer)}; !slices.Equal(kinds, want) {
		t.Errorf("ticket %s conversation = %q; want %q", round.Ticket.ID, kinds, want)
	}
	sent, err := Outbox(t.Context(), e.client, e.baseURL)
	if err != nil {
		t.Fatal(err)
	}
	if len(sent) != 1 || sent[0].MessageID != round.Reply.MessageID {
		t.Fatalf("outbox = %d mails; want the one reply %s", len(sent), round.Reply.MessageID)
	}
	if round.Reply.To.Address != Customer.Address || headerOf(round.Reply, "In-Reply-To") != "<ticket-"+round.Ticket.ID+"@demo.test>" {
		t.Errorf("reply to %q in reply to %q; want %s under the ticket's thread", round.Reply.To.Address, headerOf(round.Reply, "In-Reply-To"), Customer.Address)
	}
	if round.Answer.InReplyTo != round.Reply.MessageID || round.Answer.To.Address != "support+"+round.Ticket.ID+"@demo.test" {
		t.Errorf("answer to %q in reply to %q; want the ticket's reply address, in reply to %s", round.Answer.To.Address, round.Answer.InReplyTo, round.Reply.MessageID)
	}
}
