// Command ticketing is the ticketing Lambda, fed by its SQS queue.
package main

import (
	"context"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/borderdesk/borderdesk/functions/ticketing"
	"github.com/borderdesk/borderdesk/shared/dynamo"
	"github.com/borderdesk/borderdesk/shared/lambdaenv"
	"github.com/borderdesk/borderdesk/shared/metrics"
)

func main() {
	env, err := lambdaenv.Load(context.Background(), os.Getenv)
	lambdaenv.Must(env.Log, err)
	store := dynamo.New(dynamodb.NewFromConfig(env.AWS), env.Table)
	// EMF on stdout: Lambda ships it to CloudWatch Logs, which makes it metrics.
	rec := metrics.NewEMF(os.Stdout, time.Now)
	lambda.Start(ticketing.New(store, time.Now, env.Log, ticketing.Metrics(rec)).Handle)
}
