package ticketing_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strconv"
	"testing"
	"time"

	lambdaevents "github.com/aws/aws-lambda-go/events"

	"github.com/borderdesk/borderdesk/events"
	"github.com/borderdesk/borderdesk/functions/ticketing"
	"github.com/borderdesk/borderdesk/shared/metrics"
)

// A batch counts its processed and failed items and the age of its oldest message; the log
// lines of each message name the X-Ray trace SQS delivered (AWSTraceHeader) and the request
// that accepted the event (correlation_id), so one webhook can be followed from intake.
func TestBatchMetricsAndTrace(t *testing.T) {
	store := newStore(t)
	var logs bytes.Buffer
	rec := &metrics.Memory{}
	now := t0.Add(time.Hour)
	// The clock moves on while the batch is worked: its age is as of its receipt.
	calls := 0
	clock := func() time.Time { calls++; return now.Add(time.Duration(calls-1) * time.Minute) }
	h := ticketing.New(store, clock, slog.New(slog.NewJSONHandler(&logs, nil)), ticketing.Metrics(rec))

	ev, err := events.New(events.PaymentFailed, "ev_traced", "demo", "stripe", "evt_1", t0,
		events.Payment{PaymentID: "pi_1", OrderID: "10482", Amount: events.Money{Amount: 100, Currency: "eur"}, Status: "requires_payment_method"})
	if err != nil {
		t.Fatal(err)
	}
	ev.CorrelationID = "apigw-req-1"
	good := sqsMessage(t, ev)
	good.Attributes["AWSTraceHeader"] = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
	good.Attributes["SentTimestamp"] = strconv.FormatInt(now.Add(-90*time.Second).UnixMilli(), 10)
	poison := good
	poison.MessageId, poison.Body = "m-poison", "not an event"
	poison.Attributes = map[string]string{"ApproximateReceiveCount": "3", "SentTimestamp": strconv.FormatInt(now.Add(-10*time.Minute).UnixMilli(), 10)}

	resp, err := h.Handle(context.Background(), lambdaevents.SQSEvent{Records: []lambdaevents.SQSMessage{good, poison}})
	if err != nil || len(resp.BatchItemFailures) != 1 {
		t.Fatalf("Handle = %+v, %v; want the poison message failed", resp, err)
	}
	fn := metrics.Dim(metrics.Function, events.Ticketing)
	for _, c := range []struct {
		name string
		want float64
	}{{metrics.ItemsProcessed, 1}, {metrics.ItemFailures, 1}, {metrics.OldestMessageAge, 600}} {
		if got := rec.Sum(c.name, fn); got != c.want {
			t.Errorf("%s = %v; want %v\n%s", c.name, got, c.want, rec)
		}
	}

	applied := false
	sc := bufio.NewScanner(&logs)
	for sc.Scan() {
		var line map[string]any
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("log line %q: %v", sc.Text(), err)
		}
		switch line["message_id"] {
		case good.MessageId:
			applied = applied || line["msg"] == "event applied"
			if line["trace_id"] != "1-5759e988-bd862e3fe1be46a994272793" || line["correlation_id"] != "apigw-req-1" {
				t.Errorf("log line %v; want trace_id 1-5759e988-… and correlation_id apigw-req-1", line)
			}
		case poison.MessageId:
			if _, ok := line["trace_id"]; ok {
				t.Errorf("log line of an untraced message %v has a trace_id", line)
			}
		}
	}
	if !applied {
		t.Errorf("no \"event applied\" line for %s in\n%s", good.MessageId, logs.String())
	}
}
