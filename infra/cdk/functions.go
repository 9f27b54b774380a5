package main

import (
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/borderdesk/borderdesk/events"
)

// functionTag names, on every resource of a function (Lambda, role, queues, rules,
// alarms), the topology function it belongs to.
const functionTag = "borderdesk:function"

// Sizing shared by every function.
const (
	memoryMB = 256
	// httpTimeout stays well inside API Gateway's 30-second integration limit: webhook
	// senders give up and retry long before that.
	httpTimeout = 10 * time.Second
	// queueTimeoutShare follows AWS's guidance for SQS event sources: a queue's visibility
	// timeout is at least six times the function timeout, so a batch retried after a
	// throttle is not redelivered while still in flight.
	queueTimeoutShare = 6
	maxTimeout        = 15 * time.Minute
	defaultTimeout    = 30 * time.Second
	// streamTimeout bounds one batch of stream records, retried from its first failure: a
	// short timeout keeps a stuck batch from holding the shard for long.
	streamTimeout = time.Minute
)

// functionDeps are what every function is wired to.
type functionDeps struct {
	topology []events.Function
	buildDir string
	table    awsdynamodb.ITable
	bus      bus
	logLevel string
	// consoleOrigin is given to functions behind the JWT authorizer as CONSOLE_ORIGIN: they
	// answer the console's CORS themselves (the widget's origins differ per merchant, so API
	// Gateway's single CORS setting cannot serve both).
	consoleOrigin string
}

// newFunction declares f's Lambda from the `bootstrap` that `make build` leaves in
// <buildDir>/<name>, and grants it exactly the table and bus access the topology declares.
func newFunction(scope constructs.Construct, f events.Function, deps functionDeps) awslambda.Function {
	logs := awslogs.NewLogGroup(scope, jsii.String("Logs"), &awslogs.LogGroupProps{
		Retention: awslogs.RetentionDays_ONE_MONTH,
	})
	env := map[string]*string{
		"TABLE_NAME":     deps.table.TableName(),
		"EVENT_BUS_NAME": deps.bus.EventBusName(),
		"LOG_LEVEL":      jsii.String(deps.logLevel),
	}
	if slices.ContainsFunc(f.Routes, func(r events.Route) bool { return r.Auth }) {
		env["CONSOLE_ORIGIN"] = jsii.String(deps.consoleOrigin)
	}
	var dlq awssqs.IQueue
	if f.ReceivesMail {
		dlq = asyncDLQ(scope, f)
	}
	fn := awslambda.NewFunction(scope, jsii.String("Function"), &awslambda.FunctionProps{
		Description:  jsii.String("Borderdesk " + f.Name),
		Runtime:      awslambda.Runtime_PROVIDED_AL2023(),
		Architecture: awslambda.Architecture_ARM_64(),
		Handler:      jsii.String("bootstrap"),
		Code:         awslambda.Code_FromAsset(jsii.String(filepath.Join(deps.buildDir, f.Name)), nil),
		MemorySize:   jsii.Number(memoryMB),
		Timeout:      duration(timeout(f)),
		LogGroup:     logs,
		Tracing:      awslambda.Tracing_ACTIVE,
		Environment:  &env,
		// SES invokes a mail receiver asynchronously: Lambda retries a failed invocation
		// twice, then the event lands here rather than vanishing.
		DeadLetterQueue: dlq,
	})
	switch f.Table {
	case events.ReadWrite:
		deps.table.GrantReadWriteData(fn)
	case events.ReadOnly:
		deps.table.GrantReadData(fn)
	}
	// A function may put events on the bus only as the sources the topology gives it: its
	// own, or for the relay those of the outbox's writers (which never call PutEvents). So
	// the rules' source match cannot be spoofed by another function.
	if sources := f.PublishesAs(deps.topology); len(sources) > 0 {
		fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Actions:    jsii.Strings("events:PutEvents"),
			Resources:  &[]*string{deps.bus.EventBusArn()},
			Conditions: &map[string]any{"StringEquals": map[string]any{"events:source": jsii.Strings(sources...)}},
		}))
	}
	acknowledge(fn.Role(), lambdaBasicExecution)
	acknowledgePolicy(fn,
		nagRule{id: "AwsSolutions-IAM5", appliesTo: []string{"Resource::*"},
			reason: "Tracing: xray:PutTraceSegments and PutTelemetryRecords have no resource-level permissions"},
		nagRule{id: "AwsSolutions-IAM5", appliesTo: []string{`regex:^Resource::<Table[0-9A-F]{8}\.Arn>/index/\*$`},
			reason: "The one table's own indexes (Table.Grant*Data), which the function queries; no other table's"})
	if dlq == nil {
		acknowledge(fn, nagRule{id: "Serverless-LambdaDLQ", reason: noDLQReason(f)})
	}
	awscdk.Tags_Of(scope).Add(jsii.String(functionTag), jsii.String(f.Name), nil)
	return fn
}

// asyncDLQ is the dead-letter queue of f's asynchronous invocations. It is the end of the
// line like a consumer queue's DLQ, and alarms the same way.
func asyncDLQ(scope constructs.Construct, f events.Function) awssqs.Queue {
	dlq := awssqs.NewQueue(scope, jsii.String("AsyncDLQ"), &awssqs.QueueProps{
		RetentionPeriod: duration(dlqRetention),
		Encryption:      awssqs.QueueEncryption_SQS_MANAGED,
		EnforceSSL:      jsii.Bool(true),
	})
	acknowledge(dlq, dlqRules(f.Name+"'s asynchronous invocations (SES receiving)", "Serverless-SQSRedrivePolicy")...)
	return dlq
}

// noDLQReason says why f needs no dead-letter queue of its own: a Lambda DLQ catches only
// failed asynchronous invocations, and each of f's triggers either invokes it synchronously
// or keeps the failure somewhere else.
func noDLQReason(f events.Function) string {
	var why []string
	if len(f.Routes) > 0 {
		why = append(why, "API Gateway invokes it synchronously: a failure is the caller's 5xx, and webhook senders retry")
	}
	if f.Queue != nil {
		why = append(why, "its SQS event source is synchronous: a failed message returns to the queue and ends in the queue's DLQ")
	}
	if f.Stream {
		why = append(why, "its stream event source sends what keeps failing to the stream's DLQ")
	}
	if f.Schedule > 0 {
		why = append(why, "a failed scheduled run is retried, and the next run does the same work again")
	}
	return strings.Join(why, "; ")
}

// timeout is the longest f may run: the tightest of what each of its triggers allows.
func timeout(f events.Function) time.Duration {
	t := maxTimeout
	triggered := false
	if len(f.Routes) > 0 {
		t, triggered = min(t, httpTimeout), true
	}
	if f.Queue != nil {
		// Lambda's timeout is whole seconds, at least one; SQS refuses a visibility below it.
		share := max((f.Queue.Visibility / queueTimeoutShare).Truncate(time.Second), time.Second)
		t, triggered = min(t, share), true
	}
	if f.Stream {
		t, triggered = min(t, streamTimeout), true
	}
	if f.Schedule > 0 {
		// Half a period, so one run ends before the next begins.
		t, triggered = min(t, max((f.Schedule/2).Truncate(time.Second), time.Second)), true
	}
	if !triggered {
		return defaultTimeout
	}
	return t
}
