package intake

import (
	"bytes"
	"crypto/subtle"
	"net/http"
	"net/mail"
	"strings"
	"unicode/utf8"

	"github.com/borderdesk/borderdesk/events"
	"github.com/borderdesk/borderdesk/shared/dynamo"
	"github.com/borderdesk/borderdesk/shared/errs"
	"github.com/borderdesk/borderdesk/shared/httpjson"
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
}

func (r MessageRequest) validate() error {
	addr, err := mail.ParseAddress(r.Email)
	switch {
	case err != nil || addr.Address != strings.TrimSpace(r.Email):
		return errs.E(errs.Invalid, "email must be an email address")
	case strings.TrimSpace(r.Text) == "":
		return errs.E(errs.Invalid, "text must not be empty")
	case utf8.RuneCountInString(r.Text) > MaxMessageText:
		return errs.E(errs.Invalid, "text is over %d characters", MaxMessageText)
	case len(r.OrderNumber) > 100 || len(r.Subject) > 200 || len(r.Name) > 200:
		return errs.E(errs.Invalid, "order_number, subject or name is too long")
	}
	return nil
}

// message accepts a customer message. The shop's publishable key is required (header
// X-Borderdesk-Key). A client that sends an Idempotency-Key gets exactly one message per key,
// however often it retries.
func (h *Handler) message(w http.ResponseWriter, r *http.Request) {
	merchantID := r.PathValue("merchantId")
	log := h.cfg.Log.With("merchant_id", merchantID, "provider", InboundProvider, "request_id", requestID(r))
	m, err := h.merchants.get(r.Context(), merchantID)
	if err != nil {
		httpjson.Fail(w, r, log, err)
		return
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
	ev, err := events.New(events.MessageReceived, "ev_"+InboundProvider+"_"+id, merchantID, InboundProvider, id, now, events.Message{
		MessageID: id, Channel: "web",
		Customer: events.Customer{Email: strings.ToLower(strings.TrimSpace(req.Email)), Name: req.Name},
		OrderID:  strings.TrimSpace(req.OrderNumber), Subject: req.Subject, Text: req.Text,
	})
	if err != nil {
		httpjson.Fail(w, r, log, err)
		return
	}
	ev.CorrelationID = requestID(r)
	answer, err := h.accept(r, dynamo.Receipt{
		MerchantID: merchantID, Provider: InboundProvider, EventID: id, Type: string(events.MessageReceived),
		Body: body, ReceivedAt: now, Events: 1, Retain: h.cfg.Retain,
	}, []events.Event{ev})
	if err != nil {
		httpjson.Fail(w, r, log, err)
		return
	}
	log.Info("message "+answer.Status, "event_id", ev.ID)
	httpjson.Write(w, http.StatusAccepted, answer)
}
