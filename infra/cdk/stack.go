package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/borderdesk/borderdesk/events"
	"github.com/borderdesk/borderdesk/shared/dynamo"
)

// appName names the bus, the API and the alarm topic.
const appName = "borderdesk"

// defaultLogLevel is what functions log at unless BorderdeskStackProps says otherwise.
const defaultLogLevel = "info"

// BorderdeskStackProps configures the stack.
type BorderdeskStackProps struct {
	awscdk.StackProps
	// BuildDir holds one directory per function, <BuildDir>/<name>/bootstrap, as `make build`
	// leaves them.
	BuildDir string
	// Topology is the system to deploy; nil means events.Topology. Tests pass their own to
	// cover shapes the real topology does not have yet.
	Topology []events.Function
	// LogLevel is every function's LOG_LEVEL; "" means info.
	LogLevel string
}

// NewBorderdeskStack declares the whole cloud system — table, bus, queues, functions, HTTP
// API, sign-in and alarms — from the topology and the table schema.
func NewBorderdeskStack(scope constructs.Construct, id string, props *BorderdeskStackProps) awscdk.Stack {
	if props == nil {
		props = &BorderdeskStackProps{}
	}
	stack := awscdk.NewStack(scope, &id, &props.StackProps)
	topology := props.Topology
	if topology == nil {
		topology = events.Topology
	}
	logLevel := props.LogLevel
	if logLevel == "" {
		logLevel = defaultLogLevel
	}

	table := newTable(stack, dynamo.Table)
	bus := newBus(stack)
	alarms := newAlarms(stack)
	alarms.dlq(bus.deliveryDLQ, bus.deliveryDLQ, "bus delivery")
	agents := newAuth(stack)

	deps := functionDeps{buildDir: props.BuildDir, table: table, bus: bus, logLevel: logLevel}
	fns := make(map[string]awslambda.IFunction, len(topology))
	for _, f := range topology {
		// One scope per function keeps its resources together in the template and the
		// console, and tags them all with the function's name.
		scope := constructs.NewConstruct(stack, jsii.String(f.Name))
		fn := newFunction(scope, f, deps)
		fns[f.Name] = fn
		alarms.function(scope, fn, f.Name)
		if len(f.Consumes) > 0 {
			q := newConsumerQueue(scope, f)
			bus.subscribe(scope, f, q.queue)
			fn.AddEventSource(q.eventSource(f))
			alarms.dlq(scope, q.dlq, f.Name)
		}
		if f.Schedule > 0 {
			schedule(scope, f, fn)
		}
	}
	stage := newAPI(stack, topology, fns, agents.authorizer)

	output(stack, "ApiUrl", stage.Url())
	output(stack, "TableName", table.TableName())
	output(stack, "EventBusName", bus.EventBusName())
	output(stack, "UserPoolId", agents.pool.UserPoolId())
	output(stack, "UserPoolClientId", agents.client.UserPoolClientId())
	output(stack, "AlarmTopicArn", alarms.topic.TopicArn())
	return stack
}

func output(stack awscdk.Stack, id string, value *string) {
	awscdk.NewCfnOutput(stack, jsii.String(id), &awscdk.CfnOutputProps{Value: value})
}
