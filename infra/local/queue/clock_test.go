package queue

import (
	"errors"
	"testing"
	"time"

	"github.com/borderdesk/borderdesk/events"
)

func TestManualClockMovesOnlyForward(t *testing.T) {
	start := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	type step struct {
		advance time.Duration
		set     time.Time // when advance is 0
		want    time.Time // the clock after the step
		wantErr error
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"advance", []step{{advance: 90 * time.Minute, want: start.Add(90 * time.Minute)}, {advance: time.Second, want: start.Add(90*time.Minute + time.Second)}}},
		{"set forward", []step{{set: start.Add(24 * time.Hour), want: start.Add(24 * time.Hour)}}},
		{"set to now", []step{{set: start, want: start}}},
		{"set years ahead, then advance", []step{{set: time.Date(9000, 1, 1, 0, 0, 0, 0, time.UTC), want: time.Date(9000, 1, 1, 0, 0, 0, 0, time.UTC)}, {advance: time.Hour, want: time.Date(9000, 1, 1, 1, 0, 0, 0, time.UTC)}}},
		{"set backwards", []step{{set: start.Add(-time.Second), want: start, wantErr: ErrBackwards}}},
		{"advance backwards", []step{{advance: -time.Minute, want: start, wantErr: ErrBackwards}}},
		{"set in another zone", []step{{set: time.Date(2026, 11, 2, 18, 0, 0, 0, time.FixedZone("JST", 9*3600)), want: start}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := NewStoppedClock(start)
			for _, s := range tc.steps {
				var err error
				if s.advance != 0 {
					_, err = c.Advance(s.advance)
				} else {
					err = c.Set(s.set)
				}
				if !errors.Is(err, s.wantErr) {
					t.Errorf("step %+v: err = %v; want %v", s, err, s.wantErr)
				}
				if got := c.Now(); !got.Equal(s.want) || got.Location() != time.UTC {
					t.Errorf("step %+v: Now() = %s; want %s in UTC", s, got, s.want)
				}
			}
		})
	}
}

// TestManualClockKeepsTheWallClocksPace: it starts at the wall clock, and after an advance
// it is the wall clock plus the advance.
func TestManualClockKeepsTheWallClocksPace(t *testing.T) {
	before := time.Now()
	c := NewManualClock()
	if now, after := c.Now(), time.Now(); now.Before(before.Truncate(0)) || now.After(after) {
		t.Errorf("Now() = %s; want between %s and %s", now, before, after)
	}
	before = time.Now()
	if _, err := c.Advance(time.Hour); err != nil {
		t.Fatal(err)
	}
	if now, after := c.Now(), time.Now(); now.Before(before.Add(time.Hour).Truncate(0)) || now.After(after.Add(time.Hour)) {
		t.Errorf("after Advance(1h) Now() = %s; want between %s and %s", now, before.Add(time.Hour), after.Add(time.Hour))
	}
}

// TestVisibilityFollowsTheManualClock: a message invisible for 2 minutes is visible again
// after the clock advanced 3.
func TestVisibilityFollowsTheManualClock(t *testing.T) {
	c := NewStoppedClock(time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC))
	q, err := New("worker", events.Queue{Batch: 1, Visibility: 2 * time.Minute, MaxReceives: 5}, c)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := q.Send("hello", ""); err != nil {
		t.Fatal(err)
	}
	if got := len(q.Receive()); got != 1 {
		t.Fatalf("first Receive() = %d messages; want 1", got)
	}
	for _, tc := range []struct {
		advance time.Duration
		want    int
	}{
		{time.Minute, 0},
		{2 * time.Minute, 1},
	} {
		if _, err := c.Advance(tc.advance); err != nil {
			t.Fatal(err)
		}
		if got := len(q.Receive()); got != tc.want {
			t.Errorf("after advancing %v, Receive() = %d messages; want %d", tc.advance, got, tc.want)
		}
	}
}
