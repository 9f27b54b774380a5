// Package queue is the local stand-in for EventBridge → SQS → Lambda: an in-memory SQS queue
// with its DLQ (Queue), the event source mapping that feeds a Lambda handler from it (Poller),
// and the bus that routes catalog events to the queues of their consumers (Bus). It keeps the
// SQS semantics that handlers rely on in the cloud — batches, visibility timeouts,
// at-least-once delivery, partial batch failures, maxReceiveCount → DLQ, FIFO message groups —
// so `make dev` exercises the same failure paths as production.
package queue

import (
	"container/list"
	"context"
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	lambdaevents "github.com/aws/aws-lambda-go/events"

	"github.com/borderdesk/borderdesk/events"
)

// The fake account and region of everything local.
const (
	accountID = "000000000000"
	region    = "local"
)

// MaxBodySize is SQS's limit on a message body, in bytes.
const MaxBodySize = 256 * 1024

// Errors.
var (
	// ErrTooLarge: the body is over MaxBodySize.
	ErrTooLarge = errors.New("message body over 256 KiB")
	// ErrNoGroup: a FIFO queue needs a message group id.
	ErrNoGroup = errors.New("FIFO message without a group id")
	// ErrReceiptHandle: the receipt handle is unknown, or stale because the message was
	// received again after its visibility timeout expired. The message was not deleted.
	ErrReceiptHandle = errors.New("invalid or stale receipt handle")
)

// Message is a message as the queue holds it, for DLQ inspection.
type Message struct {
	ID      string
	Body    string
	GroupID string
	SentAt  time.Time
	// ReceiveCount is how often the message was delivered (ApproximateReceiveCount).
	ReceiveCount int
}

// Stats counts a queue's messages. A message that was received and not deleted is in flight
// until its visibility timeout expires, whether its handler is still running or failed it.
type Stats struct {
	Visible  int
	InFlight int
	DLQ      int
}

// message is a Message plus its delivery state.
type message struct {
	Message
	seq            uint64
	md5            string
	firstReceiveAt time.Time
	visibleAt      time.Time // zero until the first receive
	receipt        string    // the current receipt handle; "" until the first receive
}

// Queue is an in-memory SQS queue with a DLQ. It is safe for concurrent use.
//
// Dead-lettering: a message is delivered at most cfg.MaxReceives times. When the last allowed
// delivery fails (its batch item failed, the handler errored or panicked), the message moves to
// the DLQ at once. SQS instead moves it on the first receive after its visibility timeout
// expires; the outcome is the same, only sooner, so WaitIdle need not wait out a timeout for a
// poison message. A message whose last delivery is never settled (its handler outlives the
// visibility timeout) moves the SQS way, on the next receive.
//
// FIFO queues do not deduplicate: consumers are idempotent anyway, and SQS's five-minute
// deduplication window would only hide a missing idempotency check locally.
type Queue struct {
	name  string
	arn   string
	cfg   events.Queue
	clock Clock

	mu        sync.Mutex
	msgs      *list.List               // of *message, in send order
	byReceipt map[string]*list.Element // current receipt handle → message
	dlq       []Message
	seq       uint64
	// changed is closed and replaced whenever the queue changes, if someone took it since
	// the last change; waiters (Poller.Run, WaitIdle) select on it.
	changed chan struct{}
	watched bool
}

// New returns an empty queue named name (the function it feeds), configured as the topology
// says. A nil clock means SystemClock.
func New(name string, cfg events.Queue, clock Clock) (*Queue, error) {
	switch {
	case name == "":
		return nil, errors.New("new queue: no name")
	case cfg.Batch < 1 || cfg.Batch > 10000 || (cfg.FIFO && cfg.Batch > 10):
		return nil, fmt.Errorf("new queue %s: batch size %d out of range", name, cfg.Batch)
	case cfg.Visibility <= 0:
		return nil, fmt.Errorf("new queue %s: visibility timeout %v must be positive", name, cfg.Visibility)
	case cfg.MaxReceives < 1 || cfg.MaxReceives > 1000:
		return nil, fmt.Errorf("new queue %s: maxReceiveCount %d out of range 1..1000", name, cfg.MaxReceives)
	}
	if clock == nil {
		clock = SystemClock{}
	}
	arnName := name
	if cfg.FIFO && !strings.HasSuffix(arnName, ".fifo") {
		arnName += ".fifo" // SQS requires the suffix on FIFO queue names
	}
	return &Queue{
		name:      name,
		arn:       "arn:aws:sqs:" + region + ":" + accountID + ":" + arnName,
		cfg:       cfg,
		clock:     clock,
		msgs:      list.New(),
		byReceipt: make(map[string]*list.Element),
		changed:   make(chan struct{}),
	}, nil
}

// Name is the queue's name.
func (q *Queue) Name() string { return q.name }

// ARN is the queue's fake local ARN, as records carry it in EventSourceARN.
func (q *Queue) ARN() string { return q.arn }

// Send enqueues body and returns its message id. groupID is the FIFO message group; standard
// queues keep it for inspection only.
func (q *Queue) Send(body, groupID string) (string, error) {
	if len(body) > MaxBodySize {
		return "", fmt.Errorf("send to %s: %d bytes: %w", q.name, len(body), ErrTooLarge)
	}
	if q.cfg.FIFO && groupID == "" {
		return "", fmt.Errorf("send to %s: %w", q.name, ErrNoGroup)
	}
	sum := md5.Sum([]byte(body))
	m := &message{
		Message: Message{ID: newID(), Body: body, GroupID: groupID},
		md5:     hex.EncodeToString(sum[:]),
	}

	q.mu.Lock()
	defer q.mu.Unlock()
	m.SentAt = q.clock.Now()
	q.seq++
	m.seq = q.seq
	q.msgs.PushBack(m)
	q.signal()
	return m.ID, nil
}

// Receive delivers up to the batch size of visible messages and hides them for the visibility
// timeout. A FIFO queue delivers each group's messages in order and skips a group while one of
// its messages is in flight.
func (q *Queue) Receive() []lambdaevents.SQSMessage {
	recs, _, _, _ := q.receive()
	return recs
}

// receive is Receive that also reports what the poller needs: the messages it moved to the
// DLQ, and — when it delivered nothing — a channel closed at the next change and whether
// messages are in flight (whose visibility timeouts will expire without a change).
func (q *Queue) receive() (recs []lambdaevents.SQSMessage, dead []Message, wake <-chan struct{}, inFlight bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	now := q.clock.Now()
	var blocked map[string]bool // FIFO groups with a message in flight
	for e := q.msgs.Front(); e != nil && len(recs) < q.cfg.Batch; {
		next := e.Next()
		m := e.Value.(*message)
		switch {
		case q.cfg.FIFO && blocked[m.GroupID]:
		case m.visibleAt.After(now):
			inFlight = true
			if q.cfg.FIFO {
				if blocked == nil {
					blocked = make(map[string]bool)
				}
				blocked[m.GroupID] = true
			}
		case m.ReceiveCount >= q.cfg.MaxReceives:
			// Its last delivery was never settled and has timed out.
			dead = append(dead, q.deadLetter(e))
		default:
			recs = append(recs, q.deliver(e, now))
		}
		e = next
	}
	if len(recs) == 0 {
		q.watched = true
		wake = q.changed
	}
	return recs, dead, wake, inFlight
}

// deliver hides the message for the visibility timeout and renders it as Lambda receives it.
func (q *Queue) deliver(e *list.Element, now time.Time) lambdaevents.SQSMessage {
	m := e.Value.(*message)
	delete(q.byReceipt, m.receipt)
	m.ReceiveCount++
	if m.ReceiveCount == 1 {
		m.firstReceiveAt = now
	}
	m.visibleAt = now.Add(q.cfg.Visibility)
	m.receipt = newID()
	q.byReceipt[m.receipt] = e

	attrs := map[string]string{
		"ApproximateReceiveCount":          strconv.Itoa(m.ReceiveCount),
		"SentTimestamp":                    millis(m.SentAt),
		"ApproximateFirstReceiveTimestamp": millis(m.firstReceiveAt),
		"SenderId":                         accountID,
	}
	if q.cfg.FIFO {
		attrs["MessageGroupId"] = m.GroupID
		attrs["SequenceNumber"] = strconv.FormatUint(m.seq, 10)
	}
	return lambdaevents.SQSMessage{
		MessageId:         m.ID,
		ReceiptHandle:     m.receipt,
		Body:              m.Body,
		Md5OfBody:         m.md5,
		Attributes:        attrs,
		MessageAttributes: map[string]lambdaevents.SQSMessageAttribute{},
		EventSourceARN:    q.arn,
		EventSource:       "aws:sqs",
		AWSRegion:         region,
	}
}

// Delete removes a received message for good.
func (q *Queue) Delete(receiptHandle string) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	e, ok := q.byReceipt[receiptHandle]
	if !ok {
		return fmt.Errorf("delete from %s: %w", q.name, ErrReceiptHandle)
	}
	delete(q.byReceipt, receiptHandle)
	q.msgs.Remove(e)
	q.signal()
	return nil
}

// MaxVisibility is SQS's longest visibility timeout.
const MaxVisibility = 12 * time.Hour

// ChangeVisibility hides a received message for d from now, as SQS's ChangeMessageVisibility
// does: 0 makes it visible at once. The receipt handle must be the message's current one.
// It does not change the message's receive count, so a message that already had its last
// allowed delivery still goes to the DLQ when that delivery fails.
func (q *Queue) ChangeVisibility(receiptHandle string, d time.Duration) error {
	if d < 0 || d > MaxVisibility {
		return fmt.Errorf("change visibility on %s: %v out of range 0..12h", q.name, d)
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	e, ok := q.byReceipt[receiptHandle]
	if !ok {
		return fmt.Errorf("change visibility on %s: %w", q.name, ErrReceiptHandle)
	}
	e.Value.(*message).visibleAt = q.clock.Now().Add(d)
	q.signal()
	return nil
}

// settle ends one delivery of a batch: failed messages stay hidden until their visibility
// timeout expires, or go to the DLQ when that was their last allowed delivery; the others are
// deleted. It returns the messages it dead-lettered and how many receipt handles were stale.
func (q *Queue) settle(recs []lambdaevents.SQSMessage, failed func(id string) bool) (dead []Message, stale int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, r := range recs {
		e, ok := q.byReceipt[r.ReceiptHandle]
		if !ok {
			stale++
			continue
		}
		m := e.Value.(*message)
		switch {
		case !failed(r.MessageId):
			delete(q.byReceipt, r.ReceiptHandle)
			q.msgs.Remove(e)
		case m.ReceiveCount >= q.cfg.MaxReceives:
			dead = append(dead, q.deadLetter(e))
		}
	}
	q.signal()
	return dead, stale
}

// deadLetter moves a message to the DLQ. The caller holds q.mu.
func (q *Queue) deadLetter(e *list.Element) Message {
	m := e.Value.(*message)
	delete(q.byReceipt, m.receipt)
	q.msgs.Remove(e)
	q.dlq = append(q.dlq, m.Message)
	q.signal()
	return m.Message
}

// DLQ returns copies of the messages in the dead-letter queue, oldest first.
func (q *Queue) DLQ() []Message {
	q.mu.Lock()
	defer q.mu.Unlock()
	return append([]Message(nil), q.dlq...)
}

// Redrive moves every DLQ message back to the end of the queue with its receive count reset,
// as an SQS DLQ redrive does, and returns how many it moved. Messages keep their ids.
func (q *Queue) Redrive() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, d := range q.dlq {
		sum := md5.Sum([]byte(d.Body))
		d.ReceiveCount = 0
		q.seq++
		q.msgs.PushBack(&message{Message: d, seq: q.seq, md5: hex.EncodeToString(sum[:])})
	}
	n := len(q.dlq)
	q.dlq = nil
	if n > 0 {
		q.signal()
	}
	return n
}

// Stats counts visible, in-flight and dead-lettered messages.
func (q *Queue) Stats() Stats {
	q.mu.Lock()
	defer q.mu.Unlock()
	now := q.clock.Now()
	s := Stats{DLQ: len(q.dlq)}
	for e := q.msgs.Front(); e != nil; e = e.Next() {
		if e.Value.(*message).visibleAt.After(now) {
			s.InFlight++
		} else {
			s.Visible++
		}
	}
	return s
}

// WaitIdle blocks until the queue holds nothing visible and nothing in flight — every message
// was deleted or dead-lettered — or ctx ends. A failed message waiting out its visibility
// timeout is not idle. The queue's consumer must be running for it to get there.
func (q *Queue) WaitIdle(ctx context.Context) error {
	for {
		q.mu.Lock()
		if q.msgs.Len() == 0 {
			q.mu.Unlock()
			return nil
		}
		q.watched = true
		wake := q.changed
		q.mu.Unlock()
		select {
		case <-wake:
		case <-ctx.Done():
			s := q.Stats()
			return fmt.Errorf("queue %s not idle (%d visible, %d in flight): %w", q.name, s.Visible, s.InFlight, ctx.Err())
		}
	}
}

// signal wakes whoever waits for a change. The caller holds q.mu.
func (q *Queue) signal() {
	if q.watched {
		close(q.changed)
		q.changed = make(chan struct{})
		q.watched = false
	}
}

// newID returns a random UUID (version 4), the shape of SQS message and EventBridge event ids.
func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails; see crypto/rand.Read
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

func millis(t time.Time) string { return strconv.FormatInt(t.UnixMilli(), 10) }
