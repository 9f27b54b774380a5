package local

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"runtime/debug"
	"slices"
	"sync"
	"time"

	lambdaevents "github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/borderdesk/borderdesk/events"
	"github.com/borderdesk/borderdesk/infra/local/queue"
)

// ScheduleHandler is a scheduled Lambda's handler: it takes the event an EventBridge schedule
// rule delivers ("detail-type": "Scheduled Event", "source": "aws.events"). An error is a
// failed invocation; the local runtime logs it and does not retry (in the cloud Lambda
// retries an asynchronous invocation twice), and the next period runs it again.
type ScheduleHandler func(ctx context.Context, ev lambdaevents.EventBridgeEvent) error

// wireSchedules returns a schedule for every function of topo that has one. A function with
// a Schedule but no local handler is an error, as a consumer without a queue handler is.
func wireSchedules(topo []events.Function, fns map[string]ScheduleHandler, clock queue.Clock, log *slog.Logger) (*scheduler, error) {
	s := &scheduler{clock: clock, log: log, changed: make(chan struct{}, 1)}
	now := clock.Now()
	for _, f := range topo {
		if f.Schedule <= 0 {
			continue
		}
		h, ok := fns[f.Name]
		if !ok {
			return nil, fmt.Errorf("local runtime: function %q has a schedule but no schedule handler", f.Name)
		}
		// Like a rate() rule, the first run is one period after the rule exists.
		s.items = append(s.items, &schedule{fn: f.Name, period: f.Schedule, next: now.Add(f.Schedule), handler: h})
	}
	return s, nil
}

// schedule is one function's rate schedule.
type schedule struct {
	fn      string
	period  time.Duration
	next    time.Time // when it is next due
	handler ScheduleHandler
}

// scheduler is the local EventBridge scheduler: it invokes each scheduled function every
// period of the runtime's clock. Time that moves at the clock's pace (the wall clock) is
// waited out; a jump (POST /dev/clock) runs at once every schedule it made due — once, however
// many periods it skipped, as one late rule firing would, not a burst of catch-up runs.
type scheduler struct {
	clock queue.Clock
	log   *slog.Logger
	// mu is held while due schedules run, so a run loop and a clock change never run one
	// schedule twice for the same due time.
	mu    sync.Mutex
	items []*schedule
	// changed wakes Run after the clock jumped, to wait for the new next due time.
	changed chan struct{}
}

// runDue invokes, in topology order, every schedule due at the clock's time, and returns the
// names of the functions it ran.
func (s *scheduler) runDue(ctx context.Context) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ran []string
	for _, it := range s.items {
		now := s.clock.Now()
		if now.Before(it.next) {
			continue
		}
		// The next run is the first period boundary after now, on the grid the schedule
		// started on: skipped periods are not made up.
		missed := now.Sub(it.next) / it.period
		it.next = it.next.Add((missed + 1) * it.period)
		s.invoke(ctx, it, now)
		ran = append(ran, it.fn)
	}
	return ran
}

// invoke calls a schedule's handler with the event EventBridge sends, logging a failure or
// panic as the failed invocation it is.
func (s *scheduler) invoke(ctx context.Context, it *schedule, now time.Time) {
	ev := lambdaevents.EventBridgeEvent{
		Version:    "0",
		ID:         uuid(),
		DetailType: "Scheduled Event",
		Source:     "aws.events",
		AccountID:  localAccount,
		Time:       now,
		Region:     localRegion,
		Resources:  []string{"arn:aws:events:" + localRegion + ":" + localAccount + ":rule/" + it.fn + "-schedule"},
		Detail:     json.RawMessage(`{}`),
	}
	lc := &lambdacontext.LambdaContext{
		AwsRequestID:       uuid(),
		InvokedFunctionArn: "arn:aws:lambda:" + localRegion + ":" + localAccount + ":function:" + it.fn,
	}
	log := s.log.With("function", it.fn, "request_id", lc.AwsRequestID, "event_id", ev.ID)
	err := func() (err error) {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("handler panicked: %v\n%s", r, debug.Stack())
			}
		}()
		return it.handler(lambdacontext.NewContext(ctx, lc), ev)
	}()
	if err != nil {
		log.Error("scheduled invocation failed; the next period runs it again", "err", err.Error())
		return
	}
	log.Debug("scheduled invocation done", "time", now.Format(time.RFC3339Nano))
}

// Run invokes schedules as they come due until ctx ends. It waits in wall time for the next
// due time at the clock's pace, which is right for the wall clock and harmless for a stopped
// one (nothing comes due there unless the clock is moved through the runtime).
func (s *scheduler) Run(ctx context.Context) {
	if len(s.items) == 0 {
		return
	}
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
			s.runDue(ctx)
		case <-s.changed:
		}
		timer.Reset(s.untilNext())
	}
}

// untilNext is how long until the earliest schedule is due.
func (s *scheduler) untilNext() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	next := slices.MinFunc(s.items, func(a, b *schedule) int { return a.next.Compare(b.next) }).next
	return max(next.Sub(s.clock.Now()), 0)
}

// jumped tells Run that the clock moved, so it waits for the new next due time.
func (s *scheduler) jumped() {
	select {
	case s.changed <- struct{}{}:
	default:
	}
}

// The fake account and region of everything local, as the queues use.
const (
	localAccount = "000000000000"
	localRegion  = "local"
)

// uuid returns a random UUID (version 4), the shape of EventBridge event and request ids.
func uuid() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails; see crypto/rand.Read
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}
