package relay_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/borderdesk/borderdesk/events"
	"github.com/borderdesk/borderdesk/functions/relay"
	"github.com/borderdesk/borderdesk/shared/metrics"
	"github.com/borderdesk/borderdesk/shared/outbox"
)

// The relay counts what it published and what it could not, by trigger: a relay failure
// that lasts is what leaves events stuck in the outbox.
func TestRelayMetrics(t *testing.T) {
	stream, err := os.ReadFile(filepath.Join("testdata", "stream.outbox.json"))
	if err != nil {
		t.Fatal(err)
	}
	schedule, err := os.ReadFile(filepath.Join("testdata", "schedule.json"))
	if err != nil {
		t.Fatal(err)
	}
	ev, _ := events.New(events.TicketOpened, "ev_old", "demo", "borderdesk", "tk_1", now, events.Ticket{TicketID: "tk_1"})
	old := []outbox.Record{{Source: events.SourceTicketing, Event: ev, PK: "M#demo#OUTBOX", SK: "EV#ev_old"}}
	tests := []struct {
		name                  string
		payload               []byte
		down                  string
		pending               []outbox.Record
		trigger               string
		wantRelayed, wantFail float64
	}{
		{"stream, bus up", stream, "", nil, metrics.TriggerStream, 3, 0},
		{"stream, api's events fail", stream, events.SourceAPI, nil, metrics.TriggerStream, 2, 1},
		{"sweep", schedule, "", old, metrics.TriggerSweep, 1, 0},
		{"sweep, bus down", schedule, events.SourceTicketing, old, metrics.TriggerSweep, 0, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := &metrics.Memory{}
			log := slog.New(slog.NewTextHandler(io.Discard, nil))
			b, s := &bus{down: tc.down}, &store{pending: tc.pending}
			h := relay.New(outbox.New(b, s, log), func() time.Time { return now }, log, relay.Metrics(rec))
			_, _ = h.Invoke(context.Background(), tc.payload)
			dims := []metrics.Dimension{metrics.Dim(metrics.Function, events.Relay), metrics.Dim(metrics.Trigger, tc.trigger)}
			if got := rec.Sum(metrics.OutboxRelayed, dims...); got != tc.wantRelayed {
				t.Errorf("OutboxRelayed = %v; want %v\n%s", got, tc.wantRelayed, rec)
			}
			if got := rec.Sum(metrics.OutboxRelayFailures, dims...); got != tc.wantFail {
				t.Errorf("OutboxRelayFailures = %v; want %v\n%s", got, tc.wantFail, rec)
			}
		})
	}
}
