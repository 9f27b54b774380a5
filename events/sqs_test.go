package events

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	lambdaevents "github.com/aws/aws-lambda-go/events"
)

// ruleTargetRecord is shaped as Lambda receives a record from a queue that is the target of an
// EventBridge rule: the body is the EventBridge envelope as a JSON string.
const ruleTargetRecord = `{
  "messageId": "5e8a0f3c-9a1d-4c1e-8a52-3c1b9f0d2e71",
  "receiptHandle": "AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a",
  "body": "{\"version\":\"0\",\"id\":\"0b6e5f1a-2c3d-4e5f-8a9b-0c1d2e3f4a5b\",\"detail-type\":\"payment.failed\",\"source\":\"borderdesk.intake\",\"account\":\"123456789012\",\"time\":\"2026-03-01T12:00:05Z\",\"region\":\"eu-west-1\",\"resources\":[],\"detail\":{\"id\":\"evt-7c1f\",\"type\":\"payment.failed\",\"merchant_id\":\"m_acme\",\"occurred_at\":\"2026-03-01T12:00:05.123Z\",\"provider\":\"stripe\",\"provider_event_id\":\"evt_1Nq\",\"correlation_id\":\"req-42\",\"version\":1,\"data\":{\"payment_id\":\"pi_3Nq\",\"customer\":{\"email\":\"ana@example.com\"},\"amount\":{\"amount\":4999,\"currency\":\"eur\"},\"status\":\"requires_payment_method\",\"decline_code\":\"insufficient_funds\"}}}",
  "attributes": {
    "ApproximateReceiveCount": "1",
    "SentTimestamp": "1772366405210",
    "SenderId": "AIDAIENQZJOLO23YVJ4VO",
    "ApproximateFirstReceiveTimestamp": "1772366405220"
  },
  "messageAttributes": {},
  "md5OfBody": "e4e68fb7bd0e697a0ae8f1bb342846b3",
  "eventSource": "aws:sqs",
  "eventSourceARN": "arn:aws:sqs:eu-west-1:123456789012:ticketing",
  "awsRegion": "eu-west-1"
}`

func TestFromSQSRuleTarget(t *testing.T) {
	var m lambdaevents.SQSMessage
	if err := json.Unmarshal([]byte(ruleTargetRecord), &m); err != nil {
		t.Fatal(err)
	}
	ev, err := FromSQS(m)
	if err != nil {
		t.Fatalf("FromSQS() error = %v", err)
	}
	want := Event{
		ID: "evt-7c1f", Type: PaymentFailed, MerchantID: "m_acme",
		OccurredAt: time.Date(2026, 3, 1, 12, 0, 5, 123e6, time.UTC),
		Provider:   "stripe", ProviderEventID: "evt_1Nq", CorrelationID: "req-42", Version: 1,
	}
	got := ev
	got.Data = nil
	if !got.OccurredAt.Equal(want.OccurredAt) {
		t.Errorf("FromSQS().OccurredAt = %v; want %v", got.OccurredAt, want.OccurredAt)
	}
	got.OccurredAt = want.OccurredAt
	if !reflect.DeepEqual(got, want) {
		t.Errorf("FromSQS() = %+v; want %+v", got, want)
	}
	var p Payment
	if err := ev.Decode(&p); err != nil {
		t.Fatalf("Decode() error = %v", err)
	}
	if p.PaymentID != "pi_3Nq" || p.Amount != (Money{Amount: 4999, Currency: "eur"}) || p.DeclineCode != "insufficient_funds" {
		t.Errorf("Decode() = %+v; want payment pi_3Nq of 4999 eur declined for insufficient_funds", p)
	}
}

func TestFromSQSRoundTrip(t *testing.T) {
	at := time.Date(2026, 3, 1, 12, 0, 5, 123456789, time.UTC)
	ev, err := New(PaymentFailed, "evt-1", "m_acme", "stripe", "evt_1Nq", at,
		Payment{PaymentID: "pi_1", Amount: Money{Amount: 1250, Currency: "usd"}, Status: "failed"})
	if err != nil {
		t.Fatal(err)
	}
	ev.CorrelationID = "req-1"

	got, err := FromSQS(record(t, string(ev.Type), ev))
	if err != nil {
		t.Fatalf("FromSQS() error = %v", err)
	}
	if !reflect.DeepEqual(got, ev) {
		t.Errorf("FromSQS() = %+v; want %+v", got, ev)
	}
}

func TestFromSQSRejects(t *testing.T) {
	ok := Event{ID: "evt-1", Type: ShipmentDelayed, MerchantID: "m_acme", Version: 1, Data: json.RawMessage(`{}`)}
	noID := ok
	noID.ID = ""
	tests := []struct {
		name string
		m    lambdaevents.SQSMessage
		want string
	}{
		{"body not JSON", lambdaevents.SQSMessage{MessageId: "m1", Body: "hello"}, "decode EventBridge envelope"},
		{"no detail", lambdaevents.SQSMessage{MessageId: "m1", Body: `{"version":"0","detail-type":"shipment.delayed"}`}, "no detail"},
		{"detail not an event", lambdaevents.SQSMessage{MessageId: "m1", Body: `{"detail-type":"shipment.delayed","detail":[1]}`}, "decode shipment.delayed detail"},
		{"detail-type disagrees", record(t, string(PaymentFailed), ok), "disagrees"},
		{"no event id", record(t, string(ShipmentDelayed), noID), "no event id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := FromSQS(tt.m)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "m1") {
				t.Errorf("FromSQS(%q) error = %v; want one naming the message and containing %q", tt.m.Body, err, tt.want)
			}
		})
	}
}

// record wraps ev as EventBridge delivers it to an SQS target.
func record(t *testing.T, detailType string, ev Event) lambdaevents.SQSMessage {
	t.Helper()
	detail, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	body, err := json.Marshal(lambdaevents.CloudWatchEvent{
		Version: "0", ID: "eb-1", DetailType: detailType, Source: SourceIntake,
		AccountID: "123456789012", Time: ev.OccurredAt.Truncate(time.Second), Region: "eu-west-1",
		Resources: []string{}, Detail: detail,
	})
	if err != nil {
		t.Fatal(err)
	}
	return lambdaevents.SQSMessage{MessageId: "m1", Body: string(body), EventSource: "aws:sqs"}
}

// A FIFO consumer's record went rule → staging queue → pipe → FIFO queue: without an input
// template the pipe sends the staging queue's record, whose body is the envelope.
func TestFromSQSForwardedByPipe(t *testing.T) {
	ev := Event{ID: "evt-1", Type: PaymentRefunded, MerchantID: "m_acme", Version: 1, Data: json.RawMessage(`{"payment_id":"pi_1"}`)}
	staged := record(t, string(ev.Type), ev)
	staged.MessageId, staged.EventSourceARN = "staged-1", "arn:aws:sqs:eu-west-1:123456789012:refunds-staging"
	fwd, err := json.Marshal(staged)
	if err != nil {
		t.Fatal(err)
	}
	got, err := FromSQS(lambdaevents.SQSMessage{MessageId: "m2", Body: string(fwd), EventSource: "aws:sqs"})
	if err != nil {
		t.Fatalf("FromSQS(forwarded) error = %v", err)
	}
	if got.ID != ev.ID || got.Type != ev.Type || string(got.Data) != string(ev.Data) {
		t.Errorf("FromSQS(forwarded) = %+v; want %+v", got, ev)
	}
}
