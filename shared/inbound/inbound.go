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
	"path"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

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

// parser is enmime's, configured once. A part that cannot be parsed is skipped with a warning
// rather than failing the whole mail; enmime's own HTML-to-text is off because Text is made
// here, after the quotes are taken out of the HTML. Charset detection is off for a part whose
// declared charset enmime knows: detection talked a right "ISO-8859-15" into ISO-8859-1 (and
// "€" into "¤") in our tests, while the one common mislabelling, UTF-8 bytes declared as a
// Latin charset, is repaired after decoding (see repairMislabeled). Parts without a charset,
// or with one enmime does not know, are still detected or guessed.
var parser = enmime.NewParser(
	enmime.SkipMalformedParts(true),
	enmime.MaxStoredPartErrors(50),
	enmime.DisableTextConversion(true),
	enmime.DisableCharacterDetection(true),
)

// maxWarnings bounds Warnings: a mail with thousands of broken parts says so in a few lines.
const maxWarnings = 50

// Parse parses raw. It fails only when raw is not a mail at all (no header block); broken
// charsets, bad MIME and odd encodings become Warnings and best-effort text.
func Parse(raw []byte) (Mail, error) {
	if !hasHeaderBlock(raw) {
		return Mail{}, errs.E(errs.Invalid, "not an email: no header block")
	}
	var m Mail
	warn := func(format string, args ...any) {
		if len(m.Warnings) < maxWarnings {
			m.Warnings = append(m.Warnings, fmt.Sprintf(format, args...))
		}
	}
	body, fixes, ok := nestBoundaries(raw)
	switch {
	case !ok:
		warn("more than %d multipart boundaries; read as plain text", maxBoundaries)
		body = withoutContentType(raw)
	case fixes > 0:
		warn("multipart delimiters did not nest; %d closed or dropped", fixes)
	}
	env, err := parser.ReadEnvelope(bytes.NewReader(body))
	if err != nil {
		// A structure enmime gives up on (a multipart type it cannot split) is read again as
		// one plain-text body: the customer's words are in there somewhere.
		warn("MIME structure unreadable (%v); read as plain text", err)
		env, err = parser.ReadEnvelope(bytes.NewReader(withoutContentType(raw)))
		if err != nil {
			return Mail{}, errs.Wrap(errs.Invalid, err, "not an email")
		}
	}
	for _, e := range env.Errors {
		warn("%s", e.Error())
	}

	m.MessageID = firstID(env.GetHeader("Message-Id"))
	m.InReplyTo = firstID(env.GetHeader("In-Reply-To"))
	m.References = msgIDs.FindAllString(env.GetHeader("References"), -1)
	hint := bodyCharset(env.Root)
	m.Subject = oneLine(validUTF8(env.GetHeader("Subject"), hint))
	m.Language = oneLine(env.GetHeader("Content-Language"))
	if m.Language == "" {
		// Some clients put it on the body part only.
		if p := env.Root.DepthMatchFirst(func(p *enmime.Part) bool {
			return strings.HasPrefix(p.ContentType, "text/") && p.Header.Get("Content-Language") != ""
		}); p != nil {
			m.Language = oneLine(p.Header.Get("Content-Language"))
		}
	}
	if from := addresses(env, "From", hint, warn); len(from) > 0 {
		m.From = from[0]
	}
	m.ReplyTo = addresses(env, "Reply-To", hint, warn)
	m.To = addresses(env, "To", hint, warn)
	m.Cc = addresses(env, "Cc", hint, warn)
	if d, err := env.Date(); err == nil {
		m.Date = d.UTC()
	} else if env.GetHeader("Date") != "" {
		warn("unparseable Date %q", oneLine(env.GetHeader("Date")))
	}

	text, html := bodies(env.Root, warn)
	if strings.TrimSpace(text) == "" && html != "" {
		text = "" // an empty text/plain beside the HTML: the HTML is the body
	}
	if text != "" {
		text = bestEffortText(text, warn)
		if strings.ContainsRune(text, utf8.RuneError) {
			// A carrier's emoji in Shift_JIS, a byte the charset lacks: shown as "�".
			warn("text has characters its charset could not decode")
		}
	}
	var htmlNew, htmlQuoted string
	if html != "" {
		html = bestEffortText(html, warn)
		if doc, err := parseHTML(html); err != nil {
			// Nested past x/net/html's limit: the text is kept, the HTML dropped, since
			// without a tree its remote images cannot be taken out.
			warn("HTML unreadable (%v); its text kept, the HTML dropped", err)
			htmlNew = tokenText(html)
		} else {
			if text == "" {
				htmlNew, htmlQuoted = htmlText(doc)
			}
			m.HTML = sanitize(doc)
		}
	}
	if text != "" {
		m.Text, m.Quoted = fold(text)
	} else {
		// The HTML's own quote markup has been folded already; the text left may still carry an
		// Outlook header block or a "Sent from my iPhone".
		newText, quoted := foldText(htmlNew, htmlQuoted != "")
		m.Text, m.Quoted = newText, joinNonEmpty(quoted, strings.TrimSpace(htmlQuoted))
		if m.Text == "" {
			m.Text, m.Quoted = strings.TrimSpace(htmlNew+"\n\n"+htmlQuoted), ""
		}
	}

	m.Attachments = files(env.Root)
	m.Auto = automatic(env, m.From, m.Subject)
	return m, nil
}

// bodies returns the mail's plain-text body and its HTML body (still raw). Every inline
// text/plain part counts, in order: Apple Mail splits a reply around an inline image into
// several. In a multipart/alternative only the first of each kind is the body.
func bodies(root *enmime.Part, warn func(string, ...any)) (text, html string) {
	var texts []string
	var walk func(p *enmime.Part, inAlternative bool)
	walk = func(p *enmime.Part, inAlternative bool) {
		switch {
		case strings.HasPrefix(p.ContentType, "multipart/"):
			for c := p.FirstChild; c != nil; c = c.NextSibling {
				walk(c, p.ContentType == "multipart/alternative")
			}
		case isFile(p):
		case p.ContentType == "text/plain" || (p.ContentType == "" && p.Parent == nil):
			if !inAlternative || !hasText(p.Parent, "text/plain", p) {
				texts = append(texts, repairMislabeled(string(p.Content), p.Charset, warn))
			}
		case p.ContentType == "text/html":
			if html == "" {
				html = repairMislabeled(string(p.Content), p.Charset, warn)
			}
		}
	}
	walk(root, false)
	return strings.Join(texts, "\n\n"), html
}

// bodyCharset is the charset the first text part declares, "" when none does.
func bodyCharset(root *enmime.Part) string {
	p := root.DepthMatchFirst(func(p *enmime.Part) bool {
		return strings.HasPrefix(p.ContentType, "text/") && p.Charset != ""
	})
	if p == nil {
		return ""
	}
	if p.OrigCharset != "" {
		return p.OrigCharset
	}
	return p.Charset
}

// hasText reports whether an earlier child of parent than p already is of type ctype.
func hasText(parent *enmime.Part, ctype string, p *enmime.Part) bool {
	if parent == nil {
		return false
	}
	for c := parent.FirstChild; c != nil && c != p; c = c.NextSibling {
		if c.ContentType == ctype && c.Disposition != "attachment" {
			return true
		}
	}
	return false
}

// isFile reports whether p is a file rather than the body: an attachment, or a part with a
// file name ("notes.txt" that Apple Mail sends inline). The root is always the body.
func isFile(p *enmime.Part) bool {
	return p.Parent != nil && (p.Disposition == "attachment" || p.FileName != "")
}

// notFiles are the parts that are neither body nor file: the machine-readable halves of
// reports, which Auto has read.
var notFiles = map[string]bool{
	"message/delivery-status": true, "message/global-delivery-status": true,
	"message/disposition-notification": true, "message/feedback-report": true,
	"text/rfc822-headers": true, "message/global-headers": true,
}

// files returns the mail's files in the order the mail has them — attachments, inline images,
// a forwarded mail as message/rfc822 — each with a safe file name. Text parts without a name
// are body (or the other half of an alternative), not files.
func files(root *enmime.Part) []Part {
	var out []Part
	_ = root.DepthMatchAll(func(p *enmime.Part) bool {
		switch {
		case p.FirstChild != nil || strings.HasPrefix(p.ContentType, "multipart/"):
			return false
		case notFiles[p.ContentType]:
			return false
		case !isFile(p) && (strings.HasPrefix(p.ContentType, "text/") || p.ContentType == ""):
			return false
		}
		name := safeFilename(p.FileName)
		if name == "" {
			name = fmt.Sprintf("attachment-%d%s", len(out)+1, extension(p.ContentType))
		}
		ctype := p.ContentType
		if ctype == "" {
			ctype = "application/octet-stream"
		}
		inline := p.Disposition == "inline" || (p.Disposition == "" && p.ContentID != "")
		out = append(out, Part{Filename: name, ContentType: ctype, Inline: inline, Data: p.Content})
		return false
	})
	return out
}

// safeFilename keeps the last path element of a sender's file name, without control
// characters, so no name can climb out of a folder or break a header; at most 200 bytes.
func safeFilename(name string) string {
	name = strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f || r == utf8.RuneError {
			return -1
		}
		return r
	}, name)
	name = path.Base(strings.ReplaceAll(name, `\`, "/"))
	name = strings.TrimSpace(name)
	if name == "." || name == "/" || name == ".." {
		return ""
	}
	for len(name) > 200 {
		_, size := utf8.DecodeLastRuneInString(name[:len(name)-len(path.Ext(name))])
		ext := path.Ext(name)
		if len(ext) > 20 {
			ext = ""
		}
		name = name[:len(name)-len(ext)-size] + ext
	}
	return name
}

func extension(ctype string) string {
	switch ctype {
	case "image/jpeg":
		return ".jpg"
	case "image/png":
		return ".png"
	case "image/gif":
		return ".gif"
	case "application/pdf":
		return ".pdf"
	case "text/plain":
		return ".txt"
	case "message/rfc822":
		return ".eml"
	}
	return ".bin"
}

var msgIDs = regexp.MustCompile(`<[^<>\s]+>`)

// firstID returns the first "<…>" of a Message-ID or In-Reply-To; a bare id without brackets is
// wrapped in them, so threading compares one form.
func firstID(v string) string {
	if id := msgIDs.FindString(v); id != "" {
		return id
	}
	if f := strings.Fields(oneLine(v)); len(f) > 0 {
		return "<" + strings.Trim(f[0], "<>") + ">"
	}
	return ""
}

var (
	bareAddress  = regexp.MustCompile(`[^\s<>"(),;:=?]+@[^\s<>"(),;:=?]+\.[^\s<>"(),;:=?]+`)
	angleAddress = regexp.MustCompile(`<([^\s<>"(),;:]+@[^\s<>"(),;:]+)>`)
	encodedWord  = regexp.MustCompile(`=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=`)
)

// addresses parses an address header; a list net/mail cannot parse still yields the bare
// addresses in it, with a warning, so a sloppy mailer's customer can be answered.
func addresses(env *enmime.Envelope, key, hint string, warn func(string, ...any)) []mail.Address {
	v := env.Root.Header.Get(key)
	if strings.TrimSpace(v) == "" {
		return nil
	}
	list, err := env.AddressList(key)
	if err != nil && !utf8.ValidString(v) {
		// Raw 8-bit bytes in a name: read them as the body's charset, then parse again (net/mail
		// takes UTF-8 names, RFC 6532).
		list, err = enmime.ParseAddressList(validUTF8(v, hint))
	}
	var out []mail.Address
	if err != nil {
		warn("unparseable %s %q: %v", key, oneLine(v), err)
		// Addresses in angle brackets first; failing those, bare ones outside encoded words,
		// so "=?UTF-8?Q?Eve=0D=0ABcc:_x@victim.test?= <eve@attacker.test>" yields only eve.
		for _, a := range angleAddress.FindAllStringSubmatch(v, -1) {
			out = append(out, mail.Address{Address: a[1]})
		}
		if len(out) == 0 {
			for _, a := range bareAddress.FindAllString(encodedWord.ReplaceAllString(v, " "), -1) {
				out = append(out, mail.Address{Address: a})
			}
		}
		return out
	}
	for _, a := range list {
		out = append(out, mail.Address{Name: oneLine(validUTF8(a.Name, hint)), Address: oneLine(validUTF8(a.Address, hint))})
	}
	return out
}

// hasHeaderBlock reports whether raw begins with a "Name: value" header line (RFC 5322 field
// names are printable ASCII without the colon).
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

// withoutContentType returns raw with its top-level Content-Type and
// Content-Transfer-Encoding fields (and their folded lines) removed.
func withoutContentType(raw []byte) []byte {
	end := bytes.Index(raw, []byte("\r\n\r\n"))
	if i := bytes.Index(raw, []byte("\n\n")); i >= 0 && (end < 0 || i < end) {
		end = i
	}
	if end < 0 {
		end = len(raw)
	}
	var out bytes.Buffer
	out.Grow(len(raw))
	skipping := false
	for _, line := range bytes.SplitAfter(raw[:end], []byte("\n")) {
		if len(line) > 0 && (line[0] == ' ' || line[0] == '\t') {
			if !skipping {
				out.Write(line)
			}
			continue
		}
		name, _, _ := bytes.Cut(line, []byte(":"))
		name = bytes.ToLower(bytes.TrimSpace(name))
		skipping = bytes.Equal(name, []byte("content-type")) || bytes.Equal(name, []byte("content-transfer-encoding"))
		if !skipping {
			out.Write(line)
		}
	}
	out.Write(raw[end:])
	return out.Bytes()
}

// oneLine makes a decoded header value one line: CR, LF, NUL and other control characters
// become spaces, runs of spaces one, so a subject encoded with "=0D=0A" cannot smuggle a line.
func oneLine(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == 0x2028 || r == 0x2029 {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

func joinNonEmpty(parts ...string) string {
	var keep []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			keep = append(keep, p)
		}
	}
	return strings.Join(keep, "\n\n")
}
