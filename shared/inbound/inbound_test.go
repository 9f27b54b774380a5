package inbound

import (
	"fmt"
	"strings"
	"testing"

	"github.com/borderdesk/borderdesk/shared/errs"
)

func TestParseRefusesWhatIsNoMail(t *testing.T) {
	for _, raw := range []string{"", "\r\n\r\nbody only", "just some text\nwithout headers", "%PDF-1.4\n", ": no name\n\nx"} {
		if _, err := Parse([]byte(raw)); !errs.Is(err, errs.Invalid) {
			t.Errorf("Parse(%q) = %v; want an invalid error", raw, err)
		}
	}
	// A mail with a header and nothing else is a mail.
	m, err := Parse([]byte("Subject: hi\r\n\r\n"))
	if err != nil || m.Subject != "hi" || m.Text != "" {
		t.Errorf("Parse(header only) = %+v, %v; want subject hi, no text", m, err)
	}
}

// TestParseSurvivesBrokenMIME: broken structure is a warning and best-effort text, never an
// error — a customer behind a broken mailer still needs an answer.
func TestParseSurvivesBrokenMIME(t *testing.T) {
	tests := []struct {
		name, raw, wantText string
	}{
		{"multipart without boundary",
			"From: a@b.test\r\nContent-Type: multipart/mixed\r\n\r\nhello there\r\n", "hello there"},
		{"unclosed boundary",
			"From: a@b.test\r\nContent-Type: multipart/mixed; boundary=X\r\n\r\n--X\r\nContent-Type: text/plain\r\n\r\nstill here\r\n", "still here"},
		{"corrupt base64",
			"From: a@b.test\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\naGVsbG8gd29ybGQ=!!!*\r\n", "hello world"},
		{"unknown transfer encoding",
			"From: a@b.test\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: x-uuencode-ish\r\n\r\nplain words\r\n", "plain words"},
		{"raw 8-bit GBK in the body with no charset",
			"From: a@b.test\r\nContent-Type: text/plain\r\n\r\n\xc7\xeb\xce\xca\xbf\xc9\xd2\xd4\xbb\xbb\xbb\xf5\xc2\xf0\xa3\xbf\xce\xd2\xb5\xc4\xb6\xa9\xb5\xa5\r\n", "请问可以换货吗？我的订单"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Parse([]byte(tt.raw))
			if err != nil {
				t.Fatalf("Parse = %v; want a mail with warnings", err)
			}
			if !strings.Contains(m.Text, tt.wantText) {
				t.Errorf("Parse(%s).Text = %q; want it to contain %q (warnings %q)", tt.name, m.Text, tt.wantText, m.Warnings)
			}
			if len(m.Warnings) == 0 {
				t.Errorf("Parse(%s).Warnings = none; want the damage named", tt.name)
			}
		})
	}
}

func TestFold(t *testing.T) {
	tests := []struct {
		name, in, wantText, wantQuoted string
	}{
		{"no quote", "Hello\n\nWhere is it?", "Hello\n\nWhere is it?", ""},
		{"gmail en", "Thanks!\n\nOn Tue, 1 Dec 2026 at 10:00, Shop <support@demo.test> wrote:\n> old", "Thanks!",
			"On Tue, 1 Dec 2026 at 10:00, Shop <support@demo.test> wrote:\n> old"},
		{"gmail attribution wrapped", "Thanks!\n\nOn Tue, 1 Dec 2026 at 10:00, Demo Shop Customer Service <\nsupport@demo.test> wrote:\n\n> old", "Thanks!",
			"On Tue, 1 Dec 2026 at 10:00, Demo Shop Customer Service <\nsupport@demo.test> wrote:\n\n> old"},
		{"de", "Danke.\n\nAm Di., 1. Dez. 2026 um 10:00 Uhr schrieb Shop <support@demo.test>:\n> alt", "Danke.",
			"Am Di., 1. Dez. 2026 um 10:00 Uhr schrieb Shop <support@demo.test>:\n> alt"},
		{"fr", "Merci.\n\nLe mar. 1 déc. 2026 à 10:00, Shop <support@demo.test> a écrit :\n> ancien", "Merci.",
			"Le mar. 1 déc. 2026 à 10:00, Shop <support@demo.test> a écrit :\n> ancien"},
		{"es", "Gracias.\n\nEl mar, 1 dic 2026 a las 10:00, Shop (<support@demo.test>) escribió:\n> viejo", "Gracias.",
			"El mar, 1 dic 2026 a las 10:00, Shop (<support@demo.test>) escribió:\n> viejo"},
		{"zh", "谢谢\n\nShop <support@demo.test> 于2026年12月1日周二 10:00写道：\n> 旧", "谢谢",
			"Shop <support@demo.test> 于2026年12月1日周二 10:00写道：\n> 旧"},
		{"ja apple", "ありがとうございます。\n\n2026/12/01 10:00、Shop <support@demo.test>のメール:\n> 旧", "ありがとうございます。",
			"2026/12/01 10:00、Shop <support@demo.test>のメール:\n> 旧"},
		{"ja gmail", "了解です。\n\n2026年12月1日(火) 10:00 Shop <support@demo.test>:\n> 旧", "了解です。",
			"2026年12月1日(火) 10:00 Shop <support@demo.test>:\n> 旧"},
		{"ja のメッセージ", "了解です。\n\nShop さんのメッセージ:\n> 旧", "了解です。", "Shop さんのメッセージ:\n> 旧"},
		{"ko", "감사합니다.\n\n2026년 12월 1일 (화) 오전 10:00, Shop <support@demo.test>님이 작성:\n> 옛", "감사합니다.",
			"2026년 12월 1일 (화) 오전 10:00, Shop <support@demo.test>님이 작성:\n> 옛"},
		{"outlook original message", "OK.\n\n-----Original Message-----\nFrom: Shop\nSent: Tuesday\nold", "OK.",
			"-----Original Message-----\nFrom: Shop\nSent: Tuesday\nold"},
		{"outlook ursprüngliche nachricht", "OK.\n-----Ursprüngliche Nachricht-----\nVon: Shop\nalt", "OK.",
			"-----Ursprüngliche Nachricht-----\nVon: Shop\nalt"},
		{"outlook underline de", "Bitte ändern.\n\n________________________________\nVon: Shop <s@demo.test>\nGesendet: Dienstag\nAn: Petra\nalt", "Bitte ändern.",
			"________________________________\nVon: Shop <s@demo.test>\nGesendet: Dienstag\nAn: Petra\nalt"},
		{"outlook header block fr", "D'accord.\n\nDe : Shop <s@demo.test>\nEnvoyé : mardi 1 décembre 2026 10:00\nÀ : Hélène\nObjet : Commande\nancien", "D'accord.",
			"De : Shop <s@demo.test>\nEnvoyé : mardi 1 décembre 2026 10:00\nÀ : Hélène\nObjet : Commande\nancien"},
		{"outlook header block zh", "好的。\n\n发件人: Shop <s@demo.test>\n发送时间: 2026年12月1日 10:00\n收件人: 王伟\n旧", "好的。",
			"发件人: Shop <s@demo.test>\n发送时间: 2026年12月1日 10:00\n收件人: 王伟\n旧"},
		{"outlook bold header block", "Fine.\n\n*From:* Shop\n*Sent:* Tuesday\nold", "Fine.", "*From:* Shop\n*Sent:* Tuesday\nold"},
		{"as I wrote is the customer's words", "As I already wrote:\nthe box was broken.\nPlease help.", "As I already wrote:\nthe box was broken.\nPlease help.", ""},
		{"on monday I wrote is the customer's words", "On Monday you wrote:\nit would come today.\nIt did not.", "On Monday you wrote:\nit would come today.\nIt did not.", ""},
		{"From: alone is the customer's words", "From: my account page I cannot pay.\nPlease help.", "From: my account page I cannot pay.\nPlease help.", ""},
		{"trailing quote without attribution", "Yes please.\n\n> Shall we refund?\n> Shop", "Yes please.", "> Shall we refund?\n> Shop"},
		{"inline reply is kept whole", "> Which size?\n39\n> Which colour?\nBlue", "> Which size?\n39\n> Which colour?\nBlue", ""},
		{"rfc 3676 signature", "See you.\n-- \nEmma\n+44 20 7946 0958", "See you.", "-- \nEmma\n+44 20 7946 0958"},
		{"signature before quote", "Ok\n\n-- \nEmma\n\nOn Mon, 30 Nov 2026, Shop wrote:\n> old", "Ok", "-- \nEmma\n\nOn Mon, 30 Nov 2026, Shop wrote:\n> old"},
		{"sent from my iphone", "Great, thanks\n\nSent from my iPhone", "Great, thanks", "Sent from my iPhone"},
		{"von meinem iphone gesendet", "Danke\n\nVon meinem iPhone gesendet\n\n> Am 1. Dez. 2026 um 10:00 schrieb Shop:\n> alt", "Danke",
			"Von meinem iPhone gesendet\n\n> Am 1. Dez. 2026 um 10:00 schrieb Shop:\n> alt"},
		{"sent from my iphone mid-text is words", "Sent from my iPhone\nbut the photo did not attach, I will resend\nthanks", "Sent from my iPhone\nbut the photo did not attach, I will resend\nthanks", ""},
		{"whole mail is a quote", "> only the old text\n> nothing new", "> only the old text\n> nothing new", ""},
		{"only an attribution and quote", "On Tue, 1 Dec 2026, Shop wrote:\n> old", "On Tue, 1 Dec 2026, Shop wrote:\n> old", ""},
		{"CRLF", "Thanks\r\n\r\nOn Tue, 1 Dec 2026 at 10:00, Shop wrote:\r\n> old\r\n", "Thanks", "On Tue, 1 Dec 2026 at 10:00, Shop wrote:\n> old"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text, quoted := fold(tt.in)
			if text != tt.wantText || quoted != tt.wantQuoted {
				t.Errorf("fold(%q) =\n%q,\n%q;\nwant\n%q,\n%q", tt.in, text, quoted, tt.wantText, tt.wantQuoted)
			}
		})
	}
}

func TestAuto(t *testing.T) {
	const person = "From: Emma <emma@gmail.test>\r\nTo: support@demo.test\r\nSubject: %s\r\n%s\r\nhello\r\n"
	tests := []struct {
		name, subject, headers, want string
	}{
		{"a person", "Where is my order?", "", ""},
		{"auto-submitted no", "Hi", "Auto-Submitted: no\r\n", ""},
		{"auto-submitted auto-replied", "Hi", "Auto-Submitted: auto-replied\r\n", "auto-submitted: auto-replied"},
		{"auto-submitted auto-generated with params", "Hi", "Auto-Submitted: Auto-Generated; owner-email=x@y.test\r\n", "auto-submitted: auto-generated"},
		{"precedence bulk", "Hi", "Precedence: bulk\r\n", "precedence: bulk"},
		{"precedence junk", "Hi", "Precedence: junk\r\n", "precedence: junk"},
		{"precedence list", "Hi", "Precedence: list\r\n", "precedence: list"},
		{"precedence auto_reply", "Hi", "Precedence: auto_reply\r\n", "precedence: auto_reply"},
		{"precedence first-class is a person", "Hi", "Precedence: first-class\r\n", ""},
		{"x-autoreply", "Hi", "X-Autoreply: yes\r\n", "auto-reply: x-autoreply"},
		{"x-autorespond", "Hi", "X-Autorespond: 1\r\n", "auto-reply: x-autorespond"},
		{"suppress alone is Outlook's normal mail", "Re: my order", "X-Auto-Response-Suppress: All\r\n", ""},
		{"suppress with automatic reply subject", "Automatic reply: my order", "X-Auto-Response-Suppress: All\r\n", "auto-reply: out of office"},
		{"suppress OOF with German subject", "Automatische Antwort: Bestellung", "X-Auto-Response-Suppress: DR, OOF\r\n", "auto-reply: out of office"},
		{"suppress AutoReply with French subject", "Réponse automatique : commande", "X-Auto-Response-Suppress: AutoReply\r\n", "auto-reply: out of office"},
		{"suppress DR only", "Automatic reply: x", "X-Auto-Response-Suppress: DR, RN\r\n", ""},
		{"auto-reply subject alone is a person", "Automatic reply: forwarded to you", "", ""},
		{"list-id", "News", "List-Id: <news.shop.test>\r\n", "mailing list: <news.shop.test>"},
		{"list-unsubscribe", "News", "List-Unsubscribe: <mailto:u@x.test>\r\n", "mailing list: list-unsubscribe"},
		{"empty return path", "Hi", "Return-Path: <>\r\n", "bounce: empty return path"},
		{"return path of a person", "Hi", "Return-Path: <emma@gmail.test>\r\n", ""},
		{"feedback report", "Complaint", "MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=feedback-report; boundary=B\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\nabuse\r\n--B\r\nContent-Type: message/feedback-report\r\n\r\nFeedback-Type: abuse\r\n--B--", "feedback report: abuse complaint"},
		{"delivery status", "Undeliverable", "MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=B\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\nfailed\r\n--B--", "bounce: delivery status notification"},
		{"delivery status in a mixed wrapper", "Undeliverable", "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\nfailed\r\n--B\r\nContent-Type: message/delivery-status\r\n\r\nAction: failed\r\n--B--", "bounce: delivery status notification"},
		{"read receipt", "Read: x", "MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=disposition-notification; boundary=B\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\nread\r\n--B--", "read receipt: disposition notification"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := strings.Replace(person, "%s", tt.subject, 1)
			raw = strings.Replace(raw, "%s", tt.headers, 1)
			m, err := Parse([]byte(raw))
			if err != nil {
				t.Fatal(err)
			}
			if m.Auto != tt.want {
				t.Errorf("Parse(%s).Auto = %q; want %q", tt.name, m.Auto, tt.want)
			}
		})
	}
	for _, from := range []string{"MAILER-DAEMON@mx.test", "postmaster@shop.test", "Mail Delivery System <Mailer-Daemon@mx.test>"} {
		m, err := Parse([]byte("From: " + from + "\r\nSubject: Undelivered\r\n\r\nfailed\r\n"))
		if err != nil || !strings.HasPrefix(m.Auto, "bounce: from ") {
			t.Errorf("Parse(From: %s).Auto = %q, %v; want a bounce", from, m.Auto, err)
		}
	}
}

// TestHTMLIsSanitised: no raw HTML anywhere in Mail; the HTML kept is safe to show.
func TestHTMLIsSanitised(t *testing.T) {
	raw := "From: a@b.test\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" +
		`<html><head><style>body{}</style><script>alert(1)</script><title>T</title></head><body onload="x()">` +
		`<p style="color:red" class="c" id="main">Hello &amp; <b>welcome</b></p>` +
		`<img src="https://tracker.test/p.gif"><img src="http://x.test/a.png" srcset="https://x.test/b.png 2x">` +
		`<img src="cid:part1@mail" alt="photo"><img src="data:image/png;base64,iVBORw0KGgo=">` +
		`<a href="https://shop.test/x">link</a> <a href="javascript:alert(1)">js</a>` +
		`<iframe src="https://evil.test"></iframe><form action="https://evil.test"><input name="p"></form>` +
		`<svg><script>alert(2)</script></svg><!--[if mso]><p>mso</p><![endif]-->` +
		`</body></html>`
	m, err := Parse([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"<script", "alert", "<style", "style=", "onload", "tracker.test", "x.test", "javascript:", "<iframe", "evil.test", "<form", "<svg", "mso", "id=", "<title"} {
		if strings.Contains(m.HTML, bad) {
			t.Errorf("Parse(html).HTML = %s; contains %q", m.HTML, bad)
		}
	}
	for _, good := range []string{`src="cid:part1@mail"`, `src="data:image/png;base64,`, `href="https://shop.test/x"`, `rel="nofollow noopener"`, `target="_blank"`, "<b>welcome</b>"} {
		if !strings.Contains(m.HTML, good) {
			t.Errorf("Parse(html).HTML = %s; want %q in it", m.HTML, good)
		}
	}
	if want := "Hello & welcome\n\nlink (https://shop.test/x) js"; m.Text != want {
		t.Errorf("Parse(html).Text = %q; want %q", m.Text, want)
	}
	for _, s := range []string{m.Text, m.Quoted} {
		if strings.ContainsAny(s, "<>") {
			t.Errorf("Parse(html) text %q keeps markup", s)
		}
	}
}

func TestAttachmentNames(t *testing.T) {
	raw := "From: a@b.test\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n" +
		"--B\r\nContent-Type: text/plain\r\n\r\nsee files\r\n" +
		"--B\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"../../etc/passwd\"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0=\r\n" +
		"--B\r\nContent-Type: image/png\r\nContent-Disposition: attachment; filename*=UTF-8''%E5%86%99%E7%9C%9F.png\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n" +
		"--B\r\nContent-Type: image/jpeg\r\nContent-Disposition: inline\r\nContent-ID: <img1>\r\nContent-Transfer-Encoding: base64\r\n\r\n/9j/4AAQ\r\n" +
		"--B\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"C:\\\\Users\\\\me\\\\=?UTF-8?B?UmVjaG51bmcucGRm?=\"\r\n\r\nxyz\r\n" +
		"--B\r\nContent-Type: text/plain; name=\"notes.txt\"\r\nContent-Disposition: inline; filename=\"notes.txt\"\r\n\r\nsize 39\r\n" +
		"--B\r\nContent-Type: text/plain\r\n\r\nand more words\r\n" +
		"--B\r\nContent-Type: message/rfc822\r\nContent-Disposition: attachment\r\n\r\nFrom: shop@demo.test\r\nSubject: Your order\r\n\r\nconfirmed\r\n" +
		"--B--\r\n"
	m, err := Parse([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range m.Attachments {
		got = append(got, a.Filename+"|"+a.ContentType+"|"+map[bool]string{true: "inline", false: "attachment"}[a.Inline])
	}
	want := []string{"passwd|application/pdf|attachment", "写真.png|image/png|attachment",
		"attachment-3.jpg|image/jpeg|inline", "Rechnung.pdf|application/octet-stream|attachment",
		"notes.txt|text/plain|inline", "attachment-6.eml|message/rfc822|attachment"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("Parse(attachments) = %q; want %q", got, want)
	}
	if want := "see files\n\nand more words"; m.Text != want {
		t.Errorf("Parse(attachments).Text = %q; want %q", m.Text, want)
	}
	// A mail that is only an image is a file, not a body.
	m, err = Parse([]byte("From: a@b.test\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n"))
	if err != nil || len(m.Attachments) != 1 || m.Attachments[0].Filename != "attachment-1.png" || m.Text != "" {
		t.Errorf("Parse(image only) = %+v, %v; want one file attachment-1.png and no text", m.Attachments, err)
	}
}

// TestParseBadlyNestedMultiparts: delimiters that do not nest (left open, closed out of
// order, closed before they open) are made to nest before enmime reads the mail, which
// otherwise takes time exponential in the depth — at 40 levels this test would not finish.
func TestParseBadlyNestedMultiparts(t *testing.T) {
	const depth = 40
	for _, mode := range []string{"left open", "closed out of order", "closed before opened"} {
		t.Run(mode, func(t *testing.T) {
			var b strings.Builder
			b.WriteString("From: a@b.test\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b0\r\n\r\n")
			if mode == "closed before opened" {
				for i := 0; i <= depth; i++ {
					fmt.Fprintf(&b, "--b%d--\r\n", i)
				}
			}
			for i := 0; i < depth; i++ {
				fmt.Fprintf(&b, "--b%d\r\nContent-Type: multipart/mixed; boundary=b%d\r\n\r\n", i, i+1)
			}
			fmt.Fprintf(&b, "--b%d\r\nContent-Type: text/plain\r\n\r\nthe words\r\n", depth)
			if mode == "closed out of order" {
				for i := 0; i <= depth; i++ {
					fmt.Fprintf(&b, "--b%d--\r\n", i)
				}
			}
			m, err := Parse([]byte(b.String()))
			if err != nil {
				t.Fatal(err)
			}
			if m.Text != "the words" {
				t.Errorf("Parse(%s).Text = %q; want %q", mode, m.Text, "the words")
			}
			if len(m.Warnings) == 0 || !strings.Contains(m.Warnings[0], "did not nest") {
				t.Errorf("Parse(%s).Warnings = %q; want the repair named", mode, m.Warnings)
			}
		})
	}
	var b strings.Builder
	b.WriteString("From: a@b.test\r\nContent-Type: multipart/mixed; boundary=b0\r\n\r\n")
	for i := 0; i <= maxBoundaries; i++ {
		fmt.Fprintf(&b, "--b%d\r\nContent-Type: multipart/mixed; boundary=b%d\r\n\r\n", i, i+1)
	}
	if m, err := Parse([]byte(b.String())); err != nil || len(m.Warnings) == 0 || !strings.Contains(m.Warnings[0], "plain text") {
		t.Errorf("Parse(%d boundaries) = %q, %v; want it read as plain text", maxBoundaries+1, m.Warnings, err)
	}
}

// TestParseHTMLNestedTooDeep: HTML nested past x/net/html's 512 elements still gives its
// text; the HTML itself is dropped (without a tree its remote images cannot be removed).
func TestParseHTMLNestedTooDeep(t *testing.T) {
	raw := "From: a@b.test\r\nContent-Type: text/html\r\n\r\n" + strings.Repeat("<div>", 600) +
		"please refund<br>order 10482<script>alert(1)</script><img src=https://t.test/p.gif>"
	m, err := Parse([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	if m.Text != "please refund\norder 10482" || m.HTML != "" {
		t.Errorf("Parse(deep HTML) = text %q, HTML %q; want the text and no HTML", m.Text, m.HTML)
	}
	if !strings.Contains(strings.Join(m.Warnings, "\n"), "HTML unreadable") {
		t.Errorf("Parse(deep HTML).Warnings = %q; want it named", m.Warnings)
	}
}

// TestRawEightBitHeaders: a subject or name of raw 8-bit bytes is read in the charset the
// client declared for its body, else guessed.
func TestRawEightBitHeaders(t *testing.T) {
	tests := []struct {
		name, charset, subject, from, wantSubject, wantName string
	}{
		{"GBK", "GBK", "\xcd\xcb\xbf\xee\xca\xb2\xc3\xb4\xca\xb1\xba\xf2\xb5\xbd\xd5\xcb\xa3\xbf", "\xcd\xf5\xce\xb0 <wang@qq.test>", "退款什么时候到账？", "王伟"},
		{"Shift_JIS", "Shift_JIS", "\x92\x8d\x95\xb6\x94\xd4\x8d\x86\x31\x32\x33\x34\x35", "\x8e\x52\x93\x63 <yamada@docomo.test>", "注文番号12345", "山田"},
		{"latin1 without a body charset", "", "Gr\xfc\xdfe aus K\xf6ln", "J\xfcrgen <j@t.test>", "Grüße aus Köln", "Jürgen"},
		{"UTF-8 as it is", "ISO-8859-1", "Caf\xc3\xa9", "Jos\xc3\xa9 <j@x.test>", "Café", "José"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctype := "text/plain"
			if tt.charset != "" {
				ctype += "; charset=" + tt.charset
			}
			m, err := Parse([]byte("From: " + tt.from + "\r\nSubject: " + tt.subject + "\r\nContent-Type: " + ctype + "\r\n\r\nx\r\n"))
			if err != nil {
				t.Fatal(err)
			}
			if m.Subject != tt.wantSubject || m.From.Name != tt.wantName {
				t.Errorf("Parse(%s) = subject %q, name %q; want %q, %q", tt.name, m.Subject, m.From.Name, tt.wantSubject, tt.wantName)
			}
		})
	}
}
