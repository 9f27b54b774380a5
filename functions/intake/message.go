package intake

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/language"

	"github.com/borderdesk/borderdesk/events"
	"github.com/borderdesk/borderdesk/shared/cors"
	"github.com/borderdesk/borderdesk/shared/dynamo"
	"github.com/borderdesk/borderdesk/shared/errs"
	"github.com/borderdesk/borderdesk/shared/httpjson"
	"github.com/borderdesk/borderdesk/shared/providers/provider"
	"github.com/borderdesk/borderdesk/shared/xray"
)

// InboundProvider is the receipt provider name of customer messages.
const InboundProvider = "inbound"

// MessageRequest is what a shop's web form or chat widget posts.
type MessageRequest struct {
	Email       string `json:"email"`
	Name        string `json:"name,omitempty"`
	OrderNumber string `json:"order_number,omitempty"`
	Subject     string `json:"subject,omitempty"`
	Text        string `json:"text"`
	// Language is the customer's language as the widget knows it (BCP 47); when absent, the
	// most preferred language of the browser's Accept-Language header is used.
	Language string `json:"language,omitempty"`
}

// maxLanguageTag is the longest language tag accepted: RFC 5646's recommended minimum
// buffer, which every tag a browser sends fits.
const maxLanguageTag = 35

// customerLanguage is the request's language as a canonical BCP 47 tag ("zh-cn" reads as
// "zh-CN"): the one said in the body, else the browser's most preferred in Accept-Language,
// else "" when neither says one we can read. "*" and "und" say none.
func customerLanguage(said, acceptLanguage string) string {
	if tag, err := language.Parse(said); said != "" && err == nil && known(tag) {
		return tag.String()
	}
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage) // sorted by preference
	if err != nil {
		return ""
	}
	for _, tag := range tags {
		if known(tag) {
			return tag.String()
		}
	}
	return ""
}

// known reports whether tag names a language itself: not "und" or private use (whose base
// x/text only guesses), nor "*" (read as "mul").
func known(tag language.Tag) bool {
	base, confidence := tag.Base()
	return confidence == language.Exact && base.String() != "mul"
}

func (r MessageRequest) validate() error {
	addr, err := mail.ParseAddress(r.Email)
	switch {
	case len(r.Email) > provider.MaxIDBytes: // the email may become a table key
		return errs.E(errs.Invalid, "email is over %d bytes", provider.MaxIDBytes)
	case err != nil || addr.Address != strings.TrimSpace(r.Email):
		return errs.E(errs.Invalid, "email must be an email address")
	case strings.TrimSpace(r.Text) == "":
		return errs.E(errs.Invalid, "text must not be empty")
	case utf8.RuneCountInString(r.Text) > MaxMessageText:
		return errs.E(errs.Invalid, "text is over %d characters", MaxMessageText)
	case len(r.OrderNumber) > 100 || len(r.Subject) > 200 || len(r.Name) > 200:
		return errs.E(errs.Invalid, "order_number, subject or name is too long")
	case r.Language != "" && !validLanguage(r.Language):
		return errs.E(errs.Invalid, "language must be a BCP 47 tag such as de or zh-CN")
	}
	return nil
}

func validLanguage(tag string) bool {
	_, err := language.Parse(tag)
	return len(tag) <= maxLanguageTag && err == nil
}

// fingerprint identifies the message for its Idempotency-Key: the fields as they are
// published, so the same message posted with its JSON laid out differently is the same
// message.
func (r MessageRequest) fingerprint() string {
	h := sha256.New()
	for _, field := range []string{normalEmail(r.Email), r.Name, strings.TrimSpace(r.OrderNumber), r.Subject, r.Text, r.Language} {
		fmt.Fprintf(h, "%d:%s,", len(field), field) // length-prefixed: no two messages collide
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

func normalEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// widgetCORS is what a shop's page may do cross-origin: post a message.
var widgetCORS = cors.Policy{
	Methods: []string{"POST"},
	Headers: []string{"Content-Type", "X-Borderdesk-Key", "Idempotency-Key"},
	MaxAge:  time.Hour,
}

// messagePreflight lets a browser on one of the merchant's shop origins post messages.
func (h *Handler) messagePreflight(w http.ResponseWriter, r *http.Request) {
	m, err := h.merchant(r.Context(), r.PathValue("merchantId"))
	if err != nil {
		httpjson.Fail(w, r, h.cfg.Log, err)
		return
	}
	widgetCORS.Preflight(w, r, cors.Allowed(r.Header.Get("Origin"), m.ShopOrigins))
}

// message accepts a customer message. The shop's publishable key is required (header
// X-Borderdesk-Key). A client that sends an Idempotency-Key gets exactly one message per key,
// however often it retries.
func (h *Handler) message(w http.ResponseWriter, r *http.Request) {
	merchantID := r.PathValue("merchantId")
	log := h.cfg.Log.With("merchant_id", merchantID, "provider", InboundProvider, "request_id", httpjson.RequestID(r), xray.Attr(xray.Header(r.Context())))
	t := h.tally(w, r, InboundProvider)
	defer t.record()
	w = t
	m, err := h.merchant(r.Context(), merchantID)
	if err != nil {
		httpjson.Fail(w, r, log, err)
		return
	}
	if origin := r.Header.Get("Origin"); origin != "" {
		if !cors.Allowed(origin, m.ShopOrigins) {
			httpjson.Fail(w, r, log, errs.E(errs.Unauthorized, "origin %s may not post messages for this merchant", origin))
			return
		}
		cors.Allow(w, r)
	}
	key := r.Header.Get("X-Borderdesk-Key")
	if key == "" || subtle.ConstantTimeCompare([]byte(key), []byte(m.PublishableKey)) != 1 {
		httpjson.Fail(w, r, log, errs.E(errs.Unauthorized, "missing or wrong publishable key (X-Borderdesk-Key)"))
		return
	}
	body, err := readBody(w, r, MaxMessageBytes)
	if err != nil {
		httpjson.Fail(w, r, log, err)
		return
	}
	var req MessageRequest
	if err := httpjson.Decode(bytes.NewReader(body), &req); err != nil {
		httpjson.Fail(w, r, log, err)
		return
	}
	if err := req.validate(); err != nil {
		httpjson.Fail(w, r, log, err)
		return
	}
	id := r.Header.Get("Idempotency-Key")
	if id == "" {
		id = h.cfg.NewID()
	} else if len(id) > 100 {
		httpjson.Fail(w, r, log, errs.E(errs.Invalid, "Idempotency-Key is over 100 characters"))
		return
	}
	now := h.cfg.Now()
	ev, err := events.New(events.MessageReceived, provider.EventID(InboundProvider, id, 0), merchantID, InboundProvider, id, now, events.Message{
		MessageID: id, Channel: "web",
		Customer: events.Customer{Email: normalEmail(req.Email), Name: req.Name},
		OrderID:  strings.TrimSpace(req.OrderNumber), Subject: req.Subject, Text: req.Text,
		Language: customerLanguage(req.Language, r.Header.Get("Accept-Language")),
	})
	if err != nil {
		httpjson.Fail(w, r, log, err)
		return
	}
	ev.CorrelationID = httpjson.RequestID(r)
	answer, err := h.accept(r.Context(), dynamo.Receipt{
		MerchantID: merchantID, Provider: InboundProvider, EventID: id, Type: string(events.MessageReceived),
		Body: body, ReceivedAt: now, Events: 1, Retain: h.cfg.Retain, Fingerprint: req.fingerprint(),
	}, []events.Event{ev})
	if errs.Is(err, errs.Unprocessable) {
		err = errs.Wrap(errs.Unprocessable, err, "Idempotency-Key was already used with a different message; send a new key for a new message")
	}
	if err != nil {
		httpjson.Fail(w, r, log, err)
		return
	}
	t.accepted(answer)
	log.Info("message "+answer.Status, "event_id", ev.ID)
	httpjson.Write(w, http.StatusAccepted, answer)
}
