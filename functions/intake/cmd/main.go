// Command intake is the intake Lambda: webhooks and customer messages behind API Gateway.
package main

import (
	"context"
	"crypto/rand"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	awseventbridge "github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/borderdesk/borderdesk/events"
	"github.com/borderdesk/borderdesk/functions/intake"
	"github.com/borderdesk/borderdesk/shared/dynamo"
	"github.com/borderdesk/borderdesk/shared/eventbridge"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		log.Error("load AWS config", "err", err.Error())
		os.Exit(1)
	}
	h := intake.New(intake.Config{
		Providers: intake.Providers(),
		Store:     dynamo.New(dynamodb.NewFromConfig(cfg), os.Getenv("TABLE_NAME"), time.Now),
		Bus:       eventbridge.New(awseventbridge.NewFromConfig(cfg), os.Getenv("EVENT_BUS_NAME"), events.SourceIntake),
		Now:       time.Now,
		Log:       log,
		NewID:     rand.Text,
	})
	lambda.Start(httpadapter.NewV2(h).ProxyWithContext)
}
