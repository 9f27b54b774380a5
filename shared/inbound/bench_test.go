package inbound

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"runtime"
	"strings"
	"testing"
)

// replyMail is a typical customer reply of about 20 KB: Gmail's multipart/alternative with a
// few lines of new text over a long quoted thread, in plain text and in HTML.
func replyMail() []byte {
	var text, html strings.Builder
	text.WriteString("Hi, the parcel for order #10482 still has not arrived. Can you check?\r\n\r\nEmma\r\n\r\n")
	text.WriteString("On Tue, 1 Dec 2026 at 16:40, Demo Shop <support@demo.test> wrote:\r\n")
	html.WriteString(`<div dir="ltr">Hi, the parcel for order #10482 still has not arrived. Can you check?<div><br></div><div>Emma</div></div>`)
	html.WriteString(`<div class="gmail_quote"><div class="gmail_attr">On Tue, 1 Dec 2026 at 16:40, Demo Shop &lt;support@demo.test&gt; wrote:</div><blockquote class="gmail_quote">`)
	for i := 0; text.Len() < 9000; i++ {
		fmt.Fprintf(&text, "> line %d of the earlier conversation about the parcel and its tracking.\r\n", i)
		fmt.Fprintf(&html, "line %d of the earlier conversation about the parcel and its tracking.<br>", i)
	}
	html.WriteString("</blockquote></div>")
	return []byte("MIME-Version: 1.0\r\nDate: Wed, 2 Dec 2026 09:15:40 +0000\r\n" +
		"Message-ID: <bench-reply@mail.gmail.test>\r\nIn-Reply-To: <reply-1@demo.test>\r\nReferences: <ticket-1@demo.test> <reply-1@demo.test>\r\n" +
		"Subject: Re: Where is my order #10482?\r\nFrom: Emma Clarke <emma@gmail.test>\r\nTo: Demo Shop <support@demo.test>\r\n" +
		"Content-Type: multipart/alternative; boundary=\"b1\"\r\n\r\n" +
		"--b1\r\nContent-Type: text/plain; charset=\"UTF-8\"\r\n\r\n" + text.String() + "\r\n" +
		"--b1\r\nContent-Type: text/html; charset=\"UTF-8\"\r\n\r\n" + html.String() + "\r\n--b1--\r\n")
}

// attachmentMail is a mail with a short text and one file of size bytes (pseudo-random, so it
// does not compress into something unlike a photo), base64 in 76-character lines.
func attachmentMail(size int) (raw []byte, sum [32]byte) {
	data := make([]byte, 0, size+32)
	block := sha256.Sum256([]byte("borderdesk"))
	for len(data) < size {
		block = sha256.Sum256(block[:])
		data = append(data, block[:]...)
	}
	data = data[:size]
	enc := base64.StdEncoding.EncodeToString(data)
	var b bytes.Buffer
	b.Grow(len(enc)*78/76 + 1024)
	b.WriteString("MIME-Version: 1.0\r\nFrom: Carlos <carlos@gmail.test>\r\nTo: support@demo.test\r\nSubject: Photos of the damage, order 50119\r\n" +
		"Message-ID: <bench-attachment@gmail.test>\r\nContent-Type: multipart/mixed; boundary=\"b2\"\r\n\r\n" +
		"--b2\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nThe photos are attached.\r\n" +
		"--b2\r\nContent-Type: image/jpeg; name=\"damage.jpg\"\r\nContent-Disposition: attachment; filename=\"damage.jpg\"\r\nContent-Transfer-Encoding: base64\r\n\r\n")
	for len(enc) > 76 {
		b.WriteString(enc[:76])
		b.WriteString("\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc + "\r\n--b2--\r\n")
	return b.Bytes(), sha256.Sum256(data)
}

func BenchmarkParse(b *testing.B) {
	attachment5MB, _ := attachmentMail(5 << 20)
	attachment25MB, _ := attachmentMail(25 << 20)
	for _, bm := range []struct {
		name string
		raw  []byte
	}{
		{"reply-20KB", replyMail()},
		{"attachment-5MB", attachment5MB},
		{"attachment-25MB", attachment25MB},
	} {
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(bm.raw)))
			for b.Loop() {
				if _, err := Parse(bm.raw); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// longThread is a plain-text or HTML mail of about n bytes: a line of new text over a quoted
// thread whose lines carry numbers, colons and links — what makes the folding and the order
// search look twice.
func longThread(n int, html bool) []byte {
	var b strings.Builder
	b.Grow(n + 256)
	if html {
		b.WriteString("From: a@b.test\r\nSubject: long\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<div>new words, order 10482</div><blockquote type=cite>")
	} else {
		b.WriteString("From: a@b.test\r\nSubject: long\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nnew words, order 10482\r\n\r\nOn Tue, 1 Dec 2026 at 10:00, Shop wrote:\r\n")
	}
	for i := 0; b.Len() < n; i++ {
		if html {
			fmt.Fprintf(&b, "<div>line %d, order %d: call 030 1234567, <a href=\"https://x.test/%d\">link</a></div>\r\n", i, 10000+i, i)
		} else {
			fmt.Fprintf(&b, "> line %d, order %d: call 030 1234567\r\n>\r\nwords %d:\r\n", i, 10000+i, i)
		}
	}
	return []byte(b.String())
}

// allocated returns the bytes Parse and OrderNumbers allocate for raw.
func allocated(t *testing.T, raw []byte) (uint64, Mail) {
	t.Helper()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	m, err := Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	OrderNumbers(m.Subject, m.Text, m.Quoted)
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc, m
}

// TestParseLargeMail: a 25 MB mail (SES's limit is 40 MB, the 25 MB) parses whole, and
// the work grows with the size, not its square. The measure is bytes allocated, not time, so
// the test does not depend on the machine: four times the mail may allocate at most eight
// times as much (a quadratic step would make it sixteen).
func TestParseLargeMail(t *testing.T) {
	raw, sum := attachmentMail(25 << 20)
	n, m := allocated(t, raw)
	if len(m.Attachments) != 1 || sha256.Sum256(m.Attachments[0].Data) != sum || m.Text != "The photos are attached." {
		t.Fatalf("Parse(25 MB mail) lost its attachment or text: %d attachments, text %q", len(m.Attachments), m.Text)
	}
	if n > 4*uint64(len(raw)) {
		t.Errorf("Parse(25 MB mail) allocated %d MB; want at most 4 times the mail's %d MB", n>>20, len(raw)>>20)
	}
	for _, html := range []bool{false, true} {
		small, _ := allocated(t, longThread(1<<20, html))
		large, m := allocated(t, longThread(4<<20, html))
		if m.Text != "new words, order 10482" {
			t.Errorf("Parse(long thread, html %v).Text = %.200q…; want the new words only", html, m.Text)
		}
		if large > 8*small {
			t.Errorf("Parse(long thread, html %v) allocated %d KB for 1 MB and %d KB for 4 MB; want it linear", html, small>>10, large>>10)
		}
	}
}
