package inbound

import (
	"strings"
	"unicode/utf8"

	"github.com/gogs/chardet"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
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

// validUTF8 is bestEffortText for a header value, without a warning per header.
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	out, _ := guessDecode([]byte(s))
	return out
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
