package local_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/smtp"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/borderdesk/borderdesk/events"
	"github.com/borderdesk/borderdesk/functions/intake"
	"github.com/borderdesk/borderdesk/infra/local"
	"github.com/borderdesk/borderdesk/shared/errs"
	"github.com/borderdesk/borderdesk/shared/s3"
	s3embedded "github.com/borderdesk/borderdesk/shared/s3/embedded"
)

// receiver is a hand-written MailReceiver: the addresses it owns, what ReceiveMail answers,
// and every mail it was handed.
type receiver struct {
	acceptsFn func(rcpt string) error
	receiveFn func(m intake.InboundMail) error

	mu  sync.Mutex
	got []intake.InboundMail
}

func (r *receiver) AcceptsRecipient(_ context.Context, rcpt string) error { return r.acceptsFn(rcpt) }

func (r *receiver) ReceiveMail(_ context.Context, m intake.InboundMail) error {
	r.mu.Lock()
	r.got = append(r.got, m)
	r.mu.Unlock()
	if r.receiveFn != nil {
		return r.receiveFn(m)
	}
	return nil
}

func (r *receiver) mails() []intake.InboundMail {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]intake.InboundMail(nil), r.got...)
}

// supportOnly owns the demo merchants' support addresses and nothing else.
func supportOnly(rcpt string) error {
	switch strings.ToLower(rcpt) {
	case "support@demo.test", "support@acme.test":
		return nil
	case "support@[127.0.0.1]": // SMTP's syntax, but no address a merchant could own
		return errs.E(errs.Invalid, "not a mailbox address")
	}
	return errs.E(errs.NotFound, "no mailbox %s", rcpt)
}

var smtpNow = time.Date(2026, 11, 2, 9, 30, 0, 0, time.UTC)

// listen starts a listener on loopback on a real embedded bucket.
func listen(t *testing.T, recv local.MailReceiver, maxBytes int64) (*local.SMTPListener, *s3embedded.S3) {
	t.Helper()
	bucket, err := s3embedded.Start(t.Context(), "127.0.0.1:0", "borderdesk-mail")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bucket.Close() })
	n := 0
	newID := func() string { n++; return "MAIL" + strings.Repeat("X", n) }
	l, err := local.StartSMTP(context.Background(), "127.0.0.1:0", false, maxBytes, recv, s3.NewObjects(bucket.Client, bucket.Bucket),
		func() time.Time { return smtpNow }, newID, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l, bucket
}

const sampleMail = "From: Lena Fischer <lena.fischer@example.de>\r\nTo: support@demo.test\r\nSubject: Bestellung 10482\r\n" +
	"Message-ID: <a1@example.de>\r\n\r\nHallo,\r\n.eine Zeile mit Punkt am Anfang\r\nViele Grüße\r\n"

// A mail for a merchant's address is kept byte for byte in the mail bucket under
// inbound/<id>, then handed on with its recipients, its key, the clock's time and no trust
// verdicts (nobody checked); 250 comes only after.
func TestSMTPListenerStoresAndFilesMail(t *testing.T) {
	recv := &receiver{acceptsFn: supportOnly}
	l, bucket := listen(t, recv, 0)
	rcpts := []string{"support@demo.test", "Support@Demo.test", "support@acme.test"}
	if err := smtp.SendMail(l.Addr(), nil, "lena.fischer@example.de", rcpts, []byte(sampleMail)); err != nil {
		t.Fatalf("SendMail = %v; want it accepted", err)
	}
	got := recv.mails()
	if len(got) != 1 {
		t.Fatalf("ReceiveMail called %d times; want 1", len(got))
	}
	m := got[0]
	if want := events.InboundMailPrefix + "mailx"; m.Key != want {
		t.Errorf("Key = %q; want %q", m.Key, want)
	}
	if want := []string{"support@demo.test", "support@acme.test"}; strings.Join(m.Recipients, ",") != strings.Join(want, ",") {
		t.Errorf("Recipients = %q; want %q (a repeated RCPT once)", m.Recipients, want)
	}
	if string(m.Raw) != sampleMail {
		t.Errorf("Raw = %q; want the mail as sent, dots unstuffed:\n%q", m.Raw, sampleMail)
	}
	if m.Trust != (events.Trust{}) || !m.ReceivedAt.Equal(smtpNow) {
		t.Errorf("Trust %+v, ReceivedAt %v; want no verdicts at %v", m.Trust, m.ReceivedAt, smtpNow)
	}
	stored, err := s3.NewObjects(bucket.Client, bucket.Bucket).GetObject(t.Context(), m.Key)
	if err != nil || string(stored.Data) != sampleMail || stored.ContentType != "message/rfc822" {
		t.Errorf("bucket %s = %q (%s), %v; want the raw mail, message/rfc822", m.Key, stored.Data, stored.ContentType, err)
	}
}

// session is one SMTP conversation through net/smtp's client, command by command.
func session(t *testing.T, addr string) *smtp.Client {
	t.Helper()
	c, err := smtp.Dial(addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Hello("client.example.de"); err != nil {
		t.Fatal(err)
	}
	return c
}

func code(err error) int {
	var te *textproto.Error
	if errors.As(err, &te) {
		return te.Code
	}
	return 0
}

// What the listener answers when it cannot take a recipient or a mail: a permanent refusal
// where trying again cannot help, 451 where it may, and never a 250 for a mail it lost.
func TestSMTPListenerRefusals(t *testing.T) {
	transient := errs.E(errs.Transient, "table down")
	tests := []struct {
		name     string
		rcpt     string
		accepts  func(string) error
		receive  func(intake.InboundMail) error
		body     string
		wantRcpt int // 0: accepted
		wantData int // the answer to the end of DATA
		filed    int // mails handed on
	}{
		{name: "address no merchant owns", rcpt: "sales@demo.test", accepts: supportOnly, wantRcpt: 550},
		{name: "an address literal", rcpt: "support@[127.0.0.1]", accepts: supportOnly, wantRcpt: 553},
		{name: "recipients unknowable for now", rcpt: "support@demo.test", accepts: func(string) error { return transient }, wantRcpt: 451},
		{name: "intake fails", rcpt: "support@demo.test", accepts: supportOnly, body: sampleMail,
			receive: func(intake.InboundMail) error { return transient }, wantData: 451, filed: 1},
		{name: "intake fails unclassified", rcpt: "support@demo.test", accepts: supportOnly, body: sampleMail,
			receive: func(intake.InboundMail) error { return errors.New("boom") }, wantData: 451, filed: 1},
		{name: "every mailbox gone by DATA", rcpt: "support@demo.test", accepts: supportOnly, body: sampleMail,
			receive: func(intake.InboundMail) error { return errs.E(errs.NotFound, "no merchant") }, wantData: 550, filed: 1},
		{name: "not a mail", rcpt: "support@demo.test", accepts: supportOnly, body: "\x00\x01",
			receive: func(intake.InboundMail) error { return errs.E(errs.Invalid, "not a mail") }, wantData: 554, filed: 1},
		{name: "over the size cap", rcpt: "support@demo.test", accepts: supportOnly, body: sampleMail + strings.Repeat(strings.Repeat("x", 70)+"\r\n", 20), wantData: 552},
		{name: "accepted", rcpt: "support@demo.test", accepts: supportOnly, body: sampleMail, wantData: 250, filed: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			recv := &receiver{acceptsFn: tc.accepts, receiveFn: tc.receive}
			l, _ := listen(t, recv, 1024)
			c := session(t, l.Addr())
			if err := c.Mail("lena.fischer@example.de"); err != nil {
				t.Fatalf("MAIL = %v", err)
			}
			err := c.Rcpt(tc.rcpt)
			if code(err) != tc.wantRcpt {
				t.Fatalf("RCPT TO:<%s> = %v; want code %d", tc.rcpt, err, tc.wantRcpt)
			}
			if tc.wantRcpt != 0 {
				if err := c.Reset(); err != nil {
					t.Fatalf("RSET after a refused RCPT = %v", err)
				}
				return
			}
			w, err := c.Data()
			if err != nil {
				t.Fatalf("DATA = %v", err)
			}
			_, _ = io.WriteString(w, tc.body)
			err = w.Close()
			if got := code(err); got != tc.wantData && (tc.wantData != 250 || err != nil) {
				t.Errorf("end of DATA = %v (code %d); want %d", err, got, tc.wantData)
			}
			if n := len(recv.mails()); n != tc.filed {
				t.Errorf("ReceiveMail called %d times; want %d", n, tc.filed)
			}
		})
	}
}

// The listener advertises SES's 40 MB cap, and a client that declares a larger mail is
// refused before it sends it.
func TestSMTPListenerAdvertisesSESSizeCap(t *testing.T) {
	l, _ := listen(t, &receiver{acceptsFn: supportOnly}, 0)
	c := session(t, l.Addr())
	if ok, size := c.Extension("SIZE"); !ok || size != "41943040" {
		t.Errorf("EHLO SIZE = %v %q; want 41943040 (40 MB)", ok, size)
	}
	if ok, _ := c.Extension("STARTTLS"); ok {
		t.Error("EHLO offers STARTTLS; the loopback listener has no certificate to offer")
	}
	if ok, _ := c.Extension("AUTH"); ok {
		t.Error("EHLO offers AUTH; the listener has no accounts")
	}
	id, err := c.Text.Cmd("MAIL FROM:<lena.fischer@example.de> SIZE=%d", 41943041)
	if err != nil {
		t.Fatal(err)
	}
	c.Text.StartResponse(id)
	codeGot, _, err := c.Text.ReadResponse(250)
	c.Text.EndResponse(id)
	if codeGot != 552 {
		t.Errorf("MAIL FROM with SIZE over 40 MB = %d %v; want 552", codeGot, err)
	}
}

// The bucket failing is a 451: the mail was not kept, so it must not be accepted.
func TestSMTPListenerWithoutItsBucketAsksToRetry(t *testing.T) {
	recv := &receiver{acceptsFn: supportOnly}
	l, bucket := listen(t, recv, 0)
	bucket.Close()
	err := smtp.SendMail(l.Addr(), nil, "lena.fischer@example.de", []string{"support@demo.test"}, []byte(sampleMail))
	if code(err) != 451 {
		t.Errorf("SendMail with the bucket down = %v; want 451", err)
	}
	if n := len(recv.mails()); n != 0 {
		t.Errorf("ReceiveMail called %d times; want 0 (nothing stored to point at)", n)
	}
}

// An address beyond loopback is refused unless it was asked for: a listener that takes
// mail for every merchant from anyone who reaches it is an open door.
func TestSMTPListenerStaysOnLoopback(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	recv := &receiver{acceptsFn: supportOnly}
	tests := []struct {
		addr    string
		allowed bool
		wantErr string
	}{
		{addr: "127.0.0.1:0"},
		{addr: "localhost:0"},
		{addr: "0.0.0.0:0", wantErr: "BORDERDESK_DEV_ROUTES_ON_NETWORK=1"},
		{addr: ":0", wantErr: "beyond loopback"},
		{addr: "0.0.0.0:0", allowed: true},
	}
	for _, tc := range tests {
		l, err := local.StartSMTP(context.Background(), tc.addr, tc.allowed, 0, recv, nil, time.Now, func() string { return "x" }, log)
		if err == nil {
			l.Close()
		}
		if (tc.wantErr == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.wantErr)) {
			t.Errorf("StartSMTP(%s, allowed %v) = %v; want error %q", tc.addr, tc.allowed, err, tc.wantErr)
		}
	}
}
