// Package inbound owns the reading of inbound email: it turns one raw RFC 5322 message (as SES
// receiving stores it in S3, or as the local SMTP listener receives it) into what a ticket
// needs — threading ids, addresses, the customer's new text with earlier quotes folded away,
// sanitised HTML, decoded attachments, and whether the mail is automatic and must never open a
// ticket or be answered. It is pure: no I/O, no AWS, no clock.
//
// A customer's mail is never refused for being badly made: broken charsets, bad MIME and odd
// encodings become Warnings and best-effort text, because the person behind it still waits for
// an answer. Parse fails only when the bytes are not a mail at all.
package inbound

import (
	"bytes"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/jhillyerd/enmime/v2"

	"github.com/borderdesk/borderdesk/shared/errs"
)

// Mail is one parsed inbound email.
type Mail struct {
	MessageID  string   // "<…>" as sent; "" when the mail has none
	InReplyTo  string   // "<…>" or ""
	References []string // each "<…>"
	From       mail.Address
	ReplyTo    []mail.Address
	To, Cc     []mail.Address
	Subject    string    // decoded (RFC 2047), one line
	Date       time.Time // zero when missing or unparseable
	Language   string    // Content-Language, "" if none
	// Text is the NEW text the customer wrote: plain text, UTF-8, trimmed.
	Text string
	// Quoted is the quoted earlier text and the signature, folded away from Text ("" if none).
	Quoted string
	// HTML is the HTML part sanitised (no remote images, no style or script, links
	// rel="nofollow noopener" target="_blank"); "" when the mail had no HTML part.
	HTML        string
	Attachments []Part // files (attachments and inline images), decoded bytes
	// Auto says why this mail is automatic (an auto-reply, a bounce, a mailing list); "" for a
	// person's mail. A mail with Auto set never opens a ticket and never gets an answer.
	Auto     string
	Warnings []string // what the MIME parser complained about, kept, never fatal
}

// Part is one file a mail carried: an attachment or an inline image.
type Part struct {
	Filename    string // decoded; a safe default ("attachment-1.bin") when missing
	ContentType string // "image/jpeg"
	Inline      bool
	Data        []byte
}

// parser is enmime's, configured once: a part that cannot be parsed is skipped with a warning
// rather than failing the whole mail.
var parser = enmime.NewParser(
	enmime.SkipMalformedParts(true),
	enmime.MaxStoredPartErrors(50),
)

// Parse parses raw. It fails only when raw is not a mail at all (no header block); broken
// charsets, bad MIME and odd encodings become Warnings and best-effort text.
func Parse(raw []byte) (Mail, error) {
	if !hasHeaderBlock(raw) {
		return Mail{}, errs.E(errs.Invalid, "not an email: no header block")
	}
	env, err := parser.ReadEnvelope(bytes.NewReader(raw))
	if err != nil {
		return Mail{}, errs.Wrap(errs.Invalid, err, "not an email")
	}
	var m Mail
	m.MessageID = strings.TrimSpace(env.GetHeader("Message-Id"))
	m.InReplyTo = strings.TrimSpace(env.GetHeader("In-Reply-To"))
	m.Subject = oneLine(env.GetHeader("Subject"))
	m.Language = strings.TrimSpace(env.GetHeader("Content-Language"))
	if from, _ := env.AddressList("From"); len(from) > 0 {
		m.From = *from[0]
	}
	m.ReplyTo = addresses(env, "Reply-To")
	m.To = addresses(env, "To")
	m.Cc = addresses(env, "Cc")
	if d, err := env.Date(); err == nil {
		m.Date = d.UTC()
	}
	m.Text = strings.TrimSpace(env.Text)
	for i, p := range append(env.Attachments, env.Inlines...) {
		name := p.FileName
		if name == "" {
			name = fmt.Sprintf("attachment-%d.bin", i+1)
		}
		m.Attachments = append(m.Attachments, Part{Filename: name, ContentType: p.ContentType,
			Inline: p.Disposition == "inline", Data: p.Content})
	}
	for _, e := range env.Errors {
		m.Warnings = append(m.Warnings, e.Error())
	}
	return m, nil
}

func addresses(env *enmime.Envelope, key string) []mail.Address {
	list, _ := env.AddressList(key)
	var out []mail.Address
	for _, a := range list {
		out = append(out, *a)
	}
	return out
}

// hasHeaderBlock reports whether raw begins with at least one "Name: value" header line.
func hasHeaderBlock(raw []byte) bool {
	line, _, _ := bytes.Cut(raw, []byte("\n"))
	name, _, ok := bytes.Cut(line, []byte(":"))
	if !ok || len(name) == 0 {
		return false
	}
	for _, c := range name {
		if c <= ' ' || c > '~' {
			return false
		}
	}
	return true
}

// oneLine makes a decoded header value one line: CR, LF, NUL and other control characters
// become spaces, runs of spaces one, so a subject encoded with "=0D=0A" cannot smuggle a line.
func oneLine(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f || r == 0x85 || r == 0x2028 || r == 0x2029 {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}
