package consumer_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	lambdaevents "github.com/aws/aws-lambda-go/events"

	"github.com/borderdesk/borderdesk/events"
	"github.com/borderdesk/borderdesk/shared/consumer"
	"github.com/borderdesk/borderdesk/shared/errs"
	"github.com/borderdesk/borderdesk/shared/metrics"
)

var t0 = time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)

func envelope(t *testing.T, id, source, detailType string, detail any) lambdaevents.SQSMessage {
	t.Helper()
	d, err := json.Marshal(detail)
	if err != nil {
		t.Fatal(err)
	}
	body, err := json.Marshal(lambdaevents.CloudWatchEvent{
		Version: "0", ID: "eb-" + id, DetailType: detailType, Source: source,
		AccountID: "123456789012", Time: t0, Region: "eu-central-1", Resources: []string{}, Detail: d,
	})
	if err != nil {
		t.Fatal(err)
	}
	return lambdaevents.SQSMessage{
		MessageId: id, ReceiptHandle: "rh-" + id, Body: string(body), EventSourceARN: "arn:aws:sqs:eu-central-1:123456789012:notify",
		Attributes: map[string]string{"ApproximateReceiveCount": "3"},
	}
}

func reply(t *testing.T, id string) events.Event {
	t.Helper()
	ev, err := events.New(events.MessageReplied, id, "demo", "borderdesk", id, t0, events.Reply{TicketID: "tk_1", EntryID: id})
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

// visibility records the changes asked of it; Fn, when set, answers them.
type visibility struct {
	calls []string
	Fn    func() error
}

func (v *visibility) ChangeVisibility(_ context.Context, arn, receipt string, d time.Duration) error {
	v.calls = append(v.calls, fmt.Sprintf("%s %s %v", arn, receipt, d))
	if v.Fn != nil {
		return v.Fn()
	}
	return nil
}

func batch(do consumer.Func, raw consumer.RawFunc, vis consumer.Visibility) consumer.Batch {
	return consumer.Batch{
		Function: "notify", Now: func() time.Time { return t0 }, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Metrics: metrics.Discard, Do: do, Raw: raw, Visibility: vis, Backoff: consumer.Backoff{Base: 30 * time.Second, Max: 15 * time.Minute},
	}
}

func failedIDs(resp lambdaevents.SQSEventResponse) string {
	var ids []string
	for _, f := range resp.BatchItemFailures {
		ids = append(ids, f.ItemIdentifier)
	}
	return fmt.Sprint(ids)
}

func TestRawEnvelopes(t *testing.T) {
	ses := envelope(t, "ses", "aws.ses", "Email Bounced", map[string]any{"eventType": "Bounce"})
	ours := envelope(t, "ours", "borderdesk.api", string(events.MessageReplied), reply(t, "en_1"))
	// Our source with a detail that is no catalog event: strict decoding, never the raw hook.
	forged := envelope(t, "forged", "borderdesk.api", "Email Bounced", map[string]any{"eventType": "Bounce"})
	msgs := lambdaevents.SQSEvent{Records: []lambdaevents.SQSMessage{ses, ours, forged}}

	var did, raw []string
	do := func(_ context.Context, ev events.Event, _ *slog.Logger) error { did = append(did, ev.ID); return nil }
	rawFn := func(_ context.Context, env lambdaevents.CloudWatchEvent, _ *slog.Logger) error {
		raw = append(raw, env.Source+" "+env.DetailType+" "+string(env.Detail))
		return nil
	}
	resp := batch(do, rawFn, nil).Handle(context.Background(), msgs)
	if got := failedIDs(resp); got != "[forged]" {
		t.Errorf("failed %s; want [forged]", got)
	}
	if fmt.Sprint(did) != "[en_1]" || fmt.Sprint(raw) != `[aws.ses Email Bounced {"eventType":"Bounce"}]` {
		t.Errorf("Do got %v, Raw got %v; want our reply to Do and the SES event to Raw", did, raw)
	}

	// Without a raw hook (ticketing), an AWS envelope is poison, as before.
	did = nil
	resp = batch(do, nil, nil).Handle(context.Background(), msgs)
	if got := failedIDs(resp); got != "[ses forged]" || fmt.Sprint(did) != "[en_1]" {
		t.Errorf("without Raw: failed %s, Do got %v; want [ses forged] failed and en_1 done", got, did)
	}
}

func TestBackoff(t *testing.T) {
	tests := []struct {
		receives int
		want     time.Duration
	}{{1, 30 * time.Second}, {2, time.Minute}, {3, 2 * time.Minute}, {5, 8 * time.Minute}, {6, 15 * time.Minute}, {40, 15 * time.Minute}}
	b := consumer.Backoff{Base: 30 * time.Second, Max: 15 * time.Minute}
	for _, tc := range tests {
		if got := b.Delay(tc.receives); got != tc.want {
			t.Errorf("Delay(%d) = %v; want %v", tc.receives, got, tc.want)
		}
	}

	transient := envelope(t, "transient", "borderdesk.api", string(events.MessageReplied), reply(t, "en_t"))
	invalid := envelope(t, "invalid", "borderdesk.api", string(events.MessageReplied), reply(t, "en_i"))
	ok := envelope(t, "ok", "borderdesk.api", string(events.MessageReplied), reply(t, "en_ok"))
	garbage := lambdaevents.SQSMessage{MessageId: "garbage", Body: "{", Attributes: map[string]string{"ApproximateReceiveCount": "1"}}
	do := func(_ context.Context, ev events.Event, _ *slog.Logger) error {
		switch ev.ID {
		case "en_t":
			return errs.E(errs.Transient, "throttled")
		case "en_i":
			return errs.E(errs.Invalid, "no sender")
		}
		return nil
	}
	vis := &visibility{}
	resp := batch(do, nil, vis).Handle(context.Background(), lambdaevents.SQSEvent{Records: []lambdaevents.SQSMessage{transient, invalid, ok, garbage}})
	if got := failedIDs(resp); got != "[transient invalid garbage]" {
		t.Errorf("failed %s; want [transient invalid garbage]", got)
	}
	// The third receive of a transient failure waits 2 minutes; the invalid and the
	// undecodable keep the queue's timeout.
	if want := "[arn:aws:sqs:eu-central-1:123456789012:notify rh-transient 2m0s]"; fmt.Sprint(vis.calls) != want {
		t.Errorf("visibility changes %v; want %s", vis.calls, want)
	}

	// A change that fails leaves the message failed all the same.
	vis = &visibility{Fn: func() error { return errors.New("AccessDenied") }}
	resp = batch(do, nil, vis).Handle(context.Background(), lambdaevents.SQSEvent{Records: []lambdaevents.SQSMessage{transient}})
	if got := failedIDs(resp); got != "[transient]" || len(vis.calls) != 1 {
		t.Errorf("failed %s after %d changes; want [transient] after one attempted change", got, len(vis.calls))
	}
}
