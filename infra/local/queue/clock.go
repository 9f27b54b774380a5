package queue

import "time"

// Clock tells the queue what time it is. Visibility timeouts and timestamps read it, never
// time.Now, so tests can move time forward instead of sleeping.
type Clock interface {
	Now() time.Time
}

// SystemClock is the wall clock.
type SystemClock struct{}

// Now returns the current time in UTC.
func (SystemClock) Now() time.Time { return time.Now().UTC() }
