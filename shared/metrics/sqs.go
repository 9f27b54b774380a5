package metrics

import (
	"strconv"
	"time"

	lambdaevents "github.com/aws/aws-lambda-go/events"
)

// Batch records what an SQS consumer did with one batch, under Function=function:
// ItemsProcessed (records not reported failed), ItemFailures (records reported failed, which
// SQS delivers again and, after maxReceiveCount, moves to the DLQ), and OldestMessageAge —
// the seconds since the oldest record of the batch was first sent (its SentTimestamp
// attribute, kept across receives), as of now. SQS's own ApproximateAgeOfOldestMessage says
// how far behind the queue is; this says how late what the consumer works on arrives.
func Batch(rec Recorder, function string, batch lambdaevents.SQSEvent, resp lambdaevents.SQSEventResponse, now time.Time) {
	failed := make(map[string]bool, len(resp.BatchItemFailures))
	for _, f := range resp.BatchItemFailures {
		failed[f.ItemIdentifier] = true
	}
	var oldest time.Time
	processed, failures := 0, 0
	for _, m := range batch.Records {
		if failed[m.MessageId] {
			failures++
		} else {
			processed++
		}
		if ms, err := strconv.ParseInt(m.Attributes["SentTimestamp"], 10, 64); err == nil {
			if sent := time.UnixMilli(ms); oldest.IsZero() || sent.Before(oldest) {
				oldest = sent
			}
		}
	}
	values := []Value{Count(ItemsProcessed, processed), Count(ItemFailures, failures)}
	if !oldest.IsZero() {
		values = append(values, Value{Name: OldestMessageAge, Unit: UnitSeconds, Value: max(now.Sub(oldest), 0).Seconds()})
	}
	Or(rec).Record(Record{Dimensions: []Dimension{Dim(Function, function)}, Values: values})
}
