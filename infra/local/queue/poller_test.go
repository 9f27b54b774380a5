package queue

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	lambdaevents "github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/borderdesk/borderdesk/events"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// failing returns a handler that reports the messages whose body is in bodies as failed.
func failing(bodies ...string) Handler {
	return func(_ context.Context, ev lambdaevents.SQSEvent) (lambdaevents.SQSEventResponse, error) {
		var resp lambdaevents.SQSEventResponse
		for _, r := range ev.Records {
			if slices.Contains(bodies, r.Body) {
				resp.BatchItemFailures = append(resp.BatchItemFailures, lambdaevents.SQSBatchItemFailure{ItemIdentifier: r.MessageId})
			}
		}
		return resp, nil
	}
}

func bodies(ev lambdaevents.SQSEvent) []string {
	var out []string
	for _, r := range ev.Records {
		out = append(out, r.Body)
	}
	return out
}

func TestPollOnceDeletesAllButFailedItems(t *testing.T) {
	q, clock := newQueue(t, standard)
	send(t, q, "", "a", "b", "c", "d", "e")
	p := &Poller{Queue: q, Handler: failing("b", "d"), Logger: quiet}

	n, err := p.PollOnce(t.Context())
	if n != 5 || err != nil {
		t.Fatalf("PollOnce() = %d, %v; want 5, nil", n, err)
	}
	if s, want := q.Stats(), (Stats{InFlight: 2}); s != want {
		t.Errorf("Stats() = %+v; want %+v", s, want)
	}
	if n, _ := p.PollOnce(t.Context()); n != 0 {
		t.Errorf("PollOnce() before the visibility timeout delivered %d; want 0", n)
	}

	clock.Advance(standard.Visibility)
	var got []string
	p.Handler = func(_ context.Context, ev lambdaevents.SQSEvent) (lambdaevents.SQSEventResponse, error) {
		got = bodies(ev)
		return lambdaevents.SQSEventResponse{}, nil
	}
	if n, err := p.PollOnce(t.Context()); n != 2 || err != nil {
		t.Fatalf("PollOnce() after the timeout = %d, %v; want 2, nil", n, err)
	}
	if want := "[b d]"; fmt.Sprint(got) != want {
		t.Errorf("redelivered %v; want %v", got, want)
	}
	if s := q.Stats(); s != (Stats{}) {
		t.Errorf("Stats() = %+v; want empty", s)
	}
}

func TestPollOnceFailsWholeBatch(t *testing.T) {
	tests := []struct {
		name    string
		handler Handler
		want    string
	}{
		{"handler error", func(context.Context, lambdaevents.SQSEvent) (lambdaevents.SQSEventResponse, error) {
			return lambdaevents.SQSEventResponse{}, errors.New("table unavailable")
		}, "table unavailable"},
		{"handler panic", func(context.Context, lambdaevents.SQSEvent) (lambdaevents.SQSEventResponse, error) {
			panic("nil map")
		}, "handler panicked: nil map"},
		{"unknown itemIdentifier", func(context.Context, lambdaevents.SQSEvent) (lambdaevents.SQSEventResponse, error) {
			return lambdaevents.SQSEventResponse{BatchItemFailures: []lambdaevents.SQSBatchItemFailure{{ItemIdentifier: "nope"}}}, nil
		}, ErrItemIdentifier.Error()},
		{"empty itemIdentifier", func(context.Context, lambdaevents.SQSEvent) (lambdaevents.SQSEventResponse, error) {
			return lambdaevents.SQSEventResponse{BatchItemFailures: []lambdaevents.SQSBatchItemFailure{{}}}, nil
		}, ErrItemIdentifier.Error()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, clock := newQueue(t, standard)
			send(t, q, "", "a", "b", "c")
			p := &Poller{Queue: q, Handler: tt.handler, Logger: quiet}

			n, err := p.PollOnce(t.Context())
			if n != 3 || err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("PollOnce() = %d, %v; want 3 and an error containing %q", n, err, tt.want)
			}
			if s, want := q.Stats(), (Stats{InFlight: 3}); s != want {
				t.Errorf("Stats() = %+v; want %+v", s, want)
			}
			clock.Advance(standard.Visibility)
			if s, want := q.Stats(), (Stats{Visible: 3}); s != want {
				t.Errorf("Stats() after the timeout = %+v; want %+v", s, want)
			}
		})
	}
}

func TestPoisonMessageLandsInDLQ(t *testing.T) {
	for _, maxReceives := range []int{1, 3, 5} {
		t.Run(fmt.Sprintf("maxReceiveCount %d", maxReceives), func(t *testing.T) {
			q, clock := newQueue(t, events.Queue{Batch: 10, Visibility: time.Minute, MaxReceives: maxReceives})
			body := `{"poison":true}`
			id := send(t, q, "", body, "fine")[0]
			deliveries := 0
			p := &Poller{Queue: q, Logger: quiet, Handler: func(ctx context.Context, ev lambdaevents.SQSEvent) (lambdaevents.SQSEventResponse, error) {
				for _, r := range ev.Records {
					if r.Body == body {
						deliveries++
					}
				}
				return failing(body)(ctx, ev)
			}}

			for range maxReceives + 3 {
				if _, err := p.PollOnce(t.Context()); err != nil {
					t.Fatalf("PollOnce() error = %v", err)
				}
				clock.Advance(time.Minute)
			}
			if deliveries != maxReceives {
				t.Errorf("poison message delivered %d times; want %d", deliveries, maxReceives)
			}
			want := []Message{{ID: id, Body: body, SentAt: newFakeClock().Now(), ReceiveCount: maxReceives}}
			if got := q.DLQ(); !slices.Equal(got, want) {
				t.Errorf("DLQ() = %+v; want %+v", got, want)
			}
			if s, want := q.Stats(), (Stats{DLQ: 1}); s != want {
				t.Errorf("Stats() = %+v; want %+v", s, want)
			}
		})
	}
}

func TestRedrive(t *testing.T) {
	q, clock := newQueue(t, events.Queue{Batch: 10, Visibility: time.Minute, MaxReceives: 1})
	send(t, q, "", "a", "b")
	p := &Poller{Queue: q, Handler: failing("a", "b"), Logger: quiet}
	if _, err := p.PollOnce(t.Context()); err != nil {
		t.Fatal(err)
	}
	if s, want := q.Stats(), (Stats{DLQ: 2}); s != want {
		t.Fatalf("Stats() = %+v; want %+v", s, want)
	}
	dlq := q.DLQ()
	dlq[0].Body = "mutated" // DLQ returns copies
	if q.DLQ()[0].Body != "a" {
		t.Errorf("DLQ() returned the queue's own storage")
	}

	if n := q.Redrive(); n != 2 {
		t.Errorf("Redrive() = %d; want 2", n)
	}
	if s, want := q.Stats(), (Stats{Visible: 2}); s != want {
		t.Errorf("Stats() after redrive = %+v; want %+v", s, want)
	}
	clock.Advance(time.Second)
	var got []string
	p.Handler = func(_ context.Context, ev lambdaevents.SQSEvent) (lambdaevents.SQSEventResponse, error) {
		for _, r := range ev.Records {
			got = append(got, r.Body+":"+r.Attributes["ApproximateReceiveCount"])
		}
		return lambdaevents.SQSEventResponse{}, nil
	}
	if _, err := p.PollOnce(t.Context()); err != nil {
		t.Fatal(err)
	}
	if want := "[a:1 b:1]"; fmt.Sprint(got) != want {
		t.Errorf("delivered after redrive %v; want %v", got, want)
	}
	if n := q.Redrive(); n != 0 {
		t.Errorf("Redrive() of an empty DLQ = %d; want 0", n)
	}
}

// A FIFO handler stops at its first failure and reports the rest of the group as failed, as
// AWS asks; the queue then redelivers the group in order.
func TestPollOnceFIFOKeepsGroupOrderAcrossFailures(t *testing.T) {
	q, clock := newQueue(t, events.Queue{Batch: 10, Visibility: time.Minute, MaxReceives: 5, FIFO: true})
	send(t, q, "A", "A1", "A2", "A3")
	send(t, q, "B", "B1", "B2")
	failedOnce := map[string]bool{}
	var done []string
	p := &Poller{Queue: q, Logger: quiet, Handler: func(_ context.Context, ev lambdaevents.SQSEvent) (lambdaevents.SQSEventResponse, error) {
		var resp lambdaevents.SQSEventResponse
		stopped := map[string]bool{}
		for _, r := range ev.Records {
			g := r.Attributes["MessageGroupId"]
			if stopped[g] || (r.Body == "A2" && !failedOnce[r.Body]) {
				failedOnce[r.Body] = true
				stopped[g] = true
				resp.BatchItemFailures = append(resp.BatchItemFailures, lambdaevents.SQSBatchItemFailure{ItemIdentifier: r.MessageId})
				continue
			}
			done = append(done, r.Body)
		}
		return resp, nil
	}}
	for range 3 {
		if _, err := p.PollOnce(t.Context()); err != nil {
			t.Fatal(err)
		}
		clock.Advance(time.Minute)
	}
	if want := "[A1 B1 B2 A2 A3]"; fmt.Sprint(done) != want {
		t.Errorf("processed %v; want %v", done, want)
	}
}

func TestPollOnceLambdaContext(t *testing.T) {
	q, _ := newQueue(t, standard)
	send(t, q, "", "a")
	var lc *lambdacontext.LambdaContext
	p := &Poller{Queue: q, Logger: quiet, Handler: func(ctx context.Context, _ lambdaevents.SQSEvent) (lambdaevents.SQSEventResponse, error) {
		lc, _ = lambdacontext.FromContext(ctx)
		return lambdaevents.SQSEventResponse{}, nil
	}}
	if _, err := p.PollOnce(t.Context()); err != nil {
		t.Fatal(err)
	}
	if lc == nil || lc.AwsRequestID == "" || !strings.HasSuffix(lc.InvokedFunctionArn, ":function:ticketing") {
		t.Errorf("handler context LambdaContext = %+v; want a request id and the function's ARN", lc)
	}
}

// The tests below run in real time, bounded by a context.

func newRealQueue(t *testing.T, cfg events.Queue) *Queue {
	t.Helper()
	q, err := New("ticketing", cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

// run starts p.Run and stops it when the test ends.
func run(t testing.TB, p *Poller) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- p.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run() = %v; want nil", err)
		}
	})
}

func waitIdle(t testing.TB, q *Queue) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := q.WaitIdle(ctx); err != nil {
		t.Fatalf("WaitIdle() = %v", err)
	}
}

func TestRunRetriesUntilIdle(t *testing.T) {
	q := newRealQueue(t, events.Queue{Batch: 10, Visibility: 30 * time.Millisecond, MaxReceives: 3})
	var mu sync.Mutex
	seen := map[string]int{}
	run(t, &Poller{Queue: q, Logger: quiet, Handler: func(_ context.Context, ev lambdaevents.SQSEvent) (lambdaevents.SQSEventResponse, error) {
		mu.Lock()
		defer mu.Unlock()
		var resp lambdaevents.SQSEventResponse
		for _, r := range ev.Records {
			if seen[r.Body]++; seen[r.Body] == 1 { // every message fails its first delivery
				resp.BatchItemFailures = append(resp.BatchItemFailures, lambdaevents.SQSBatchItemFailure{ItemIdentifier: r.MessageId})
			}
		}
		return resp, nil
	}})
	send(t, q, "", numbered("m", 25)...)
	waitIdle(t, q)

	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 25 {
		t.Errorf("handled %d messages; want 25", len(seen))
	}
	for b, n := range seen {
		if n != 2 {
			t.Errorf("%s delivered %d times; want 2", b, n)
		}
	}
	if s := q.Stats(); s != (Stats{}) {
		t.Errorf("Stats() = %+v; want empty", s)
	}
}

func TestRunFIFOWithConcurrency(t *testing.T) {
	q := newRealQueue(t, events.Queue{Batch: 3, Visibility: time.Minute, MaxReceives: 3, FIFO: true})
	const groups, perGroup = 6, 30
	var (
		mu       sync.Mutex
		next     = map[string]int{}
		busy     = map[string]bool{}
		problems []string
	)
	run(t, &Poller{Queue: q, Concurrency: 4, Logger: quiet, Handler: func(_ context.Context, ev lambdaevents.SQSEvent) (lambdaevents.SQSEventResponse, error) {
		mu.Lock()
		groupsHere := map[string]bool{}
		for _, r := range ev.Records {
			g := r.Attributes["MessageGroupId"]
			if busy[g] {
				problems = append(problems, "group "+g+" in two batches at once")
			}
			groupsHere[g] = true
			var i int
			fmt.Sscanf(strings.TrimPrefix(r.Body, g+"-"), "%d", &i)
			if i != next[g] {
				problems = append(problems, fmt.Sprintf("%s after %s-%d", r.Body, g, next[g]-1))
			}
			next[g] = i + 1
		}
		for g := range groupsHere {
			busy[g] = true
		}
		mu.Unlock()
		time.Sleep(time.Millisecond) // give other workers a chance to overlap
		mu.Lock()
		for g := range groupsHere {
			busy[g] = false
		}
		mu.Unlock()
		return lambdaevents.SQSEventResponse{}, nil
	}})
	var wg sync.WaitGroup
	for g := range groups {
		wg.Go(func() {
			group := fmt.Sprintf("g%d", g)
			for i := range perGroup {
				if _, err := q.Send(fmt.Sprintf("%s-%d", group, i), group); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	waitIdle(t, q)

	mu.Lock()
	defer mu.Unlock()
	for _, p := range problems {
		t.Error(p)
	}
	for g := range groups {
		if got := next[fmt.Sprintf("g%d", g)]; got != perGroup {
			t.Errorf("group g%d processed up to %d; want %d", g, got, perGroup)
		}
	}
}

func TestConcurrentSend(t *testing.T) {
	q := newRealQueue(t, events.Queue{Batch: 10, Visibility: time.Minute, MaxReceives: 3})
	var mu sync.Mutex
	got := map[string]int{}
	run(t, &Poller{Queue: q, Logger: quiet, Handler: func(_ context.Context, ev lambdaevents.SQSEvent) (lambdaevents.SQSEventResponse, error) {
		mu.Lock()
		defer mu.Unlock()
		for _, r := range ev.Records {
			got[r.MessageId]++
		}
		return lambdaevents.SQSEventResponse{}, nil
	}})

	const senders, each = 50, 100
	ids := make(chan string, senders*each)
	var wg sync.WaitGroup
	for s := range senders {
		wg.Go(func() {
			for i := range each {
				id, err := q.Send(fmt.Sprintf("%d-%d", s, i), "")
				if err != nil {
					t.Error(err)
				}
				ids <- id
			}
			_ = q.Stats()
		})
	}
	wg.Wait()
	close(ids)
	waitIdle(t, q)

	mu.Lock()
	defer mu.Unlock()
	sent := 0
	for id := range ids {
		sent++
		if got[id] != 1 {
			t.Errorf("message %s delivered %d times; want 1", id, got[id])
		}
	}
	if sent != senders*each || len(got) != sent {
		t.Errorf("sent %d, delivered %d distinct; want %d of each", sent, len(got), senders*each)
	}
}

func TestWaitIdle(t *testing.T) {
	t.Run("empty queue", func(t *testing.T) {
		q := newRealQueue(t, standard)
		if err := q.WaitIdle(t.Context()); err != nil {
			t.Errorf("WaitIdle() = %v; want nil", err)
		}
	})
	t.Run("message in flight times out", func(t *testing.T) {
		q := newRealQueue(t, standard)
		send(t, q, "", "a")
		q.Receive()
		ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
		defer cancel()
		if err := q.WaitIdle(ctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("WaitIdle() = %v; want %v", err, context.DeadlineExceeded)
		}
	})
	t.Run("dead-lettered counts as idle", func(t *testing.T) {
		q := newRealQueue(t, events.Queue{Batch: 10, Visibility: time.Hour, MaxReceives: 1})
		run(t, &Poller{Queue: q, Handler: failing("a"), Logger: quiet})
		send(t, q, "", "a")
		waitIdle(t, q)
		if s, want := q.Stats(), (Stats{DLQ: 1}); s != want {
			t.Errorf("Stats() = %+v; want %+v", s, want)
		}
	})
}

func TestRunNeedsQueueAndHandler(t *testing.T) {
	if err := (&Poller{}).Run(t.Context()); err == nil {
		t.Error("Run() of an empty Poller = nil; want an error")
	}
}

// BenchmarkQueueThroughput measures send → Run → no-op handler → delete: "burst" sends
// b.N messages and waits for the queue to drain; "one by one" waits for each message before
// sending the next, so it measures wake-up latency, not batching.
func BenchmarkQueueThroughput(b *testing.B) {
	body := strings.Repeat("x", 1024)
	setup := func(b *testing.B, handled chan<- struct{}) (*Queue, *atomic.Int64) {
		q, err := New("bench", events.Queue{Batch: 10, Visibility: time.Minute, MaxReceives: 3}, nil)
		if err != nil {
			b.Fatal(err)
		}
		var n atomic.Int64
		run(b, &Poller{Queue: q, Logger: quiet, Handler: func(_ context.Context, ev lambdaevents.SQSEvent) (lambdaevents.SQSEventResponse, error) {
			n.Add(int64(len(ev.Records)))
			if handled != nil {
				for range ev.Records {
					handled <- struct{}{}
				}
			}
			return lambdaevents.SQSEventResponse{}, nil
		}})
		return q, &n
	}

	b.Run("burst", func(b *testing.B) {
		q, n := setup(b, nil)
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			if _, err := q.Send(body, ""); err != nil {
				b.Fatal(err)
			}
		}
		waitIdle(b, q)
		b.StopTimer()
		if got := n.Load(); got != int64(b.N) {
			b.Fatalf("handled %d; want %d", got, b.N)
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
	})

	b.Run("one by one", func(b *testing.B) {
		handled := make(chan struct{})
		q, _ := setup(b, handled)
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			if _, err := q.Send(body, ""); err != nil {
				b.Fatal(err)
			}
			<-handled
		}
		b.StopTimer()
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
	})
}
