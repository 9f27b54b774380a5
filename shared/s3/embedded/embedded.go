// Package embedded runs an S3-compatible server (gofakes3, in memory) on loopback, in
// process, with one bucket. The local runtime and the tests reach it through the real
// aws-sdk-go-v2 S3 client and the same adapter (shared/s3) the Lambdas use.
package embedded

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/borderdesk/borderdesk/shared/s3"
)

// S3 is a running embedded server.
type S3 struct {
	URL    string
	Bucket string
	Client *awss3.Client
	srv    *http.Server
}

// Start serves an in-memory S3 on addr ("127.0.0.1:0" picks a free port) and creates bucket.
func Start(ctx context.Context, addr, bucket string) (*S3, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("embedded s3: listen %s: %w", addr, err)
	}
	fake := gofakes3.New(s3mem.New())
	e := &S3{URL: "http://" + ln.Addr().String(), Bucket: bucket}
	e.srv = &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: fake.Server()}
	go func() { _ = e.srv.Serve(ln) }()
	e.Client = s3.LocalClient(e.URL)
	if _, err := e.Client.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		e.Close()
		return nil, fmt.Errorf("embedded s3: create bucket %s: %w", bucket, err)
	}
	return e, nil
}

// Bodies is the adapter on the embedded bucket.
func (e *S3) Bodies() *s3.Bodies { return s3.New(e.Client, e.Bucket) }

// Close stops the server.
func (e *S3) Close() error { return e.srv.Close() }
