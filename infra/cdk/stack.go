package main

import (
	"fmt"

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
	// ConsoleDir holds the built console, index.html and assets/, as `vite build` leaves
	// them.
	ConsoleDir string
	// AuthDomainPrefix is the hosted sign-in's address,
	// https://<prefix>.auth.<region>.amazoncognito.com; "" derives one unique to the stack
	// (defaultDomainPrefix).
	AuthDomainPrefix string
	// Topology is the system to deploy; nil means events.Topology. Tests pass their own to
	// cover shapes the real topology does not have yet.
	Topology []events.Function
	// LogLevel is every function's LOG_LEVEL; "" means info.
	LogLevel string
	// MailDomains are the domains mail is sent from and received at (BORDERDESK_MAIL_DOMAINS,
	// parseMailDomains): one SES identity each, and the receipt rule's recipients. None
	// means no mail is sent or received, and synth warns.
	MailDomains []string
}

// NewBorderdeskStack declares the whole cloud system — table, bus, queues, functions, HTTP
// API, sign-in, the agent console and alarms — from the topology and the table schema.
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
	raw := newRawBodies(stack)
	mail := newMailBucket(stack)
	sending := newMailSending(stack, topology, props.MailDomains)
	receiving, receives := newMailReceiving(stack, props.MailDomains)
	if n := countFunc(topology, func(f events.Function) bool { return f.ReceivesMail }); n > 1 {
		// Two rules for the same recipients would file every mail twice.
		panic(fmt.Sprintf("%d functions receive mail; SES receiving delivers each mail to one", n))
	}
	cursors := newCursorKey(stack)
	bus := newBus(stack)
	alarms := newAlarms(stack)
	alarms.dlq(bus.deliveryDLQ, bus.deliveryDLQ, "bus delivery")
	// The console's address comes first: the sign-in and the API's CORS name it.
	web := newConsole(stack)
	agents := newAuth(stack, web.url, props.AuthDomainPrefix)

	deps := functionDeps{topology: topology, buildDir: props.BuildDir, table: table, bus: bus, logLevel: logLevel, consoleOrigin: web.origin}
	fns := make(map[string]awslambda.IFunction, len(topology))
	subs := events.Subscriptions(topology)
	for _, f := range topology {
		// One scope per function keeps its resources together in the template and the
		// console, and tags them all with the function's name.
		scope := constructs.NewConstruct(stack, jsii.String(f.Name))
		fn := newFunction(scope, f, deps)
		if f.Name == events.Intake { // the one function that archives raw bodies
			raw.writer(fn)
			newMerchantSecrets(stack).reader(fn) // and the one that verifies webhooks
		}
		if f.Name == events.API { // the one function that signs cursors
			cursors.reader(fn)
		}
		mail.grant(fn, f.Mail)
		if sendsMail(f) {
			sending.grantSend(fn)
		}
		if f.ReceivesMail && receives {
			receiving.deliver(scope, f, fn, mail, props.MailDomains)
		}
		if dlq := fn.DeadLetterQueue(); dlq != nil {
			alarms.dlq(constructs.NewConstruct(scope, jsii.String("Async")), dlq, f.Name+" asynchronous invocations")
			alarms.deadLetterErrors(scope, fn, f.Name)
		}
		fns[f.Name] = fn
		alarms.function(scope, fn, f.Name)
		if len(f.Routes) > 0 {
			alarms.http(scope, f)
		}
		if len(f.Consumes) > 0 {
			q := newConsumerQueue(scope, f)
			bus.subscribe(scope, f.Name, subscriptionsOf(subs, f.Name), q.inbox)
			if len(f.AWSEvents) > 0 && f.Queue.FIFO {
				// AWS's events carry no events.GroupField for the staging pipe to group by.
				panic(f.Name + " follows AWS events into a FIFO queue, which would need a message group they do not carry")
			}
			bus.followAWS(scope, f, q.inbox)
			// Every consumer may change the visibility of its own queue's messages (its
			// event source grants sqs:ChangeMessageVisibility there, and nowhere else), to
			// retry a failed one later than the queue's timeout: QUEUE_URL names it.
			fn.AddEnvironment(jsii.String(queueURLEnv), q.queue.QueueUrl(), nil)
			fn.AddEventSource(q.eventSource(f))
			alarms.consumer(scope, f, q)
			for _, m := range children(fn, "SqsEventSource") {
				acknowledge(m, nagRule{id: "Serverless-LambdaEventSourceMappingDestination",
					reason: "An SQS event source takes no on-failure destination: a message that keeps failing moves to the queue's own DLQ (redrive policy), which alarms"})
			}
			for _, d := range q.dlqs {
				alarms.dlq(d.scope, d.queue, d.what)
			}
		}
		if f.Stream {
			alarms.dlq(constructs.NewConstruct(scope, jsii.String("Stream")), outboxStream(scope, fn, table), f.Name+" stream")
			alarms.relay(scope, fn, f)
		}
		if f.Schedule > 0 {
			schedule(scope, f, fn)
		}
	}
	api, stage := newAPI(stack, topology, fns, agents.authorizer)
	alarms.gateway(stack, stage)
	web.deploy(stack, props.ConsoleDir, consoleConfig{
		// The endpoint, not the stage URL: the console appends paths that start with "/".
		apiBaseURL: *api.ApiEndpoint(),
		authority:  agents.issuer,
		clientID:   *agents.client.UserPoolClientId(),
		domain:     *agents.domain.BaseUrl(nil),
	})

	output(stack, "ConsoleUrl", jsii.String(web.url))
	output(stack, "ApiUrl", stage.Url())
	output(stack, "TableName", table.TableName())
	output(stack, "EventBusName", bus.EventBusName())
	output(stack, "UserPoolId", agents.pool.UserPoolId())
	output(stack, "UserPoolClientId", agents.client.UserPoolClientId())
	output(stack, "AlarmTopicArn", alarms.topic.TopicArn())
	output(stack, "MailBucketName", mail.bucket.BucketName())
	output(stack, "MailConfigurationSetName", sending.configSet.ConfigurationSetName())
	return stack
}

// subscriptionsOf are the subscriptions of consumer.
func subscriptionsOf(subs []events.Subscription, consumer string) []events.Subscription {
	var out []events.Subscription
	for _, s := range subs {
		if s.Consumer == consumer {
			out = append(out, s)
		}
	}
	return out
}

// countFunc is how many elements of s satisfy f.
func countFunc[E any](s []E, f func(E) bool) int {
	n := 0
	for _, e := range s {
		if f(e) {
			n++
		}
	}
	return n
}

func output(stack awscdk.Stack, id string, value *string) {
	awscdk.NewCfnOutput(stack, jsii.String(id), &awscdk.CfnOutputProps{Value: value})
}
