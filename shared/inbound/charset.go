package inbound

import (
	"strings"
	"unicode/utf8"

	"github.com/gogs/chardet"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/ianaindex"
)

// bestEffortText returns s as valid UTF-8. enmime has converted every part whose charset it
// knows; what reaches here invalid is a part whose declared charset it does not know (or none
// was declared in a header carrying raw 8-bit bytes). Its charset is then guessed from the
// bytes, and failing that read as windows-1252, which maps every byte to a character: a wrong
// guess shows odd letters, never a lost mail.
func bestEffortText(s string, warn func(string, ...any)) string {
	if utf8.ValidString(s) {
		return s
	}
	out, charset := guessDecode([]byte(s))
	warn("text is not valid UTF-8 after charset conversion; read as %s", charset)
	return out
}

// validUTF8 is bestEffortText for a header value, without a warning per header. A header of
// raw 8-bit bytes (old Chinese and Japanese clients send them) is almost always in the charset
// the same client declared for its body, so that one is tried first: a guess from a dozen
// bytes is poor.
func validUTF8(s, bodyCharset string) string {
	if utf8.ValidString(s) {
		return s
	}
	if bodyCharset != "" {
		if enc, err := htmlindex.Get(strings.ToLower(bodyCharset)); err == nil {
			if out, err := enc.NewDecoder().String(s); err == nil && utf8.ValidString(out) && !strings.ContainsRune(out, utf8.RuneError) {
				return out
			}
		}
	}
	out, _ := guessDecode([]byte(s))
	return out
}

// repairMislabeled undoes the one mislabelling common enough to matter: a client that wrote
// UTF-8 and declared a single-byte charset (ISO-8859-1, windows-1252…), which decoding turns
// into "OlÃ¡". Encoding the text back through the declared charset gives the bytes that were
// sent; when those are valid UTF-8 with multi-byte characters, they were UTF-8. Genuine Latin
// text almost never survives that test ("Grüße" back to bytes is not valid UTF-8).
func repairMislabeled(s, charset string, warn func(string, ...any)) string {
	cs := strings.ToLower(charset)
	if cs == "" || cs == "utf-8" || cs == "us-ascii" || !singleByte(cs) {
		return s
	}
	// The IANA table and the WHATWG one differ on "iso-8859-1" (ISO 8859-1 proper or
	// windows-1252); enmime decoded with one of them, so both are tried.
	var encs []encoding.Encoding
	if enc, err := ianaindex.IANA.Encoding(cs); err == nil && enc != nil {
		encs = append(encs, enc)
	}
	if enc, err := htmlindex.Get(cs); err == nil {
		encs = append(encs, enc)
	}
	for _, enc := range encs {
		b, err := enc.NewEncoder().String(s)
		if err == nil && b != s && utf8.ValidString(b) {
			warn("text declared %s is UTF-8; read as UTF-8", charset)
			return b
		}
	}
	return s
}

// singleByte reports whether a charset label names a single-byte charset.
func singleByte(cs string) bool {
	for _, p := range []string{"iso-8859-", "iso8859", "windows-125", "cp125", "latin", "koi8", "ibm", "cp8", "macintosh", "x-mac"} {
		if strings.HasPrefix(cs, p) {
			return true
		}
	}
	return false
}

func guessDecode(b []byte) (string, string) {
	if r, err := chardet.NewTextDetector().DetectBest(b); err == nil && r.Confidence >= 50 {
		if enc, err := htmlindex.Get(strings.ToLower(r.Charset)); err == nil {
			if out, err := enc.NewDecoder().Bytes(b); err == nil && utf8.Valid(out) {
				return string(out), strings.ToLower(r.Charset)
			}
		}
	}
	out, _ := charmap.Windows1252.NewDecoder().Bytes(b)
	return strings.ToValidUTF8(string(out), "\uFFFD"), "windows-1252"
}
