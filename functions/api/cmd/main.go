// Command api is the console API Lambda behind API Gateway's JWT authorizer.
package main

import (
	"context"
	"crypto/rand"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/borderdesk/borderdesk/functions/api"
	"github.com/borderdesk/borderdesk/shared/auth"
	"github.com/borderdesk/borderdesk/shared/dynamo"
	"github.com/borderdesk/borderdesk/shared/lambdaenv"
	"github.com/borderdesk/borderdesk/shared/metrics"
	"github.com/borderdesk/borderdesk/shared/s3"
)

func main() {
	ctx := context.Background()
	env, err := lambdaenv.Load(ctx, os.Getenv)
	lambdaenv.Must(env.Log, err)
	cursors, err := api.CursorKey(ctx, secretsmanager.NewFromConfig(env.AWS), os.Getenv(api.CursorKeyEnv))
	lambdaenv.Must(env.Log, err)
	// MAIL_BUCKET keeps inbound mail's attachments, which the API signs download links into.
	mailBucket, err := lambdaenv.Require(os.Getenv, "MAIL_BUCKET")
	lambdaenv.Must(env.Log, err)
	store := dynamo.New(dynamodb.NewFromConfig(env.AWS), env.Table)
	srv := api.New(store, auth.Authorizer{}, time.Now, rand.Text, env.Log,
		api.ConsoleOrigin(os.Getenv("CONSOLE_ORIGIN")), api.Cursors(cursors),
		api.Attachments(s3.NewLinks(awss3.NewFromConfig(env.AWS), mailBucket, time.Now)),
		// EMF on stdout: Lambda ships it to CloudWatch Logs, which makes it metrics.
		api.Metrics(metrics.NewEMF(os.Stdout, time.Now)))
	lambda.Start(httpadapter.NewV2(srv).ProxyWithContext)
}
