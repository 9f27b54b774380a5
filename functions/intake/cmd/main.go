// Command intake is the intake Lambda: webhooks and customer messages behind API Gateway.
package main

import (
	"context"
	"crypto/rand"
	"errors"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	awseventbridge "github.com/aws/aws-sdk-go-v2/service/eventbridge"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/borderdesk/borderdesk/events"
	"github.com/borderdesk/borderdesk/functions/intake"
	"github.com/borderdesk/borderdesk/shared/dynamo"
	"github.com/borderdesk/borderdesk/shared/eventbridge"
	"github.com/borderdesk/borderdesk/shared/lambdaenv"
	"github.com/borderdesk/borderdesk/shared/s3"
)

func main() {
	env, err := lambdaenv.Load(context.Background(), os.Getenv)
	lambdaenv.Must(env.Log, err)
	// RAW_BUCKET keeps webhook bodies too large for a table item.
	rawBucket := os.Getenv("RAW_BUCKET")
	if rawBucket == "" {
		lambdaenv.Must(env.Log, errors.New("RAW_BUCKET is not set"))
	}
	h := intake.New(intake.Config{
		Providers: intake.Providers(),
		Store:     dynamo.New(dynamodb.NewFromConfig(env.AWS), env.Table),
		Bodies:    s3.New(awss3.NewFromConfig(env.AWS), rawBucket),
		Bus:       eventbridge.New(awseventbridge.NewFromConfig(env.AWS), env.EventBus, events.SourceIntake),
		Now:       time.Now,
		Log:       env.Log,
		NewID:     rand.Text,
	})
	lambda.Start(httpadapter.NewV2(h).ProxyWithContext)
}
