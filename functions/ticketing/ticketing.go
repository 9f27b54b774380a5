// Package ticketing turns catalog events into tickets: it opens a ticket for an event, or
// adds the event to the ticket still open for the same order. Delivery is at least once and
// in any order; applying an event is idempotent and the end state does not depend on order.
package ticketing

import (
	"context"
	"log/slog"
	"time"

	lambdaevents "github.com/aws/aws-lambda-go/events"

	"github.com/borderdesk/borderdesk/events"
	"github.com/borderdesk/borderdesk/shared/consumer"
	"github.com/borderdesk/borderdesk/shared/dynamo"
	"github.com/borderdesk/borderdesk/shared/metrics"
	"github.com/borderdesk/borderdesk/shared/ticket"
)

// Store is what ticketing needs of the table.
type Store interface {
	ApplyFact(ctx context.Context, f ticket.Fact, newID func() string) (dynamo.Outcome, error)
	DrainParked(ctx context.Context, merchantID, ticketID string, now time.Time, newID func() string) (int, error)
}

var _ Store = (*dynamo.Store)(nil)

// Handler consumes ticketing's queue.
type Handler struct {
	store   Store
	now     func() time.Time
	log     *slog.Logger
	metrics metrics.Recorder
}

// Option configures a Handler.
type Option func(*Handler)

// Metrics counts each batch's processed and failed items and how old its oldest message is
// (metrics.Batch); without it nothing is counted.
func Metrics(rec metrics.Recorder) Option { return func(h *Handler) { h.metrics = metrics.Or(rec) } }

// New returns ticketing's SQS handler.
func New(store Store, now func() time.Time, log *slog.Logger, opts ...Option) *Handler {
	h := &Handler{store: store, now: now, log: log, metrics: metrics.Discard}
	for _, o := range opts {
		o(h)
	}
	return h
}

// Handle applies every message of the batch and reports the ones that failed, so only
// those are retried. A message that can never succeed (undecodable, no rule, nothing to file
// it under) is logged with its id and reported failed too: after the queue's maxReceiveCount
// it rests in the DLQ, where nothing is lost and an engineer can redrive it.
func (h *Handler) Handle(ctx context.Context, batch lambdaevents.SQSEvent) (lambdaevents.SQSEventResponse, error) {
	return consumer.Batch{Function: events.Ticketing, Now: h.now, Log: h.log, Metrics: h.metrics, Do: h.apply}.Handle(ctx, batch), nil
}

func (h *Handler) apply(ctx context.Context, ev events.Event, log *slog.Logger) error {
	f, err := ticket.Read(ev)
	if err != nil {
		log.Error("poison message: cannot file event", "err", err.Error())
		return err
	}
	newID := func() string { return ticket.NewID(h.now()) }
	f.ArrivedAt = h.now()
	out, err := h.store.ApplyFact(ctx, f, newID)
	if err != nil {
		log.Error("apply event failed; will retry", "err", err.Error())
		return err
	}
	log.Info("event applied", "ticket_id", out.TicketID, "action", string(out.Action), "opened", out.Opened,
		"merged", out.Merged, "duplicate", out.Duplicate)
	// Events parked under the references the ticket took now join it, however many. A
	// redelivery drains too: it may be the retry of a drain that failed halfway, and the
	// message is only acknowledged once nothing is left behind.
	if out.TicketID != "" && (out.Backlog || out.Duplicate) {
		n, err := h.store.DrainParked(ctx, ev.MerchantID, out.TicketID, h.now(), newID)
		if err != nil {
			log.Error("drain parked events failed; will retry", "ticket_id", out.TicketID, "drained", n, "err", err.Error())
			return err
		}
		if n > 0 {
			log.Info("parked events joined", "ticket_id", out.TicketID, "drained", n)
		}
	}
	return nil
}
