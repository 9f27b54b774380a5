package main

import (
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awseventstargets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/borderdesk/borderdesk/events"
)

// busName is the custom bus every Borderdesk event crosses.
const busName = appName

// archiveRetention is how far back an on-call engineer can replay the bus after fixing a
// consumer.
const archiveRetention = 30 * 24 * time.Hour

// bus is the event bus and the queue that catches events the bus could not deliver to a
// target, so a delivery failure ends somewhere visible instead of being dropped.
type bus struct {
	awsevents.EventBus
	deliveryDLQ awssqs.Queue
}

func newBus(scope constructs.Construct) bus {
	eb := awsevents.NewEventBus(scope, jsii.String("Bus"), &awsevents.EventBusProps{
		EventBusName: jsii.String(busName),
	})
	archive := eb.Archive(jsii.String("Archive"), &awsevents.BaseArchiveProps{
		Description: jsii.String("Every event on the " + busName + " bus, for replay after a consumer fix"),
		// An archive needs a pattern; the account matches every event on the bus.
		EventPattern: &awsevents.EventPattern{Account: &[]*string{awscdk.Stack_Of(scope).Account()}},
		Retention:    duration(archiveRetention),
	})
	// CDK writes KmsKeyIdentifier "" when no key is given, which some regions reject
	// (aws/aws-cdk#37847); without the property the archive uses the AWS-owned key.
	archive.Node().DefaultChild().(awsevents.CfnArchive).AddPropertyDeletionOverride(jsii.String("KmsKeyIdentifier"))
	// EventBridge accepts only a standard queue as a target's dead-letter queue, FIFO
	// consumers included.
	dlq := awssqs.NewQueue(scope, jsii.String("BusDeliveryDLQ"), &awssqs.QueueProps{
		RetentionPeriod: duration(dlqRetention),
		Encryption:      awssqs.QueueEncryption_SQS_MANAGED,
		EnforceSSL:      jsii.Bool(true),
	})
	acknowledge(dlq, dlqRules("the bus's rule targets", "AwsSolutions-SQS3", "Serverless-SQSRedrivePolicy")...)
	return bus{EventBus: eb, deliveryDLQ: dlq}
}

// subscribe routes what the consumer of subs takes from each source to target, one rule per
// emitting source: rules match (source, detail-type), exactly as the local bus routes, so an
// event reaches a consumer only from a source whose Emits declare it. target is the
// consumer's queue, or for a FIFO consumer its staging queue (consumerQueue.inbox).
func (b bus) subscribe(scope constructs.Construct, consumer string, subs []events.Subscription, target awssqs.IQueue) []awsevents.Rule {
	var rules []awsevents.Rule
	for _, sub := range subs {
		types := make([]*string, len(sub.DetailTypes))
		for i, t := range sub.DetailTypes {
			types[i] = jsii.String(string(t))
		}
		// One construct per source, named for it, so adding a source adds a rule and leaves
		// the others as they are.
		rules = append(rules, awsevents.NewRule(scope, jsii.String("Rule-"+sub.Source), &awsevents.RuleProps{
			EventBus:    b.EventBus,
			Description: jsii.String("Events " + consumer + " consumes from " + sub.Source + ", to its queue"),
			EventPattern: &awsevents.EventPattern{
				Source:     jsii.Strings(sub.Source),
				DetailType: &types,
			},
			Targets: &[]awsevents.IRuleTarget{awseventstargets.NewSqsQueue(target, &awseventstargets.SqsQueueProps{
				DeadLetterQueue: b.deliveryDLQ,
			})},
		}))
	}
	return rules
}

// mailTagPattern keeps, of an SES event, only mail our sender tagged with its merchant
// (detail.mail.tags.merchant exists), so mail other applications of the account send
// through SES never reaches our queues.
func mailTagPattern() *map[string]any {
	return &map[string]any{"mail": map[string]any{"tags": map[string]any{
		"merchant": []any{map[string]any{"exists": true}},
	}}}
}

// followAWS routes the AWS events f follows (f.AWSEvents), which AWS services put on the
// account's default bus, to target, one rule per source: the same queue f's rules on our
// bus feed, so f takes them through the one batch loop and DLQ. A rule on SES keeps only
// our mail's events (mailTagPattern).
func (b bus) followAWS(scope constructs.Construct, f events.Function, target awssqs.IQueue) []awsevents.Rule {
	var rules []awsevents.Rule
	for _, e := range f.AWSEvents {
		var detail *map[string]any
		if e.Source == sesSource {
			detail = mailTagPattern()
		}
		rules = append(rules, awsevents.NewRule(scope, jsii.String("AWSRule-"+e.Source), &awsevents.RuleProps{
			Description: jsii.String("Events " + f.Name + " follows from " + e.Source + " on the default bus, to its queue"),
			EventPattern: &awsevents.EventPattern{
				Source:     jsii.Strings(e.Source),
				DetailType: jsii.Strings(e.DetailTypes...),
				Detail:     detail,
			},
			Targets: &[]awsevents.IRuleTarget{awseventstargets.NewSqsQueue(target, &awseventstargets.SqsQueueProps{
				DeadLetterQueue: b.deliveryDLQ,
			})},
		}))
	}
	return rules
}

// schedule invokes fn every f.Schedule. Scheduled rules only run on the default bus.
func schedule(scope constructs.Construct, f events.Function, fn awslambda.IFunction) awsevents.Rule {
	// A run that could not start within one period is superseded by the next one.
	maxAge := max(f.Schedule, time.Minute)
	rule := awsevents.NewRule(scope, jsii.String("Schedule"), &awsevents.RuleProps{
		Description: jsii.String("Runs " + f.Name + " every " + f.Schedule.String()),
		Schedule:    awsevents.Schedule_Rate(duration(f.Schedule)),
		Targets: &[]awsevents.IRuleTarget{awseventstargets.NewLambdaFunction(fn, &awseventstargets.LambdaFunctionProps{
			MaxEventAge:   duration(maxAge),
			RetryAttempts: jsii.Number(2),
		})},
	})
	acknowledge(rule, nagRule{id: "Serverless-EventBusDLQ",
		reason: "A schedule's event is a tick that carries nothing: one that cannot be delivered is superseded by the next, and the function's errors alarm"})
	return rule
}

// duration converts a Go duration to CDK's, in whole seconds.
func duration(d time.Duration) awscdk.Duration {
	return awscdk.Duration_Seconds(jsii.Number(float64(d / time.Second)))
}
