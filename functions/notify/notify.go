// Package notify sends agents' replies to customers by email. It consumes message.replied,
// builds the mail from the merchant's sender (shared/mail) and hands it to a Sender: SES in
// the cloud, the local outbox in `make dev`.
//
// Exactly once, as far as the customer can tell, is mark-then-send: a conditional write of a
// send marker keyed by the reply's entry id claims the email before it goes out, so a
// redelivered or concurrently delivered event finds the claim and sends nothing. A send the
// provider refused (mail.ErrRefused) certainly did not happen: the claim is released and the
// message retried. A send whose outcome is unknown (a timeout, a crash between claim and
// send) keeps its claim: its redeliveries fail, as "delivery unknown", until the queue moves
// the message to the DLQ, where the DLQ alarm surfaces it. The failure this leaves is one
// email possibly not sent, never one sent twice.
package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	lambdaevents "github.com/aws/aws-lambda-go/events"

	"github.com/borderdesk/borderdesk/events"
	"github.com/borderdesk/borderdesk/shared/consumer"
	"github.com/borderdesk/borderdesk/shared/dynamo"
	"github.com/borderdesk/borderdesk/shared/errs"
	"github.com/borderdesk/borderdesk/shared/mail"
	"github.com/borderdesk/borderdesk/shared/merchant"
	"github.com/borderdesk/borderdesk/shared/metrics"
)

// Sender sends one message and returns the provider's id for it. An error wrapping
// mail.ErrRefused means the message was certainly not sent.
type Sender interface {
	Send(ctx context.Context, m mail.Message) (string, error)
}

// Store is what notify needs of the table: the merchant, and the send markers.
type Store interface {
	GetMerchant(ctx context.Context, id string) (merchant.Merchant, error)
	ClaimSend(ctx context.Context, merchantID, entryID string, at time.Time) error
	SendState(ctx context.Context, merchantID, entryID string) (state, providerID string, err error)
	MarkSent(ctx context.Context, merchantID, entryID, providerID string, at time.Time) error
	ReleaseSend(ctx context.Context, merchantID, entryID string) error
}

var _ Store = (*dynamo.Store)(nil)

// Handler consumes notify's queue.
type Handler struct {
	store   Store
	sender  Sender
	now     func() time.Time
	log     *slog.Logger
	metrics metrics.Recorder
}

// Option configures a Handler.
type Option func(*Handler)

// Metrics counts each batch (metrics.Batch); without it nothing is counted.
func Metrics(rec metrics.Recorder) Option { return func(h *Handler) { h.metrics = metrics.Or(rec) } }

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

// Handle sends every message of the batch and reports the ones that failed. A message that
// can never succeed (undecodable, not a reply, no sender, no customer address) is logged with
// its id and failed, so it rests in the DLQ.
func (h *Handler) Handle(ctx context.Context, batch lambdaevents.SQSEvent) (lambdaevents.SQSEventResponse, error) {
	return consumer.Batch{Function: events.Notify, Now: h.now, Log: h.log, Metrics: h.metrics, Do: h.send}.Handle(ctx, batch), nil
}

func (h *Handler) send(ctx context.Context, ev events.Event, log *slog.Logger) error {
	if ev.Type != events.MessageReplied {
		log.Error("poison message: notify sends replies only")
		return fmt.Errorf("unexpected %s", ev.Type)
	}
	var r events.Reply
	if err := ev.Decode(&r); err != nil {
		log.Error("poison message: cannot decode reply", "err", err.Error())
		return err
	}
	log = log.With("ticket_id", r.TicketID, "entry_id", r.EntryID)
	m, err := h.store.GetMerchant(ctx, ev.MerchantID)
	if err != nil {
		log.Error("read merchant failed", "err", err.Error(), "poison", errs.Is(err, errs.NotFound))
		return err
	}
	out, err := mail.FromReply(m, r, ev.OccurredAt)
	if err != nil {
		// No sender configured, or no address to write to: the DLQ keeps it until fixed.
		log.Error("poison message: cannot build the email", "err", err.Error())
		return err
	}
	switch err := h.store.ClaimSend(ctx, ev.MerchantID, r.EntryID, h.now()); {
	case errs.Is(err, errs.Conflict):
		return h.claimed(ctx, log, ev.MerchantID, r.EntryID)
	case err != nil:
		log.Error("claim send failed; will retry", "err", err.Error())
		return err
	}
	id, err := h.sender.Send(ctx, out)
	if errors.Is(err, mail.ErrRefused) {
		log.Error("send refused; will retry", "err", err.Error(), "kind", string(errs.KindOf(err)))
		if rerr := h.store.ReleaseSend(ctx, ev.MerchantID, r.EntryID); rerr != nil {
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

// claimed handles a reply whose send was claimed before: acknowledged when it was sent,
// failed (toward the DLQ) while its outcome is unknown.
func (h *Handler) claimed(ctx context.Context, log *slog.Logger, merchantID, entryID string) error {
	state, id, err := h.store.SendState(ctx, merchantID, entryID)
	if err != nil {
		log.Error("read send marker failed; will retry", "err", err.Error())
		return err
	}
	if state == dynamo.SendDone {
		log.Info("duplicate: reply already sent", "provider_message_id", id)
		return nil
	}
	log.Error("delivery unknown: an earlier attempt claimed this reply and recorded no outcome; not sending again", "state", state)
	return errUnknown
}
