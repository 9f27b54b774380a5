// Package eventbridge publishes catalog events to an EventBridge bus — the cloud side of
// the bus; the local runtime's in-process bus has the same Publish, PublishAs and As methods.
package eventbridge

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"

	"github.com/borderdesk/borderdesk/events"
	"github.com/borderdesk/borderdesk/shared/errs"
	"github.com/borderdesk/borderdesk/shared/xray"
)

// maxEntries is PutEvents' limit per call.
const maxEntries = 10

// Publisher puts events on one bus as one source.
type Publisher struct {
	client *eventbridge.Client
	bus    string
	source string
}

// New returns a Publisher to bus with source ("borderdesk.intake").
func New(client *eventbridge.Client, bus, source string) *Publisher {
	return &Publisher{client: client, bus: bus, source: source}
}

// As returns a Publisher to the same bus, through the same client, as source. Rules match
// (source, detail-type), so whoever publishes on another function's behalf (the outbox
// relay) must publish as that function.
func (p *Publisher) As(source string) *Publisher {
	return &Publisher{client: p.client, bus: p.bus, source: source}
}

// PublishAs is As(source).Publish(ctx, evs...).
func (p *Publisher) PublishAs(ctx context.Context, source string, evs ...events.Event) error {
	return p.As(source).Publish(ctx, evs...)
}

// Publish puts evs on the bus, each detail carrying its FIFO group (events.Detail). Any
// entry EventBridge rejects makes the whole call an error: the caller has not acknowledged
// its sender yet, so the sender retries and consumers absorb the events that did get through.
// Inside a traced Lambda invocation every entry carries its X-Ray trace header, which
// EventBridge passes on to the SQS targets (AWSTraceHeader), so the trace reaches consumers.
func (p *Publisher) Publish(ctx context.Context, evs ...events.Event) error {
	if p.source == "" {
		return errs.E(errs.Internal, "publish: no source")
	}
	var trace *string
	if h := xray.Header(ctx); h != "" {
		trace = aws.String(h)
	}
	for len(evs) > 0 {
		n := min(len(evs), maxEntries)
		entries := make([]types.PutEventsRequestEntry, 0, n)
		for _, e := range evs[:n] {
			detail, err := events.Detail(e)
			if err != nil {
				return errs.Wrap(errs.Internal, err, "encode event %s", e.ID)
			}
			entries = append(entries, types.PutEventsRequestEntry{
				EventBusName: aws.String(p.bus), Source: aws.String(p.source),
				DetailType: aws.String(string(e.Type)), Detail: aws.String(string(detail)), Time: aws.Time(e.OccurredAt),
				TraceHeader: trace,
			})
		}
		out, err := p.client.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: entries})
		if err != nil {
			return errs.Wrap(errs.Transient, err, "put events")
		}
		if out.FailedEntryCount > 0 {
			return errs.Wrap(errs.Transient, fmt.Errorf("%d of %d entries failed", out.FailedEntryCount, n), "put events")
		}
		evs = evs[n:]
	}
	return nil
}
