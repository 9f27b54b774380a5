package queue

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	lambdaevents "github.com/aws/aws-lambda-go/events"

	"github.com/borderdesk/borderdesk/events"
)

func TestChangeVisibility(t *testing.T) {
	clock := NewStoppedClock(time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC))
	q, err := New("notify", standard, clock)
	if err != nil {
		t.Fatal(err)
	}
	send(t, q, "", "a")
	recs := q.Receive()
	if len(recs) != 1 {
		t.Fatalf("Receive() = %d messages; want 1", len(recs))
	}
	if err := q.ChangeVisibility(recs[0].ReceiptHandle, 5*time.Minute); err != nil {
		t.Fatalf("ChangeVisibility() error = %v", err)
	}
	mustAdvance(t, clock, standard.Visibility) // the queue's own timeout no longer applies
	if got := q.Receive(); len(got) != 0 {
		t.Errorf("Receive() a minute later = %d messages; want 0 (hidden for 5 minutes)", len(got))
	}
	mustAdvance(t, clock, 4*time.Minute)
	again := q.Receive()
	if len(again) != 1 || again[0].Attributes["ApproximateReceiveCount"] != "2" {
		t.Fatalf("Receive() after 5 minutes = %+v; want the message, received twice", again)
	}
	if err := q.ChangeVisibility(recs[0].ReceiptHandle, time.Minute); !errors.Is(err, ErrReceiptHandle) {
		t.Errorf("ChangeVisibility(stale receipt) error = %v; want ErrReceiptHandle", err)
	}
	for _, d := range []time.Duration{-time.Second, MaxVisibility + time.Second} {
		if err := q.ChangeVisibility(again[0].ReceiptHandle, d); err == nil {
			t.Errorf("ChangeVisibility(%v) = nil; want out of range", d)
		}
	}
	if err := q.ChangeVisibility(again[0].ReceiptHandle, 0); err != nil {
		t.Fatalf("ChangeVisibility(0) error = %v", err)
	}
	if got := q.Receive(); len(got) != 1 {
		t.Errorf("Receive() after ChangeVisibility(0) = %d messages; want it visible at once", len(got))
	}
}

func mustAdvance(t *testing.T, c *ManualClock, d time.Duration) {
	t.Helper()
	if _, err := c.Advance(d); err != nil {
		t.Fatal(err)
	}
}

// A handler that backs off through VisibilityOf, as notify does, on the poller: the failed
// message comes back after its backoff, not the queue's timeout, and still reaches the DLQ
// after its last allowed receive.
func TestPollerBackoff(t *testing.T) {
	clock := NewStoppedClock(time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC))
	q, err := New("notify", standard, clock)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := New("ticketing", standard, clock)
	vis := VisibilityOf(map[string]*Queue{"notify": q, "ticketing": other})
	var receives []string
	p := &Poller{Queue: q, Logger: quiet, Handler: func(ctx context.Context, ev lambdaevents.SQSEvent) (lambdaevents.SQSEventResponse, error) {
		var resp lambdaevents.SQSEventResponse
		for _, r := range ev.Records {
			receives = append(receives, r.Attributes["ApproximateReceiveCount"])
			if err := vis.ChangeVisibility(ctx, r.EventSourceARN, r.ReceiptHandle, 10*time.Minute); err != nil {
				t.Errorf("ChangeVisibility() error = %v", err)
			}
			resp.BatchItemFailures = append(resp.BatchItemFailures, lambdaevents.SQSBatchItemFailure{ItemIdentifier: r.MessageId})
		}
		return resp, nil
	}}
	send(t, q, "", "a")
	for i := range standard.MaxReceives {
		if n, err := p.PollOnce(t.Context()); n != 1 || err != nil {
			t.Fatalf("PollOnce() #%d = %d, %v; want 1", i+1, n, err)
		}
		mustAdvance(t, clock, 9*time.Minute)
		if n, _ := p.PollOnce(t.Context()); n != 0 {
			t.Fatalf("PollOnce() 9 minutes after failure #%d delivered %d; want 0 (backed off 10 minutes)", i+1, n)
		}
		mustAdvance(t, clock, time.Minute)
	}
	if s := q.Stats(); s != (Stats{DLQ: 1}) || len(receives) != standard.MaxReceives {
		t.Errorf("Stats() = %+v after %v receives; want the message in the DLQ after %d", s, receives, standard.MaxReceives)
	}
	if err := vis.ChangeVisibility(t.Context(), "arn:aws:sqs:local:000000000000:nothing", "rh", time.Minute); err == nil {
		t.Errorf("ChangeVisibility(unknown queue) = nil; want an error")
	}
}

func TestPublishAWS(t *testing.T) {
	ses := events.AWSEvents{Source: "aws.ses", DetailTypes: []string{"Email Bounced", "Email Delivered"}}
	topology := []events.Function{
		{Name: "intake", Emits: []events.DetailType{events.MessageReplied}},
		{Name: "notify", Consumes: []events.DetailType{events.MessageReplied}, AWSEvents: []events.AWSEvents{ses}, Queue: &standard},
		{Name: "audit", AWSEvents: []events.AWSEvents{{Source: "aws.ses", DetailTypes: []string{"Email Bounced"}}}, Queue: &standard},
		{Name: "ticketing", Consumes: []events.DetailType{events.MessageReplied}, Queue: &standard},
	}
	queues := map[string]*Queue{}
	for _, f := range topology[1:] {
		queues[f.Name], _ = New(f.Name, *f.Queue, newFakeClock())
	}
	b, err := NewBus(topology, queues)
	if err != nil {
		t.Fatalf("NewBus() error = %v", err)
	}
	detail := json.RawMessage(`{"eventType":"Bounce","mail":{"messageId":"m-1"}}`)
	if err := b.PublishAWS(t.Context(), "aws.ses", "Email Bounced", detail); err != nil {
		t.Fatalf("PublishAWS() error = %v", err)
	}
	if err := b.PublishAWS(t.Context(), "aws.ses", "Email Delivered", detail); err != nil {
		t.Fatalf("PublishAWS() error = %v", err)
	}
	if err := b.PublishAWS(t.Context(), "aws.ses", "Email Opened", detail); err != nil { // no rule: dropped
		t.Fatalf("PublishAWS(unrouted) error = %v", err)
	}
	want := map[string]int{"notify": 2, "audit": 1, "ticketing": 0}
	for name, n := range want {
		if got := queues[name].Stats().Visible; got != n {
			t.Errorf("queue %s holds %d; want %d", name, got, n)
		}
	}
	rec := queues["audit"].Receive()[0]
	var env lambdaevents.CloudWatchEvent
	if err := json.Unmarshal([]byte(rec.Body), &env); err != nil {
		t.Fatal(err)
	}
	if env.Source != "aws.ses" || env.DetailType != "Email Bounced" || string(env.Detail) != string(detail) || env.ID == "" || env.Version != "0" {
		t.Errorf("envelope = %+v; want SES's bounce with its detail as it was", env)
	}
	if err := b.PublishAWS(t.Context(), "borderdesk.intake", "message.replied", detail); !errors.Is(err, ErrNotAWS) {
		t.Errorf("PublishAWS(our source) error = %v; want ErrNotAWS", err)
	}
	if err := b.PublishAWS(t.Context(), "aws.ses", "Email Bounced", json.RawMessage(`{`)); err == nil {
		t.Errorf("PublishAWS(bad JSON) = nil; want an error")
	}
	// A function that takes AWS events needs its queue.
	delete(queues, "audit")
	if _, err := NewBus(topology, queues); err == nil {
		t.Errorf("NewBus() without audit's queue = nil; want an error")
	}
}

// The catalog's topology routes SES's delivery events to notify, as the cloud rule does.
func TestPublishAWSCatalog(t *testing.T) {
	queues := map[string]*Queue{}
	for _, f := range events.Topology {
		if f.Queue != nil {
			queues[f.Name], _ = New(f.Name, *f.Queue, nil)
		}
	}
	b, err := NewBus(events.Topology, queues)
	if err != nil {
		t.Fatal(err)
	}
	for _, dt := range events.SESDeliveryEvents.DetailTypes {
		if err := b.PublishAWS(t.Context(), "aws.ses", dt, json.RawMessage(`{}`)); err != nil {
			t.Errorf("PublishAWS(%s) error = %v", dt, err)
		}
	}
	if got, want := queues[events.Notify].Stats().Visible, len(events.SESDeliveryEvents.DetailTypes); got != want {
		t.Errorf("notify's queue holds %d; want %d", got, want)
	}
}
