package local_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/smtp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/borderdesk/borderdesk/events"
	"github.com/borderdesk/borderdesk/functions/api"
	"github.com/borderdesk/borderdesk/infra/local"
	"github.com/borderdesk/borderdesk/shared/outbox"
)

// doubling publishes every event the relay hands it twice, as a relay that lost the bus's
// acknowledgement does, and counts the message.replied it doubled.
type doubling struct {
	next outbox.Publisher

	mu      sync.Mutex
	replied int
}

func (d *doubling) PublishAs(ctx context.Context, source string, evs ...events.Event) error {
	for range 2 {
		if err := d.next.PublishAs(ctx, source, evs...); err != nil {
			return err
		}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, ev := range evs {
		if ev.Type == events.MessageReplied {
			d.replied++
		}
	}
	return nil
}

// mailEnv is the whole runtime, its relay publishing twice, with helpers for mail.
type mailEnv struct {
	*env
	bus *doubling
}

func startMail(t *testing.T) *mailEnv {
	t.Helper()
	clk := &clock{t: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}
	bus := &doubling{}
	rt, err := local.Start(context.Background(), local.Config{
		Seeds: local.DemoSeeds(func(string) string { return "" }), JWTSecret: []byte("test"),
		Clock: clk, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		RelayBus: func(p outbox.Publisher) outbox.Publisher { bus.next = p; return bus },
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(rt.Handler)
	t.Cleanup(func() { srv.Close(); rt.Close() })
	t.Cleanup(func() {
		for name, q := range rt.Queues {
			if dlq := q.DLQ(); len(dlq) > 0 {
				t.Errorf("queue %s dead-lettered %d messages: %v", name, len(dlq), dlq)
			}
		}
	})
	return &mailEnv{env: &env{t: t, rt: rt, url: srv.URL, clock: clk}, bus: bus}
}

// send hands raw to the runtime's SMTP listener for rcpt, as any mail client does, and waits
// until the system has nothing left to do.
func (e *mailEnv) send(from, rcpt, raw string) error {
	e.t.Helper()
	err := smtp.SendMail(e.rt.SMTP.Addr(), nil, from, []string{rcpt}, []byte(strings.ReplaceAll(raw, "\n", "\r\n")))
	e.idle()
	e.clock.Advance(time.Minute)
	return err
}

func (e *mailEnv) outbox() []local.SentMail {
	e.t.Helper()
	code, b := e.do("GET", "/dev/outbox", nil, nil)
	var sent []local.SentMail
	if err := json.Unmarshal(b, &sent); code != 200 || err != nil {
		e.t.Fatalf("GET /dev/outbox = %d %s", code, b)
	}
	return sent
}

func (e *mailEnv) ticket(token, id string) api.TicketDetail {
	e.t.Helper()
	code, b := e.do("GET", "/api/v1/tickets/"+id, nil, map[string]string{"Authorization": "Bearer " + token})
	var d api.TicketDetail
	if err := json.Unmarshal(b, &d); code != 200 || err != nil {
		e.t.Fatalf("GET /api/v1/tickets/%s = %d %s", id, code, b)
	}
	return d
}

func kinds(entries []api.EntryView) []string {
	var out []string
	for _, m := range entries {
		out = append(out, m.Kind)
	}
	return out
}

func headerValue(m local.SentMail, name string) string {
	for _, h := range m.Headers {
		if h.Name == name {
			return h.Value
		}
	}
	return ""
}

const firstMail = `From: Jonas Weber <jonas.weber@example.de>
To: Demo Shop <support@demo.test>
Subject: =?utf-8?q?Bestellung_10503_besch=C3=A4digt?=
Date: Mon, 02 Nov 2026 10:00:00 +0100
Message-ID: <first-1@mail.example.de>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="m1"

--m1
Content-Type: multipart/alternative; boundary="b1"

--b1
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

Guten Tag, meine Bestellung 10503 kam besch=C3=A4digt an. K=C3=B6nnen Sie Ersatz schicken?

Jonas Weber
--b1
Content-Type: text/html; charset=utf-8

<p>Guten Tag, meine Bestellung 10503 kam besch&auml;digt an. K&ouml;nnen Sie Ersatz schicken?</p><p>Jonas Weber</p>
--b1--

--m1
Content-Type: text/plain; name="lieferschein.txt"
Content-Disposition: attachment; filename="lieferschein.txt"
Content-Transfer-Encoding: base64

TGllZmVyc2NoZWluIDEwNTAzOiAxIFdhbG51c3MtT3JnYW5pemVyCg==
--m1--
`

// TestEmailEndToEnd is issue 8's "done when" on the local runtime, over real SMTP: a
// customer's mail becomes a ticket, the agent's reply leaves through the outbox threaded
// under it, the customer's answer to that reply lands on the same ticket, and nothing is
// sent twice although the relay publishes every event twice. Mail to an address no
// merchant owns is refused at RCPT; an auto-reply to our reply opens nothing and gets no
// answer; the same Message-ID twice is one message.
func TestEmailEndToEnd(t *testing.T) {
	e := startMail(t)
	if err := e.send("jonas.weber@example.de", "support@demo.test", firstMail); err != nil {
		t.Fatalf("SMTP to support@demo.test = %v; want accepted", err)
	}
	anna := e.token("anna@demo.test")
	tks := e.tickets(anna)
	if len(tks) != 1 {
		t.Fatalf("demo's tickets after one mail = %d; want 1", len(tks))
	}
	tk := tks[0]
	if tk.Customer.Email != "jonas.weber@example.de" || tk.OrderID != "10503" {
		t.Errorf("ticket customer %q order %q; want jonas.weber@example.de, 10503 (named in the mail)", tk.Customer.Email, tk.OrderID)
	}
	d := e.ticket(anna, tk.ID)
	if len(d.Messages) != 1 || !strings.Contains(d.Messages[0].Body, "Bestellung 10503 kam beschädigt an") {
		t.Fatalf("ticket messages = %+v; want the mail's decoded text", d.Messages)
	}
	// The attachment intake kept in the local mail bucket downloads through the API's link.
	m := d.Messages[0]
	if m.Channel != "email" || m.Email == nil || len(m.Email.Attachments) != 1 || m.Email.Trust != (events.Trust{}) {
		t.Fatalf("first message channel %q email %+v; want email with one attachment and no verdicts (nobody checked)", m.Channel, m.Email)
	}
	att := m.Email.Attachments[0]
	code, b := e.do("GET", "/api/v1/tickets/"+tk.ID+"/attachments/"+att.ID, nil, map[string]string{"Authorization": "Bearer " + anna})
	var link api.AttachmentLink
	if err := json.Unmarshal(b, &link); code != 200 || err != nil {
		t.Fatalf("GET attachment %s = %d %s", att.ID, code, b)
	}
	resp, err := http.Get(link.URL)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(data) != "Lieferschein 10503: 1 Walnuss-Organizer\n" || link.Filename != "lieferschein.txt" {
		t.Errorf("attachment download %s = %d %q; want lieferschein.txt's bytes", link.Filename, resp.StatusCode, data)
	}
	if acme := e.tickets(e.token("jo@acme.test")); len(acme) != 0 {
		t.Errorf("acme sees %d tickets; want 0 (the mail was demo's)", len(acme))
	}

	// The agent replies through the API; the relay publishes message.replied twice.
	auth := map[string]string{"Authorization": "Bearer " + anna}
	code, b = e.do("POST", "/api/v1/tickets/"+tk.ID+"/messages", []byte(`{"kind":"reply","body":"Hallo Herr Weber,\n\nErsatz ist unterwegs."}`), auth)
	if code != 201 {
		t.Fatalf("reply = %d %s", code, b)
	}
	var entry api.EntryView
	if err := json.Unmarshal(b, &entry); err != nil {
		t.Fatal(err)
	}
	e.idle()
	e.clock.Advance(time.Minute)
	e.bus.mu.Lock()
	doubled := e.bus.replied
	e.bus.mu.Unlock()
	if doubled == 0 {
		t.Fatal("the relay published no message.replied; the test must exercise redelivery")
	}
	sent := e.outbox()
	if len(sent) != 1 {
		t.Fatalf("outbox holds %d mails after a reply published twice; want 1", len(sent))
	}
	reply := sent[0]
	thread := "<ticket-" + tk.ID + "@demo.test>"
	checks := []struct{ name, got, want string }{
		{"To", reply.To.Address, "jonas.weber@example.de"},
		{"ticket", reply.TicketID, tk.ID},
		{"Message-ID", reply.MessageID, "<reply-" + entry.ID + "@demo.test>"},
		{"Message-ID header", headerValue(reply, "Message-ID"), reply.MessageID},
		{"In-Reply-To", headerValue(reply, "In-Reply-To"), thread},
		{"References", headerValue(reply, "References"), thread},
		{"Reply-To", headerValue(reply, "Reply-To"), `"Demo Shop (Berlin)" <support+` + tk.ID + `@demo.test>`},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("reply %s = %q; want %q", c.name, c.got, c.want)
		}
	}

	// The customer answers the reply, as a mail client does: to its Reply-To, in reply to
	// its Message-ID, the earlier text quoted.
	answer := fmt.Sprintf(`From: Jonas Weber <jonas.weber@example.de>
To: Demo Shop <support+%s@demo.test>
Subject: %s
Message-ID: <answer-1@mail.example.de>
In-Reply-To: %s
References: <first-1@mail.example.de> %s %s
Content-Type: text/plain; charset=utf-8

Danke, dann schicke ich den kaputten zurück.

On Mon, 2 Nov 2026 at 10:02, Demo Shop wrote:
> Hallo Herr Weber,
> Ersatz ist unterwegs.
`, tk.ID, reply.Subject, reply.MessageID, thread, reply.MessageID)
	if err := e.send("jonas.weber@example.de", "support+"+tk.ID+"@demo.test", answer); err != nil {
		t.Fatalf("SMTP of the answer to the reply address = %v; want accepted", err)
	}
	if tks := e.tickets(anna); len(tks) != 1 {
		t.Fatalf("tickets after the answer = %d; want 1 (the answer threads)", len(tks))
	}
	d = e.ticket(anna, tk.ID)
	if want := []string{"customer", "reply", "customer"}; !slices.Equal(kinds(d.Messages), want) {
		t.Fatalf("ticket %s conversation = %q; want %q", tk.ID, kinds(d.Messages), want)
	}
	if last := d.Messages[2].Body; !strings.Contains(last, "schicke ich den kaputten zurück") || strings.Contains(last, "Ersatz ist unterwegs") {
		t.Errorf("answer's text = %q; want the new text, the quote folded away", last)
	}

	// An address no merchant owns is refused at RCPT, before any data.
	if err := e.send("jonas.weber@example.de", "sales@demo.test", firstMail); err == nil || !strings.Contains(err.Error(), "550") {
		t.Errorf("SMTP to sales@demo.test = %v; want 550", err)
	}
	if err := e.send("jonas.weber@example.de", "support@nobody.test", firstMail); err == nil || !strings.Contains(err.Error(), "550") {
		t.Errorf("SMTP to support@nobody.test = %v; want 550", err)
	}

	// An out-of-office answer to our reply: no ticket, no answer mailed back.
	auto := fmt.Sprintf(`From: Jonas Weber <jonas.weber@example.de>
To: support+%s@demo.test
Subject: Abwesenheitsnotiz: %s
Message-ID: <auto-1@mail.example.de>
In-Reply-To: %s
Auto-Submitted: auto-replied
Content-Type: text/plain; charset=utf-8

Ich bin bis 9. November nicht im Büro.
`, tk.ID, reply.Subject, reply.MessageID)
	if err := e.send("jonas.weber@example.de", "support+"+tk.ID+"@demo.test", auto); err != nil {
		t.Fatalf("SMTP of an auto-reply = %v; want accepted (and then ignored)", err)
	}
	// The same first mail again, as a client retrying after a lost 250 sends it.
	if err := e.send("jonas.weber@example.de", "support@demo.test", firstMail); err != nil {
		t.Fatalf("SMTP of the first mail again = %v; want accepted (a duplicate changes nothing)", err)
	}
	if tks := e.tickets(anna); len(tks) != 1 {
		t.Errorf("tickets after an auto-reply and a repeated mail = %d; want 1", len(tks))
	}
	d = e.ticket(anna, tk.ID)
	customer := 0
	for _, m := range d.Messages {
		if m.Kind == "customer" && !strings.Contains(m.Body, "nicht im Büro") {
			customer++
		}
	}
	if customer != 2 {
		t.Errorf("ticket %s customer messages = %q; want 2 (the repeated Message-ID once)", tk.ID, kinds(d.Messages))
	}
	if n := len(e.outbox()); n != 1 {
		t.Errorf("outbox holds %d mails at the end; want 1 (nothing answers an auto-reply, nothing is sent twice)", n)
	}
}
