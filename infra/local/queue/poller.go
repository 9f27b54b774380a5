package queue

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"

	lambdaevents "github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

// Handler is an SQS-triggered Lambda handler, the very function the cloud runs.
type Handler func(ctx context.Context, ev lambdaevents.SQSEvent) (lambdaevents.SQSEventResponse, error)

// ErrItemIdentifier: the handler reported a batch item failure whose itemIdentifier is not a
// message id of the batch. Lambda then fails the whole batch, and so do we.
var ErrItemIdentifier = errors.New("invalid itemIdentifier in batch item failures")

// Default Poller settings.
const (
	DefaultConcurrency = 2
	DefaultTick        = 10 * time.Millisecond
)

// Poller feeds a Queue to a Handler the way Lambda's SQS event source mapping does, with
// ReportBatchItemFailures on: it receives a batch, invokes the handler, deletes the messages
// that succeeded and leaves the failed ones to reappear after their visibility timeout. A
// handler error or panic fails the whole batch. As in the cloud, a FIFO handler that fails a
// message must also report the rest of that group's messages in the batch, or they are
// deleted out of order. Set the fields before calling Run.
type Poller struct {
	Queue   *Queue
	Handler Handler
	// Concurrency is how many batches Run processes at once (DefaultConcurrency when 0).
	// FIFO groups stay in order regardless: the queue never hands out a group that has a
	// message in flight.
	Concurrency int
	// Tick is how often an idle Run looks for messages whose visibility timeout expired
	// (DefaultTick when 0). New messages wake it at once.
	Tick   time.Duration
	Logger *slog.Logger // slog.Default() when nil
}

// PollOnce runs one receive → handler → delete cycle and returns how many messages it
// delivered. The error reports a whole-batch failure (handler error, panic, invalid
// itemIdentifier) or ctx's end; individual item failures are not errors.
func (p *Poller) PollOnce(ctx context.Context) (delivered int, err error) {
	n, _, _, err := p.poll(ctx)
	return n, err
}

func (p *Poller) poll(ctx context.Context) (delivered int, wake <-chan struct{}, inFlight bool, err error) {
	if err := ctx.Err(); err != nil {
		return 0, nil, false, err
	}
	recs, dead, wake, inFlight := p.Queue.receive()
	p.logDead(dead)
	if len(recs) == 0 {
		return 0, wake, inFlight, nil
	}

	lc := &lambdacontext.LambdaContext{
		AwsRequestID:       newID(),
		InvokedFunctionArn: "arn:aws:lambda:" + region + ":" + accountID + ":function:" + p.Queue.name,
	}
	resp, err := p.invoke(lambdacontext.NewContext(ctx, lc), lambdaevents.SQSEvent{Records: recs})
	var failed func(id string) bool
	if err == nil {
		failed, err = itemFailures(recs, resp)
	}
	if err != nil {
		err = fmt.Errorf("queue %s: batch of %d failed (request %s): %w", p.Queue.name, len(recs), lc.AwsRequestID, err)
		failed = func(string) bool { return true }
	}
	dead, stale := p.Queue.settle(recs, failed)
	p.logDead(dead)
	if stale > 0 {
		p.logger().Warn("handler outlived the visibility timeout; messages were not deleted and may be delivered again",
			"queue", p.Queue.name, "request_id", lc.AwsRequestID, "messages", stale)
	}
	return len(recs), nil, false, err
}

// invoke calls the handler, turning a panic into an error as the Lambda runtime does.
func (p *Poller) invoke(ctx context.Context, ev lambdaevents.SQSEvent) (resp lambdaevents.SQSEventResponse, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &panicError{value: r, stack: debug.Stack()}
		}
	}()
	return p.Handler(ctx, ev)
}

type panicError struct {
	value any
	stack []byte
}

func (e *panicError) Error() string { return fmt.Sprintf("handler panicked: %v", e.value) }

// itemFailures validates the handler's batch item failures against the batch.
func itemFailures(recs []lambdaevents.SQSMessage, resp lambdaevents.SQSEventResponse) (func(id string) bool, error) {
	if len(resp.BatchItemFailures) == 0 {
		return func(string) bool { return false }, nil
	}
	ids := make(map[string]bool, len(recs))
	for _, r := range recs {
		ids[r.MessageId] = false
	}
	for _, f := range resp.BatchItemFailures {
		if _, ok := ids[f.ItemIdentifier]; !ok {
			return nil, fmt.Errorf("%w: %q", ErrItemIdentifier, f.ItemIdentifier)
		}
		ids[f.ItemIdentifier] = true
	}
	return func(id string) bool { return ids[id] }, nil
}

// Run polls until ctx ends, processing up to Concurrency batches at once, and returns nil
// once every batch it started has been settled. Between batches it waits for a Send (or any
// other change) rather than spinning, and ticks only while messages are in flight.
func (p *Poller) Run(ctx context.Context) error {
	if p.Queue == nil || p.Handler == nil {
		return errors.New("run poller: no queue or no handler")
	}
	n := p.Concurrency
	if n <= 0 {
		n = DefaultConcurrency
	}
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() { p.work(ctx) })
	}
	wg.Wait()
	return nil
}

func (p *Poller) work(ctx context.Context) {
	tick := p.Tick
	if tick <= 0 {
		tick = DefaultTick
	}
	timer := time.NewTimer(tick)
	defer timer.Stop()
	for ctx.Err() == nil {
		n, wake, inFlight, err := p.poll(ctx)
		if err != nil && ctx.Err() == nil {
			p.logBatchError(err)
		}
		if n > 0 {
			continue
		}
		var expiry <-chan time.Time
		if inFlight {
			timer.Reset(tick)
			expiry = timer.C
		}
		select {
		case <-ctx.Done():
		case <-wake:
		case <-expiry:
		}
	}
}

func (p *Poller) logBatchError(err error) {
	attrs := []any{"queue", p.Queue.name, "err", err}
	if pe, ok := errors.AsType[*panicError](err); ok {
		attrs = append(attrs, "stack", string(pe.stack))
	}
	p.logger().Error("batch failed; its messages will be retried", attrs...)
}

func (p *Poller) logDead(dead []Message) {
	for _, m := range dead {
		p.logger().Warn("message moved to the DLQ",
			"queue", p.Queue.name, "message_id", m.ID, "receive_count", m.ReceiveCount)
	}
}

func (p *Poller) logger() *slog.Logger {
	if p.Logger != nil {
		return p.Logger
	}
	return slog.Default()
}
