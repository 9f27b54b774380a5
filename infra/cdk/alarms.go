package main

import (
	"fmt"
	"math"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatchactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/borderdesk/borderdesk/events"
	"github.com/borderdesk/borderdesk/shared/metrics"
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

// deadLetterErrors alarms when Lambda could not move a failed asynchronous invocation of fn
// to its dead-letter queue: that event (for a mail receiver, a customer's mail) is lost,
// where one in the DLQ is only waiting (the DLQ's own alarm).
func (a alarms) deadLetterErrors(scope constructs.Construct, fn awslambda.IFunction, name string) {
	metric := fn.Metric(jsii.String("DeadLetterErrors"), &awscloudwatch.MetricOptions{
		Period: duration(time.Minute), Statistic: awscloudwatch.Stats_SUM(),
	})
	a.add(metric.CreateAlarm(scope, jsii.String("DeadLetterErrors"),
		atLeastOnce("A failed asynchronous invocation of the "+name+" function could not reach its DLQ and is lost: its logs have the request id (for mail, SES's message id; the raw mail is still in the mail bucket).")))
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

// What the alarms below call a failure, and for how long.
const (
	// alarmPeriod is the window every rate and sustained alarm looks at.
	alarmPeriod = 5 * time.Minute
	// A 5xx rate alarms at serverErrorPercent of the answers in a period, but only once
	// minServerErrors answers failed: one 503 a retrying sender absorbs is a blip, three in
	// five minutes and one in twenty answers is an outage.
	serverErrorPercent = 5
	minServerErrors    = 3
	// minQueueAge is the least age of a queue's oldest message that alarms: a consumer that
	// keeps up leaves nothing in its queue for more than seconds.
	minQueueAge = 15 * time.Minute
	// sqsDefaultRetention is how long SQS keeps a message when the queue does not say (4
	// days): an age alarm must fire well before messages start to expire.
	sqsDefaultRetention = 4 * 24 * time.Hour
	// relayFailurePeriods of failed relays in a row alarm: the stream retries a failed batch
	// within seconds and the schedule sweeps every events.RelayPeriod, so failures that last
	// this long are events stuck in the outbox, not a blip.
	relayFailurePeriods = 3
	// outboxAgeLimit is how far behind the table's stream the relay may fall (its
	// IteratorAge): past the sweep's three minutes and one schedule period, the outbox is
	// not being relayed.
	outboxAgeLimit = 10 * time.Minute
)

// emfMetric is one of Borderdesk's own metrics (shared/metrics), summed over alarmPeriod.
func emfMetric(name string, dims map[string]string) awscloudwatch.Metric {
	m := make(map[string]*string, len(dims))
	for k, v := range dims {
		m[k] = jsii.String(v)
	}
	return awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
		Namespace:     jsii.String(metrics.Namespace),
		MetricName:    jsii.String(name),
		DimensionsMap: &m,
		Statistic:     awscloudwatch.Stats_SUM(),
		Period:        duration(alarmPeriod),
	})
}

// serverErrorRate alarms when errors are at least serverErrorPercent of requests (and at
// least minServerErrors) in a period.
func (a alarms) serverErrorRate(scope constructs.Construct, id string, errors, requests awscloudwatch.IMetric, description string) {
	rate := awscloudwatch.NewMathExpression(&awscloudwatch.MathExpressionProps{
		Expression: jsii.String(fmt.Sprintf("IF(FILL(errors, 0) >= %d, 100 * FILL(errors, 0) / requests, 0)", minServerErrors)),
		UsingMetrics: &map[string]awscloudwatch.IMetric{
			"errors":   errors,
			"requests": requests,
		},
		Label:  jsii.String("5xx % (from " + fmt.Sprint(minServerErrors) + " errors)"),
		Period: duration(alarmPeriod),
	})
	a.add(rate.CreateAlarm(scope, jsii.String(id), &awscloudwatch.CreateAlarmOptions{
		AlarmDescription:   jsii.String(description),
		ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
		Threshold:          jsii.Number(serverErrorPercent),
		EvaluationPeriods:  jsii.Number(1),
		TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
	}))
}

// http alarms on the 5xx rate of the answers fn gives (its Requests and ServerErrors): a
// 503 because the bus failed, a 500 for an internal error. What never reaches the handler
// — a crash, a timeout, a throttle — is the Errors and Throttles alarms' and gateway's.
func (a alarms) http(scope constructs.Construct, f events.Function) {
	fn := map[string]string{metrics.Function: f.Name}
	a.serverErrorRate(scope, "ServerErrorRate", emfMetric(metrics.ServerErrors, fn), emfMetric(metrics.Requests, fn),
		fmt.Sprintf("The %s function answered %d%% or more of its requests with a 5xx in %v: its logs say why (kind internal or transient).", f.Name, serverErrorPercent, alarmPeriod))
}

// gateway alarms on the 5xx rate of everything the HTTP API answered, whichever function
// (or none: an integration that failed) was behind it.
func (a alarms) gateway(scope constructs.Construct, stage awsapigatewayv2.HttpStage) {
	opts := &awscloudwatch.MetricOptions{Period: duration(alarmPeriod), Statistic: awscloudwatch.Stats_SUM()}
	a.serverErrorRate(scope, "ApiGateway5xxRate", stage.MetricServerError(opts), stage.MetricCount(opts),
		fmt.Sprintf("API Gateway answered %d%% or more of all requests with a 5xx in %v: the access log's status and integrationError say which route and why.", serverErrorPercent, alarmPeriod))
}

// queueAgeLimit is the age of the oldest message in f's queue that alarms: a message being
// retried legitimately is at most MaxReceives visibility timeouts old before it moves to the
// DLQ (which alarms on its own), so the limit is past that.
func queueAgeLimit(f events.Function) time.Duration {
	return max(minQueueAge, time.Duration(f.Queue.MaxReceives+1)*f.Queue.Visibility)
}

// itemFailurePeriods is how many periods in a row with failed items alarm for f: more than
// one poison message's retries can span (MaxReceives-1 visibility timeouts, touching at most
// that many periods plus one), so a single poison message — which the DLQ alarm reports
// once it gets there — never trips it alone.
func itemFailurePeriods(f events.Function) int {
	span := time.Duration(f.Queue.MaxReceives-1) * f.Queue.Visibility
	return int(math.Ceil(float64(span)/float64(alarmPeriod))) + 2
}

// consumer alarms on f's queue falling behind (the age of its oldest message, and of its
// staging queue's) and on failed items that last.
func (a alarms) consumer(scope constructs.Construct, f events.Function, q consumerQueue) {
	queues := []scopedQueue{{scope, q.queue, f.Name}}
	if q.inbox != awssqs.IQueue(q.queue) {
		queues = append(queues, scopedQueue{constructs.NewConstruct(scope, jsii.String("StagingAge")), q.inbox, f.Name + " staging"})
	}
	limit := queueAgeLimit(f)
	for _, sq := range queues {
		age := sq.queue.MetricApproximateAgeOfOldestMessage(&awscloudwatch.MetricOptions{
			Period: duration(alarmPeriod), Statistic: awscloudwatch.Stats_MAXIMUM(),
		})
		a.add(age.CreateAlarm(sq.scope, jsii.String("QueueAge"), &awscloudwatch.CreateAlarmOptions{
			AlarmDescription:   jsii.String(fmt.Sprintf("The oldest message in the %s queue is over %v old: its consumer is failing, throttled or too slow.", sq.what, limit)),
			ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
			Threshold:          jsii.Number(limit.Seconds()),
			EvaluationPeriods:  jsii.Number(1),
			TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
		}))
	}
	periods := itemFailurePeriods(f)
	failures := emfMetric(metrics.ItemFailures, map[string]string{metrics.Function: f.Name})
	a.add(failures.CreateAlarm(scope, jsii.String("ItemFailures"), &awscloudwatch.CreateAlarmOptions{
		AlarmDescription: jsii.String(fmt.Sprintf("The %s function failed messages in each of %d periods of %v in a row: not one poison message but something that keeps failing (its logs say which and why).",
			f.Name, periods, alarmPeriod)),
		ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
		Threshold:          jsii.Number(1),
		EvaluationPeriods:  jsii.Number(float64(periods)),
		DatapointsToAlarm:  jsii.Number(float64(periods)),
		TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
	}))
}

// relay alarms on the outbox relay failing for long (events stuck in the outbox) and on
// falling behind the table's stream.
func (a alarms) relay(scope constructs.Construct, fn awslambda.IFunction, f events.Function) {
	// Failures of both triggers: the stream's and the sweep's.
	sum := awscloudwatch.NewMathExpression(&awscloudwatch.MathExpressionProps{
		Expression: jsii.String("FILL(stream, 0) + FILL(sweep, 0)"),
		UsingMetrics: &map[string]awscloudwatch.IMetric{
			"stream": emfMetric(metrics.OutboxRelayFailures, map[string]string{metrics.Function: f.Name, metrics.Trigger: metrics.TriggerStream}),
			"sweep":  emfMetric(metrics.OutboxRelayFailures, map[string]string{metrics.Function: f.Name, metrics.Trigger: metrics.TriggerSweep}),
		},
		Label:  jsii.String(metrics.OutboxRelayFailures),
		Period: duration(alarmPeriod),
	})
	a.add(sum.CreateAlarm(scope, jsii.String("RelayFailures"), &awscloudwatch.CreateAlarmOptions{
		AlarmDescription: jsii.String(fmt.Sprintf("The outbox relay could not publish events in each of %d periods of %v in a row: they wait in the outbox (the bus, or its permissions?).",
			relayFailurePeriods, alarmPeriod)),
		ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
		Threshold:          jsii.Number(1),
		EvaluationPeriods:  jsii.Number(relayFailurePeriods),
		DatapointsToAlarm:  jsii.Number(relayFailurePeriods),
		TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
	}))
	if !f.Stream {
		return
	}
	age := fn.Metric(jsii.String("IteratorAge"), &awscloudwatch.MetricOptions{
		Period: duration(alarmPeriod), Statistic: awscloudwatch.Stats_MAXIMUM(),
	})
	a.add(age.CreateAlarm(scope, jsii.String("OutboxAge"), &awscloudwatch.CreateAlarmOptions{
		AlarmDescription:   jsii.String(fmt.Sprintf("The outbox relay is over %v behind the table's stream: outbox events are not reaching the bus.", outboxAgeLimit)),
		ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
		Threshold:          jsii.Number(float64(outboxAgeLimit.Milliseconds())), // IteratorAge is in milliseconds
		EvaluationPeriods:  jsii.Number(1),
		TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
	}))
}
