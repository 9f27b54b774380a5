package queue

import (
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/borderdesk/borderdesk/events"
)

// fakeClock is a Clock that moves only when a test advances it.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

var standard = events.Queue{Batch: 10, Visibility: time.Minute, MaxReceives: 3}

func newQueue(t *testing.T, cfg events.Queue) (*Queue, *fakeClock) {
	t.Helper()
	clock := newFakeClock()
	q, err := New("ticketing", cfg, clock)
	if err != nil {
		t.Fatalf("New() error = %v", err)
	}
	return q, clock
}

func send(t *testing.T, q *Queue, group string, bodies ...string) []string {
	t.Helper()
	var ids []string
	for _, b := range bodies {
		id, err := q.Send(b, group)
		if err != nil {
			t.Fatalf("Send(%q) error = %v", b, err)
		}
		ids = append(ids, id)
	}
	return ids
}

func numbered(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%d", prefix, i+1)
	}
	return out
}

func TestNewRejectsBadConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  events.Queue
	}{
		{"no batch", events.Queue{Visibility: time.Minute, MaxReceives: 3}},
		{"FIFO batch over 10", events.Queue{Batch: 11, Visibility: time.Minute, MaxReceives: 3, FIFO: true}},
		{"no visibility", events.Queue{Batch: 10, MaxReceives: 3}},
		{"no DLQ", events.Queue{Batch: 10, Visibility: time.Minute}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if q, err := New("q", tt.cfg, nil); err == nil {
				t.Errorf("New(%+v) = %v, nil; want an error", tt.cfg, q)
			}
		})
	}
}

func TestReceiveRespectsBatchSize(t *testing.T) {
	tests := []struct {
		batch, sent, want int
	}{
		{batch: 1, sent: 5, want: 1},
		{batch: 3, sent: 5, want: 3},
		{batch: 10, sent: 5, want: 5},
		{batch: 10, sent: 0, want: 0},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("batch %d of %d", tt.batch, tt.sent), func(t *testing.T) {
			q, _ := newQueue(t, events.Queue{Batch: tt.batch, Visibility: time.Minute, MaxReceives: 3})
			send(t, q, "", numbered("m", tt.sent)...)
			got := q.Receive()
			if len(got) != tt.want {
				t.Fatalf("Receive() = %d messages; want %d", len(got), tt.want)
			}
			for i, r := range got {
				if want := fmt.Sprintf("m%d", i+1); r.Body != want {
					t.Errorf("Receive()[%d].Body = %q; want %q", i, r.Body, want)
				}
			}
			if s, want := q.Stats(), (Stats{Visible: tt.sent - tt.want, InFlight: tt.want}); s != want {
				t.Errorf("Stats() = %+v; want %+v", s, want)
			}
		})
	}
}

func TestReceiveRecordShape(t *testing.T) {
	tests := []struct {
		name    string
		cfg     events.Queue
		wantARN string
	}{
		{"standard", standard, "arn:aws:sqs:local:000000000000:ticketing"},
		{"FIFO", events.Queue{Batch: 10, Visibility: time.Minute, MaxReceives: 3, FIFO: true}, "arn:aws:sqs:local:000000000000:ticketing.fifo"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, clock := newQueue(t, tt.cfg)
			sentAt := clock.Now()
			id := send(t, q, "m_acme", `{"hello":"world"}`)[0]
			clock.Advance(time.Second)

			recs := q.Receive()
			if len(recs) != 1 {
				t.Fatalf("Receive() = %d messages; want 1", len(recs))
			}
			r := recs[0]
			sum := md5.Sum([]byte(r.Body))
			checks := []struct{ field, got, want string }{
				{"MessageId", r.MessageId, id},
				{"Body", r.Body, `{"hello":"world"}`},
				{"Md5OfBody", r.Md5OfBody, hex.EncodeToString(sum[:])},
				{"EventSource", r.EventSource, "aws:sqs"},
				{"EventSourceARN", r.EventSourceARN, tt.wantARN},
				{"AWSRegion", r.AWSRegion, "local"},
				{"ApproximateReceiveCount", r.Attributes["ApproximateReceiveCount"], "1"},
				{"SentTimestamp", r.Attributes["SentTimestamp"], fmt.Sprint(sentAt.UnixMilli())},
				{"ApproximateFirstReceiveTimestamp", r.Attributes["ApproximateFirstReceiveTimestamp"], fmt.Sprint(sentAt.Add(time.Second).UnixMilli())},
			}
			if tt.cfg.FIFO {
				checks = append(checks, struct{ field, got, want string }{"MessageGroupId", r.Attributes["MessageGroupId"], "m_acme"})
			}
			for _, c := range checks {
				if c.got != c.want {
					t.Errorf("Receive()[0].%s = %q; want %q", c.field, c.got, c.want)
				}
			}
			if r.ReceiptHandle == "" || r.ReceiptHandle == r.MessageId {
				t.Errorf("Receive()[0].ReceiptHandle = %q; want a handle of its own", r.ReceiptHandle)
			}
		})
	}
}

func TestVisibilityTimeout(t *testing.T) {
	q, clock := newQueue(t, standard)
	send(t, q, "", "a")
	first := q.Receive()
	if len(first) != 1 {
		t.Fatalf("Receive() = %d messages; want 1", len(first))
	}

	clock.Advance(standard.Visibility - time.Millisecond)
	if got := q.Receive(); len(got) != 0 {
		t.Fatalf("Receive() before the visibility timeout = %d messages; want 0", len(got))
	}
	if s, want := q.Stats(), (Stats{InFlight: 1}); s != want {
		t.Errorf("Stats() while hidden = %+v; want %+v", s, want)
	}

	clock.Advance(time.Millisecond)
	if s, want := q.Stats(), (Stats{Visible: 1}); s != want {
		t.Errorf("Stats() after the timeout = %+v; want %+v", s, want)
	}
	again := q.Receive()
	if len(again) != 1 || again[0].MessageId != first[0].MessageId {
		t.Fatalf("Receive() after the timeout = %+v; want message %s again", again, first[0].MessageId)
	}
	if got := again[0].Attributes["ApproximateReceiveCount"]; got != "2" {
		t.Errorf("ApproximateReceiveCount = %q; want 2", got)
	}
	if again[0].ReceiptHandle == first[0].ReceiptHandle {
		t.Errorf("ReceiptHandle reused across receives: %q", again[0].ReceiptHandle)
	}

	// The first receipt is stale now: deleting with it must not delete the message.
	if err := q.Delete(first[0].ReceiptHandle); !errors.Is(err, ErrReceiptHandle) {
		t.Errorf("Delete(stale receipt) = %v; want %v", err, ErrReceiptHandle)
	}
	if err := q.Delete(again[0].ReceiptHandle); err != nil {
		t.Errorf("Delete(current receipt) = %v; want nil", err)
	}
	if s := q.Stats(); s != (Stats{}) {
		t.Errorf("Stats() after delete = %+v; want empty", s)
	}
}

func TestSendRejects(t *testing.T) {
	fifo := events.Queue{Batch: 10, Visibility: time.Minute, MaxReceives: 3, FIFO: true}
	tests := []struct {
		name  string
		cfg   events.Queue
		body  string
		group string
		want  error
	}{
		{"too large", standard, strings.Repeat("x", MaxBodySize+1), "", ErrTooLarge},
		{"FIFO without group", fifo, "a", "", ErrNoGroup},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, _ := newQueue(t, tt.cfg)
			if _, err := q.Send(tt.body, tt.group); !errors.Is(err, tt.want) {
				t.Errorf("Send() error = %v; want %v", err, tt.want)
			}
			if s := q.Stats(); s != (Stats{}) {
				t.Errorf("Stats() = %+v; want empty", s)
			}
		})
	}
	q, _ := newQueue(t, standard)
	if _, err := q.Send(strings.Repeat("x", MaxBodySize), ""); err != nil {
		t.Errorf("Send(256 KiB) error = %v; want nil", err)
	}
}

// A delivery that is never settled — its handler outlived the visibility timeout — counts
// against maxReceiveCount like a failure, and the message moves on the next receive, as SQS
// does it.
func TestUnsettledLastDeliveryDeadLettersOnNextReceive(t *testing.T) {
	q, clock := newQueue(t, events.Queue{Batch: 10, Visibility: time.Minute, MaxReceives: 2})
	send(t, q, "", "slow")
	for i := range 2 {
		if got := q.Receive(); len(got) != 1 {
			t.Fatalf("Receive() #%d = %d messages; want 1", i+1, len(got))
		}
		clock.Advance(time.Minute)
	}
	if got := q.Receive(); len(got) != 0 {
		t.Fatalf("Receive() after maxReceiveCount = %d messages; want 0", len(got))
	}
	dlq := q.DLQ()
	if len(dlq) != 1 || dlq[0].Body != "slow" || dlq[0].ReceiveCount != 2 {
		t.Errorf("DLQ() = %+v; want the message received twice", dlq)
	}
}

func TestFIFOGroups(t *testing.T) {
	q, clock := newQueue(t, events.Queue{Batch: 1, Visibility: time.Minute, MaxReceives: 3, FIFO: true})
	send(t, q, "A", "A1", "A2")
	send(t, q, "B", "B1")
	send(t, q, "A", "A3")

	receive := func(want ...string) []string {
		t.Helper()
		var got, receipts []string
		for _, r := range q.Receive() {
			got = append(got, r.Body)
			receipts = append(receipts, r.ReceiptHandle)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("Receive() = %v; want %v", got, want)
		}
		return receipts
	}

	a1 := receive("A1")
	receive("B1") // group A is blocked while A1 is in flight
	receive()     // both groups blocked
	if err := q.Delete(a1[0]); err != nil {
		t.Fatal(err)
	}
	receive("A2")
	clock.Advance(time.Minute) // A2 and B1 time out: A2 comes back before A3
	receive("A2")
	receive("B1")
	receive()
}

func TestFIFOBatchCarriesAGroupInOrder(t *testing.T) {
	q, _ := newQueue(t, events.Queue{Batch: 10, Visibility: time.Minute, MaxReceives: 3, FIFO: true})
	send(t, q, "A", "A1")
	send(t, q, "B", "B1")
	send(t, q, "A", "A2", "A3")
	var got []string
	for _, r := range q.Receive() {
		got = append(got, r.Body)
	}
	if want := "[A1 B1 A2 A3]"; fmt.Sprint(got) != want {
		t.Errorf("Receive() = %v; want %v", got, want)
	}
	send(t, q, "A", "A4")
	if got := q.Receive(); len(got) != 0 {
		t.Errorf("Receive() with group A in flight = %d messages; want 0", len(got))
	}
}
