package events

import (
	"encoding/json"
	"fmt"

	lambdaevents "github.com/aws/aws-lambda-go/events"
)

// FromSQS decodes an SQS record that an EventBridge rule delivered: its body is the
// EventBridge envelope, and the envelope's detail is the Event. A FIFO consumer's records come
// one hop later — rule, staging queue, then a pipe that sets the message group — so their body
// may be the staging queue's record, whose body is the envelope; FromSQS unwraps it. A record
// that is not such an envelope, or whose detail-type disagrees with its detail, is an error:
// it can never succeed and belongs in the DLQ.
func FromSQS(m lambdaevents.SQSMessage) (Event, error) {
	body := m.Body
	var fwd lambdaevents.SQSMessage
	if err := json.Unmarshal([]byte(body), &fwd); err == nil && fwd.EventSource == "aws:sqs" && fwd.Body != "" {
		body = fwd.Body
	}
	var env lambdaevents.CloudWatchEvent
	if err := json.Unmarshal([]byte(body), &env); err != nil {
		return Event{}, fmt.Errorf("sqs message %s: decode EventBridge envelope: %w", m.MessageId, err)
	}
	if len(env.Detail) == 0 {
		return Event{}, fmt.Errorf("sqs message %s: envelope has no detail", m.MessageId)
	}
	var ev Event
	if err := json.Unmarshal(env.Detail, &ev); err != nil {
		return Event{}, fmt.Errorf("sqs message %s: decode %s detail: %w", m.MessageId, env.DetailType, err)
	}
	switch {
	case ev.ID == "" || ev.Type == "":
		return Event{}, fmt.Errorf("sqs message %s: detail has no event id or type", m.MessageId)
	case string(ev.Type) != env.DetailType:
		return Event{}, fmt.Errorf("sqs message %s: detail type %q disagrees with envelope detail-type %q", m.MessageId, ev.Type, env.DetailType)
	}
	return ev, nil
}
