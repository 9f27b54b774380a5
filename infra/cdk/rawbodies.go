package main

import (
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/borderdesk/borderdesk/shared/dynamo"
)

// rawBucketEnv names the bucket in the writer's environment.
const rawBucketEnv = "RAW_BUCKET"

// rawBodies is the bucket for webhook bodies too large for a table item: the receipt item
// points at the object (a claim check).
type rawBodies struct {
	bucket awss3.Bucket
}

// newRawBodies declares the bucket: private, encrypted, TLS-only, and emptied of each body
// when its receipt's TTL ends. Raw bodies carry customers' personal data, so none outlives
// the receipt that points at it.
func newRawBodies(scope constructs.Construct) rawBodies {
	days := float64(dynamo.ReceiptRetention / (24 * time.Hour))
	bucket := privateBucket(scope, "RawBodies", []*awss3.LifecycleRule{{
		Id:         jsii.String("expire-with-receipts"),
		Enabled:    jsii.Bool(true),
		Expiration: awscdk.Duration_Days(jsii.Number(days)),
		// Intake writes in one request; nothing should linger half-written.
		AbortIncompleteMultipartUploadAfter: awscdk.Duration_Days(jsii.Number(1)),
	}}, "Only this stack's roles reach the bucket (intake puts, nothing is public or listed); the audit trail for object access is CloudTrail S3 data events, delivered reliably where server access logs are best-effort, and enabled per account by its operator")
	return rawBodies{bucket: bucket}
}

// writer lets fn put bodies, and nothing else, and tells it the bucket's name.
func (r rawBodies) writer(fn awslambda.Function) {
	r.bucket.GrantPut(fn, nil)
	acknowledgePolicy(fn,
		nagRule{id: "AwsSolutions-IAM5", appliesTo: []string{"Action::s3:Abort*"},
			reason: "Bucket.GrantPut: putting an object includes aborting its own multipart upload"},
		nagRule{id: "AwsSolutions-IAM5", appliesTo: []string{`regex:^Resource::<RawBodies[0-9A-F]{8}\.Arn>/\*$`},
			reason: "Intake names each body's key (merchant, provider, event id) as it arrives: any key of the raw-body bucket, and no other bucket"})
	fn.AddEnvironment(jsii.String(rawBucketEnv), r.bucket.BucketName(), nil)
}
