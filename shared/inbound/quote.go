package inbound

import (
	"regexp"
	"strings"
)

// Quote folding works on lines. A reply is the customer's new text, then where the earlier
// mail begins: an attribution line ("On … wrote:"), Outlook's separator or header block, or a
// run of "> " lines that nothing new follows. A signature ("-- ", RFC 3676, or a phone's
// "Sent from my iPhone") ends the new text as well. Everything from the first of those on is
// Quoted. Inline replies — the customer's words between quoted lines — are not folded: the
// customer's words matter more than a tidy ticket.

// attribution matches the line a client writes above the quote, in the languages the shop's
// customers write in. Gmail may wrap a long one, so it is also tried on two lines joined.
var attribution = regexp.MustCompile(`(?i)^(?:` +
	`on\s.{1,250}\s(?:wrote|writes)\s?:` + // Gmail, Apple Mail, Thunderbird (en)
	`|am\s.{1,250}\sschrieb.{0,120}:` + // de
	`|le\s.{1,250}\sa\s[ée]crit\s?:` + // fr
	`|el\s.{1,250}\sescribi[óo]\s?:` + // es
	`|il\s.{1,250}\sha\sscritto\s?:` + // it
	`|em\s.{1,250}\sescreveu\s?:` + // pt
	`|op\s.{1,250}\s(?:schreef|geschreven)\s?.{0,80}:` + // nl
	`|.{1,250}\s(?:wrote|schrieb|a\sécrit|escribió)\s?:` + // "Shop <…> wrote:" and the like
	`|.{0,250}(?:写道|寫道)\s?[:：]` + // zh
	`|.{0,250}(?:のメッセージ|のメール|は書きました)\s?[:：]` + // ja
	`|\d{4}年\d{1,2}月\d{1,2}日.{0,200}[:：]` + // ja Gmail: "2026年12月1日(火) 10:00 Shop <…>:"
	`|.{0,250}(?:님이\s?작성|작성)\s?[:：]` + // ko
	`)\s*$`)

// separator matches Outlook's and others' line above a quoted original.
var separator = regexp.MustCompile(`(?i)^\s*(?:` +
	`-{2,}\s*(?:original message|ursprüngliche nachricht|message d'origine|mensaje original|messaggio originale|mensagem original|oorspronkelijk bericht|原始邮件|原始郵件|元のメッセージ|원본 메시지)\s*-{2,}` +
	`|-{5,}\s*(?:原始邮件|原始郵件)\s*-{5,}` +
	`)\s*$`)

// underline is Outlook's rule above its header block; it counts only when a header follows.
var underline = regexp.MustCompile(`^\s*_{10,}\s*$`)

// headerFrom and headerSent are the first lines of Outlook's header block of the quoted
// original: "From: … / Sent: …", "Von: … / Gesendet: …", "De : … / Envoyé : …",
// "发件人: … / 发送时间: …" and others. The block counts only when both are there, a few lines
// apart, so a customer writing "From: my account page" is not folded.
var (
	headerFrom = regexp.MustCompile(`(?i)^\s*\*?(?:from|von|de|da|van|od|от|发件人|寄件者|差出人|보낸 사람)\s?\*?\s?[:：]`)
	headerSent = regexp.MustCompile(`(?i)^\s*\*?(?:sent|date|gesendet|datum|envoyé|date d'envoi|enviado|fecha|inviato|data|verzonden|wysłano|отправлено|发送时间|日期|時間|寄件日期|送信日時|日付|보낸 날짜)\s?\*?\s?[:：]`)
)

// signature matches a line that starts the sender's signature.
var signature = regexp.MustCompile(`(?i)^(?:` +
	`--\s?` + // RFC 3676 "-- ", and "--" from clients that trim the space
	`|(?:sent|get outlook) (?:from|for) (?:my )?(?:iphone|ipad|android|samsung.*|galaxy.*|mobile.*|outlook.*|mail for windows.*|blackberry.*|huawei.*|xiaomi.*)` +
	`|von meinem (?:iphone|ipad|samsung.*|smartphone|mobiltelefon|huawei.*).{0,20}gesendet` +
	`|envoy[ée] de mon (?:iphone|ipad|smartphone|samsung.*|mobile)` +
	`|enviado desde mi (?:iphone|ipad|smartphone|samsung.*|móvil|celular)` +
	`|inviato da (?:iphone|ipad)` +
	`|从我的\s?(?:iphone|ipad|手机)发送` + `|发自我的\s?(?:iphone|ipad|手机)` +
	`|iphoneから送信` + `|ipadから送信` +
	`|나의 iphone에서 보냄` +
	`)\s*$`)

// fold splits text into the new text and the quoted rest (earlier mail and signature), both
// trimmed. When folding would leave no new text, the whole text is the new text.
func fold(text string) (newText, quoted string) { return foldText(text, false) }

// foldText is fold; quoteCut says the quote itself was already cut from the end of text (the
// HTML's blockquote), so an attribution line that ends text still introduces it.
func foldText(text string, quoteCut bool) (newText, quoted string) {
	text = strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\r", "\n")
	lines := strings.Split(text, "\n")
	cut := quoteStart(lines, quoteCut)
	if sig := signatureStart(lines[:cut]); sig >= 0 {
		cut = sig
	}
	newText = strings.TrimSpace(strings.Join(lines[:cut], "\n"))
	quoted = strings.TrimSpace(strings.Join(lines[cut:], "\n"))
	if newText == "" {
		return strings.TrimSpace(text), ""
	}
	return newText, quoted
}

// quoteStart returns the index of the first line of the quoted earlier mail, or len(lines).
// It is one pass: the patterns run only on short lines that can match them (an attribution or
// a header field ends or has a colon, a separator has dashes or underscores), and whether only
// quotes follow a line is known from one backward pass, so a mail of a million quoted lines
// costs a million cheap steps.
func quoteStart(lines []string, quoteCut bool) int {
	// nextWords[i] is the first line at or after i that is neither blank nor quoted.
	nextWords := make([]int, len(lines)+1)
	nextWords[len(lines)] = len(lines)
	for i := len(lines) - 1; i >= 0; i-- {
		if t := strings.TrimSpace(lines[i]); t == "" || isQuoted(t) {
			nextWords[i] = nextWords[i+1]
		} else {
			nextWords[i] = i
		}
	}
	last := len(lines) - 1
	for last >= 0 && strings.TrimSpace(lines[last]) == "" {
		last--
	}
	// onlyQuotesFrom reports whether from line i on there are only quoted lines, blank lines
	// and a signature: a trailing quote, not an inline reply.
	onlyQuotesFrom := func(i int) bool {
		k := nextWords[i]
		return k == len(lines) || isSignatureLine(lines[k], k >= last-1)
	}
	for i, l := range lines {
		t := strings.TrimSpace(l)
		if t == "" || len(t) > 400 {
			continue
		}
		if isQuoted(t) {
			if onlyQuotesFrom(i) {
				return i
			}
			continue
		}
		if strings.Contains(t, "--") && separator.MatchString(t) {
			return i
		}
		if strings.HasPrefix(t, "____") && underline.MatchString(t) && outlookHeaderAt(lines, i+1) {
			return i
		}
		colon := strings.ContainsAny(t, ":：")
		if colon && outlookHeaderAt(lines, i) {
			return i
		}
		if endsWithColon(t) && isAttribution(t) && (quoteCut || nextWords[i+1] < len(lines) || quoteFollows(lines, i+1)) {
			return i
		}
		if i+1 < len(lines) {
			next := strings.TrimSpace(lines[i+1])
			if two := t + " " + next; endsWithColon(next) && !isQuoted(next) && len(two) <= 400 &&
				isAttribution(two) && (quoteCut || quoteFollows(lines, i+2)) {
				return i
			}
		}
	}
	return len(lines)
}

// isAttribution reports whether t is a client's attribution line. One in a Latin script must
// also carry a date or an address, as every client's does: "As I already wrote:" is the
// customer's own words.
func isAttribution(t string) bool {
	if !attribution.MatchString(t) {
		return false
	}
	for _, r := range t {
		if isCJK(r) {
			return true
		}
	}
	return strings.ContainsAny(t, "0123456789@")
}

func endsWithColon(t string) bool { return strings.HasSuffix(t, ":") || strings.HasSuffix(t, "：") }

// outlookHeaderAt reports whether lines[i] starts a "From: … Sent: …" block (a blank line may
// stand before it).
func outlookHeaderAt(lines []string, i int) bool {
	for i < len(lines) && strings.TrimSpace(lines[i]) == "" {
		i++
	}
	if i >= len(lines) || !headerFrom.MatchString(lines[i]) {
		return false
	}
	for j := i + 1; j < len(lines) && j <= i+3; j++ {
		if headerSent.MatchString(lines[j]) {
			return true
		}
	}
	return false
}

// quoteFollows reports whether quoted text follows an attribution line: "> " lines, or
// anything at all — a client that quotes without markers (Outlook-like top posting under an
// "On … wrote:") still puts the earlier mail there.
func quoteFollows(lines []string, i int) bool {
	for ; i < len(lines); i++ {
		if t := strings.TrimSpace(lines[i]); t != "" {
			return true
		}
	}
	return false
}

func isQuoted(trimmed string) bool { return strings.HasPrefix(trimmed, ">") }

// signatureStart returns the index of the line that starts a signature, or -1. A phone's
// one-line signature counts only near the end (it is the last words before the quote); "-- "
// counts anywhere, as RFC 3676 defines it.
func signatureStart(lines []string) int {
	last := len(lines) - 1
	for last >= 0 && strings.TrimSpace(lines[last]) == "" {
		last--
	}
	for i := 0; i <= last; i++ {
		if isSignatureLine(lines[i], i >= last-1) {
			return i
		}
	}
	return -1
}

// isSignatureLine reports whether line starts a signature; nearEnd says whether it is among
// the last two lines of words, where a phone's one-line signature stands.
func isSignatureLine(line string, nearEnd bool) bool {
	l := strings.TrimRight(line, "\r")
	if l == "-- " || l == "--" {
		return true
	}
	return nearEnd && len(l) < 100 && signature.MatchString(strings.TrimSpace(l))
}
