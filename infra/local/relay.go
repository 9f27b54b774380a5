package local

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	lambdaevents "github.com/aws/aws-lambda-go/events"

	"github.com/borderdesk/borderdesk/functions/relay"
	"github.com/borderdesk/borderdesk/shared/outbox"
)

// relayRetry is how soon the local relay tries again after events it could not publish.
const relayRetry = 200 * time.Millisecond

// relayLoop is the local stand-in for the table's stream (there is none locally): it drives the very code the relay Lambda runs (shared/outbox) by sweeping
// the whole outbox index. Every HTTP request and every consumer batch wakes it when done, so
// events move at once; events it could not publish are retried after relayRetry. It does not
// poll an idle table: a sweep that could not even read the outbox waits for the next wake.
// The relay's schedule is not its job: the runtime's scheduler invokes the relay Lambda's own
// handler (functions/relay) for it, as the cloud schedule does; since this loop relays at once,
// that sweep usually finds nothing older than relay.SweepAge.
type relayLoop struct {
	relay *outbox.Relay
	log   *slog.Logger
	wake  chan struct{}
	// mu is held for each sweep; running and sweeps let WaitIdle see that none ran while it
	// looked.
	mu      sync.Mutex
	running atomic.Bool
	sweeps  atomic.Uint64
}

func newRelayLoop(relay *outbox.Relay, log *slog.Logger) *relayLoop {
	return &relayLoop{relay: relay, log: log, wake: make(chan struct{}, 1)}
}

// Wake asks for a sweep soon; it never blocks.
func (l *relayLoop) Wake() {
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

// Run sweeps until ctx ends.
func (l *relayLoop) Run(ctx context.Context) error {
	var retry <-chan time.Time
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-l.wake:
		case <-retry:
		}
		retry = nil
		if l.sweep(ctx) {
			retry = time.After(relayRetry)
		}
	}
}

// sweep relays everything pending, however new (locally the sweep is the stream), and says
// whether events are left that it could not publish.
func (l *relayLoop) sweep(ctx context.Context) (again bool) {
	var n int
	err := l.exclusive(func() (err error) {
		n, err = l.relay.Sweep(ctx, time.Time{})
		return err
	})
	if err == nil {
		return false
	}
	l.log.Warn("outbox relay incomplete; it tries again", "relayed", n, "err", err.Error())
	return !errors.Is(err, outbox.ErrRead)
}

// exclusive runs fn as one sweep: never beside another, and counted, so WaitIdle sees it.
// The relay's scheduled invocation runs through it too.
func (l *relayLoop) exclusive(fn func() error) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.running.Store(true)
	defer l.running.Store(false)
	l.sweeps.Add(1)
	return fn()
}

// quiet reports whether no sweep is running or asked for, and the count of sweeps begun.
func (l *relayLoop) quiet() (bool, uint64) {
	return !l.running.Load() && len(l.wake) == 0, l.sweeps.Load()
}

// settle returns once no sweep is running, so what a sweep did happens before what the
// caller does next.
func (l *relayLoop) settle() {
	l.mu.Lock()
	defer l.mu.Unlock()
}

// relaySchedule is the relay's schedule handler: the relay Lambda's handler, given the
// schedule's event in the JSON it arrives as (it tells a schedule from stream records by
// shape), run as one of the loop's sweeps.
func relaySchedule(h *relay.Handler, loop *relayLoop) ScheduleHandler {
	return func(ctx context.Context, ev lambdaevents.EventBridgeEvent) error {
		payload, err := json.Marshal(ev)
		if err != nil {
			return fmt.Errorf("relay schedule: encode event: %w", err)
		}
		return loop.exclusive(func() error {
			_, err := h.Invoke(ctx, payload)
			return err
		})
	}
}
