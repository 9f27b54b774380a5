// Command notify is the notify Lambda, fed by its SQS queue: it sends replies through SES and
// follows SES's delivery events for them.
package main

import (
	"context"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/borderdesk/borderdesk/functions/notify"
	"github.com/borderdesk/borderdesk/shared/dynamo"
	"github.com/borderdesk/borderdesk/shared/lambdaenv"
	"github.com/borderdesk/borderdesk/shared/metrics"
	"github.com/borderdesk/borderdesk/shared/ses"
	"github.com/borderdesk/borderdesk/shared/sqs"
)

func main() {
	env, err := lambdaenv.Load(context.Background(), os.Getenv)
	lambdaenv.Must(env.Log, err)
	store := dynamo.New(dynamodb.NewFromConfig(env.AWS), env.Table)
	// The configuration set whose event destination brings SES's delivery events back.
	configSet := os.Getenv("SES_CONFIGURATION_SET")
	if configSet == "" {
		env.Log.Warn("SES_CONFIGURATION_SET is not set: replies are sent, but no delivery events (delivered, bounced, complained) will arrive")
	}
	sender := ses.New(sesv2.NewFromConfig(env.AWS), ses.ConfigurationSet(configSet))
	rec := metrics.NewEMF(os.Stdout, time.Now)
	h := notify.New(store, sender, time.Now, env.Log, notify.Metrics(rec), notify.Backoff(sqs.New(awssqs.NewFromConfig(env.AWS))))
	lambda.Start(h.Handle)
}
