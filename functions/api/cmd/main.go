// Command api is the console API Lambda behind API Gateway's JWT authorizer.
package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
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
	"github.com/borderdesk/borderdesk/shared/ticket"
)

// cursorKeyEnv names the Secrets Manager secret that signs the inbox's cursors (the CDK
// stack's cursorKeyEnv).
const cursorKeyEnv = "CURSOR_KEY_ARN"

// mailBucketEnv names the bucket that keeps inbound mail and its attachments, which the API
// signs download links into (the CDK stack's environment for functions with Mail access).
const mailBucketEnv = "MAIL_BUCKET"

func main() {
	ctx := context.Background()
	env, err := lambdaenv.Load(ctx, os.Getenv)
	lambdaenv.Must(env.Log, err)
	// Read once at init: every instance signs and verifies with the same key, so a cursor
	// from one is good on any other, and a request never waits on Secrets Manager.
	cursors, err := cursorKey(ctx, secretsmanager.NewFromConfig(env.AWS), os.Getenv(cursorKeyEnv))
	lambdaenv.Must(env.Log, err)
	bucket, err := mailBucket(os.Getenv)
	lambdaenv.Must(env.Log, err)
	store := dynamo.New(dynamodb.NewFromConfig(env.AWS), env.Table)
	srv := api.New(store, auth.Authorizer{}, time.Now, rand.Text, env.Log,
		api.ConsoleOrigin(os.Getenv("CONSOLE_ORIGIN")), api.Cursors(cursors),
		api.Attachments(s3.NewLinks(awss3.NewFromConfig(env.AWS), bucket, time.Now)),
		// EMF on stdout: Lambda ships it to CloudWatch Logs, which makes it metrics.
		api.Metrics(metrics.NewEMF(os.Stdout, time.Now)))
	lambda.Start(httpadapter.NewV2(srv).ProxyWithContext)
}

// mailBucket is the mail bucket's name: required, like TABLE_NAME, so a deployment without
// it fails at init rather than on an agent's first download.
func mailBucket(getenv func(string) string) (string, error) {
	b := getenv(mailBucketEnv)
	if b == "" {
		return "", fmt.Errorf("%s is not set", mailBucketEnv)
	}
	return b, nil
}

// cursorKey reads the cursor key from the secret arn names.
func cursorKey(ctx context.Context, sm *secretsmanager.Client, arn string) (ticket.Cursors, error) {
	if arn == "" {
		return ticket.Cursors{}, fmt.Errorf("%s is not set", cursorKeyEnv)
	}
	out, err := sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(arn)})
	if err != nil {
		return ticket.Cursors{}, fmt.Errorf("read the cursor key: %w", err)
	}
	c, err := ticket.NewCursors([]byte(aws.ToString(out.SecretString)))
	if err != nil {
		return ticket.Cursors{}, fmt.Errorf("cursor key %s: %w", arn, err)
	}
	return c, nil
}
