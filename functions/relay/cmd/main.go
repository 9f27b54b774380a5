// Command relay is the outbox relay Lambda, fed by the table's stream and a schedule.
package main

import (
	"context"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	awseventbridge "github.com/aws/aws-sdk-go-v2/service/eventbridge"

	"github.com/borderdesk/borderdesk/events"
	"github.com/borderdesk/borderdesk/functions/relay"
	"github.com/borderdesk/borderdesk/shared/dynamo"
	"github.com/borderdesk/borderdesk/shared/eventbridge"
	"github.com/borderdesk/borderdesk/shared/lambdaenv"
	"github.com/borderdesk/borderdesk/shared/metrics"
	"github.com/borderdesk/borderdesk/shared/outbox"
)

func main() {
	env, err := lambdaenv.Load(context.Background(), os.Getenv)
	lambdaenv.Must(env.Log, err)
	store := dynamo.New(dynamodb.NewFromConfig(env.AWS), env.Table)
	// The relay publishes every event as the outbox item's writer (PublishAs); its own
	// source is never used.
	self := events.Function{Name: events.Relay}
	bus := eventbridge.New(awseventbridge.NewFromConfig(env.AWS), env.EventBus, self.Source())
	// EMF on stdout: Lambda ships it to CloudWatch Logs, which makes it metrics.
	rec := metrics.NewEMF(os.Stdout, time.Now)
	lambda.Start(relay.New(outbox.New(bus, store, env.Log), time.Now, env.Log, relay.Metrics(rec)).Invoke)
}
