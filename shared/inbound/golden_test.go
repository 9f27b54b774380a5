package inbound

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite golden files")

// golden is Mail as the golden files show it: attachments by name, type, size and hash.
type golden struct {
	MessageID   string         `json:"message_id"`
	InReplyTo   string         `json:"in_reply_to,omitempty"`
	References  []string       `json:"references,omitempty"`
	From        mail.Address   `json:"from"`
	ReplyTo     []mail.Address `json:"reply_to,omitempty"`
	To          []mail.Address `json:"to,omitempty"`
	Cc          []mail.Address `json:"cc,omitempty"`
	Subject     string         `json:"subject"`
	Date        time.Time      `json:"date"`
	Language    string         `json:"language,omitempty"`
	Text        string         `json:"text"`
	Quoted      string         `json:"quoted,omitempty"`
	HTML        string         `json:"html,omitempty"`
	Attachments []goldenPart   `json:"attachments,omitempty"`
	Auto        string         `json:"auto,omitempty"`
	Warnings    []string       `json:"warnings,omitempty"`
	Orders      []string       `json:"orders,omitempty"`
}

type goldenPart struct {
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	Inline      bool   `json:"inline,omitempty"`
	Size        int    `json:"size"`
	SHA256      string `json:"sha256"`
}

func toGolden(m Mail) golden {
	g := golden{MessageID: m.MessageID, InReplyTo: m.InReplyTo, References: m.References,
		From: m.From, ReplyTo: m.ReplyTo, To: m.To, Cc: m.Cc, Subject: m.Subject, Date: m.Date,
		Language: m.Language, Text: m.Text, Quoted: m.Quoted, HTML: m.HTML, Auto: m.Auto,
		Warnings: m.Warnings, Orders: OrderNumbers(m.Subject, m.Text)}
	for _, a := range m.Attachments {
		sum := sha256.Sum256(a.Data)
		g.Attachments = append(g.Attachments, goldenPart{Filename: a.Filename,
			ContentType: a.ContentType, Inline: a.Inline, Size: len(a.Data), SHA256: hex.EncodeToString(sum[:])})
	}
	return g
}

// TestGolden parses every testdata/*.eml and compares the result, with the order numbers its
// subject and text name, to the .golden.json beside it. Refresh with go test -update, then
// read the diff: the golden files are the specification of what a ticket receives.
func TestGolden(t *testing.T) {
	emls, err := filepath.Glob("testdata/*.eml")
	if err != nil || len(emls) == 0 {
		t.Fatalf("no testdata/*.eml: %v", err)
	}
	for _, path := range emls {
		name := strings.TrimSuffix(filepath.Base(path), ".eml")
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			m, err := Parse(raw)
			if err != nil {
				t.Fatalf("Parse(%s) = %v", path, err)
			}
			var got bytes.Buffer
			enc := json.NewEncoder(&got)
			enc.SetEscapeHTML(false)
			enc.SetIndent("", "  ")
			if err := enc.Encode(toGolden(m)); err != nil {
				t.Fatal(err)
			}
			file := strings.TrimSuffix(path, ".eml") + ".golden.json"
			if *update {
				if err := os.WriteFile(file, got.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(file)
			if err != nil {
				t.Fatalf("read golden (run with -update): %v", err)
			}
			if !bytes.Equal(got.Bytes(), want) {
				t.Errorf("Parse(%s) differs from %s:\n%s", path, file, got.String())
			}
		})
	}
}

// SanitizeHTML, which the API applies again to stored mail HTML, leaves what Parse kept as
// it is (the console shows the same thing), and still takes out what must not pass.
func TestSanitizeHTMLAgainIsIdempotent(t *testing.T) {
	emls, _ := filepath.Glob("testdata/*.eml")
	n := 0
	for _, path := range emls {
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		m, err := Parse(raw)
		if err != nil || m.HTML == "" {
			continue
		}
		n++
		if again := SanitizeHTML(m.HTML); again != m.HTML {
			t.Errorf("%s: SanitizeHTML(Parse's HTML) changed it:\n%s\nwant\n%s", path, again, m.HTML)
		}
	}
	if n < 3 {
		t.Fatalf("only %d golden mails have HTML; want several to compare", n)
	}
	for _, bad := range []string{
		`<p>hi</p><script>alert(1)</script>`, `<img src=x onerror=alert(1)>`, `<a href="javascript:alert(1)">x</a>`,
		`<img src="https://tracker.example/p.gif">`, `<div id="app" name="x">y</div>`, `<style>*{}</style><iframe src=//x></iframe>`,
	} {
		got := SanitizeHTML(bad)
		for _, forbidden := range []string{"<script", "onerror", "javascript:", "tracker.example", `id="app"`, "name=", "<style", "<iframe"} {
			if strings.Contains(got, forbidden) {
				t.Errorf("SanitizeHTML(%q) = %q; %q passed", bad, got, forbidden)
			}
		}
	}
}
