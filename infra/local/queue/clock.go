package queue

import (
	"errors"
	"fmt"
	"sync"
	"time"
)

// Clock tells the queue what time it is. Visibility timeouts and timestamps read it, never
// time.Now, so tests can move time forward instead of sleeping.
type Clock interface {
	Now() time.Time
}

// SystemClock is the wall clock.
type SystemClock struct{}

// Now returns the current time in UTC.
func (SystemClock) Now() time.Time { return time.Now().UTC() }

// ErrBackwards: the clock was asked to go back in time. It never does: visibility timeouts,
// schedules, token expiry and SLA clocks all assume time only moves forward, as it does in
// the cloud.
var ErrBackwards = errors.New("the clock only moves forward")

// ManualClock is a clock that can be moved forward: it runs at the pace of its base (the
// wall clock, or a stopped one) from the last time it was set or advanced. `make dev` starts
// one on the wall clock, so time moves as usual until someone moves it further. It never goes
// back. It is safe for concurrent use.
type ManualClock struct {
	base func() time.Time

	mu sync.Mutex
	// The clock read at when the base read baseAt; elapsed base time is added to it. Keeping
	// an anchor instead of an offset lets the clock be set years ahead without overflowing a
	// Duration, and the base's monotonic reading keeps it steady across wall-clock steps.
	at, baseAt time.Time
}

// NewManualClock returns a clock that starts at the wall clock and keeps its pace.
func NewManualClock() *ManualClock {
	now := time.Now()
	return &ManualClock{base: time.Now, at: now.UTC(), baseAt: now}
}

// NewStoppedClock returns a clock that stands at t until it is advanced or set: what tests
// use, so that nothing comes due unless the test moves time.
func NewStoppedClock(t time.Time) *ManualClock {
	return &ManualClock{base: func() time.Time { return t }, at: t.UTC(), baseAt: t}
}

// Now returns the clock's time in UTC.
func (c *ManualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now()
}

// now is Now; the caller holds c.mu.
func (c *ManualClock) now() time.Time { return c.at.Add(c.base().Sub(c.baseAt)).UTC() }

// Advance moves the clock forward by d and returns the new time. A negative d is
// ErrBackwards; zero changes nothing.
func (c *ManualClock) Advance(d time.Duration) (time.Time, error) {
	if d < 0 {
		return time.Time{}, fmt.Errorf("advance the clock by %v: %w", d, ErrBackwards)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.at, c.baseAt = c.now().Add(d), c.base()
	return c.at, nil
}

// Set moves the clock to t, from where it keeps its base's pace. A t before the clock's
// current time is ErrBackwards.
func (c *ManualClock) Set(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if now := c.now(); t.Before(now) {
		return fmt.Errorf("set the clock to %s, before %s: %w", t.Format(time.RFC3339Nano), now.Format(time.RFC3339Nano), ErrBackwards)
	}
	c.at, c.baseAt = t.UTC(), c.base()
	return nil
}
