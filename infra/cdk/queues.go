package main

import (
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambdaeventsources"
	"github.com/aws/aws-cdk-go/awscdk/v2/awspipes"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/borderdesk/borderdesk/events"
)

// dlqRetention is SQS's longest: a standard queue keeps a message's original enqueue time
// when it moves to the DLQ, so the DLQ must outlive the source queue's retention.
const dlqRetention = 14 * 24 * time.Hour

// queueURLEnv names, in a consumer's environment, its own queue: the one whose messages'
// visibility it may change.
const queueURLEnv = "QUEUE_URL"

// maxStandardBatch is the largest SQS batch Lambda takes without a batching window.
const maxStandardBatch = 10

// consumerQueue is the queue in front of one consumer and the DLQ its poison messages end in.
// The bus delivers to inbox: the queue itself, or for a FIFO consumer a standard staging
// queue that a pipe moves into the queue with each event's message group.
type consumerQueue struct {
	queue awssqs.Queue
	dlq   awssqs.Queue
	inbox awssqs.IQueue
	// dlqs are every DLQ of the consumer's path, each with the scope for its alarm.
	dlqs []scopedQueue
}

type scopedQueue struct {
	scope constructs.Construct
	queue awssqs.IQueue
	what  string
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
	acknowledge(dlq, dlqRules(f.Name+"'s queue", "Serverless-SQSRedrivePolicy")...)
	queue := awssqs.NewQueue(scope, jsii.String("Queue"), props)
	c := consumerQueue{queue: queue, dlq: dlq, inbox: queue, dlqs: []scopedQueue{{scope, dlq, f.Name}}}
	if q.FIFO {
		c.inbox = c.stage(constructs.NewConstruct(scope, jsii.String("Staging")), f)
	}
	return c
}

// groupPath is where the pipe finds an event's FIFO message group in a staging-queue record:
// the record's body is the EventBridge envelope (pipes parse a JSON body in place), whose
// detail carries events.GroupField.
const groupPath = "$.body.detail." + events.GroupField

// stage puts a standard queue and a pipe in front of the FIFO queue. An EventBridge rule can
// give an SQS target only a static MessageGroupId — dynamic JSON paths are for other target
// parameters — so a rule straight to the FIFO queue would make it one ordered group. A pipe's
// SQS target takes its MessageGroupId from the event (groupPath), so each payment, order or
// merchant is its own group, as events.GroupID says and the local queues do.
func (c *consumerQueue) stage(scope constructs.Construct, f events.Function) awssqs.Queue {
	dlq := awssqs.NewQueue(scope, jsii.String("DLQ"), &awssqs.QueueProps{
		RetentionPeriod: duration(dlqRetention),
		Encryption:      awssqs.QueueEncryption_SQS_MANAGED,
		EnforceSSL:      jsii.Bool(true),
	})
	acknowledge(dlq, dlqRules(f.Name+"'s staging queue", "Serverless-SQSRedrivePolicy")...)
	staging := awssqs.NewQueue(scope, jsii.String("Queue"), &awssqs.QueueProps{
		Encryption: awssqs.QueueEncryption_SQS_MANAGED,
		EnforceSSL: jsii.Bool(true),
		// A message the pipe cannot deliver to the FIFO queue is retried, then kept here.
		DeadLetterQueue: &awssqs.DeadLetterQueue{Queue: dlq, MaxReceiveCount: jsii.Number(float64(f.Queue.MaxReceives))},
	})
	role := awsiam.NewRole(scope, jsii.String("PipeRole"), &awsiam.RoleProps{
		AssumedBy: awsiam.NewServicePrincipal(jsii.String("pipes.amazonaws.com"), nil),
	})
	staging.GrantConsumeMessages(role)
	c.queue.GrantSendMessages(role)
	pipe := awspipes.NewCfnPipe(scope, jsii.String("Pipe"), &awspipes.CfnPipeProps{
		Description: jsii.String("Events for " + f.Name + ", into its FIFO queue grouped by " + groupPath),
		RoleArn:     role.RoleArn(),
		Source:      staging.QueueArn(),
		SourceParameters: &awspipes.CfnPipe_PipeSourceParametersProperty{
			SqsQueueParameters: &awspipes.CfnPipe_PipeSourceSqsQueueParametersProperty{BatchSize: jsii.Number(1)},
		},
		Target: c.queue.QueueArn(),
		TargetParameters: &awspipes.CfnPipe_PipeTargetParametersProperty{
			SqsQueueParameters: &awspipes.CfnPipe_PipeTargetSqsQueueParametersProperty{MessageGroupId: jsii.String(groupPath)},
		},
	})
	// The pipe starts only once its role may read and send.
	pipe.Node().AddDependency(role)
	c.dlqs = append(c.dlqs, scopedQueue{scope, dlq, f.Name + " staging"})
	return staging
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
