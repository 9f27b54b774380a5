// Package notify sends agents' replies to customers by email and follows what became of
// each. It consumes message.replied, builds the mail from the merchant's sender (shared/mail)
// and hands it to a Sender: SES in the cloud, the local outbox in `make dev`. The same queue
// brings SES's delivery events for the mail it sent (delivery.go).
//
// Exactly once, as far as the customer can tell, is mark-then-send: a conditional write of a
// send marker keyed by the reply's entry id claims the email before it goes out, so a
// redelivered or concurrently delivered event finds the claim and sends nothing. A send the
// provider refused (mail.ErrRefused) certainly did not happen: the claim becomes a failure
// that says so (a retry may claim it again) and the message is retried, after a backoff that doubles with each receive (30 s, 1 min, 2 min, 4 min
// with the queue's five receives; capped at 15 min, so five receives stay far within the
// queue's retention). A send whose outcome is unknown (a timeout, a crash between claim and
// send) keeps its claim: its redeliveries fail, as "delivery unknown", until the queue moves
// the message to the DLQ, where the DLQ alarm surfaces it. The failure this leaves is one
// email possibly not sent, never one sent twice.
//
// A reply that will not be sent says why on its marker, state "failed" with a reason the
// console shows:
//   - to an address the merchant's suppression list holds (it bounced permanently, or its
//     owner complained): nothing is sent and the message is acknowledged — retrying would
//     not help and the DLQ would only page someone about a customer who cannot be mailed;
//   - when the merchant has no sender address or the customer no address: the message still
//     fails toward the DLQ as before, because an operator can fix the cause and redrive it.
//     Such a marker has no provider id, so it does not block the claim of that redrive.
package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	netmail "net/mail"
	"time"

	lambdaevents "github.com/aws/aws-lambda-go/events"

	"github.com/borderdesk/borderdesk/events"
	"github.com/borderdesk/borderdesk/shared/consumer"
	"github.com/borderdesk/borderdesk/shared/dynamo"
	"github.com/borderdesk/borderdesk/shared/errs"
	"github.com/borderdesk/borderdesk/shared/mail"
	"github.com/borderdesk/borderdesk/shared/merchant"
	"github.com/borderdesk/borderdesk/shared/metrics"
	"github.com/borderdesk/borderdesk/shared/ses"
)

// Sender sends one message, tagged with the reply it carries, and returns the provider's id
// for it. An error wrapping mail.ErrRefused means the message was certainly not sent.
type Sender interface {
	Send(ctx context.Context, m mail.Message, ref ses.Ref) (string, error)
}

var _ Sender = (*ses.Sender)(nil)

// Store is what notify needs of the table: the merchant, the send markers and the
// suppression list.
type Store interface {
	GetMerchant(ctx context.Context, id string) (merchant.Merchant, error)
	ClaimSend(ctx context.Context, merchantID, entryID string, at time.Time) error
	SendState(ctx context.Context, merchantID, entryID string) (state, providerID string, err error)
	MarkSent(ctx context.Context, merchantID, entryID, providerID string, at time.Time) error
	ReleaseSend(ctx context.Context, merchantID, entryID, reason string, at time.Time) error
	FailSend(ctx context.Context, merchantID, entryID, reason string, at time.Time) error
	Delivery(ctx context.Context, merchantID, entryID string) (dynamo.Delivery, error)
	SetDelivery(ctx context.Context, merchantID, entryID, from string, d dynamo.Delivery) error
	Suppress(ctx context.Context, merchantID string, sup dynamo.Suppression) error
	Suppressed(ctx context.Context, merchantID, address string) (dynamo.Suppression, error)
}

var _ Store = (*dynamo.Store)(nil)

// RetryBackoff is how long a failed send waits before its retry, by receive count.
var RetryBackoff = consumer.Backoff{Base: 30 * time.Second, Max: 15 * time.Minute}

// Handler consumes notify's queue.
type Handler struct {
	store   Store
	sender  Sender
	now     func() time.Time
	log     *slog.Logger
	metrics metrics.Recorder
	vis     consumer.Visibility
}

// Option configures a Handler.
type Option func(*Handler)

// Metrics counts each batch (metrics.Batch); without it nothing is counted.
func Metrics(rec metrics.Recorder) Option { return func(h *Handler) { h.metrics = metrics.Or(rec) } }

// Backoff retries failed sends after RetryBackoff through vis; without it they are retried
// after the queue's visibility timeout.
func Backoff(vis consumer.Visibility) Option { return func(h *Handler) { h.vis = vis } }

// New returns notify's SQS handler.
func New(store Store, sender Sender, now func() time.Time, log *slog.Logger, opts ...Option) *Handler {
	h := &Handler{store: store, sender: sender, now: now, log: log, metrics: metrics.Discard}
	for _, o := range opts {
		o(h)
	}
	return h
}

// errUnknown is a redelivered reply whose earlier send has no recorded outcome.
var errUnknown = errors.New("delivery unknown")

// Handle sends every reply of the batch, applies every SES delivery event, and reports the
// messages that failed. A message that can never succeed (undecodable, not a reply, no
// sender, no customer address) is logged with its id and failed, so it rests in the DLQ.
func (h *Handler) Handle(ctx context.Context, batch lambdaevents.SQSEvent) (lambdaevents.SQSEventResponse, error) {
	return consumer.Batch{
		Function: events.Notify, Now: h.now, Log: h.log, Metrics: h.metrics, Do: h.send, Raw: h.delivery,
		Visibility: h.vis, Backoff: RetryBackoff,
	}.Handle(ctx, batch), nil
}

func (h *Handler) send(ctx context.Context, ev events.Event, log *slog.Logger) error {
	if ev.Type != events.MessageReplied {
		log.Error("poison message: notify sends replies only")
		return errs.E(errs.Invalid, "unexpected %s", ev.Type)
	}
	var r events.Reply
	if err := ev.Decode(&r); err != nil {
		log.Error("poison message: cannot decode reply", "err", err.Error())
		return errs.Wrap(errs.Invalid, err, "decode reply")
	}
	log = log.With("ticket_id", r.TicketID, "entry_id", r.EntryID)
	m, err := h.store.GetMerchant(ctx, ev.MerchantID)
	if err != nil {
		log.Error("read merchant failed", "err", err.Error(), "poison", errs.Is(err, errs.NotFound))
		return err
	}
	out, err := mail.FromReply(m, r, ev.OccurredAt)
	if err != nil {
		// No sender configured, or no address to write to: the DLQ keeps it until fixed, and
		// the marker says why meanwhile.
		log.Error("poison message: cannot build the email", "err", err.Error())
		if r.EntryID != "" {
			if ferr := h.store.FailSend(ctx, ev.MerchantID, r.EntryID, unbuildable(m, r, err), h.now()); ferr != nil && !errs.Is(ferr, errs.Conflict) {
				log.Error("record why the reply cannot be sent failed", "err", ferr.Error())
			}
		}
		return err
	}
	switch sup, err := h.store.Suppressed(ctx, ev.MerchantID, out.To.Address); {
	case err == nil:
		return h.suppressed(ctx, log, ev.MerchantID, r.EntryID, sup)
	case !errs.Is(err, errs.NotFound):
		log.Error("read suppression list failed; will retry", "err", err.Error())
		return err
	}
	switch err := h.store.ClaimSend(ctx, ev.MerchantID, r.EntryID, h.now()); {
	case errs.Is(err, errs.Conflict):
		return h.claimed(ctx, log, ev.MerchantID, r.EntryID)
	case err != nil:
		log.Error("claim send failed; will retry", "err", err.Error())
		return err
	}
	id, err := h.sender.Send(ctx, out, ses.Ref{MerchantID: ev.MerchantID, TicketID: r.TicketID, EntryID: r.EntryID})
	if errors.Is(err, mail.ErrRefused) {
		log.Error("send refused; will retry", "err", err.Error(), "kind", string(errs.KindOf(err)))
		if rerr := h.store.ReleaseSend(ctx, ev.MerchantID, r.EntryID, retryReason(err), h.now()); rerr != nil {
			log.Error("release send claim failed: redeliveries will report delivery unknown", "err", rerr.Error())
		}
		return err
	}
	if err != nil {
		log.Error("send outcome unknown: the claim stays, so this reply is not sent again; check the provider before redriving",
			"err", err.Error())
		return err
	}
	if err := h.store.MarkSent(ctx, ev.MerchantID, r.EntryID, id, h.now()); err != nil {
		// It was sent: acknowledge it. The claim stays, so a redelivery sends nothing.
		log.Error("reply sent but not marked sent", "provider_message_id", id, "err", err.Error())
	}
	log.Info("reply sent", "provider_message_id", id, "mail_message_id", out.MessageID)
	return nil
}

// suppressed records that a reply to a suppressed address is not sent, and acknowledges it.
func (h *Handler) suppressed(ctx context.Context, log *slog.Logger, merchantID, entryID string, sup dynamo.Suppression) error {
	reason := suppressedReason(sup, h.now())
	switch err := h.store.FailSend(ctx, merchantID, entryID, reason, h.now()); {
	case errs.Is(err, errs.Conflict):
		// Claimed or sent before the address was suppressed: that send stands as it was.
		return h.claimed(ctx, log, merchantID, entryID)
	case err != nil:
		log.Error("record suppressed reply failed; will retry", "err", err.Error())
		return err
	}
	log.Warn("reply not sent: the address is on the merchant's suppression list", "why", sup.Why, "since", sup.At)
	return nil
}

// claimed handles a reply whose send was claimed before: acknowledged when it was sent (or
// SES has reported on it since), failed (toward the DLQ) while its outcome is unknown.
func (h *Handler) claimed(ctx context.Context, log *slog.Logger, merchantID, entryID string) error {
	state, id, err := h.store.SendState(ctx, merchantID, entryID)
	if err != nil {
		log.Error("read send marker failed; will retry", "err", err.Error())
		return err
	}
	if state != dynamo.SendClaimed {
		log.Info("duplicate: reply already sent", "provider_message_id", id, "state", state)
		return nil
	}
	log.Error("delivery unknown: an earlier attempt claimed this reply and recorded no outcome; not sending again", "state", state)
	return errUnknown
}

// unbuildable says in plain words why a reply's email cannot be built.
func unbuildable(m merchant.Merchant, r events.Reply, err error) string {
	if _, perr := netmail.ParseAddress(m.Sender.Address); perr != nil {
		return "not sent: the shop has no sender address configured"
	}
	if _, perr := netmail.ParseAddress(r.Customer.Email); perr != nil {
		return "not sent: the customer has no usable email address"
	}
	return fmt.Sprintf("not sent: %s", errs.Message(err))
}

// retryReason is what the console shows on a reply whose send the provider refused while
// its message waits to be retried (and, should every retry be refused, rests in the DLQ).
func retryReason(err error) string {
	return fmt.Sprintf("not sent yet: the mail service refused it (%s); retrying with backoff", errs.Message(err))
}
