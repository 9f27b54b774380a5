// Command intake is the intake Lambda: webhooks and customer messages behind API Gateway, and
// inbound mail from SES receiving — one binary, told apart by the payload (intake.Invoke).
package main

import (
	"context"
	"crypto/rand"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	awseventbridge "github.com/aws/aws-sdk-go-v2/service/eventbridge"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	awssm "github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/borderdesk/borderdesk/events"
	"github.com/borderdesk/borderdesk/functions/intake"
	"github.com/borderdesk/borderdesk/shared/dynamo"
	"github.com/borderdesk/borderdesk/shared/eventbridge"
	"github.com/borderdesk/borderdesk/shared/lambdaenv"
	"github.com/borderdesk/borderdesk/shared/metrics"
	"github.com/borderdesk/borderdesk/shared/s3"
	"github.com/borderdesk/borderdesk/shared/secretsmanager"
)

func main() {
	env, err := lambdaenv.Load(context.Background(), os.Getenv)
	lambdaenv.Must(env.Log, err)
	// RAW_BUCKET keeps webhook bodies too large for a table item; MERCHANT_SECRETS_PREFIX
	// starts the names of the merchants' webhook secrets, the ones the stack lets intake
	// read; MAIL_BUCKET is where SES receiving stores raw mail and intake its attachments.
	rawBucket, err := lambdaenv.Require(os.Getenv, "RAW_BUCKET")
	lambdaenv.Must(env.Log, err)
	secretsPrefix, err := lambdaenv.Require(os.Getenv, "MERCHANT_SECRETS_PREFIX")
	lambdaenv.Must(env.Log, err)
	mailBucket, err := lambdaenv.Require(os.Getenv, "MAIL_BUCKET")
	lambdaenv.Must(env.Log, err)
	s3Client := awss3.NewFromConfig(env.AWS)
	h := intake.New(intake.Config{
		Providers: intake.Providers(),
		Store:     dynamo.New(dynamodb.NewFromConfig(env.AWS), env.Table),
		Secrets:   secretsmanager.New(awssm.NewFromConfig(env.AWS), secretsPrefix),
		Bodies:    s3.New(s3Client, rawBucket),
		Mail:      s3.NewObjects(s3Client, mailBucket),
		Bus:       eventbridge.New(awseventbridge.NewFromConfig(env.AWS), env.EventBus, events.SourceIntake),
		Now:       time.Now,
		Log:       env.Log,
		NewID:     rand.Text,
		// EMF on stdout: Lambda ships it to CloudWatch Logs, which makes it metrics.
		Metrics: metrics.NewEMF(os.Stdout, time.Now),
	})
	lambda.Start(h.Invoke(httpadapter.NewV2(h).ProxyWithContext))
}
