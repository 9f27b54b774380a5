package queue

import (
	"context"
	"fmt"
	"time"
)

// Visibility changes the visibility of messages received from any of a set of queues, found
// by the ARN their records carry (EventSourceARN): what SQS's ChangeMessageVisibility is to
// a consumer in the cloud (shared/consumer.Visibility).
type Visibility struct {
	byARN map[string]*Queue
}

// VisibilityOf returns the Visibility of queues.
func VisibilityOf(queues map[string]*Queue) *Visibility {
	v := &Visibility{byARN: make(map[string]*Queue, len(queues))}
	for _, q := range queues {
		v.byARN[q.arn] = q
	}
	return v
}

// ChangeVisibility hides the message received with receiptHandle from the queue queueARN for
// d from now.
func (v *Visibility) ChangeVisibility(ctx context.Context, queueARN, receiptHandle string, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	q, ok := v.byARN[queueARN]
	if !ok {
		return fmt.Errorf("change visibility: no queue %s", queueARN)
	}
	return q.ChangeVisibility(receiptHandle, d)
}
