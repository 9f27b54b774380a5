package main

import (
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambdaeventsources"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/borderdesk/borderdesk/shared/dynamo"
)

// The stream event source of the outbox relay.
const (
	streamBatch = 100
	// streamRetries: a batch that keeps failing is retried (halved each time) this often,
	// then its pointer goes to the DLQ and the shard moves on. The items themselves stay in
	// the outbox index, where the scheduled sweep relays them.
	streamRetries = 5
	// streamMaxAge: a record older than this skips the stream path; the sweep has it.
	streamMaxAge = time.Hour
)

// outboxStream feeds fn the table's stream, filtered to what the relay publishes: new outbox
// items. Records that fail are reported one by one (the retry starts at the first failed
// one), a failing batch is bisected, and what still fails lands in a DLQ that alarms.
func outboxStream(scope constructs.Construct, fn awslambda.Function, table awsdynamodb.ITable) awssqs.Queue {
	dlq := awssqs.NewQueue(scope, jsii.String("StreamDLQ"), &awssqs.QueueProps{
		RetentionPeriod: duration(dlqRetention),
		Encryption:      awssqs.QueueEncryption_SQS_MANAGED,
		EnforceSSL:      jsii.Bool(true),
	})
	acknowledge(dlq, dlqRules("the outbox stream's event source", "AwsSolutions-SQS3", "Serverless-SQSRedrivePolicy")...)
	fn.AddEventSource(awslambdaeventsources.NewDynamoEventSource(table, &awslambdaeventsources.DynamoEventSourceProps{
		// From the oldest record the stream keeps: a mapping created late (or re-created)
		// relays what was committed before it, and consumers absorb what repeats.
		StartingPosition:        awslambda.StartingPosition_TRIM_HORIZON,
		BatchSize:               jsii.Number(streamBatch),
		ReportBatchItemFailures: jsii.Bool(true),
		BisectBatchOnError:      jsii.Bool(true),
		RetryAttempts:           jsii.Number(streamRetries),
		MaxRecordAge:            duration(streamMaxAge),
		OnFailure:               awslambdaeventsources.NewSqsDlq(dlq),
		Filters: &[]*map[string]any{awslambda.FilterCriteria_Filter(&map[string]any{
			"eventName": awslambda.FilterRule_IsEqual(jsii.String("INSERT")),
			"dynamodb": map[string]any{"NewImage": map[string]any{
				"kind": map[string]any{"S": awslambda.FilterRule_IsEqual(jsii.String(dynamo.OutboxKind))},
			}},
		})},
	}))
	acknowledgePolicy(fn, nagRule{
		id: "AwsSolutions-IAM5", appliesTo: []string{"Resource::*"},
		reason: "dynamodb:ListStreams, which the stream event source needs, has no resource-level permissions",
	})
	return dlq
}
