package mail

import (
	"bytes"
	"flag"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/borderdesk/borderdesk/events"
	"github.com/borderdesk/borderdesk/shared/errs"
	"github.com/borderdesk/borderdesk/shared/merchant"
)

var update = flag.Bool("update", false, "rewrite golden files")

var at = time.Date(2026, 11, 2, 9, 30, 0, 0, time.UTC)

func demo() merchant.Merchant {
	return merchant.Merchant{ID: "demo", Name: "Demo Shop (Berlin)", Sender: merchant.Sender{Name: "Demo Shop", Address: "support@demo.test"}}
}

func reply() events.Reply {
	return events.Reply{
		TicketID: "tk_01JC8W3M5R", EntryID: "en_01JC8Z0K7T", Author: "anna@demo.test",
		Body:     "Hallo Jonas,\n\nbitte versuchen Sie es mit einer anderen Karte.\nGrüße <Anna> & Team",
		Customer: events.Customer{Email: "jonas.weber@example.de", Name: "Jonas Wéber"},
		Language: "de", Subject: "Zahlung fehlgeschlagen",
	}
}

func TestRenderGolden(t *testing.T) {
	m, err := FromReply(demo(), reply(), at)
	if err != nil {
		t.Fatalf("FromReply: %v", err)
	}
	got, err := m.Render()
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	path := filepath.Join("testdata", "reply.eml")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden (run with -update): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("Render() =\n%s\nwant\n%s", got, want)
	}
}

// parse reads raw back as a mail client would, failing the test when it is not one message.
func parse(t *testing.T, raw []byte) (*mail.Message, map[string]string) {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("ReadMessage: %v\n%s", err, raw)
	}
	_, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		t.Fatalf("Content-Type %q: %v", msg.Header.Get("Content-Type"), err)
	}
	parts := map[string]string{}
	r := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := r.NextPart() // decodes quoted-printable
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("NextPart: %v", err)
		}
		b, _ := io.ReadAll(p)
		typ, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		parts[typ] = string(b)
	}
	return msg, parts
}

func TestRenderReadsBack(t *testing.T) {
	m, err := FromReply(demo(), reply(), at)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := m.Render()
	if err != nil {
		t.Fatal(err)
	}
	msg, parts := parse(t, raw)
	dec := new(mime.WordDecoder)
	subject, _ := dec.DecodeHeader(msg.Header.Get("Subject"))
	to, err := msg.Header.AddressList("To")
	if err != nil || len(to) != 1 {
		t.Fatalf("To = %v, %v", to, err)
	}
	checks := []struct{ name, got, want string }{
		{"Subject", subject, "Re: Zahlung fehlgeschlagen"},
		{"To name", to[0].Name, "Jonas Wéber"},
		{"To address", to[0].Address, "jonas.weber@example.de"},
		{"From", msg.Header.Get("From"), `"Demo Shop" <support@demo.test>`},
		{"Reply-To", msg.Header.Get("Reply-To"), `"Demo Shop" <support+tk_01JC8W3M5R@demo.test>`},
		{"Message-ID", msg.Header.Get("Message-ID"), "<reply-en_01JC8Z0K7T@demo.test>"},
		{"In-Reply-To", msg.Header.Get("In-Reply-To"), "<ticket-tk_01JC8W3M5R@demo.test>"},
		{"References", msg.Header.Get("References"), "<ticket-tk_01JC8W3M5R@demo.test>"},
		{"text", parts["text/plain"], strings.ReplaceAll(reply().Body, "\n", "\r\n")},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q; want %q", c.name, c.got, c.want)
		}
	}
	html := parts["text/html"]
	for _, want := range []string{"<p>Hallo Jonas,</p>", "Grüße &lt;Anna&gt; &amp; Team</p>", "Karte.<br>"} {
		if !strings.Contains(html, want) {
			t.Errorf("html part %q lacks %q", html, want)
		}
	}
}

func TestFromReplyIsStable(t *testing.T) {
	a, _ := FromReply(demo(), reply(), at)
	b, _ := FromReply(demo(), reply(), at.Add(time.Hour))
	if a.MessageID != b.MessageID {
		t.Errorf("Message-ID %q then %q; want the same for one entry", a.MessageID, b.MessageID)
	}
	r := reply()
	r.EntryID = "en_other"
	c, _ := FromReply(demo(), r, at)
	if c.MessageID == a.MessageID {
		t.Errorf("Message-ID %q for two entries", c.MessageID)
	}
}

// Nothing typed by a customer or an agent may add a header, whatever it holds.
func TestHeaderInjection(t *testing.T) {
	const evil = "\r\nBcc: x@evil.test"
	tests := []struct {
		name   string
		change func(*merchant.Merchant, *events.Reply)
	}{
		{"customer name", func(_ *merchant.Merchant, r *events.Reply) { r.Customer.Name = "Eve" + evil }},
		{"customer name LF only", func(_ *merchant.Merchant, r *events.Reply) { r.Customer.Name = "Eve\nBcc: x@evil.test" }},
		{"customer name NUL", func(_ *merchant.Merchant, r *events.Reply) { r.Customer.Name = "Eve\x00\r\nBcc: x@evil.test" }},
		{"subject", func(_ *merchant.Merchant, r *events.Reply) { r.Subject = "Hi" + evil }},
		{"subject CR only", func(_ *merchant.Merchant, r *events.Reply) { r.Subject = "Hi\rBcc: x@evil.test" }},
		{"subject encoded word", func(_ *merchant.Merchant, r *events.Reply) { r.Subject = "=?utf-8?q?Hi=0D=0ABcc:_x@evil.test?=" }},
		{"sender name", func(m *merchant.Merchant, _ *events.Reply) { m.Sender.Name = "Shop" + evil }},
		{"ticket id", func(_ *merchant.Merchant, r *events.Reply) { r.TicketID = "tk" + evil }},
		{"entry id", func(_ *merchant.Merchant, r *events.Reply) { r.EntryID = "en>" + evil }},
		{"body", func(_ *merchant.Merchant, r *events.Reply) { r.Body = "Hello\r\n\r\nBcc: x@evil.test\r\n" }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, r := demo(), reply()
			tc.change(&m, &r)
			msg, err := FromReply(m, r, at)
			if err != nil {
				t.Fatalf("FromReply: %v", err)
			}
			raw, err := msg.Render()
			if err != nil {
				t.Fatal(err)
			}
			got, _ := parse(t, raw)
			if v := got.Header.Get("Bcc"); v != "" {
				t.Errorf("rendered a Bcc header %q:\n%s", v, raw)
			}
			if n := len(got.Header); n != len(msg.Headers())+1 {
				t.Errorf("read back %d headers; want %d:\n%s", n, len(msg.Headers())+1, raw)
			}
			head, _, _ := bytes.Cut(raw, []byte("\r\n\r\n"))
			if bytes.ContainsAny(head, "\x00") || bytes.Contains(bytes.ReplaceAll(head, []byte("\r\n"), nil), []byte("\n")) {
				t.Errorf("header block holds a bare LF or NUL:\n%q", head)
			}
			for _, h := range msg.Headers() {
				if strings.ContainsAny(h.Value, "\r\n\x00") {
					t.Errorf("header %s = %q holds CR, LF or NUL", h.Name, h.Value)
				}
			}
		})
	}
}

func TestSubjectReadsBackAsTyped(t *testing.T) {
	for _, s := range []string{"Zahlung fehlgeschlagen", "=?utf-8?q?fake?=", "订单 10482 的包裹在哪里？" + strings.Repeat("很长", 20), "a \"quoted\" (comment)"} {
		r := reply()
		r.Subject = s
		msg, err := FromReply(demo(), r, at)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := msg.Render()
		got, _ := parse(t, raw)
		dec, err := new(mime.WordDecoder).DecodeHeader(got.Header.Get("Subject"))
		if err != nil || dec != "Re: "+s {
			t.Errorf("Subject for %q reads back %q, %v; want %q", s, dec, err, "Re: "+s)
		}
	}
}

func TestFromReplyRefuses(t *testing.T) {
	tests := []struct {
		name   string
		change func(*merchant.Merchant, *events.Reply)
	}{
		{"no sender", func(m *merchant.Merchant, _ *events.Reply) { m.Sender.Address = "" }},
		{"sender with a header", func(m *merchant.Merchant, _ *events.Reply) { m.Sender.Address = "a@b.test\r\nBcc: x@evil.test" }},
		{"customer without email", func(_ *merchant.Merchant, r *events.Reply) { r.Customer.Email = "" }},
		{"customer email with CRLF", func(_ *merchant.Merchant, r *events.Reply) { r.Customer.Email = "jonas@example.de\r\nBcc: x@evil.test" }},
		{"customer email a list", func(_ *merchant.Merchant, r *events.Reply) { r.Customer.Email = "a@b.test, x@evil.test" }},
		{"customer email with a name", func(_ *merchant.Merchant, r *events.Reply) { r.Customer.Email = "Eve <x@evil.test>" }},
		{"no entry id", func(_ *merchant.Merchant, r *events.Reply) { r.EntryID = "" }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, r := demo(), reply()
			tc.change(&m, &r)
			_, err := FromReply(m, r, at)
			if !errs.Is(err, errs.Invalid) {
				t.Errorf("FromReply = %v; want an invalid error", err)
			}
		})
	}
}

func TestSenderNameDefaultsToMerchant(t *testing.T) {
	m := demo()
	m.Sender.Name = ""
	msg, err := FromReply(m, reply(), at)
	if err != nil {
		t.Fatal(err)
	}
	if msg.From.Name != m.Name {
		t.Errorf("From.Name = %q; want %q", msg.From.Name, m.Name)
	}
}

// However long what was typed, no rendered line is over RFC 5322's 998 characters.
func TestLongInputKeepsLinesShort(t *testing.T) {
	for _, long := range []string{strings.Repeat("x", 3000), strings.Repeat("很", 3000), strings.Repeat("😀", 3000), strings.Repeat("=?", 1500)} {
		r := reply()
		r.Subject, r.Customer.Name = long, long
		msg, err := FromReply(demo(), r, at)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := msg.Render()
		for _, line := range strings.Split(string(raw), "\r\n") {
			if len(line) > 998 {
				t.Errorf("line of %d characters: %.80q…", len(line), line)
			}
		}
		got, _ := parse(t, raw)
		subject, _ := new(mime.WordDecoder).DecodeHeader(got.Header.Get("Subject"))
		if want := "Re: " + string([]rune(long)[:maxSubject]) + "…"; subject != want {
			t.Errorf("Subject reads back %.40q; want %.40q", subject, want)
		}
	}
}

func TestThreadTicketReadsThreadID(t *testing.T) {
	id := ThreadID("tk_06h3gthy7j4eaw681nt0p0zv3m", "demo.test")
	if tk, domain, ok := ThreadTicket(id); !ok || tk != "tk_06h3gthy7j4eaw681nt0p0zv3m" || domain != "demo.test" {
		t.Errorf("ThreadTicket(%s) = %q, %q, %v; want the ticket and demo.test back", id, tk, domain, ok)
	}
	for _, other := range []string{"<reply-en_1@demo.test>", "<ticket-@demo.test>", "ticket-tk_1@demo.test", "<CAF=abc@mail.gmail.com>"} {
		if _, _, ok := ThreadTicket(other); ok {
			t.Errorf("ThreadTicket(%s) = ok; want false (not one of ours)", other)
		}
	}
}
