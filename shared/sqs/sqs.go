// Package sqs is the SQS adapter for what a consumer asks of the queue that feeds it beyond
// Lambda's event source mapping: ChangeMessageVisibility, so a failed message is retried
// after a backoff of the consumer's choosing (shared/consumer.Visibility).
package sqs

import (
	"context"
	"errors"
	"math"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go"

	"github.com/borderdesk/borderdesk/shared/errs"
)

// API is the part of *sqs.Client the adapter calls.
type API interface {
	ChangeMessageVisibility(ctx context.Context, in *sqs.ChangeMessageVisibilityInput, opts ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityOutput, error)
}

var _ API = (*sqs.Client)(nil)

// MaxVisibility is SQS's longest visibility timeout.
const MaxVisibility = 12 * time.Hour

// Visibility changes the visibility of received messages.
type Visibility struct {
	api API
}

// New returns a Visibility on api.
func New(api API) *Visibility { return &Visibility{api: api} }

// ChangeVisibility hides the message received with receiptHandle from queueARN (the record's
// eventSourceARN) for d from now, in whole seconds rounded up, at most MaxVisibility. A
// receipt handle SQS no longer honours (the message was deleted, or received again) is a
// conflict; throttling and SQS's own failures are transient.
func (v *Visibility) ChangeVisibility(ctx context.Context, queueARN, receiptHandle string, d time.Duration) error {
	url, err := QueueURL(queueARN)
	if err != nil {
		return err
	}
	secs := int32(math.Ceil(min(max(d, 0), MaxVisibility).Seconds()))
	_, err = v.api.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{
		QueueUrl: aws.String(url), ReceiptHandle: aws.String(receiptHandle), VisibilityTimeout: secs,
	})
	if err == nil {
		return nil
	}
	var api smithy.APIError
	if errors.As(err, &api) {
		switch api.ErrorCode() {
		case "ReceiptHandleIsInvalid", "MessageNotInflight", "InvalidParameterValue":
			return errs.Wrap(errs.Conflict, err, "change visibility on %s: %s", queueARN, api.ErrorCode())
		case "RequestThrottled", "ThrottlingException", "InternalError", "InternalFailure", "ServiceUnavailable", "KmsThrottled":
			return errs.Wrap(errs.Transient, err, "change visibility on %s: %s", queueARN, api.ErrorCode())
		}
		return errs.Wrap(errs.Internal, err, "change visibility on %s: %s", queueARN, api.ErrorCode())
	}
	return errs.Wrap(errs.Transient, err, "change visibility on %s", queueARN)
}

// QueueURL is the URL of the queue queueARN names: arn:<partition>:sqs:<region>:<account>:<name>
// is https://sqs.<region>.<the partition's domain>/<account>/<name>.
func QueueURL(queueARN string) (string, error) {
	a, err := arn.Parse(queueARN)
	if err != nil || a.Service != "sqs" || a.Region == "" || a.AccountID == "" || a.Resource == "" {
		return "", errs.E(errs.Invalid, "%q is not an SQS queue ARN", queueARN)
	}
	domain := "amazonaws.com"
	switch a.Partition {
	case "aws-cn":
		domain = "amazonaws.com.cn"
	case "aws-iso":
		domain = "c2s.ic.gov"
	case "aws-iso-b":
		domain = "sc2s.sgov.gov"
	}
	return "https://sqs." + a.Region + "." + domain + "/" + a.AccountID + "/" + a.Resource, nil
}
