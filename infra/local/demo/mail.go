package demo

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/http"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"slices"
	"strings"
	"time"

	"github.com/borderdesk/borderdesk/functions/api"
	"github.com/borderdesk/borderdesk/infra/local"
	"github.com/borderdesk/borderdesk/shared/ticket"
)

// The email side of the demo: a customer writes to the merchant's support address over
// SMTP, an agent answers through the API, the answer leaves through the outbox, and the
// customer's reply to it finds its way back to the same ticket.

// orderDamaged is the order the sample customer email is about: it arrived damaged.
const orderDamaged = "10503"

// Email is one mail a customer's client would send, ready to render as RFC 5322.
type Email struct {
	From, To   mail.Address
	Subject    string
	MessageID  string // "<…@example.de>"
	InReplyTo  string // "" for a new mail
	References []string
	Date       time.Time
	Text, HTML string
	Files      []File
	boundary   string // a fixed seed for the MIME boundaries, so the same Email renders the same bytes
}

// File is an attachment.
type File struct {
	Name, ContentType string
	Data              []byte
}

// Bytes renders e as a mail client does: multipart/mixed around a multipart/alternative of
// the text and HTML parts (quoted-printable UTF-8), then each file base64-encoded; headers
// RFC 2047-encoded where they are not ASCII.
func (e Email) Bytes() []byte {
	var b bytes.Buffer
	h := func(name, value string) { fmt.Fprintf(&b, "%s: %s\r\n", name, value) }
	h("From", e.From.String())
	h("To", e.To.String())
	h("Subject", mime.QEncoding.Encode("utf-8", e.Subject))
	h("Date", e.Date.Format(time.RFC1123Z))
	h("Message-ID", e.MessageID)
	if e.InReplyTo != "" {
		h("In-Reply-To", e.InReplyTo)
	}
	if len(e.References) > 0 {
		h("References", strings.Join(e.References, " "))
	}
	h("MIME-Version", "1.0")
	h("User-Agent", "Mozilla Thunderbird")
	h("Content-Language", "de-DE")

	mixed := multipart.NewWriter(&b)
	_ = mixed.SetBoundary("------------mixed" + e.boundary) // valid by construction
	h("Content-Type", `multipart/mixed; boundary="`+mixed.Boundary()+`"`)
	b.WriteString("\r\nThis is a multi-part message in MIME format.\r\n")

	var alt bytes.Buffer
	altW := multipart.NewWriter(&alt)
	_ = altW.SetBoundary("------------alt" + e.boundary)
	writeQP(altW, "text/plain; charset=UTF-8", e.Text)
	writeQP(altW, "text/html; charset=UTF-8", e.HTML)
	_ = altW.Close()
	part, _ := mixed.CreatePart(textproto.MIMEHeader{"Content-Type": {`multipart/alternative; boundary="` + altW.Boundary() + `"`}})
	_, _ = part.Write(alt.Bytes())
	for _, f := range e.Files {
		part, _ := mixed.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {mime.FormatMediaType(f.ContentType, map[string]string{"name": f.Name})},
			"Content-Disposition":       {mime.FormatMediaType("attachment", map[string]string{"filename": f.Name})},
			"Content-Transfer-Encoding": {"base64"},
		})
		enc := base64.StdEncoding.EncodeToString(f.Data)
		for len(enc) > 76 {
			_, _ = part.Write([]byte(enc[:76] + "\r\n"))
			enc = enc[76:]
		}
		_, _ = part.Write([]byte(enc + "\r\n"))
	}
	_ = mixed.Close()
	return b.Bytes()
}

func writeQP(w *multipart.Writer, contentType, body string) {
	part, _ := w.CreatePart(textproto.MIMEHeader{"Content-Type": {contentType}, "Content-Transfer-Encoding": {"quoted-printable"}})
	qp := quotedprintable.NewWriter(part)
	_, _ = qp.Write([]byte(strings.ReplaceAll(body, "\n", "\r\n")))
	_ = qp.Close()
}

// Customer is the sample email's customer.
var Customer = mail.Address{Name: "Jonas Weber", Address: "jonas.weber@example.de"}

// CustomerEmail is the sample mail a customer writes to to (the merchant's support
// address) at now: in German, about damaged order 10503, with a photo of the box. seed makes
// its Message-ID, so one demo run sends it once and the next run sends a new one.
func CustomerEmail(to mail.Address, now time.Time, seed string) Email {
	id := newIDs(seed).uuid("mail/first")
	return Email{
		From: Customer, To: to,
		Subject:   "Bestellung " + orderDamaged + ": Schreibtisch-Organizer beschädigt angekommen",
		MessageID: "<" + id + "@mail.example.de>",
		Date:      now,
		Text: "Guten Tag,\n\nheute kam meine Bestellung " + orderDamaged + " an, aber der Walnuss-Organizer ist an einer Ecke " +
			"gebrochen – der Karton war schon eingedrückt (Foto anbei).\n\nKönnen Sie mir bitte Ersatz schicken? " +
			"Zurückschicken kann ich ihn gern.\n\nMit freundlichen Grüßen\nJonas Weber\n\n-- \nJonas Weber · Hamburg",
		HTML: "<html><body><p>Guten Tag,</p><p>heute kam meine Bestellung " + orderDamaged + " an, aber der " +
			"Walnuss-Organizer ist an einer Ecke <b>gebrochen</b> – der Karton war schon eingedrückt (Foto anbei).</p>" +
			"<p>Können Sie mir bitte Ersatz schicken? Zurückschicken kann ich ihn gern.</p>" +
			"<p>Mit freundlichen Grüßen<br>Jonas Weber</p><div>-- <br>Jonas Weber · Hamburg</div></body></html>",
		Files:    []File{{Name: "karton-eingedrückt.png", ContentType: "image/png", Data: photo()}},
		boundary: id[:8],
	}
}

// CustomerAnswer is the customer's answer to the merchant's reply: addressed as a mail
// client addresses it (to the reply's Reply-To, in reply to its Message-ID, with the thread's
// References), quoting the reply below the new text.
func CustomerAnswer(first Email, reply local.SentMail, now time.Time, seed string) Email {
	id := newIDs(seed).uuid("mail/answer")
	to := mail.Address{Name: reply.From.Name, Address: reply.From.Address}
	if a, err := mail.ParseAddress(headerOf(reply, "Reply-To")); err == nil {
		to = *a
	}
	refs := slices.Clone(first.References)
	refs = append(refs, first.MessageID)
	for _, r := range strings.Fields(headerOf(reply, "References")) {
		if !slices.Contains(refs, r) {
			refs = append(refs, r)
		}
	}
	refs = append(refs, reply.MessageID)
	quoted := "> " + strings.ReplaceAll(strings.TrimSpace(reply.Text), "\n", "\n> ")
	return Email{
		From: Customer, To: to,
		Subject:   "Re: " + strings.TrimPrefix(reply.Subject, "Re: "),
		MessageID: "<" + id + "@mail.example.de>", InReplyTo: reply.MessageID, References: refs,
		Date: now,
		Text: "Vielen Dank! Dann warte ich auf den Ersatz und schicke den kaputten zurück.\n\nJonas Weber\n\n" +
			"Am " + reply.SentAt.Format("02.01.2006 um 15:04") + " schrieb " + reply.From.Name + ":\n" + quoted,
		HTML: "<html><body><p>Vielen Dank! Dann warte ich auf den Ersatz und schicke den kaputten zurück.</p><p>Jonas Weber</p>" +
			`<blockquote type="cite">` + strings.ReplaceAll(reply.Text, "\n", "<br>") + "</blockquote></body></html>",
		boundary: id[:8],
	}
}

// photo is a small PNG, the customer's "photo" of the dented box.
func photo() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 24, 16))
	for x := range 24 {
		for y := range 16 {
			c := color.RGBA{R: 181, G: 136, B: 90, A: 255} // cardboard
			if x+y > 26 {
				c = color.RGBA{R: 120, G: 86, B: 52, A: 255} // the dented corner
			}
			img.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	_ = png.Encode(&b, img) // into memory: cannot fail
	return b.Bytes()
}

// SendEmail hands e to the SMTP server at addr ("127.0.0.1:2525"), as any mail client does.
func SendEmail(addr string, e Email) error {
	if err := smtp.SendMail(addr, nil, e.From.Address, []string{e.To.Address}, e.Bytes()); err != nil {
		return fmt.Errorf("send mail to %s over SMTP at %s: %w", e.To.Address, addr, err)
	}
	return nil
}

// Outbox reads what the runtime mailed (GET /dev/outbox), newest first.
func Outbox(ctx context.Context, client *http.Client, baseURL string) ([]local.SentMail, error) {
	var out []local.SentMail
	if err := call(ctx, client, http.MethodGet, strings.TrimSuffix(baseURL, "/")+"/dev/outbox", "", nil, &out); err != nil {
		return nil, fmt.Errorf("read the outbox: %w", err)
	}
	return out, nil
}

// Reply posts an agent's reply to ticket id through the API, as the console's send button
// does, with idempotencyKey so a retried post replies once.
func Reply(ctx context.Context, client *http.Client, baseURL, token, id, body, idempotencyKey string) (api.EntryView, error) {
	var out api.EntryView
	b, err := json.Marshal(api.NewMessage{Kind: string(ticket.EntryReply), Body: body})
	if err != nil {
		return out, err
	}
	url := strings.TrimSuffix(baseURL, "/") + "/api/v1/tickets/" + id + "/messages"
	if err := callWith(ctx, client, http.MethodPost, url, token, b, http.Header{"Idempotency-Key": {idempotencyKey}}, &out); err != nil {
		return out, fmt.Errorf("reply on ticket %s: %w", id, err)
	}
	return out, nil
}

// MailRound is what the email part of the demo saw.
type MailRound struct {
	First    Email               // the customer's mail
	Ticket   api.TicketSummary   // the ticket it became
	Reply    local.SentMail      // the agent's reply as the outbox has it
	Answer   Email               // the customer's answer to the reply
	Messages []api.EntryView     // the ticket's conversation after the answer
	Tickets  []api.TicketSummary // the customer's tickets after the answer: the one
}

// SendMailRound plays the email conversation against a running Borderdesk: the customer's
// mail over SMTP to smtpAddr, the agent's reply (token) through the API, the reply read from
// the outbox, the customer's threaded answer over SMTP, and the ticket read again. Each step
// waits for the asynchronous one before it by polling every interval, up to limit.
func SendMailRound(ctx context.Context, client *http.Client, baseURL, smtpAddr, token string, support mail.Address,
	now time.Time, interval, limit time.Duration) (MailRound, error) {
	seed := support.Address + "/" + now.UTC().Format(time.RFC3339Nano)
	var round MailRound
	round.First = CustomerEmail(support, now, seed)
	if err := SendEmail(smtpAddr, round.First); err != nil {
		return round, err
	}
	err := poll(ctx, interval, limit, "the mail to become a ticket", func() (bool, error) {
		tickets, _, err := Tickets(ctx, client, baseURL, token)
		for _, t := range tickets {
			if t.Customer.Email == Customer.Address && t.OrderID == orderDamaged {
				round.Ticket = t
				return true, nil
			}
		}
		return false, err
	})
	if err != nil {
		return round, err
	}
	body := "Hallo Herr Weber,\n\ndas tut uns leid! Ein neuer Organizer geht heute noch an Sie raus. Den beschädigten " +
		"schicken Sie bitte mit dem beiliegenden Rücksendeetikett zurück.\n\nViele Grüße\nAnna, Demo Shop"
	entry, err := Reply(ctx, client, baseURL, token, round.Ticket.ID, body, newIDs(seed).uuid("reply"))
	if err != nil {
		return round, err
	}
	err = poll(ctx, interval, limit, "the reply to be mailed", func() (bool, error) {
		sent, err := Outbox(ctx, client, baseURL)
		for _, m := range sent {
			if m.TicketID == round.Ticket.ID && strings.Contains(m.MessageID, entry.ID) {
				round.Reply = m
				return true, nil
			}
		}
		return false, err
	})
	if err != nil {
		return round, err
	}
	round.Answer = CustomerAnswer(round.First, round.Reply, now.Add(10*time.Minute), seed)
	if err := SendEmail(smtpAddr, round.Answer); err != nil {
		return round, err
	}
	err = poll(ctx, interval, limit, "the answer to reach the ticket", func() (bool, error) {
		d, err := Ticket(ctx, client, baseURL, token, round.Ticket.ID)
		if err != nil {
			return false, err
		}
		customer := 0
		for _, m := range d.Messages {
			if m.Kind == string(ticket.EntryCustomer) {
				customer++
			}
		}
		round.Messages = d.Messages
		return customer >= 2, nil
	})
	if err != nil {
		return round, err
	}
	tickets, _, err := Tickets(ctx, client, baseURL, token)
	for _, t := range tickets {
		if t.Customer.Email == Customer.Address {
			round.Tickets = append(round.Tickets, t)
		}
	}
	return round, err
}

// poll calls done every interval until it reports true, and gives up after limit with an
// error naming what it waited for (and done's last error).
func poll(ctx context.Context, interval, limit time.Duration, what string, done func() (bool, error)) error {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		ok, err := done()
		if ok {
			return nil
		}
		select {
		case <-ctx.Done():
			if err != nil {
				return fmt.Errorf("waited %s for %s: %w", limit, what, err)
			}
			return fmt.Errorf("waited %s for %s", limit, what)
		case <-tick.C:
		}
	}
}

func headerOf(m local.SentMail, name string) string {
	for _, h := range m.Headers {
		if strings.EqualFold(h.Name, name) {
			return h.Value
		}
	}
	return ""
}
