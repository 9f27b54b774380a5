// Package consumer runs one batch of an SQS consumer that EventBridge feeds: every message
// decoded into its catalog event, logged with its message, trace and event ids, handed to the
// function's own work, and reported failed one by one (partial batch responses), with the
// batch's metrics. A message that can never be decoded is logged as poison and failed, so
// after the queue's maxReceiveCount it rests in the DLQ.
package consumer

import (
	"context"
	"log/slog"
	"time"

	lambdaevents "github.com/aws/aws-lambda-go/events"

	"github.com/borderdesk/borderdesk/events"
	"github.com/borderdesk/borderdesk/shared/metrics"
	"github.com/borderdesk/borderdesk/shared/xray"
)

// Func does a consumer's work for one event; log already names the message and the event.
// An error fails that message alone.
type Func func(ctx context.Context, ev events.Event, log *slog.Logger) error

// Batch is a consumer's batch loop.
type Batch struct {
	Function string // the topology's name, for metrics
	Now      func() time.Time
	Log      *slog.Logger
	Metrics  metrics.Recorder
	Do       Func
}

// Handle runs b.Do for every message of batch and reports the ones that failed.
func (b Batch) Handle(ctx context.Context, batch lambdaevents.SQSEvent) lambdaevents.SQSEventResponse {
	received := b.Now() // the batch's age is as of its receipt, not of its end
	var resp lambdaevents.SQSEventResponse
	for _, msg := range batch.Records {
		if err := b.one(ctx, msg); err != nil {
			resp.BatchItemFailures = append(resp.BatchItemFailures, lambdaevents.SQSBatchItemFailure{ItemIdentifier: msg.MessageId})
		}
	}
	metrics.Batch(b.Metrics, b.Function, batch, resp, received)
	return resp
}

func (b Batch) one(ctx context.Context, msg lambdaevents.SQSMessage) error {
	// The trace intake's invocation started, handed on by the bus and the queue.
	log := b.Log.With("message_id", msg.MessageId, "receive_count", msg.Attributes["ApproximateReceiveCount"], xray.Attr(xray.FromSQS(msg)))
	ev, err := events.FromSQS(msg)
	if err != nil {
		log.Error("poison message: cannot decode", "err", err.Error())
		return err
	}
	log = log.With("event_id", ev.ID, "merchant_id", ev.MerchantID, "type", string(ev.Type), "correlation_id", ev.CorrelationID)
	return b.Do(ctx, ev, log)
}
