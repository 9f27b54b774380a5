// Package dynamo is the DynamoDB adapter: the one table's schema, its creation for the local
// runtime, and the Store that every function reads and writes through. It turns DynamoDB's
// failures into the errs vocabulary: a failed condition is a conflict, a missing item is
// not-found, throttling and 5xx are transient.
package dynamo

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"

	"github.com/borderdesk/borderdesk/shared/errs"
)

// Store reads and writes Borderdesk's table. It keeps no clock: every time it writes comes
// from its callers, who have theirs injected.
type Store struct {
	db    *dynamodb.Client
	table string
}

// New returns a Store on table.
func New(db *dynamodb.Client, table string) *Store {
	return &Store{db: db, table: table}
}

// LocalClient returns a DynamoDB client for a DynamoDB-compatible server at endpoint on this
// machine (the embedded one), with anonymous credentials. Lambdas build theirs from the
// runtime's AWS configuration instead (shared/lambdaenv).
func LocalClient(endpoint string) *dynamodb.Client {
	return dynamodb.New(dynamodb.Options{
		// A real region: with an unknown one the SDK compiles its partition regexps on every
		// request (14% of intake's CPU on the local runtime).
		Region:       "us-east-1",
		BaseEndpoint: aws.String(endpoint),
		Credentials:  aws.AnonymousCredentials{},
		// Loopback retries need no seconds-long backoff; the default's would show as latency.
		Retryer: retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts = 3
			o.MaxBackoff = 50 * time.Millisecond
		}),
		// minidyn sends no CRC32 of its responses.
		DisableValidateResponseChecksum: true,
	})
}

// tenant is the key prefix of everything merchantID owns.
func tenant(merchantID string) string { return "M#" + merchantID }

func str(s string) types.AttributeValue { return &types.AttributeValueMemberS{Value: s} }
func num(n int64) types.AttributeValue  { return &types.AttributeValueMemberN{Value: fmt.Sprint(n)} }
func key(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"pk": str(pk), "sk": str(sk)}
}

func getS(item map[string]types.AttributeValue, name string) string {
	if v, ok := item[name].(*types.AttributeValueMemberS); ok {
		return v.Value
	}
	return ""
}

// sortTime renders t so that string order is time order.
func sortTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000000Z") }

// classify maps a DynamoDB error to the errs vocabulary.
func classify(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	what := fmt.Sprintf(format, args...)
	var ccf *types.ConditionalCheckFailedException
	var tce *types.TransactionCanceledException
	var api smithy.APIError
	switch {
	case errors.As(err, &ccf):
		return errs.Wrap(errs.Conflict, err, "%s: condition failed", what)
	case errors.As(err, &tce):
		return errs.Wrap(errs.Conflict, err, "%s: transaction cancelled", what)
	case errors.As(err, &api) && isTransient(api.ErrorCode()):
		return errs.Wrap(errs.Transient, err, "%s: temporarily unavailable", what)
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return errs.Wrap(errs.Transient, err, "%s: timed out", what)
	}
	return errs.Wrap(errs.Internal, err, "%s", what)
}

func isTransient(code string) bool {
	switch code {
	case "ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded",
		"InternalServerError", "InternalFailure", "ServiceUnavailable", "TransactionConflictException":
		return true
	}
	return strings.HasSuffix(code, "InternalServerError")
}
