package queue

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	lambdaevents "github.com/aws/aws-lambda-go/events"

	"github.com/borderdesk/borderdesk/events"
)

// ErrNoConsumer: no function in the topology consumes the event's detail-type, so the cloud
// bus would match no rule and drop it.
var ErrNoConsumer = errors.New("no consumer for detail-type")

// Bus is the local EventBridge bus: one rule per consumer, each targeting the consumer's
// queue, built from the topology. It is safe for concurrent use.
type Bus struct {
	source string
	clock  Clock
	routes map[events.DetailType][]*Queue
}

// BusOption configures a Bus.
type BusOption func(*Bus)

// WithSource sets the envelope's source ("borderdesk.<component>"); events.SourceIntake by
// default. Give each publishing function a Bus with its own source.
func WithSource(source string) BusOption { return func(b *Bus) { b.source = source } }

// WithClock sets the clock that stamps events without an OccurredAt; SystemClock by default.
func WithClock(c Clock) BusOption { return func(b *Bus) { b.clock = c } }

// NewBus routes every detail-type a function consumes to that function's queue. queues is
// keyed by function name and must hold exactly the topology's consuming functions.
func NewBus(topology []events.Function, queues map[string]*Queue, opts ...BusOption) (*Bus, error) {
	b := &Bus{source: events.SourceIntake, clock: SystemClock{}, routes: make(map[events.DetailType][]*Queue)}
	for _, o := range opts {
		o(b)
	}
	consumers := make(map[string]bool)
	for _, f := range topology {
		if len(f.Consumes) == 0 {
			continue
		}
		consumers[f.Name] = true
		q := queues[f.Name]
		if q == nil {
			return nil, fmt.Errorf("new bus: function %s consumes events but has no queue", f.Name)
		}
		for _, t := range f.Consumes {
			if !slices.Contains(b.routes[t], q) {
				b.routes[t] = append(b.routes[t], q)
			}
		}
	}
	for name := range queues {
		if !consumers[name] {
			return nil, fmt.Errorf("new bus: queue %s feeds no consuming function in the topology", name)
		}
	}
	return b, nil
}

// Publish delivers each event to the queue of every consumer of its type, wrapped as
// EventBridge delivers to an SQS target: the body is the EventBridge envelope whose detail is
// the event (decode it with events.FromSQS). FIFO queues group by the event's MerchantID, so
// one merchant's events are processed in order.
//
// Publish checks every event before it sends any, so a bad batch sends nothing; unlike
// PutEvents, which accepts the good entries of a batch, because here a bad event is a bug.
func (b *Bus) Publish(ctx context.Context, evs ...events.Event) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	bodies := make([]string, len(evs))
	for i, ev := range evs {
		qs := b.routes[ev.Type]
		if len(qs) == 0 {
			return fmt.Errorf("publish %s %s: %w", ev.Type, ev.ID, ErrNoConsumer)
		}
		body, err := b.envelope(ev)
		if err != nil {
			return fmt.Errorf("publish %s %s: %w", ev.Type, ev.ID, err)
		}
		if len(body) > MaxBodySize {
			return fmt.Errorf("publish %s %s: %d bytes: %w", ev.Type, ev.ID, len(body), ErrTooLarge)
		}
		for _, q := range qs {
			if q.cfg.FIFO && ev.MerchantID == "" {
				return fmt.Errorf("publish %s %s to FIFO queue %s: no merchant id: %w", ev.Type, ev.ID, q.name, ErrNoGroup)
			}
		}
		bodies[i] = body
	}
	var errs []error
	for i, ev := range evs {
		for _, q := range b.routes[ev.Type] {
			if _, err := q.Send(bodies[i], ev.MerchantID); err != nil {
				errs = append(errs, fmt.Errorf("publish %s %s: %w", ev.Type, ev.ID, err))
			}
		}
	}
	return errors.Join(errs...)
}

// envelope renders ev as the body EventBridge puts on an SQS target.
func (b *Bus) envelope(ev events.Event) (string, error) {
	detail, err := json.Marshal(ev)
	if err != nil {
		return "", fmt.Errorf("encode detail: %w", err)
	}
	at := ev.OccurredAt
	if at.IsZero() {
		at = b.clock.Now()
	}
	body, err := json.Marshal(lambdaevents.CloudWatchEvent{
		Version:    "0",
		ID:         newID(),
		DetailType: string(ev.Type),
		Source:     b.source,
		AccountID:  accountID,
		Time:       at.UTC().Truncate(time.Second), // EventBridge's time has whole seconds
		Region:     region,
		Resources:  []string{},
		Detail:     detail,
	})
	if err != nil {
		return "", fmt.Errorf("encode envelope: %w", err)
	}
	return string(body), nil
}
