package local

import (
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/borderdesk/borderdesk/events"
	"github.com/borderdesk/borderdesk/infra/local/queue"
)

func TestWireRefusesATopologyItCannotRun(t *testing.T) {
	q, err := queue.New("worker", events.Queue{Batch: 1, Visibility: time.Minute, MaxReceives: 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	queues := map[string]*queue.Queue{"worker": q}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	tests := []struct {
		name string
		fn   events.Function
		want string
	}{
		{"route without handler", events.Function{Name: "web", Routes: []events.Route{{Method: "GET", Path: "/x"}}}, "no HTTP handler"},
		{"consumer without handler", events.Function{Name: "worker", Consumes: []events.DetailType{events.PaymentFailed}, Queue: &events.Queue{}}, "no queue handler"},
		{"stream without driver", events.Function{Name: "relay", Stream: true}, "no local driver"},
		{"schedule without handler", events.Function{Name: "sla", Schedule: time.Minute}, "no schedule handler"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			topo := []events.Function{tc.fn}
			_, _, err := wire(topo, map[string]http.Handler{}, map[string]queue.Handler{}, map[string]bool{}, queues, log)
			if err == nil {
				_, err = wireSchedules(topo, map[string]ScheduleHandler{}, queue.NewStoppedClock(time.Now()), log)
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("wire(%s) = %v; want an error about %q", tc.fn.Name, err, tc.want)
			}
		})
	}
}
