package s3

import (
	"bytes"
	"context"
	"errors"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/borderdesk/borderdesk/shared/errs"
)

// Object is a stored file and the content type it was stored with.
type Object struct {
	ContentType string
	Data        []byte
}

// Objects keeps files with their content type in one bucket: the mail bucket, where SES
// receiving leaves raw inbound mail and intake keeps the attachments it took out of it. The
// content type is kept because a download link serves the object as stored: an attachment
// must come back as the PDF or image it was, not as application/octet-stream.
type Objects struct {
	client *awss3.Client
	bucket string
}

// NewObjects returns Objects in bucket.
func NewObjects(client *awss3.Client, bucket string) *Objects {
	return &Objects{client: client, bucket: bucket}
}

// Bucket is the bucket the objects are kept in.
func (o *Objects) Bucket() string { return o.bucket }

// PutObject stores data under key with contentType (application/octet-stream when empty).
// Writing the same key again replaces the object: callers derive keys from what the object
// is, so a retry rewrites the same bytes.
func (o *Objects) PutObject(ctx context.Context, key, contentType string, data []byte) error {
	if contentType == "" {
		contentType = "application/octet-stream"
	}
	_, err := o.client.PutObject(ctx, &awss3.PutObjectInput{
		Bucket:        aws.String(o.bucket),
		Key:           aws.String(key),
		Body:          bytes.NewReader(data),
		ContentLength: aws.Int64(int64(len(data))),
		ContentType:   aws.String(contentType),
	})
	if err != nil {
		return errs.Wrap(errs.Transient, err, "could not store object %s; please retry", key)
	}
	return nil
}

// GetObject reads the object under key: not found when there is none.
func (o *Objects) GetObject(ctx context.Context, key string) (Object, error) {
	out, err := o.client.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String(o.bucket), Key: aws.String(key)})
	var missing *types.NoSuchKey
	switch {
	case errors.As(err, &missing):
		return Object{}, errs.Wrap(errs.NotFound, err, "object %s not found", key)
	case err != nil:
		return Object{}, errs.Wrap(errs.Transient, err, "get object %s", key)
	}
	defer out.Body.Close()
	data, err := io.ReadAll(out.Body)
	if err != nil {
		return Object{}, errs.Wrap(errs.Transient, err, "read object %s", key)
	}
	return Object{ContentType: aws.ToString(out.ContentType), Data: data}, nil
}
