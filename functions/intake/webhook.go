package intake

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/borderdesk/borderdesk/events"
	"github.com/borderdesk/borderdesk/shared/dynamo"
	"github.com/borderdesk/borderdesk/shared/errs"
	"github.com/borderdesk/borderdesk/shared/httpjson"
	"github.com/borderdesk/borderdesk/shared/xray"
)

// Answer is intake's success body.
type Answer struct {
	Status  string `json:"status"` // accepted, archived, duplicate
	EventID string `json:"event_id,omitempty"`
	Events  int    `json:"events,omitempty"`
}

func (h *Handler) webhook(w http.ResponseWriter, r *http.Request) {
	merchantID, name := r.PathValue("merchantId"), r.PathValue("provider")
	log := h.cfg.Log.With("merchant_id", merchantID, "provider", name, "request_id", httpjson.RequestID(r), xray.Attr(xray.Header(r.Context())))
	t := h.tally(w, r, name)
	defer t.record()
	w = t
	p, ok := h.providers[name]
	if !ok {
		httpjson.Fail(w, r, log, errs.E(errs.NotFound, "unknown provider %q", name))
		return
	}
	if _, err := h.merchant(r.Context(), merchantID); err != nil {
		httpjson.Fail(w, r, log, err)
		return
	}
	body, err := readBody(w, r, MaxWebhookBytes)
	if err != nil {
		httpjson.Fail(w, r, log, err)
		return
	}
	secrets, err := h.secrets.get(r.Context(), merchantID)
	if err != nil {
		httpjson.Fail(w, r, log, err)
		return
	}
	now := h.cfg.Now()
	if err := p.Verify(r.Header, body, secrets.For(name), now); err != nil {
		httpjson.Fail(w, r, log, err)
		return
	}
	parsed, err := p.Parse(merchantID, body)
	if err != nil {
		httpjson.Fail(w, r, log, err)
		return
	}
	log = log.With("provider_event_id", parsed.EventID, "provider_type", parsed.Type)
	for i := range parsed.Events {
		parsed.Events[i].CorrelationID = httpjson.RequestID(r)
	}
	if err := publishable(parsed.Events); err != nil {
		httpjson.Fail(w, r, log, err)
		return
	}
	answer, err := h.accept(r.Context(), dynamo.Receipt{
		MerchantID: merchantID, Provider: name, EventID: parsed.EventID, Type: parsed.Type,
		Body: body, ReceivedAt: now, Events: len(parsed.Events), Retain: h.cfg.Retain,
	}, parsed.Events)
	if err != nil {
		httpjson.Fail(w, r, log, err)
		return
	}
	t.accepted(answer)
	log.Info("webhook "+answer.Status, "events", len(parsed.Events))
	httpjson.Write(w, http.StatusOK, answer)
}

// maxEntryBytes is EventBridge's limit on one PutEvents entry: its detail, detail-type,
// source and time.
const maxEntryBytes = 256 << 10

// publishable refuses, before anything is stored, events the bus could never carry: a
// verified webhook whose free text (a carrier scan, a failure message) makes an event over
// EventBridge's limit would otherwise be stored and answered 503 on every delivery.
func publishable(evs []events.Event) error {
	for _, e := range evs {
		detail, err := json.Marshal(e)
		if err != nil {
			return errs.Wrap(errs.Invalid, err, "webhook maps to an event that cannot be encoded")
		}
		if n := len(detail) + len(e.Type) + len(events.SourceIntake) + len(time.RFC3339); n > maxEntryBytes {
			return errs.E(errs.TooLarge, "webhook maps to an event of %d bytes, over the bus's 256 KB", n)
		}
	}
	return nil
}

// accept records the receipt and publishes its events: the one path shared by webhooks,
// customer messages and mail. A receipt already published is a duplicate; one stored but
// never published (the bus failed) is published again when the sender retries.
func (h *Handler) accept(ctx context.Context, rc dynamo.Receipt, evs []events.Event) (Answer, error) {
	if err := h.keepBody(ctx, &rc); err != nil {
		return Answer{}, err
	}
	err := h.cfg.Store.RecordReceipt(ctx, rc)
	if errs.Is(err, errs.Conflict) {
		return Answer{Status: "duplicate", EventID: rc.EventID}, nil
	}
	if err != nil {
		return Answer{}, err
	}
	if len(evs) > 0 {
		if err := h.cfg.Bus.Publish(ctx, evs...); err != nil {
			return Answer{}, errs.Wrap(errs.Transient, err, "could not publish; please retry")
		}
		h.published(len(evs))
	}
	if err := h.cfg.Store.MarkPublished(ctx, rc.MerchantID, rc.Provider, rc.EventID, h.cfg.Now()); err != nil {
		// The events are on the bus; a retry would publish them again, which consumers
		// absorb. Acknowledge rather than make the sender retry.
		h.cfg.Log.Warn("mark published failed", "merchant_id", rc.MerchantID, "provider_event_id", rc.EventID, "err", err.Error())
	}
	if len(evs) == 0 {
		return Answer{Status: "archived", EventID: rc.EventID}, nil
	}
	return Answer{Status: "accepted", EventID: rc.EventID, Events: len(evs)}, nil
}

// keepBody moves a body over MaxInlineBody out of the receipt into the body store, before
// the receipt is written, so a recorded receipt never points at nothing. The key names the
// body's digest too: a redelivery of the same body rewrites the same object, and a different
// body under the same event id never replaces the first. Objects a duplicate leaves behind
// expire with the bucket's lifecycle, as their receipts do.
func (h *Handler) keepBody(ctx context.Context, rc *dynamo.Receipt) error {
	if len(rc.Body) <= MaxInlineBody {
		return nil
	}
	if h.cfg.Bodies == nil {
		return errs.E(errs.TooLarge, "body is over %d bytes", MaxInlineBody)
	}
	sum := sha256.Sum256(rc.Body)
	key := url.PathEscape(rc.MerchantID) + "/" + url.PathEscape(rc.Provider) + "/" +
		base64.RawURLEncoding.EncodeToString([]byte(rc.EventID)) + "/" + hex.EncodeToString(sum[:])
	bucket, err := h.cfg.Bodies.PutBody(ctx, key, rc.Body)
	if err != nil {
		return err
	}
	rc.Body, rc.BodyBucket, rc.BodyKey = nil, bucket, key
	return nil
}

func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return nil, errs.E(errs.TooLarge, "body is over %d bytes", limit)
	case err != nil:
		return nil, errs.Wrap(errs.Invalid, err, "could not read body")
	}
	return body, nil
}
