package main

import (
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2/awslambdaeventsources"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/borderdesk/borderdesk/events"
)

// dlqRetention is SQS's longest: a standard queue keeps a message's original enqueue time
// when it moves to the DLQ, so the DLQ must outlive the source queue's retention.
const dlqRetention = 14 * 24 * time.Hour

// maxStandardBatch is the largest SQS batch Lambda takes without a batching window.
const maxStandardBatch = 10

// consumerQueue is the queue in front of one consumer and the DLQ its poison messages end in.
type consumerQueue struct {
	queue awssqs.Queue
	dlq   awssqs.Queue
}

// newConsumerQueue declares f's queue and DLQ from f.Queue.
func newConsumerQueue(scope constructs.Construct, f events.Function) consumerQueue {
	q := f.Queue
	var fifo *bool
	if q.FIFO {
		fifo = jsii.Bool(true) // a FIFO queue's DLQ must be FIFO too
	}
	dlq := awssqs.NewQueue(scope, jsii.String("DLQ"), &awssqs.QueueProps{
		Fifo:            fifo,
		RetentionPeriod: duration(dlqRetention),
		Encryption:      awssqs.QueueEncryption_SQS_MANAGED,
		EnforceSSL:      jsii.Bool(true),
	})
	props := &awssqs.QueueProps{
		Fifo:              fifo,
		VisibilityTimeout: duration(q.Visibility),
		Encryption:        awssqs.QueueEncryption_SQS_MANAGED,
		EnforceSSL:        jsii.Bool(true),
		DeadLetterQueue: &awssqs.DeadLetterQueue{
			Queue:           dlq,
			MaxReceiveCount: jsii.Number(float64(q.MaxReceives)),
		},
	}
	if q.FIFO {
		// Events carry no deduplication id of their own; the same event body is the same
		// event.
		props.ContentBasedDeduplication = jsii.Bool(true)
	}
	return consumerQueue{queue: awssqs.NewQueue(scope, jsii.String("Queue"), props), dlq: dlq}
}

// eventSource feeds the queue to its consumer in batches of f.Queue.Batch; the consumer
// reports failed messages one by one, so one poison message does not retry the batch.
func (c consumerQueue) eventSource(f events.Function) awslambdaeventsources.SqsEventSource {
	props := &awslambdaeventsources.SqsEventSourceProps{
		BatchSize:               jsii.Number(float64(f.Queue.Batch)),
		ReportBatchItemFailures: jsii.Bool(true),
	}
	if f.Queue.Batch > maxStandardBatch && !f.Queue.FIFO {
		props.MaxBatchingWindow = duration(time.Second)
	}
	return awslambdaeventsources.NewSqsEventSource(c.queue, props)
}
