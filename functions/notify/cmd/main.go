// Command notify is the notify Lambda, fed by its SQS queue: it sends replies through SES.
package main

import (
	"context"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/borderdesk/borderdesk/functions/notify"
	"github.com/borderdesk/borderdesk/shared/dynamo"
	"github.com/borderdesk/borderdesk/shared/lambdaenv"
	"github.com/borderdesk/borderdesk/shared/metrics"
	"github.com/borderdesk/borderdesk/shared/ses"
)

func main() {
	env, err := lambdaenv.Load(context.Background(), os.Getenv)
	lambdaenv.Must(env.Log, err)
	store := dynamo.New(dynamodb.NewFromConfig(env.AWS), env.Table)
	sender := ses.New(sesv2.NewFromConfig(env.AWS))
	rec := metrics.NewEMF(os.Stdout, time.Now)
	lambda.Start(notify.New(store, sender, time.Now, env.Log, notify.Metrics(rec)).Handle)
}
