package inbound

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParse: whatever the bytes, Parse does not panic, and what it returns keeps its promises —
// a one-line valid subject, valid UTF-8 text, no script in the HTML.
func FuzzParse(f *testing.F) {
	emls, _ := filepath.Glob("testdata/*.eml")
	for _, path := range emls {
		raw, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	f.Add([]byte("Subject: =?UTF-8?Q?a=0Db?=\r\nContent-Type: text/html\r\n\r\n<scr<script>ipt>alert(1)</script>"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		m, err := Parse(raw)
		if err != nil {
			return
		}
		if strings.ContainsAny(m.Subject, "\r\n\x00") || !utf8.ValidString(m.Subject) {
			t.Errorf("Parse(%q).Subject = %q; want one valid line", raw, m.Subject)
		}
		if !utf8.ValidString(m.Text) || !utf8.ValidString(m.Quoted) {
			t.Errorf("Parse(%q) text is not valid UTF-8", raw)
		}
		if strings.Contains(strings.ToLower(m.HTML), "<script") {
			t.Errorf("Parse(%q).HTML = %q; keeps a script", raw, m.HTML)
		}
		for _, a := range m.Attachments {
			if a.Filename == "" || strings.ContainsAny(a.Filename, "/\\\x00\r\n") {
				t.Errorf("Parse(%q) attachment name %q is not safe", raw, a.Filename)
			}
		}
	})
}
