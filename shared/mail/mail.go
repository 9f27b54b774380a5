// Package mail owns outbound email: it turns an agent's reply into a message from the
// merchant's sender to the customer, threaded under the ticket, and renders it as RFC 5322
// bytes. Everything a customer or agent typed is encoded before it reaches a header (RFC 2047
// for names and the subject, net/mail for addresses), and CR, LF and NUL are removed from
// header values first, so no input can add a header.
package mail

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"html"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"regexp"
	"strings"
	"time"

	"github.com/borderdesk/borderdesk/events"
	"github.com/borderdesk/borderdesk/shared/errs"
	"github.com/borderdesk/borderdesk/shared/merchant"
)

// ErrRefused marks a send the provider answered and did not accept: the message was
// certainly not sent, so trying again cannot send it twice. A send failing any other way
// (a timeout, a dropped connection) may or may not have been sent.
var ErrRefused = errors.New("refused by the mail provider")

// Address is a display name and an email address.
type Address struct {
	Name    string `json:"name,omitempty"`
	Address string `json:"address"`
}

// Header is one rendered header field, its value already encoded.
type Header struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Message is one outbound email.
type Message struct {
	TicketID   string
	From       Address
	To         Address
	ReplyTo    Address
	Subject    string
	MessageID  string // "<…@domain>"
	InReplyTo  string // the ticket's thread id, "<ticket-…@domain>"
	References []string
	Date       time.Time
	Text       string
	HTML       string
}

// FromReply builds the message that carries reply r to the customer, from m's sender, dated
// at. It is invalid when m has no usable sender or the customer no usable address: retrying
// will not help.
func FromReply(m merchant.Merchant, r events.Reply, at time.Time) (Message, error) {
	from, err := parseAddress(m.Sender.Address)
	if err != nil {
		return Message{}, errs.Wrap(errs.Invalid, err, "merchant %s has no usable sender address", m.ID)
	}
	to, err := parseAddress(r.Customer.Email)
	if err != nil {
		return Message{}, errs.Wrap(errs.Invalid, err, "ticket %s: customer has no usable address", r.TicketID)
	}
	if r.TicketID == "" || r.EntryID == "" {
		return Message{}, errs.E(errs.Invalid, "reply without a ticket or entry id")
	}
	local, domain, _ := strings.Cut(from, "@")
	name := m.Sender.Name
	if name == "" {
		name = m.Name
	}
	replyTo, err := parseAddress(strings.SplitN(local, "+", 2)[0] + "+" + token(r.TicketID) + "@" + domain)
	if err != nil {
		return Message{}, errs.Wrap(errs.Invalid, err, "ticket %s: reply-to address", r.TicketID)
	}
	thread := ThreadID(r.TicketID, domain)
	text := normalize(r.Body)
	subject := truncate(strings.TrimSpace(r.Subject), maxSubject)
	if subject == "" {
		subject = "Your request"
	}
	return Message{
		TicketID:   r.TicketID,
		From:       Address{Name: name, Address: from},
		To:         Address{Name: truncate(r.Customer.Name, maxName), Address: to},
		ReplyTo:    Address{Name: name, Address: replyTo},
		Subject:    "Re: " + subject,
		MessageID:  "<reply-" + token(r.EntryID) + "@" + domain + ">",
		InReplyTo:  thread,
		References: []string{thread},
		Date:       at.UTC(),
		Text:       text,
		HTML:       toHTML(text),
	}, nil
}

// Header lines must stay under RFC 5322's 998 characters, and headers are written unfolded:
// a typed subject or name longer than these is cut. (A rune is at most 4 bytes: under 6
// characters B-encoded, the subject's encoding, and 12 Q-encoded, net/mail's for names.)
const (
	maxSubject = 100
	maxName    = 50
)

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// ThreadID is the message id a ticket's thread hangs from: every reply on the ticket is
// in reply to it, so the customer's mail client keeps one conversation.
func ThreadID(ticketID, domain string) string {
	return "<ticket-" + token(ticketID) + "@" + domain + ">"
}

// threadIDPattern reads ThreadID back.
var threadIDPattern = regexp.MustCompile(`^<ticket-([A-Za-z0-9_.-]{1,64})@([^<>@\s]+)>$`)

// ThreadTicket reads a message id minted by ThreadID: the ticket's token (the ticket id, for
// the ids tickets have) and the domain; false for any other id.
func ThreadTicket(id string) (token, domain string, ok bool) {
	sub := threadIDPattern.FindStringSubmatch(id)
	if sub == nil {
		return "", "", false
	}
	return sub[1], sub[2], true
}

// parseAddress accepts a bare addr-spec and returns it as net/mail renders it.
func parseAddress(s string) (string, error) {
	if strings.ContainsAny(s, "\r\n\x00<>,") {
		return "", fmt.Errorf("address %q: forbidden character", s)
	}
	a, err := mail.ParseAddress(s)
	if err != nil {
		return "", fmt.Errorf("address %q: %w", s, err)
	}
	if a.Name != "" || !strings.Contains(a.Address, "@") {
		return "", fmt.Errorf("address %q: not a bare address", s)
	}
	return a.Address, nil
}

var idSafe = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)

// token is id when it is safe in a message id or an address's local part, else a hash of
// it: stable either way.
func token(id string) string {
	if idSafe.MatchString(id) {
		return id
	}
	sum := sha256.Sum256([]byte(id))
	return "h" + hex.EncodeToString(sum[:12])
}

// clean makes a header value one line: CR, LF and NUL become spaces, runs of them one.
func clean(s string) string {
	s = strings.Map(func(r rune) rune {
		switch r {
		case '\r', '\n', 0, '\t':
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// normalize gives a body Unix line endings and no NULs.
func normalize(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return strings.ReplaceAll(s, "\x00", "")
}

var blankLines = regexp.MustCompile(`\n[ \t]*\n\s*`)

// toHTML escapes text and makes a paragraph of each block between blank lines.
func toHTML(text string) string {
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n<html><body>\n")
	for _, p := range blankLines.Split(strings.TrimSpace(text), -1) {
		if p == "" {
			continue
		}
		lines := strings.Split(p, "\n")
		for i, l := range lines {
			lines[i] = html.EscapeString(l)
		}
		b.WriteString("<p>" + strings.Join(lines, "<br>\n") + "</p>\n")
	}
	b.WriteString("</body></html>\n")
	return b.String()
}

// encodeWord RFC 2047-encodes (B, the denser) s (after clean) when it is not plain printable ASCII, or when it
// looks like an encoded word itself, so it reads back exactly as typed.
func encodeWord(s string) string {
	s = clean(s)
	if strings.Contains(s, "=?") {
		return forceB(s)
	}
	return mime.BEncoding.Encode("utf-8", s)
}

// forceB B-encodes s whatever it holds, in words short enough for RFC 2047.
func forceB(s string) string {
	var words []string
	for len(s) > 0 {
		n := min(len(s), 45)
		for n < len(s) && !utf8Start(s[n]) {
			n--
		}
		words = append(words, "=?utf-8?b?"+b64(s[:n])+"?=")
		s = s[n:]
	}
	return strings.Join(words, " ")
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func formatAddress(a Address) string {
	return (&mail.Address{Name: clean(a.Name), Address: a.Address}).String()
}

// Headers are m's header fields, encoded, in the order Render writes them.
func (m Message) Headers() []Header {
	refs := make([]string, len(m.References))
	for i, r := range m.References {
		refs[i] = clean(r)
	}
	return []Header{
		{"From", formatAddress(m.From)},
		{"To", formatAddress(m.To)},
		{"Reply-To", formatAddress(m.ReplyTo)},
		{"Subject", encodeWord(m.Subject)},
		{"Date", m.Date.Format(time.RFC1123Z)},
		{"Message-ID", clean(m.MessageID)},
		{"In-Reply-To", clean(m.InReplyTo)},
		{"References", strings.Join(refs, " ")},
		{"X-Borderdesk-Ticket", token(m.TicketID)},
		{"MIME-Version", "1.0"},
	}
}

// Render is m as RFC 5322 bytes: its headers and a multipart/alternative body with the text
// and HTML parts, quoted-printable, CRLF line endings. The boundary derives from the message
// id, so one message always renders the same.
func (m Message) Render() ([]byte, error) {
	var buf bytes.Buffer
	for _, h := range m.Headers() {
		buf.WriteString(h.Name + ": " + h.Value + "\r\n")
	}
	sum := sha256.Sum256([]byte(m.MessageID))
	boundary := "bd-" + hex.EncodeToString(sum[:12])
	buf.WriteString("Content-Type: multipart/alternative; boundary=\"" + boundary + "\"\r\n\r\n")
	w := multipart.NewWriter(&buf)
	if err := w.SetBoundary(boundary); err != nil {
		return nil, fmt.Errorf("render %s: %w", m.MessageID, err)
	}
	for _, p := range []struct{ typ, body string }{{"text/plain", m.Text}, {"text/html", m.HTML}} {
		part, err := w.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {p.typ + "; charset=utf-8"},
			"Content-Transfer-Encoding": {"quoted-printable"},
		})
		if err != nil {
			return nil, fmt.Errorf("render %s: %w", m.MessageID, err)
		}
		qp := quotedprintable.NewWriter(part)
		if _, err := qp.Write([]byte(strings.ReplaceAll(normalize(p.body), "\n", "\r\n"))); err != nil {
			return nil, fmt.Errorf("render %s: %w", m.MessageID, err)
		}
		if err := qp.Close(); err != nil {
			return nil, fmt.Errorf("render %s: %w", m.MessageID, err)
		}
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("render %s: %w", m.MessageID, err)
	}
	return buf.Bytes(), nil
}
