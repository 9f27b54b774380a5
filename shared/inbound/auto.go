package inbound

import (
	"mime"
	"net/mail"
	"regexp"
	"strings"

	"github.com/jhillyerd/enmime/v2"
)

// autoReplySubject matches the subject an out-of-office or auto-responder gives its reply.
// Alone it proves nothing (a customer may forward one); it is the sign that makes Outlook's
// X-Auto-Response-Suppress mean an auto-reply.
var autoReplySubject = regexp.MustCompile(`(?i)^(?:` +
	`automatic reply|auto(?:matic)?[- ]?(?:reply|response)|out of (?:the )?office|ooo\b|away from|` +
	`automatische antwort|abwesenheit|abwesenheitsnotiz|` +
	`r[ée]ponse automatique|absence|absent|` +
	`respuesta autom[áa]tica|fuera de la oficina|` +
	`risposta automatica|fuori sede|resposta autom[áa]tica|` +
	`automatisch antwoord|afwezig|` +
	`自动回复|自動回覆|自動応答|自動返信|不在|자동 회신|부재` +
	`)`)

// automatic says why a mail is automatic — and so must never open a ticket nor be answered,
// or two auto-responders answer each other for ever — or "" for a person's mail. The checks go
// from the surest sign to the weakest, so the reason names the best one.
func automatic(env *enmime.Envelope, from mail.Address, subject string) string {
	h := env.Root.Header
	ctype, params, _ := mime.ParseMediaType(h.Get("Content-Type"))
	reportType := strings.ToLower(params["report-type"])
	if ctype != "multipart/report" {
		// A report may sit inside a multipart/mixed some gateways add.
		if r := env.Root.BreadthMatchFirst(func(p *enmime.Part) bool { return p.ContentType == "multipart/report" }); r != nil {
			ctype = r.ContentType
			reportType = strings.ToLower(r.ContentTypeParams["report-type"])
		}
	}
	if ctype == "multipart/report" {
		switch reportType {
		case "delivery-status":
			return "bounce: delivery status notification"
		case "feedback-report":
			return "feedback report: abuse complaint"
		case "disposition-notification":
			return "read receipt: disposition notification"
		case "":
			return "report"
		default:
			return "report: " + reportType
		}
	}
	// A report whose wrapper lost its type still carries its machine-readable part.
	if p := env.Root.BreadthMatchFirst(func(p *enmime.Part) bool {
		return p.ContentType == "message/feedback-report" || p.ContentType == "message/delivery-status"
	}); p != nil {
		if p.ContentType == "message/delivery-status" {
			return "bounce: delivery status notification"
		}
		return "feedback report: abuse complaint"
	}
	local, _, _ := strings.Cut(strings.ToLower(from.Address), "@")
	switch local {
	case "mailer-daemon", "postmaster":
		return "bounce: from " + local
	}
	if v := headerWord(h.Get("Auto-Submitted")); v != "" && v != "no" {
		return "auto-submitted: " + v
	}
	if h.Get("X-Autoreply") != "" {
		return "auto-reply: x-autoreply"
	}
	if h.Get("X-Autorespond") != "" {
		return "auto-reply: x-autorespond"
	}
	// Outlook sets X-Auto-Response-Suppress on ordinary mail too (to keep its own auto-replies
	// from answering it), so it only counts together with an auto-reply's subject.
	for _, v := range strings.Split(h.Get("X-Auto-Response-Suppress"), ",") {
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "all", "oof", "autoreply":
			if autoReplySubject.MatchString(subject) {
				return "auto-reply: out of office"
			}
		}
	}
	switch p := headerWord(h.Get("Precedence")); p {
	case "bulk", "junk", "list", "auto_reply":
		return "precedence: " + p
	}
	if id := strings.TrimSpace(env.GetHeader("List-Id")); id != "" {
		return "mailing list: " + oneLine(id)
	}
	if h.Get("List-Unsubscribe") != "" {
		return "mailing list: list-unsubscribe"
	}
	if rp, ok := h["Return-Path"]; ok && len(rp) > 0 && strings.TrimSpace(rp[0]) == "<>" {
		return "bounce: empty return path"
	}
	return ""
}

// headerWord is a header's value lower-cased without parameters or comments:
// "auto-replied; owner-email=…" → "auto-replied".
func headerWord(v string) string {
	v, _, _ = strings.Cut(v, ";")
	v, _, _ = strings.Cut(v, "(")
	return strings.ToLower(strings.TrimSpace(v))
}
