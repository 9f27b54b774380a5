package local_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	lambdaevents "github.com/aws/aws-lambda-go/events"

	"github.com/borderdesk/borderdesk/events"
	"github.com/borderdesk/borderdesk/functions/api"
	"github.com/borderdesk/borderdesk/infra/local"
	"github.com/borderdesk/borderdesk/infra/local/queue"
	"github.com/borderdesk/borderdesk/shared/providers/stripe"
)

var clockStart = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

// ticker is a scheduled function that records each invocation: the event, and the time the
// runtime's clock showed inside the handler.
type ticker struct {
	clock queue.Clock
	mu    sync.Mutex
	runs  []tick
	ran   chan struct{}
}

type tick struct {
	ev  lambdaevents.EventBridgeEvent
	now time.Time
}

func (tk *ticker) handle(_ context.Context, ev lambdaevents.EventBridgeEvent) error {
	tk.mu.Lock()
	defer tk.mu.Unlock()
	tk.runs = append(tk.runs, tick{ev: ev, now: tk.clock.Now()})
	select {
	case tk.ran <- struct{}{}:
	default:
	}
	return nil
}

func (tk *ticker) snapshot() []tick {
	tk.mu.Lock()
	defer tk.mu.Unlock()
	return slices.Clone(tk.runs)
}

// startScheduled runs the whole topology plus "tick", scheduled every minute, on clk.
func startScheduled(t *testing.T, clk queue.Clock, extra ...events.Function) (*env, *ticker) {
	t.Helper()
	tk := &ticker{clock: clk, ran: make(chan struct{}, 1)}
	topology := append(slices.Clone(events.Topology), events.Function{Name: "tick", Schedule: time.Minute})
	logs := &lockedBuffer{}
	rt, err := local.Start(context.Background(), local.Config{
		Seeds: local.DemoSeeds(func(string) string { return "" }), JWTSecret: []byte("test"),
		Clock: clk, Log: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn})),
		Topology:         append(topology, extra...),
		ScheduleHandlers: map[string]local.ScheduleHandler{"tick": tk.handle},
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(rt.Handler)
	t.Cleanup(func() { srv.Close(); rt.Close() })
	// Every scheduled invocation, the relay Lambda's handler's among them, succeeded.
	t.Cleanup(func() {
		if l := logs.String(); strings.Contains(l, "scheduled invocation failed") {
			t.Errorf("a scheduled invocation failed:\n%s", l)
		}
	})
	return &env{t: t, rt: rt, url: srv.URL}, tk
}

// lockedBuffer is a log sink safe for the runtime's goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

type clockAnswer struct {
	Now time.Time `json:"now"`
	Ran []string  `json:"ran"`
}

func (e *env) moveClock(body string) clockAnswer {
	e.t.Helper()
	code, b := e.do("POST", "/dev/clock", []byte(body), nil)
	var out clockAnswer
	if err := json.Unmarshal(b, &out); code != 200 || err != nil {
		e.t.Fatalf("POST /dev/clock %s = %d %s", body, code, b)
	}
	return out
}

// TestClockRunsSchedulesThatCameDue: each change of the clock runs every schedule it made due
// once — however many periods it skipped — before the answer, at the new time.
func TestClockRunsSchedulesThatCameDue(t *testing.T) {
	type step struct {
		body    string
		wantNow time.Time
		wantRan []string // functions the answer says ran, in topology order
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"advance 90m runs a 1m schedule once", []step{
			{`{"advance":"90m"}`, clockStart.Add(90 * time.Minute), []string{"relay", "tick"}},
		}},
		{"set 90m ahead runs it once", []step{
			{`{"set":"2026-11-02T10:30:00Z"}`, clockStart.Add(90 * time.Minute), []string{"relay", "tick"}},
		}},
		{"not before its period", []step{
			{`{"advance":"59s"}`, clockStart.Add(59 * time.Second), []string{}},
			{`{"advance":"1s"}`, clockStart.Add(time.Minute), []string{"tick"}},
			{`{"advance":"30s"}`, clockStart.Add(90 * time.Second), []string{}},
		}},
		{"each jump runs it once more", []step{
			{`{"advance":"90m"}`, clockStart.Add(90 * time.Minute), []string{"relay", "tick"}},
			{`{"advance":"1m"}`, clockStart.Add(91 * time.Minute), []string{"tick"}},
			{`{"set":"2026-11-03T09:00:00Z"}`, clockStart.Add(24 * time.Hour), []string{"relay", "tick"}},
		}},
		{"set to the clock's own time runs nothing", []step{
			{`{"set":"2026-11-02T09:00:00Z"}`, clockStart, []string{}},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clk := queue.NewStoppedClock(clockStart)
			e, tk := startScheduled(t, clk)
			wantRuns := 0
			for _, s := range tc.steps {
				got := e.moveClock(s.body)
				if !got.Now.Equal(s.wantNow) || !slices.Equal(got.Ran, s.wantRan) {
					t.Errorf("POST /dev/clock %s = now %s, ran %q; want %s, %q", s.body, got.Now, got.Ran, s.wantNow, s.wantRan)
				}
				if !clk.Now().Equal(s.wantNow) {
					t.Errorf("after %s the clock = %s; want %s", s.body, clk.Now(), s.wantNow)
				}
				runs := tk.snapshot()
				if slices.Contains(s.wantRan, "tick") {
					wantRuns++
					if len(runs) == wantRuns {
						last := runs[len(runs)-1]
						if !last.ev.Time.Equal(s.wantNow) || !last.now.Equal(s.wantNow) {
							t.Errorf("after %s tick ran with event time %s, clock %s; want both %s", s.body, last.ev.Time, last.now, s.wantNow)
						}
						if last.ev.DetailType != "Scheduled Event" || last.ev.Source != "aws.events" || string(last.ev.Detail) != "{}" {
							t.Errorf("tick's event = %s from %s, detail %s; want an EventBridge schedule's", last.ev.DetailType, last.ev.Source, last.ev.Detail)
						}
					}
				}
				if len(runs) != wantRuns {
					t.Errorf("after %s tick ran %d times; want %d", s.body, len(runs), wantRuns)
				}
			}
		})
	}
}

// TestClockIsEveryHandlersTime: GET /dev/clock shows the runtime's time, and handlers read it: intake's signature
// tolerance takes a signature made at the moved time and refuses one made before it.
func TestClockIsEveryHandlersTime(t *testing.T) {
	clk := queue.NewStoppedClock(clockStart)
	e, _ := startScheduled(t, clk)
	assertNow := func(want time.Time) {
		t.Helper()
		code, b := e.do("GET", "/dev/clock", nil, nil)
		var got struct{ Now string }
		if err := json.Unmarshal(b, &got); code != 200 || err != nil || got.Now != want.Format(time.RFC3339Nano) {
			t.Errorf("GET /dev/clock = %d %s; want 200 now %s", code, b, want.Format(time.RFC3339Nano))
		}
	}
	assertNow(clockStart)
	moved := e.moveClock(`{"advance":"90m"}`).Now
	assertNow(moved)

	body := fixture(t, "stripe", "payment_intent.payment_failed.json")
	for _, tc := range []struct {
		signedAt time.Time
		want     int
	}{
		{clockStart, 401}, // 90 minutes old by the runtime's clock: stale
		{moved, 200},
	} {
		code, b := e.do("POST", "/webhooks/demo/stripe", body, map[string]string{"Stripe-Signature": stripe.Sign(body, "whsec_local_demo", tc.signedAt)})
		if code != tc.want {
			t.Errorf("webhook signed at %s = %d %s; want %d", tc.signedAt.Format(time.RFC3339), code, b, tc.want)
		}
	}
	e.idle()
	tok := e.token("anna@demo.test")
	tks := e.tickets(tok)
	if len(tks) != 1 {
		t.Fatalf("tickets = %d; want 1", len(tks))
	}
	// The API stamps a note at the time the clock is moved to next, and nothing ticketing
	// stamped (its arrival time) is later.
	noted := e.moveClock(`{"advance":"10m"}`).Now
	auth := map[string]string{"Authorization": "Bearer " + tok}
	if code, b := e.do("POST", "/api/v1/tickets/"+tks[0].ID+"/messages", []byte(`{"kind":"note","body":"later"}`), auth); code != 201 {
		t.Fatalf("note = %d %s", code, b)
	}
	code, b := e.do("GET", "/api/v1/tickets/"+tks[0].ID, nil, auth)
	var tk api.TicketDetail
	if err := json.Unmarshal(b, &tk); code != 200 || err != nil {
		t.Fatalf("GET ticket = %d %s", code, b)
	}
	if !tk.UpdatedAt.Equal(noted) {
		t.Errorf("ticket updated %s; want %s, the runtime's time of the note", tk.UpdatedAt, noted)
	}
}

// TestClockMovesQueueVisibility: a failed message invisible for its queue's 2-minute
// visibility timeout is delivered again once the clock is advanced past it, not before.
func TestClockMovesQueueVisibility(t *testing.T) {
	clk := queue.NewStoppedClock(clockStart)
	worker := &flaky{clock: clk, delivered: make(chan time.Time, 10)}
	tk := &ticker{clock: clk, ran: make(chan struct{}, 1)}
	topology := append(slices.Clone(events.Topology),
		events.Function{Name: "tick", Schedule: time.Minute},
		events.Function{Name: "worker", Consumes: []events.DetailType{events.PaymentFailed},
			Queue: &events.Queue{Batch: 1, Visibility: 2 * time.Minute, MaxReceives: 5}})
	rt, err := local.Start(context.Background(), local.Config{
		Seeds: local.DemoSeeds(func(string) string { return "" }), JWTSecret: []byte("test"),
		Clock: clk, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Topology: topology,
		QueueHandlers:    map[string]queue.Handler{"worker": worker.handle},
		ScheduleHandlers: map[string]local.ScheduleHandler{"tick": tk.handle},
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(rt.Handler)
	t.Cleanup(func() { srv.Close(); rt.Close() })
	e := &env{t: t, rt: rt, url: srv.URL}

	body := fixture(t, "stripe", "payment_intent.payment_failed.json")
	if code, b := e.do("POST", "/webhooks/demo/stripe", body, map[string]string{"Stripe-Signature": stripe.Sign(body, "whsec_local_demo", clk.Now())}); code != 200 {
		t.Fatalf("webhook = %d %s", code, b)
	}
	if at := worker.next(t); !at.Equal(clockStart) {
		t.Errorf("first delivery at %s; want %s", at, clockStart)
	}
	q := rt.Queues["worker"]
	for _, adv := range []string{"1m", "59s"} { // 1 minute, then 1 second short of 2
		e.moveClock(`{"advance":"` + adv + `"}`)
		if st := q.Stats(); st.InFlight != 1 || worker.count() != 1 {
			t.Errorf("after advancing %s: worker queue %+v, %d deliveries; want 1 in flight, 1 delivery", adv, st, worker.count())
		}
	}
	e.moveClock(`{"advance":"1s"}`) // exactly at the timeout: visible again
	if at := worker.next(t); !at.Equal(clockStart.Add(2 * time.Minute)) {
		t.Errorf("second delivery at %s; want the advanced time %s", at, clockStart.Add(2*time.Minute))
	}
	e.idle()
	if n := worker.count(); n != 2 {
		t.Errorf("deliveries = %d; want 2 (one failed, one after the visibility timeout)", n)
	}
}

// flaky is a consumer that fails its first delivery and records the clock at each.
type flaky struct {
	clock     queue.Clock
	mu        sync.Mutex
	n         int
	delivered chan time.Time
}

func (f *flaky) handle(_ context.Context, ev lambdaevents.SQSEvent) (lambdaevents.SQSEventResponse, error) {
	f.mu.Lock()
	f.n++
	first := f.n == 1
	f.mu.Unlock()
	f.delivered <- f.clock.Now()
	var resp lambdaevents.SQSEventResponse
	if first {
		for _, r := range ev.Records {
			resp.BatchItemFailures = append(resp.BatchItemFailures, lambdaevents.SQSBatchItemFailure{ItemIdentifier: r.MessageId})
		}
	}
	return resp, nil
}

func (f *flaky) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.n
}

func (f *flaky) next(t *testing.T) time.Time {
	t.Helper()
	select {
	case at := <-f.delivered:
		return at
	case <-time.After(10 * time.Second):
		t.Fatal("no delivery within 10s")
		return time.Time{}
	}
}

// TestClockRefusesWhatItCannotDo: a body that is not exactly one valid change is a JSON 400,
// and the clock stays where it was; a runtime on a clock it cannot move answers 409.
func TestClockRefusesWhatItCannotDo(t *testing.T) {
	clk := queue.NewStoppedClock(clockStart)
	e, tk := startScheduled(t, clk)
	for _, body := range []string{
		``,
		`{}`,
		`[]`,
		`{"advance":"90m","set":"2026-11-02T10:30:00Z"}`,
		`{"advance":"soon"}`,
		`{"advance":90}`,
		`{"advance":"0s"}`,
		`{"advance":"-5m"}`,
		`{"set":"tomorrow"}`,
		`{"set":"2026-11-02 10:30:00"}`,
		`{"set":"2026-11-02T08:59:59Z"}`, // backwards
		`{"when":"90m"}`,
		`{"advance":"90m"} {"advance":"90m"}`,
	} {
		code, b := e.do("POST", "/dev/clock", []byte(body), nil)
		var got struct{ Error, Message string }
		if err := json.Unmarshal(b, &got); code != 400 || err != nil || got.Error != "invalid" || got.Message == "" {
			t.Errorf("POST /dev/clock %q = %d %s; want 400 {\"error\":\"invalid\",\"message\":…}", body, code, b)
		}
	}
	if !clk.Now().Equal(clockStart) || len(tk.snapshot()) != 0 {
		t.Errorf("after refusals the clock = %s, tick ran %d times; want %s and 0", clk.Now(), len(tk.snapshot()), clockStart)
	}

	fixed := start(t) // the other tests' clock, which the runtime cannot move
	if code, b := fixed.do("POST", "/dev/clock", []byte(`{"advance":"1m"}`), nil); code != 409 || !strings.Contains(string(b), `"conflict"`) {
		t.Errorf("POST /dev/clock on a fixed clock = %d %s; want 409 conflict", code, b)
	}
}

// TestScheduleWithoutHandlerIsRefused: like a consumer without a queue handler, a scheduled
// function the runtime cannot run stops it from starting.
func TestScheduleWithoutHandlerIsRefused(t *testing.T) {
	rt, err := local.Start(context.Background(), local.Config{
		JWTSecret: []byte("test"), Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Topology: append(slices.Clone(events.Topology), events.Function{Name: "sla", Schedule: time.Minute}),
	})
	if err == nil {
		rt.Close()
	}
	if err == nil || !strings.Contains(err.Error(), `"sla" has a schedule but no schedule handler`) {
		t.Errorf("Start with an unhandled schedule = %v; want a refusal naming sla", err)
	}
}

// TestSchedulesRunOnTheWallClock: `make dev`'s clock keeps the wall clock's pace, and a
// schedule comes due on it without anyone moving it.
func TestSchedulesRunOnTheWallClock(t *testing.T) {
	clk := queue.NewManualClock()
	tk := &ticker{clock: clk, ran: make(chan struct{}, 1)}
	// Read before Start: the first run is due one period after the time Start reads, so
	// reading it after Start made the test fail by a few µs (CI, stop 12).
	before := clk.Now()
	rt, err := local.Start(context.Background(), local.Config{
		JWTSecret: []byte("test"), Clock: clk, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Topology:         append(slices.Clone(events.Topology), events.Function{Name: "tick", Schedule: 20 * time.Millisecond}),
		ScheduleHandlers: map[string]local.ScheduleHandler{"tick": tk.handle},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	select {
	case <-tk.ran:
	case <-time.After(10 * time.Second):
		t.Fatal("a 20ms schedule did not run within 10s of wall time")
	}
	if runs := tk.snapshot(); runs[0].ev.Time.Before(before.Add(20 * time.Millisecond)) {
		t.Errorf("first run at %s; want a period after %s", runs[0].ev.Time, before)
	}
}
