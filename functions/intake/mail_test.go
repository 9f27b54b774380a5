package intake_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/borderdesk/borderdesk/events"
	"github.com/borderdesk/borderdesk/functions/intake"
	"github.com/borderdesk/borderdesk/shared/dynamo"
	"github.com/borderdesk/borderdesk/shared/dynamo/embedded"
	"github.com/borderdesk/borderdesk/shared/errs"
	"github.com/borderdesk/borderdesk/shared/merchant"
	"github.com/borderdesk/borderdesk/shared/metrics"
	"github.com/borderdesk/borderdesk/shared/s3"
	s3embedded "github.com/borderdesk/borderdesk/shared/s3/embedded"
)

// mailFixture is intake with the table on minidyn and the mail bucket on the embedded S3,
// both through the real SDK clients; demo owns support@demo.test, acme support@acme.test.
type mailFixture struct {
	h       *intake.Handler
	store   *dynamo.Store
	log     *receiptLog
	mail    *s3.Objects
	bus     *bus
	lastKey string
}

// receiptLog keeps every receipt intake records, on top of the real store.
type receiptLog struct {
	*dynamo.Store
	receipts []dynamo.Receipt
}

func (l *receiptLog) RecordReceipt(ctx context.Context, r dynamo.Receipt) error {
	l.receipts = append(l.receipts, r)
	return l.Store.RecordReceipt(ctx, r)
}

func newMailFixture(t *testing.T) *mailFixture {
	t.Helper()
	return newMailFixtureWith(t, nil)
}

func newMailFixtureWith(t *testing.T, rec metrics.Recorder) *mailFixture {
	t.Helper()
	ctx := context.Background()
	db, err := embedded.Start(ctx, "127.0.0.1:0", "intake")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	store := dynamo.New(db.Client, "intake")
	bucket, err := s3embedded.Start(ctx, "127.0.0.1:0", "mail")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bucket.Close() })
	for _, m := range []merchant.Merchant{
		{ID: "demo", Name: "Demo Shop", Sender: merchant.Sender{Address: "support@demo.test"}},
		{ID: "acme", Name: "Acme", Sender: merchant.Sender{Address: "support@acme.test"}},
	} {
		if err := store.PutMerchant(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	f := &mailFixture{store: store, log: &receiptLog{Store: store}, mail: s3.NewObjects(bucket.Client, bucket.Bucket), bus: &bus{}}
	f.h = intake.New(intake.Config{
		Providers: intake.Providers(), Store: f.log, Mail: f.mail, Bus: f.bus, Now: func() time.Time { return now },
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Metrics: rec,
	})
	return f
}

// receive files raw to recipients, as the local listener does: the raw mail is in the
// bucket first.
func (f *mailFixture) receive(t *testing.T, raw []byte, trust events.Trust, recipients ...string) error {
	t.Helper()
	key := fmt.Sprintf("inbound/t%d", len(raw))
	f.lastKey = key
	if err := f.mail.PutObject(context.Background(), key, "message/rfc822", raw); err != nil {
		t.Fatal(err)
	}
	return f.h.ReceiveMail(context.Background(), intake.InboundMail{Recipients: recipients, Raw: raw, Key: key, Trust: trust, ReceivedAt: now})
}

func (f *mailFixture) messages(t *testing.T) []events.Message {
	t.Helper()
	var out []events.Message
	for _, e := range f.bus.published {
		if e.Type != events.MessageReceived {
			t.Fatalf("published %s; want only message.received", e.Type)
		}
		var m events.Message
		if err := e.Decode(&m); err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

// eml reads one of shared/inbound's golden mails.
func eml(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "shared", "inbound", "testdata", name+".eml"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestReceiveMail files real-shaped mails: a new mail is one message.received with what a
// ticket needs; replies thread; automatic mail is archived and published to nobody.
func TestReceiveMail(t *testing.T) {
	tests := []struct {
		name       string
		mail       string
		recipients []string
		published  bool
		check      func(t *testing.T, m events.Message)
	}{
		{"new mail", "alternative_en", []string{"support@demo.test"}, true, func(t *testing.T, m events.Message) {
			want := events.Customer{Email: "emma.clarke@gmail.test", Name: "Emma Clarke"}
			if m.Channel != events.ChannelEmail || m.Customer != want || m.OrderID != "10482" || m.Subject != "Where is my order #10482?" {
				t.Errorf("message = channel %q, customer %+v, order %q, subject %q; want email, %+v, 10482, the subject", m.Channel, m.Customer, m.OrderID, m.Subject, want)
			}
			if !strings.HasPrefix(m.Text, "Hi,\n\nI ordered a pair of boots") || m.Email == nil ||
				m.Email.MessageID != "<CAF=+7kq4Zp0xY3u2mN9fJ1dQeV8bT6sW0rA5hL2cK9gP3oE1yA@mail.gmail.com>" ||
				!strings.Contains(m.Email.HTML, "<div>Emma</div>") || m.Email.ThreadTicket != "" {
				t.Errorf("message text %q, email %+v; want the new text, Message-ID, sanitised HTML, no thread", m.Text, m.Email)
			}
		}},
		{"gmail reply threads by our ticket id", "gmail_reply", []string{"support@demo.test"}, true, func(t *testing.T, m events.Message) {
			if m.Email.ThreadTicket != "01JDX4Q8Z2" || m.Email.InReplyTo != "<reply-01JDX5A1B3@demo.test>" || len(m.Email.References) != 2 {
				t.Errorf("email = %+v; want thread ticket 01JDX4Q8Z2 from References, In-Reply-To and both references kept", m.Email)
			}
			if m.Email.Quoted == "" || strings.Contains(m.Text, "wrote:") {
				t.Errorf("text %q, quoted %q; want the quote folded away", m.Text, m.Email.Quoted)
			}
		}},
		{"reply address tag threads", "alternative_en", []string{"support+tk_01jdx4q8z2@demo.test"}, true, func(t *testing.T, m events.Message) {
			if m.Email.ThreadTicket != "tk_01jdx4q8z2" {
				t.Errorf("thread ticket = %q; want the reply address's tag", m.Email.ThreadTicket)
			}
		}},
		{"gmail reply to another merchant's domain does not thread", "gmail_reply", []string{"support@acme.test"}, true, func(t *testing.T, m events.Message) {
			if m.Email.ThreadTicket != "" {
				t.Errorf("thread ticket = %q; want none: the ids are demo.test's, the mail reached acme", m.Email.ThreadTicket)
			}
		}},
		{"attachment kept", "attachment_pdf", []string{"support@demo.test"}, true, func(t *testing.T, m events.Message) {
			if len(m.Email.Attachments) != 2 {
				t.Fatalf("attachments = %+v; want the PDF and the unnamed file", m.Email.Attachments)
			}
			if a := m.Email.Attachments[1]; a.Key == "" || a.Filename != "attachment-2.bin" || a.Size != 10 || a.ID == m.Email.Attachments[0].ID {
				t.Errorf("second attachment = %+v; want the unnamed file kept under a default name and its own id", a)
			}
			if a := m.Email.Attachments[0]; a.Key == "" || a.Refused != "" || a.ContentType != "application/pdf" || a.Filename != "Rechnung_50119 (1).pdf" || a.Size == 0 {
				t.Errorf("attachment = %+v; want the PDF stored with its name and type", a)
			}
			if m.OrderID != "50119" {
				t.Errorf("order = %q; want 50119 from the subject", m.OrderID)
			}
		}},
		{"no Message-ID", "no_message_id", []string{"support@demo.test"}, true, func(t *testing.T, m events.Message) {
			if m.Email.MessageID != "" || m.MessageID == "" {
				t.Errorf("message id %q, email message id %q; want an id of our own, none from the mail", m.MessageID, m.Email.MessageID)
			}
		}},
		{"out of office archived", "out_of_office", []string{"support@demo.test"}, false, nil},
		{"bounce archived", "bounce", []string{"support@demo.test"}, false, nil},
		{"mailing list archived", "mailing_list", []string{"support@demo.test"}, false, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newMailFixture(t)
			if err := f.receive(t, eml(t, tc.mail), events.Trust{}, tc.recipients...); err != nil {
				t.Fatalf("ReceiveMail(%s) = %v", tc.mail, err)
			}
			msgs := f.messages(t)
			if !tc.published {
				if len(msgs) != 0 {
					t.Fatalf("ReceiveMail(%s) published %+v; want nothing (archived)", tc.mail, msgs)
				}
				return
			}
			if len(msgs) != 1 {
				t.Fatalf("ReceiveMail(%s) published %d messages; want 1", tc.mail, len(msgs))
			}
			tc.check(t, msgs[0])
			for _, a := range msgs[0].Email.Attachments {
				if a.Key == "" {
					continue
				}
				obj, err := f.mail.GetObject(context.Background(), a.Key)
				if err != nil || int64(len(obj.Data)) != a.Size || obj.ContentType != a.ContentType {
					t.Errorf("GetObject(%s) = %d bytes %q, %v; want the %d bytes listed, %q", a.Key, len(obj.Data), obj.ContentType, err, a.Size, a.ContentType)
				}
				if !strings.HasPrefix(a.Key, "attachments/demo/") {
					t.Errorf("attachment key %q; want it under attachments/demo/", a.Key)
				}
			}
		})
	}
}

// TestMailArchivedIsRecorded: an automatic mail leaves a receipt that says why and points at
// the raw mail, publishes nothing, and a second delivery of it is a duplicate.
func TestMailArchivedIsRecorded(t *testing.T) {
	f := newMailFixture(t)
	raw := eml(t, "out_of_office")
	for range 2 {
		if err := f.receive(t, raw, events.Trust{}, "support@demo.test"); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(f.bus.published); n != 0 {
		t.Fatalf("published %d events; want none", n)
	}
	if len(f.log.receipts) != 2 {
		t.Fatalf("recorded %d receipts; want 2 (the first, and the duplicate's attempt)", len(f.log.receipts))
	}
	rc := f.log.receipts[0]
	if rc.MerchantID != "demo" || rc.Provider != intake.MailProvider || rc.Events != 0 ||
		!strings.HasPrefix(rc.Type, "archived: ") || rc.BodyBucket != "mail" || rc.BodyKey != f.lastKey {
		t.Errorf("receipt = %+v; want demo's, archived with the reason, pointing at %s in the mail bucket", rc, f.lastKey)
	}
	stored, published, err := f.store.GetReceipt(context.Background(), "demo", intake.MailProvider, rc.EventID)
	if err != nil || !published || stored.BodyKey != f.lastKey {
		t.Errorf("GetReceipt = %+v, published %v, %v; want it stored and done, so a redelivery is a duplicate", stored, published, err)
	}
	if obj, err := f.mail.GetObject(context.Background(), stored.BodyKey); err != nil || !bytes.Equal(obj.Data, raw) {
		t.Errorf("the raw mail at %s = %d bytes, %v; want the mail kept", stored.BodyKey, len(obj.Data), err)
	}
}

// TestMailKeptWithoutKey: a mail handed over without a key is kept in the mail bucket
// before its receipt points at it.
func TestMailKeptWithoutKey(t *testing.T) {
	f := newMailFixture(t)
	raw := eml(t, "alternative_en")
	if err := f.h.ReceiveMail(context.Background(), intake.InboundMail{Recipients: []string{"support@demo.test"}, Raw: raw}); err != nil {
		t.Fatal(err)
	}
	if len(f.log.receipts) != 1 || len(f.bus.published) != 1 {
		t.Fatalf("receipts %d, published %d; want 1 and 1", len(f.log.receipts), len(f.bus.published))
	}
	rc := f.log.receipts[0]
	obj, err := f.mail.GetObject(context.Background(), rc.BodyKey)
	if err != nil || !bytes.Equal(obj.Data, raw) || !strings.HasPrefix(rc.BodyKey, events.InboundMailPrefix) {
		t.Errorf("receipt points at %q: %d bytes, %v; want the raw mail under %s", rc.BodyKey, len(obj.Data), err, events.InboundMailPrefix)
	}
	if at := f.bus.published[0].OccurredAt; !at.Equal(now) {
		t.Errorf("occurred at %v; want the handler's clock, %v, when the mail says no receipt time", at, now)
	}
}

// TestMailDedupe: the same Message-ID delivered twice is one message, however the copies
// differ in transit (a Received header more).
func TestMailDedupe(t *testing.T) {
	f := newMailFixture(t)
	raw := eml(t, "alternative_en")
	relayed := append([]byte("Received: from relay.test by mx.test; Tue, 1 Dec 2026 09:12:40 +0000\r\n"), raw...)
	for _, r := range [][]byte{raw, raw, relayed} {
		if err := f.receive(t, r, events.Trust{}, "support@demo.test"); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(f.bus.published); n != 1 {
		t.Errorf("three deliveries of one Message-ID published %d; want 1", n)
	}
	// Without a Message-ID the raw bytes are the identity: the same bytes once, other bytes
	// again.
	f = newMailFixture(t)
	anon := eml(t, "no_message_id")
	for _, r := range [][]byte{anon, anon, append(bytes.Clone(anon), "\r\nP.S. one more thing\r\n"...)} {
		if err := f.receive(t, r, events.Trust{}, "support@demo.test"); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(f.bus.published); n != 2 {
		t.Errorf("mails without Message-ID: published %d; want 2 (two different mails, one repeated)", n)
	}
}

// TestMailToTwoMerchants: one delivery to both merchants' addresses is two messages, each
// in its own tenant; a stranger's address on the same delivery is ignored.
func TestMailToTwoMerchants(t *testing.T) {
	f := newMailFixture(t)
	if err := f.receive(t, eml(t, "alternative_en"), events.Trust{}, "support@demo.test", "other@elsewhere.test", "Support@ACME.test", "support+x@demo.test"); err != nil {
		t.Fatal(err)
	}
	if len(f.bus.published) != 2 {
		t.Fatalf("published %d; want 2, one per merchant", len(f.bus.published))
	}
	a, b := f.bus.published[0], f.bus.published[1]
	if a.MerchantID != "demo" || b.MerchantID != "acme" || a.ID == b.ID {
		t.Errorf("events for %s (%s) and %s (%s); want demo and acme, with different ids", a.MerchantID, a.ID, b.MerchantID, b.ID)
	}
	if m := f.messages(t); m[0].Email.ThreadTicket != "x" {
		t.Errorf("demo's thread ticket = %q; want the tag of the tagged address demo was also reached at", m[0].Email.ThreadTicket)
	}
	// Dedupe is per tenant: delivering again to acme alone publishes nothing new.
	if err := f.receive(t, eml(t, "alternative_en"), events.Trust{}, "support@acme.test"); err != nil {
		t.Fatal(err)
	}
	if len(f.bus.published) != 2 {
		t.Errorf("redelivery to acme published %d in all; want still 2", len(f.bus.published))
	}
}

// TestMailRecipients: intake accepts only addresses a merchant owns; a mail to none of them,
// or bytes that are no mail, is refused with the kind the listener answers by.
func TestMailRecipients(t *testing.T) {
	f := newMailFixture(t)
	ctx := context.Background()
	for _, tc := range []struct {
		rcpt string
		kind errs.Kind
	}{
		{"support@demo.test", ""},
		{"SUPPORT+tk_1@demo.test", ""},
		{"support@acme.test", ""},
		{"sales@demo.test", errs.NotFound},
		{"support@elsewhere.test", errs.NotFound},
		{"<>", errs.NotFound},
	} {
		if err := f.h.AcceptsRecipient(ctx, tc.rcpt); errs.KindOf(err) != tc.kind {
			t.Errorf("AcceptsRecipient(%q) = %v; want kind %q", tc.rcpt, err, tc.kind)
		}
	}
	if err := f.receive(t, eml(t, "alternative_en"), events.Trust{}, "sales@demo.test"); !errs.Is(err, errs.NotFound) {
		t.Errorf("ReceiveMail(to nobody's address) = %v; want not found", err)
	}
	if err := f.receive(t, []byte("\x00\x01 not a mail"), events.Trust{}, "support@demo.test"); !errs.Is(err, errs.Invalid) {
		t.Errorf("ReceiveMail(not a mail) = %v; want invalid", err)
	}
	if n := len(f.bus.published); n != 0 {
		t.Errorf("published %d; want none", n)
	}
}

// mime builds a mail from a person with text and attachments of the given sizes.
func mime(from, replyTo, messageID, text string, attachments ...int) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "From: %s\r\nTo: support@demo.test\r\nSubject: Photos of the damage\r\nMessage-ID: %s\r\n", from, messageID)
	if replyTo != "" {
		fmt.Fprintf(&b, "Reply-To: %s\r\n", replyTo)
	}
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n")
	fmt.Fprintf(&b, "--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n", text)
	for i, n := range attachments {
		fmt.Fprintf(&b, "--b1\r\nContent-Type: image/jpeg\r\nContent-Disposition: attachment; filename=\"photo%d.jpg\"\r\nContent-Transfer-Encoding: base64\r\n\r\n", i+1)
		enc := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{byte('a' + i)}, n))
		for len(enc) > 76 {
			b.WriteString(enc[:76] + "\r\n")
			enc = enc[76:]
		}
		b.WriteString(enc + "\r\n")
	}
	b.WriteString("--b1--\r\n")
	return []byte(b.String())
}

// TestMailAttachmentCaps: an attachment over 10 MiB, or past 25 MiB for the mail, is listed
// refused with the reason and no key; the others are kept.
func TestMailAttachmentCaps(t *testing.T) {
	f := newMailFixture(t)
	const mib = 1 << 20
	raw := mime("Jonas <jonas@example.de>", "", "<caps@example.de>", "Siehe Fotos.", 11*mib, 100, 9*mib, 9*mib, 9*mib)
	if err := f.receive(t, raw, events.Trust{}, "support@demo.test"); err != nil {
		t.Fatal(err)
	}
	msgs := f.messages(t)
	if len(msgs) != 1 {
		t.Fatalf("published %d; want 1", len(msgs))
	}
	atts := msgs[0].Email.Attachments
	want := []struct {
		size    int64
		refused string
	}{
		{11 * mib, "over the 10 MiB limit"},
		{100, ""},
		{9 * mib, ""},
		{9 * mib, ""},
		{9 * mib, "over the 25 MiB limit for one mail's attachments"},
	}
	if len(atts) != len(want) {
		t.Fatalf("attachments = %+v; want %d listed", atts, len(want))
	}
	for i, w := range want {
		a := atts[i]
		if a.Size != w.size || a.Refused != w.refused || (a.Key == "") != (w.refused != "") {
			t.Errorf("attachment %d = %+v; want size %d, refused %q, a key only when kept", i+1, a, w.size, w.refused)
			continue
		}
		obj, err := f.mail.GetObject(context.Background(), "attachments/demo/"+msgs[0].MessageID+"/"+a.ID)
		if kept := err == nil; kept != (w.refused == "") {
			t.Errorf("attachment %d stored = %v (%v); want stored only when kept", i+1, kept, err)
		} else if kept && (obj.Data[0] != byte('a'+i) || int64(len(obj.Data)) != w.size || a.Key != "attachments/demo/"+msgs[0].MessageID+"/"+a.ID) {
			t.Errorf("attachment %d stored as %d bytes of %q at %s; want its own %d bytes", i+1, len(obj.Data), obj.Data[:1], a.Key, w.size)
		}
	}
}

// TestMailTrust: verdicts are kept as SES gave them, and any FAIL marks the message
// suspicious; it is published either way.
func TestMailTrust(t *testing.T) {
	tests := []struct {
		name       string
		trust      events.Trust
		suspicious bool
	}{
		{"all pass", events.Trust{Spam: "PASS", Virus: "PASS", SPF: "PASS", DKIM: "PASS", DMARC: "PASS"}, false},
		{"nobody checked", events.Trust{}, false},
		{"gray", events.Trust{Spam: "PASS", Virus: "PASS", SPF: "GRAY", DKIM: "GRAY", DMARC: "GRAY"}, false},
		{"spam", events.Trust{Spam: "FAIL", Virus: "PASS"}, true},
		{"virus", events.Trust{Spam: "PASS", Virus: "FAIL"}, true},
		{"dmarc", events.Trust{Spam: "PASS", Virus: "PASS", SPF: "PASS", DKIM: "FAIL", DMARC: "FAIL"}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newMailFixture(t)
			if err := f.receive(t, eml(t, "alternative_en"), tc.trust, "support@demo.test"); err != nil {
				t.Fatal(err)
			}
			msgs := f.messages(t)
			if len(msgs) != 1 {
				t.Fatalf("published %d; want 1: suspicious mail is kept", len(msgs))
			}
			want := tc.trust
			want.Suspicious = tc.suspicious
			if got := msgs[0].Email.Trust; got != want {
				t.Errorf("trust = %+v; want %+v", got, want)
			}
		})
	}
}

// TestMailSender: the customer is From, or Reply-To when From is a no-reply address; mail
// from one of our own support addresses, or with nobody to answer, is archived.
func TestMailSender(t *testing.T) {
	tests := []struct {
		name, from, replyTo string
		want                string // "" = archived
	}{
		{"from", "Jonas Weber <Jonas.Weber@Example.de>", "", "jonas.weber@example.de"},
		{"reply-to beside a real from is not followed", "Jonas <jonas@example.de>", "victim@example.de", "jonas@example.de"},
		{"contact form: no-reply from, customer in reply-to", "Shop Form <no-reply@shop.test>", "Mia <mia@example.fr>", "mia@example.fr"},
		{"noreply without reply-to is who it is", "noreply@shop.test", "", "noreply@shop.test"},
		{"our own address", "Demo <support@demo.test>", "", ""},
		{"another merchant's address", "support@acme.test", "", ""},
		{"no address", "undisclosed", "", ""},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newMailFixture(t)
			raw := mime(tc.from, tc.replyTo, fmt.Sprintf("<s%d@example.de>", i), "Hallo")
			if err := f.receive(t, raw, events.Trust{}, "support@demo.test"); err != nil {
				t.Fatal(err)
			}
			msgs := f.messages(t)
			switch {
			case tc.want == "" && len(msgs) != 0:
				t.Errorf("From %q published %+v; want it archived", tc.from, msgs[0].Customer)
			case tc.want != "" && (len(msgs) != 1 || msgs[0].Customer.Email != tc.want):
				t.Errorf("From %q, Reply-To %q: published %+v; want one message from %s", tc.from, tc.replyTo, msgs, tc.want)
			}
		})
	}
}

// TestMailLongText: a text over the web form's limit is cut with a marker, never refused;
// the event still fits the bus.
func TestMailLongText(t *testing.T) {
	f := newMailFixture(t)
	long := strings.Repeat("Das Paket ist beschädigt angekommen. ", 2000) // ~74,000 characters
	if err := f.receive(t, mime("jonas@example.de", "", "<long@example.de>", long), events.Trust{}, "support@demo.test"); err != nil {
		t.Fatal(err)
	}
	msgs := f.messages(t)
	if len(msgs) != 1 {
		t.Fatalf("published %d; want 1", len(msgs))
	}
	text := msgs[0].Text
	if n := utf8.RuneCountInString(text); n > intake.MaxMessageText || !strings.HasSuffix(text, "the rest is in the original email]") || !strings.HasPrefix(text, "Das Paket") {
		t.Errorf("text = %d characters ending %q; want at most %d, cut with the marker", n, text[len(text)-40:], intake.MaxMessageText)
	}
}

// TestMailMetrics: mail is counted as webhooks are, under provider email: accepted,
// duplicate and archived by outcome, a mail that cannot be read as refused.
func TestMailMetrics(t *testing.T) {
	rec := &metrics.Memory{}
	f := newMailFixtureWith(t, rec)
	accepted := func(outcome string) []metrics.Dimension {
		return []metrics.Dimension{metrics.Dim(metrics.Provider, intake.MailProvider), metrics.Dim(metrics.Outcome, outcome)}
	}
	tests := []struct {
		name   string
		raw    []byte
		metric string
		dims   []metrics.Dimension
	}{
		{"a new mail", eml(t, "alternative_en"), metrics.WebhooksAccepted, accepted(metrics.OutcomeAccepted)},
		{"its duplicate", eml(t, "alternative_en"), metrics.WebhooksAccepted, accepted(metrics.OutcomeDuplicate)},
		{"an auto-reply", eml(t, "out_of_office"), metrics.WebhooksAccepted, accepted(metrics.OutcomeArchived)},
		{"no mail at all", []byte("\x00"), metrics.WebhooksRefused, []metrics.Dimension{metrics.Dim(metrics.Provider, intake.MailProvider), metrics.Dim(metrics.Status, "400")}},
	}
	for _, tc := range tests {
		before := rec.Sum(tc.metric, tc.dims...)
		_ = f.receive(t, tc.raw, events.Trust{}, "support@demo.test")
		if got := rec.Sum(tc.metric, tc.dims...) - before; got != 1 {
			t.Errorf("%s: %s%v counted %v; want 1", tc.name, tc.metric, tc.dims, got)
		}
	}
}
