// Package s3 is the S3 adapter: Objects keeps files with their content type (the mail
// bucket's raw mail and attachments), Bodies the raw request bodies too large for a table
// item (the claim check the receipt item points at), and Links signs download links. It
// turns S3's failures into the errs vocabulary: a missing object is not-found, anything else
// is transient.
package s3

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/borderdesk/borderdesk/shared/errs"
)

// Bodies keeps raw bodies in one bucket, as Objects of type application/octet-stream.
type Bodies struct {
	objects *Objects
}

// New returns Bodies in bucket.
func New(client *awss3.Client, bucket string) *Bodies {
	return &Bodies{objects: NewObjects(client, bucket)}
}

// PutBody stores body under key and returns the bucket that holds it. The bucket encrypts
// at rest and expires objects with the receipts that point at them.
func (b *Bodies) PutBody(ctx context.Context, key string, body []byte) (string, error) {
	if err := b.objects.PutObject(ctx, key, "application/octet-stream", body); err != nil {
		return "", errs.Wrap(errs.Transient, err, "could not keep the body; please retry")
	}
	return b.objects.Bucket(), nil
}

// Body reads the body stored under key: not found when there is none.
func (b *Bodies) Body(ctx context.Context, key string) ([]byte, error) {
	obj, err := b.objects.GetObject(ctx, key)
	if err != nil {
		return nil, err
	}
	return obj.Data, nil
}

// LocalClient returns an S3 client for an S3-compatible server at endpoint on this machine
// (the embedded one): path-style addresses, static credentials (the embedded server accepts any), and checksums only
// where S3 requires them. Lambdas build theirs from the runtime's AWS configuration instead.
func LocalClient(endpoint string) *awss3.Client {
	return awss3.New(awss3.Options{
		Region:                     "us-east-1",
		BaseEndpoint:               aws.String(endpoint),
		UsePathStyle:               true,
		Credentials:                credentials.NewStaticCredentialsProvider("local", "local", ""),
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
	})
}
