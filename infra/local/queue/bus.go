package queue

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	lambdaevents "github.com/aws/aws-lambda-go/events"

	"github.com/borderdesk/borderdesk/events"
)

// ErrNotEmitted: no function of the topology declares that it publishes the event's
// detail-type as the publishing source. In the cloud such an event would be archived and
// reach no rule; here it is refused, because it is a bug in the topology or the publisher.
var ErrNotEmitted = errors.New("source does not emit this detail-type in the topology")

// route is what a bus rule matches: the envelope's source and detail-type.
type route struct {
	source string
	typ    events.DetailType
}

// Bus is the local EventBridge bus: one rule per consumer per emitting source, each targeting
// the consumer's queue, built from events.Subscriptions exactly as the CDK stack builds its
// rules. It is safe for concurrent use.
type Bus struct {
	source string
	clock  Clock
	log    *slog.Logger
	// routes are the queues each (source, detail-type) reaches; emitted holds every pair the
	// topology declares, consumed or not.
	routes  map[route][]*Queue
	emitted map[route]bool
	// aws are the queues each AWS service's (source, detail-type) reaches, from the
	// topology's AWSEvents (events.AWSSubscriptions), as the cloud's default-bus rules.
	aws map[route][]*Queue
}

// BusOption configures a Bus.
type BusOption func(*Bus)

// WithSource sets the envelope's source ("borderdesk.<component>") of Publish;
// events.SourceIntake by default. As and PublishAs publish as another.
func WithSource(source string) BusOption { return func(b *Bus) { b.source = source } }

// WithClock sets the clock that stamps events without an OccurredAt; SystemClock by default.
func WithClock(c Clock) BusOption { return func(b *Bus) { b.clock = c } }

// WithLogger sets where the bus notes events that match no rule; discarded by default.
func WithLogger(l *slog.Logger) BusOption { return func(b *Bus) { b.log = l } }

// NewBus routes every (source, detail-type) of topology's subscriptions to the consumer's
// queue. queues is keyed by function name and must hold exactly the topology's consuming
// functions.
func NewBus(topology []events.Function, queues map[string]*Queue, opts ...BusOption) (*Bus, error) {
	b := &Bus{
		source: events.SourceIntake, clock: SystemClock{}, log: slog.New(slog.DiscardHandler),
		routes: make(map[route][]*Queue), emitted: make(map[route]bool), aws: make(map[route][]*Queue),
	}
	for _, o := range opts {
		o(b)
	}
	for _, f := range topology {
		if (len(f.Consumes) > 0 || len(f.AWSEvents) > 0) && queues[f.Name] == nil {
			return nil, fmt.Errorf("new bus: function %s consumes events but has no queue", f.Name)
		}
		for _, t := range f.Emits {
			b.emitted[route{f.Source(), t}] = true
		}
	}
	for name := range queues {
		if !slices.ContainsFunc(topology, func(f events.Function) bool {
			return f.Name == name && (len(f.Consumes) > 0 || len(f.AWSEvents) > 0)
		}) {
			return nil, fmt.Errorf("new bus: queue %s feeds no consuming function in the topology", name)
		}
	}
	for _, s := range events.Subscriptions(topology) {
		q := queues[s.Consumer]
		for _, t := range s.DetailTypes {
			if r := (route{s.Source, t}); !slices.Contains(b.routes[r], q) {
				b.routes[r] = append(b.routes[r], q)
			}
		}
	}
	for _, s := range events.AWSSubscriptions(topology) {
		q := queues[s.Consumer]
		for _, t := range s.DetailTypes {
			if r := (route{s.Source, t}); !slices.Contains(b.aws[r], q) {
				b.aws[r] = append(b.aws[r], q)
			}
		}
	}
	return b, nil
}

// ErrNotAWS: PublishAWS was given one of Borderdesk's own sources, which Publish checks
// against the catalog.
var ErrNotAWS = errors.New("not an AWS service's source")

// PublishAWS puts an event of an AWS service on the bus as that service would on the
// account's default bus — source ("aws.ses"), detail-type ("Email Bounced") and the service's
// own detail JSON — and delivers it to the queue of every function whose AWSEvents take it.
// One that no function takes matches no rule and is dropped, as EventBridge drops it.
func (b *Bus) PublishAWS(ctx context.Context, source, detailType string, detail json.RawMessage) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if strings.HasPrefix(source, "borderdesk.") {
		return fmt.Errorf("publish %s as %s: %w", detailType, source, ErrNotAWS)
	}
	if !json.Valid(detail) {
		return fmt.Errorf("publish %s %s: detail is not JSON", source, detailType)
	}
	qs := b.aws[route{source, events.DetailType(detailType)}]
	if len(qs) == 0 {
		b.log.Debug("AWS event matches no rule", "source", source, "detail_type", detailType)
		return nil
	}
	body, err := json.Marshal(lambdaevents.CloudWatchEvent{
		Version: "0", ID: newID(), DetailType: detailType, Source: source, AccountID: accountID,
		Time: b.clock.Now().UTC().Truncate(time.Second), Region: region, Resources: []string{}, Detail: detail,
	})
	if err != nil {
		return fmt.Errorf("publish %s %s: encode envelope: %w", source, detailType, err)
	}
	if len(body) > MaxBodySize {
		return fmt.Errorf("publish %s %s: %d bytes: %w", source, detailType, len(body), ErrTooLarge)
	}
	var errs []error
	for _, q := range qs {
		if _, err := q.Send(string(body), accountID); err != nil {
			errs = append(errs, fmt.Errorf("publish %s %s: %w", source, detailType, err))
		}
	}
	return errors.Join(errs...)
}

// As returns the bus publishing as source: the same rules and queues, another envelope
// source. The outbox relay publishes each event as the function that wrote it.
func (b *Bus) As(source string) *Bus {
	c := *b
	c.source = source
	return &c
}

// PublishAs is As(source).Publish(ctx, evs...).
func (b *Bus) PublishAs(ctx context.Context, source string, evs ...events.Event) error {
	return b.As(source).Publish(ctx, evs...)
}

// Targets are the names of the queues an event of type t published as source reaches, in
// topology order: what the cloud's rules would match.
func (b *Bus) Targets(source string, t events.DetailType) []string {
	var out []string
	for _, q := range b.routes[route{source, t}] {
		out = append(out, q.name)
	}
	return out
}

// Publish delivers each event to the queue of every consumer subscribed to its (source,
// detail-type), wrapped as EventBridge delivers to an SQS target: the body is the EventBridge
// envelope whose detail is events.Detail (decode it with events.FromSQS). FIFO queues group by
// events.GroupID, as the cloud's FIFO path does from the detail's group. An event its source
// emits but nobody consumes matches no rule and is dropped, as EventBridge drops it (the
// cloud archive keeps it).
//
// Publish checks every event before it sends any, so a bad batch sends nothing; unlike
// PutEvents, which accepts the good entries of a batch, because here a bad event is a bug.
func (b *Bus) Publish(ctx context.Context, evs ...events.Event) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	bodies := make([]string, len(evs))
	for i, ev := range evs {
		r := route{b.source, ev.Type}
		if !b.emitted[r] {
			return fmt.Errorf("publish %s %s as %s: %w", ev.Type, ev.ID, b.source, ErrNotEmitted)
		}
		body, err := b.envelope(ev)
		if err != nil {
			return fmt.Errorf("publish %s %s: %w", ev.Type, ev.ID, err)
		}
		if len(body) > MaxBodySize {
			return fmt.Errorf("publish %s %s: %d bytes: %w", ev.Type, ev.ID, len(body), ErrTooLarge)
		}
		for _, q := range b.routes[r] {
			if q.cfg.FIFO && events.GroupID(ev) == "" {
				return fmt.Errorf("publish %s %s to FIFO queue %s: no merchant id: %w", ev.Type, ev.ID, q.name, ErrNoGroup)
			}
		}
		bodies[i] = body
	}
	var errs []error
	for i, ev := range evs {
		qs := b.routes[route{b.source, ev.Type}]
		if len(qs) == 0 {
			b.log.Debug("event matches no rule", "source", b.source, "detail_type", string(ev.Type), "event_id", ev.ID, "merchant_id", ev.MerchantID)
			continue
		}
		for _, q := range qs {
			if _, err := q.Send(bodies[i], events.GroupID(ev)); err != nil {
				errs = append(errs, fmt.Errorf("publish %s %s: %w", ev.Type, ev.ID, err))
			}
		}
	}
	return errors.Join(errs...)
}

// envelope renders ev as the body EventBridge puts on an SQS target.
func (b *Bus) envelope(ev events.Event) (string, error) {
	detail, err := events.Detail(ev)
	if err != nil {
		return "", err
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
