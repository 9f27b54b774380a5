package main

import (
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatchactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// alarmTopicName is where on-call subscribes.
const alarmTopicName = appName + "-alarms"

// alarms raise every alarm, and its recovery, to one SNS topic.
type alarms struct {
	topic  awssns.Topic
	action awscloudwatchactions.SnsAction
}

func newAlarms(scope constructs.Construct) alarms {
	// Unencrypted on purpose: CloudWatch cannot publish to a topic under the AWS-managed SNS
	// key, and alarms carry no customer data.
	topic := awssns.NewTopic(scope, jsii.String("Alarms"), &awssns.TopicProps{
		TopicName:  jsii.String(alarmTopicName),
		EnforceSSL: jsii.Bool(true),
	})
	return alarms{topic: topic, action: awscloudwatchactions.NewSnsAction(topic)}
}

// dlq alarms as soon as one message waits in dlq: nothing is dropped silently, so every
// message there needs a human to fix the cause and redrive.
func (a alarms) dlq(scope constructs.Construct, dlq awssqs.IQueue, what string) {
	metric := dlq.MetricApproximateNumberOfMessagesVisible(&awscloudwatch.MetricOptions{
		Period:    duration(time.Minute),
		Statistic: awscloudwatch.Stats_MAXIMUM(),
	})
	a.add(metric.CreateAlarm(scope, jsii.String("DLQDepth"),
		atLeastOnce("Messages in the "+what+" DLQ: fix the cause, then redrive.")))
}

// function alarms on any error or throttle of fn in five minutes.
func (a alarms) function(scope constructs.Construct, fn awslambda.IFunction, name string) {
	opts := &awscloudwatch.MetricOptions{
		Period:    duration(5 * time.Minute),
		Statistic: awscloudwatch.Stats_SUM(),
	}
	a.add(fn.MetricErrors(opts).CreateAlarm(scope, jsii.String("Errors"),
		atLeastOnce("The "+name+" function failed.")))
	a.add(fn.MetricThrottles(opts).CreateAlarm(scope, jsii.String("Throttles"),
		atLeastOnce("The "+name+" function was throttled.")))
}

func (a alarms) add(alarm awscloudwatch.Alarm) {
	alarm.AddAlarmAction(a.action)
	alarm.AddOkAction(a.action)
}

// atLeastOnce fires when one period's datapoint reaches 1. No data means nothing happened,
// which is healthy, not unknown.
func atLeastOnce(description string) *awscloudwatch.CreateAlarmOptions {
	return &awscloudwatch.CreateAlarmOptions{
		AlarmDescription:   jsii.String(description),
		ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
		Threshold:          jsii.Number(1),
		EvaluationPeriods:  jsii.Number(1),
		TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
	}
}
