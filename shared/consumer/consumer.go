// Package consumer runs one batch of an SQS consumer that EventBridge feeds: every message
// decoded into its catalog event, logged with its message, trace and event ids, handed to the
// function's own work, and reported failed one by one (partial batch responses), with the
// batch's metrics. A message that can never be decoded is logged as poison and failed, so
// after the queue's maxReceiveCount it rests in the DLQ.
//
// A queue may also take events that AWS services put on the bus (SES's delivery events for
// notify): envelopes whose source is not borderdesk.* go to the Raw hook undecoded, and are
// poison for a consumer without one. Our own envelopes are always decoded strictly
// (events.FromSQS).
//
// With a Visibility port, a failed message is retried with exponential backoff instead of
// after the queue's fixed visibility timeout: its visibility is changed to Backoff.Delay of
// its receive count. A failure that retrying will not help (errs.Invalid, or undecodable)
// keeps the queue's timeout: it heads for the DLQ either way and needs no backoff.
package consumer

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"time"

	lambdaevents "github.com/aws/aws-lambda-go/events"

	"github.com/borderdesk/borderdesk/events"
	"github.com/borderdesk/borderdesk/shared/errs"
	"github.com/borderdesk/borderdesk/shared/metrics"
	"github.com/borderdesk/borderdesk/shared/xray"
)

// Func does a consumer's work for one event; log already names the message and the event.
// An error fails that message alone.
type Func func(ctx context.Context, ev events.Event, log *slog.Logger) error

// RawFunc does a consumer's work for one envelope an AWS service published (its source is
// not borderdesk.*); log names the message and the envelope. An error fails that message.
type RawFunc func(ctx context.Context, env lambdaevents.CloudWatchEvent, log *slog.Logger) error

// Visibility changes how long a received message stays hidden from now on: SQS's
// ChangeMessageVisibility in the cloud, the in-process queue locally.
type Visibility interface {
	ChangeVisibility(ctx context.Context, queueARN, receiptHandle string, d time.Duration) error
}

// Backoff is the delay before a failed message is retried: Base·2^(receives-1), at most Max.
// Keep MaxReceives × Max well within the queue's retention, or messages expire before they
// reach the DLQ.
type Backoff struct {
	Base, Max time.Duration
}

// Delay is the backoff after the receives-th delivery failed.
func (b Backoff) Delay(receives int) time.Duration {
	d := b.Base
	for i := 1; i < receives && d < b.Max; i++ {
		d *= 2
	}
	return min(d, b.Max)
}

// Batch is a consumer's batch loop.
type Batch struct {
	Function string // the topology's name, for metrics
	Now      func() time.Time
	Log      *slog.Logger
	Metrics  metrics.Recorder
	Do       Func
	// Raw takes the envelopes of AWS services; nil: they are poison.
	Raw RawFunc
	// Visibility, when set, retries failed messages after Backoff.Delay rather than the
	// queue's visibility timeout.
	Visibility Visibility
	Backoff    Backoff
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

// ourSources prefixes the source of everything Borderdesk publishes (events.Function.Source).
const ourSources = "borderdesk."

// errPoison marks a failure of decoding: no backoff, the DLQ is where it goes.
type errPoison struct{ error }

func (e errPoison) Unwrap() error { return e.error }

func (b Batch) one(ctx context.Context, msg lambdaevents.SQSMessage) error {
	// The trace intake's invocation started, handed on by the bus and the queue.
	log := b.Log.With("message_id", msg.MessageId, "receive_count", msg.Attributes["ApproximateReceiveCount"], xray.Attr(xray.FromSQS(msg)))
	err := b.dispatch(ctx, msg, log)
	if err != nil {
		b.backoff(ctx, msg, err, log)
	}
	return err
}

func (b Batch) dispatch(ctx context.Context, msg lambdaevents.SQSMessage, log *slog.Logger) error {
	if b.Raw != nil {
		var env lambdaevents.CloudWatchEvent
		if json.Unmarshal([]byte(msg.Body), &env) == nil && env.Source != "" && !strings.HasPrefix(env.Source, ourSources) {
			return b.Raw(ctx, env, log.With("source", env.Source, "detail_type", env.DetailType, "envelope_id", env.ID))
		}
	}
	ev, err := events.FromSQS(msg)
	if err != nil {
		log.Error("poison message: cannot decode", "err", err.Error())
		return errPoison{err}
	}
	log = log.With("event_id", ev.ID, "merchant_id", ev.MerchantID, "type", string(ev.Type), "correlation_id", ev.CorrelationID)
	return b.Do(ctx, ev, log)
}

// backoff hides a failed message for its backoff delay. When that fails the queue's own
// visibility timeout applies, which is a retry all the same.
func (b Batch) backoff(ctx context.Context, msg lambdaevents.SQSMessage, err error, log *slog.Logger) {
	var poison errPoison
	if errors.As(err, &poison) || b.Visibility == nil || errs.Is(err, errs.Invalid) {
		return
	}
	receives, _ := strconv.Atoi(msg.Attributes["ApproximateReceiveCount"])
	d := b.Backoff.Delay(max(receives, 1))
	if verr := b.Visibility.ChangeVisibility(ctx, msg.EventSourceARN, msg.ReceiptHandle, d); verr != nil {
		log.Warn("backoff not applied; the queue's visibility timeout applies", "err", verr.Error())
		return
	}
	log.Info("retry backed off", "retry_in", d.String())
}
