package outbox_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/borderdesk/borderdesk/events"
	"github.com/borderdesk/borderdesk/shared/outbox"
)

var t0 = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

// store is an outbox in memory, oldest first; written holds each record's write time.
type store struct {
	mu        sync.Mutex
	recs      []outbox.Record
	written   map[string]time.Time
	deleteErr error
	queries   int
}

func (s *store) PendingOutbox(_ context.Context, before time.Time, limit int) ([]outbox.Record, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.queries++
	var out []outbox.Record
	for _, r := range s.recs {
		if len(out) < limit && (before.IsZero() || s.written[r.SK].Before(before)) {
			out = append(out, r)
		}
	}
	return out, nil
}

func (s *store) DeleteOutbox(_ context.Context, recs []outbox.Record) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.deleteErr != nil {
		return s.deleteErr
	}
	s.recs = slices.DeleteFunc(s.recs, func(r outbox.Record) bool {
		return slices.ContainsFunc(recs, func(d outbox.Record) bool { return d.SK == r.SK })
	})
	return nil
}

func (s *store) ids() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, r := range s.recs {
		out = append(out, r.Event.ID)
	}
	return out
}

func newStore(n int, source func(i int) string) *store {
	s := &store{written: map[string]time.Time{}}
	for i := range n {
		id := fmt.Sprintf("ev_%03d", i)
		ev, _ := events.New(events.TicketOpened, id, "demo", "borderdesk", id, t0, events.Ticket{TicketID: "tk"})
		rec := outbox.Record{Source: source(i), Event: ev, PK: "M#demo#OUTBOX", SK: "EV#" + id}
		s.recs = append(s.recs, rec)
		s.written[rec.SK] = t0.Add(time.Duration(i) * time.Second)
	}
	return s
}

// bus records what was published as which source; FailFn fails a call.
type bus struct {
	mu     sync.Mutex
	calls  []string // "source:id,id"
	sent   map[string]int
	FailFn func(source string, evs []events.Event) error
}

func (b *bus) PublishAs(_ context.Context, source string, evs ...events.Event) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.FailFn != nil {
		if err := b.FailFn(source, evs); err != nil {
			return err
		}
	}
	if b.sent == nil {
		b.sent = map[string]int{}
	}
	call := source + ":"
	for i, e := range evs {
		if i > 0 {
			call += ","
		}
		call += e.ID
		b.sent[e.ID]++
	}
	b.calls = append(b.calls, call)
	return nil
}

var errBus = errors.New("bus down")

func TestRelayPublishesEachAsItsSource(t *testing.T) {
	sources := []string{events.SourceTicketing, events.SourceTicketing, events.SourceAPI, events.SourceTicketing}
	s := newStore(4, func(i int) string { return sources[i] })
	b := &bus{FailFn: func(source string, _ []events.Event) error {
		if source == events.SourceAPI {
			return errBus
		}
		return nil
	}}
	failed, err := outbox.New(b, s, nil).Relay(context.Background(), slices.Clone(s.recs))
	if !errors.Is(err, errBus) || len(failed) != 1 || failed[0].Event.ID != "ev_002" {
		t.Fatalf("Relay() = %v, %v; want ev_002 failed with the bus error", failed, err)
	}
	wantCalls := []string{"borderdesk.ticketing:ev_000,ev_001", "borderdesk.ticketing:ev_003"}
	if !slices.Equal(b.calls, wantCalls) {
		t.Errorf("published %v; want %v", b.calls, wantCalls)
	}
	if got := s.ids(); !slices.Equal(got, []string{"ev_002"}) {
		t.Errorf("outbox after Relay = %v; want only the unpublished ev_002", got)
	}
}

func TestRelayKeepsWhatItCouldNotDelete(t *testing.T) {
	s := newStore(2, func(int) string { return events.SourceTicketing })
	s.deleteErr = errors.New("table down")
	failed, err := outbox.New(&bus{}, s, nil).Relay(context.Background(), slices.Clone(s.recs))
	if err == nil || len(failed) != 0 || len(s.ids()) != 2 {
		t.Errorf("Relay() with deletes failing = %v, %v, outbox %v; want an error, nothing unpublished, both still in the outbox", failed, err, s.ids())
	}
}

func TestSweep(t *testing.T) {
	tests := []struct {
		name      string
		n         int
		before    time.Time
		fail      func(evs []events.Event) error
		deleteErr error
		want      int      // published
		left      []string // still in the outbox, when checked
		queries   int      // index queries at most
		wantErr   bool
	}{
		{name: "everything in bounded batches", n: 250, want: 250, left: nil, queries: 3},
		{name: "only what is older", n: 20, before: t0.Add(5 * time.Second), want: 5, queries: 1},
		{name: "bus down: one batch, nothing lost", n: 250, fail: func([]events.Event) error { return errBus },
			want: 0, queries: 1, wantErr: true},
		{name: "a poison event does not hold the rest back", n: 150, fail: func(evs []events.Event) error {
			if slices.ContainsFunc(evs, func(e events.Event) bool { return e.ID == "ev_000" }) {
				return errBus
			}
			return nil
		}, want: 149, left: []string{"ev_000"}, queries: 2, wantErr: true},
		{name: "deletes failing: one batch", n: 250, deleteErr: errors.New("table down"), want: 100, queries: 1, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// Alternate sources in runs of three, so a batch spans several calls.
			s := newStore(tc.n, func(i int) string { return []string{events.SourceTicketing, events.SourceAPI}[i/3%2] })
			s.deleteErr = tc.deleteErr
			b := &bus{}
			if tc.fail != nil {
				b.FailFn = func(_ string, evs []events.Event) error { return tc.fail(evs) }
			}
			got, err := outbox.New(b, s, nil).Sweep(context.Background(), tc.before)
			if got != tc.want || (err != nil) != tc.wantErr {
				t.Errorf("Sweep() = %d, %v; want %d, error %v", got, err, tc.want, tc.wantErr)
			}
			if s.queries > tc.queries {
				t.Errorf("Sweep() made %d index queries; want at most %d", s.queries, tc.queries)
			}
			if tc.left != nil || tc.want == tc.n {
				if left := s.ids(); !slices.Equal(left, tc.left) {
					t.Errorf("outbox after Sweep() = %v; want %v", left, tc.left)
				}
			}
			for id, n := range b.sent {
				if n > 1 && tc.deleteErr == nil {
					t.Errorf("event %s published %d times; want once", id, n)
				}
			}
		})
	}
}
