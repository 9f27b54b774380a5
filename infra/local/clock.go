package local

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/borderdesk/borderdesk/infra/local/queue"
	"github.com/borderdesk/borderdesk/shared/errs"
	"github.com/borderdesk/borderdesk/shared/httpjson"
)

// SettableClock is a clock the runtime can move forward: queue.ManualClock. Through it
// GET/POST /dev/clock and Runtime.AdvanceClock/SetClock move the time every handler, queue
// and schedule of the runtime reads.
type SettableClock interface {
	queue.Clock
	Advance(d time.Duration) (time.Time, error)
	Set(t time.Time) error
}

var _ SettableClock = (*queue.ManualClock)(nil)

// ErrClockFixed: the runtime was started with a clock it cannot move (Config.Clock is not a
// SettableClock).
var ErrClockFixed = errs.E(errs.Conflict, "this runtime's clock cannot be moved: start it with a local.SettableClock")

// maxClock is the latest time the clock may show: RFC 3339, and so the API, stops at 9999.
var maxClock = time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)

// AdvanceClock moves the runtime's clock forward by d, then runs, once each, the schedules
// that came due, and returns the new time and the functions it ran. d must be positive.
func (rt *Runtime) AdvanceClock(ctx context.Context, d time.Duration) (now time.Time, ran []string, err error) {
	c, ok := rt.Clock.(SettableClock)
	switch {
	case !ok:
		return time.Time{}, nil, ErrClockFixed
	case d <= 0:
		return time.Time{}, nil, errs.E(errs.Invalid, "advance must be a positive duration, like \"90m\"; the clock only moves forward")
	case rt.Clock.Now().Add(d).After(maxClock):
		return time.Time{}, nil, errs.E(errs.Invalid, "advance would move the clock past the year 9999")
	}
	if _, err := c.Advance(d); err != nil {
		return time.Time{}, nil, errs.Wrap(errs.Invalid, err, "cannot advance the clock by %v", d)
	}
	return rt.afterClockChange(ctx)
}

// SetClock moves the runtime's clock to t, which must not be before its current time, then
// runs, once each, the schedules that came due.
func (rt *Runtime) SetClock(ctx context.Context, t time.Time) (now time.Time, ran []string, err error) {
	c, ok := rt.Clock.(SettableClock)
	switch {
	case !ok:
		return time.Time{}, nil, ErrClockFixed
	case t.After(maxClock):
		return time.Time{}, nil, errs.E(errs.Invalid, "set: the clock stops at the year 9999")
	}
	if err := c.Set(t); errors.Is(err, queue.ErrBackwards) {
		return time.Time{}, nil, errs.E(errs.Invalid, "set: %s is before the clock's time %s; the clock only moves forward (restart the runtime to return to the wall clock)",
			t.UTC().Format(time.RFC3339), rt.Clock.Now().Format(time.RFC3339))
	} else if err != nil {
		return time.Time{}, nil, errs.Wrap(errs.Invalid, err, "cannot set the clock")
	}
	return rt.afterClockChange(ctx)
}

// afterClockChange runs what came due and lets the queues and the scheduler see the new time.
func (rt *Runtime) afterClockChange(ctx context.Context) (time.Time, []string, error) {
	ran := rt.schedules.runDue(ctx)
	rt.schedules.jumped()
	if ran == nil {
		ran = []string{}
	}
	return rt.Clock.Now(), ran, nil
}

// clockState is what GET /dev/clock answers.
type clockState struct {
	Now time.Time `json:"now"`
}

// clockMoved is what POST /dev/clock answers: the new time, and the scheduled functions the
// change made due, each run once.
type clockMoved struct {
	Now time.Time `json:"now"`
	Ran []string  `json:"ran"`
}

// clockRoutes are GET /dev/clock (the runtime's time) and POST /dev/clock, which moves it
// forward: {"advance": "90m"} or {"set": "<RFC 3339>"}. The answer comes after every schedule
// that came due has run once.
func clockRoutes(mux *http.ServeMux, rt *Runtime, log *slog.Logger) {
	mux.HandleFunc("GET /dev/clock", func(w http.ResponseWriter, r *http.Request) {
		httpjson.Write(w, http.StatusOK, clockState{Now: rt.Clock.Now()})
	})
	mux.HandleFunc("POST /dev/clock", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Advance *string `json:"advance"`
			Set     *string `json:"set"`
		}
		if err := httpjson.Decode(http.MaxBytesReader(w, r.Body, 4096), &req); err != nil {
			httpjson.Fail(w, r, log, err)
			return
		}
		// A caller who goes away does not cut a scheduled invocation short.
		ctx := context.WithoutCancel(r.Context())
		var (
			now time.Time
			ran []string
			err error
		)
		switch {
		case (req.Advance == nil) == (req.Set == nil):
			err = errs.E(errs.Invalid, `give exactly one of {"advance": "<Go duration, like 90m>"} or {"set": "<RFC 3339 time>"}`)
		case req.Advance != nil:
			d, perr := time.ParseDuration(*req.Advance)
			if perr != nil {
				err = errs.E(errs.Invalid, "advance: %q is not a Go duration like \"90m\" or \"1h30m\"", *req.Advance)
				break
			}
			now, ran, err = rt.AdvanceClock(ctx, d)
		default:
			t, perr := time.Parse(time.RFC3339, *req.Set)
			if perr != nil {
				err = errs.E(errs.Invalid, "set: %q is not an RFC 3339 time like \"2026-11-02T09:00:00Z\"", *req.Set)
				break
			}
			now, ran, err = rt.SetClock(ctx, t)
		}
		if err != nil {
			httpjson.Fail(w, r, log, err)
			return
		}
		log.Info("clock moved", "now", now.Format(time.RFC3339Nano), "ran", ran)
		httpjson.Write(w, http.StatusOK, clockMoved{Now: now, Ran: ran})
	})
}
