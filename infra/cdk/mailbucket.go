package main

import (
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/borderdesk/borderdesk/events"
	"github.com/borderdesk/borderdesk/shared/dynamo"
)

// mailBucketEnv names the mail bucket in the environment of a function with Mail access.
const mailBucketEnv = "MAIL_BUCKET"

// attachmentsPrefix is where the attachments kept from inbound mail live in the mail bucket.
const attachmentsPrefix = "attachments/"

// mailBucket holds raw inbound mail (events.InboundMailPrefix, as SES receiving stores it)
// and the attachments intake keeps from it.
type mailBucket struct {
	bucket awss3.Bucket
}

// newMailBucket declares the bucket like the raw-body bucket (privateBucket). Raw mail is personal data kept only to be parsed, so it expires as raw webhook
// bodies do; the attachments are part of the ticket and stay. Versioning is off: every key
// is written once (SES's message id, an attachment's own key), so there is nothing to
// restore, and noncurrent versions would keep raw mail past its expiry.
func newMailBucket(scope constructs.Construct) mailBucket {
	days := float64(dynamo.ReceiptRetention / (24 * time.Hour))
	bucket := privateBucket(scope, "MailBucket", []*awss3.LifecycleRule{
		{
			Id:         jsii.String("expire-raw-mail"),
			Enabled:    jsii.Bool(true),
			Prefix:     jsii.String(events.InboundMailPrefix),
			Expiration: awscdk.Duration_Days(jsii.Number(days)),
		},
		{
			Id:                                  jsii.String("abort-incomplete-uploads"),
			Enabled:                             jsii.Bool(true),
			AbortIncompleteMultipartUploadAfter: awscdk.Duration_Days(jsii.Number(1)),
		},
	}, "Only SES (inbound/, from this account's receipt rule) and this stack's roles reach the bucket, nothing is public or listed; the audit trail for object access is CloudTrail S3 data events, delivered reliably where server access logs are best-effort, and enabled per account by its operator")
	return mailBucket{bucket: bucket}
}

// grant gives fn the access its topology entry declares and tells it the bucket's name.
// Read-only reads the attachments (the API signs download links for them); read-write also
// reads raw inbound mail and writes attachments (intake). Nobody deletes: the lifecycle
// does, and nobody lists.
func (m mailBucket) grant(fn awslambda.Function, access events.Access) {
	if access == events.NoAccess {
		return
	}
	read := []*string{m.bucket.ArnForObjects(jsii.String(attachmentsPrefix + "*"))}
	if access == events.ReadWrite {
		read = append(read, m.bucket.ArnForObjects(jsii.String(events.InboundMailPrefix+"*")))
		fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Actions:   jsii.Strings("s3:PutObject"),
			Resources: &[]*string{m.bucket.ArnForObjects(jsii.String(attachmentsPrefix + "*"))},
		}))
	}
	fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("s3:GetObject"),
		Resources: &read,
	}))
	fn.AddEnvironment(jsii.String(mailBucketEnv), m.bucket.BucketName(), nil)
	acknowledgePolicy(fn, nagRule{id: "AwsSolutions-IAM5",
		appliesTo: []string{`regex:^Resource::<MailBucket[0-9A-F]{8}\.Arn>/(inbound|attachments)/\*$`},
		reason:    "Keys under a prefix of the mail bucket (SES names raw mail by its message id, intake names each attachment as it arrives): that prefix of that bucket only, get or put, never list or delete"})
}

// allowSES lets SES receiving put raw mail under events.InboundMailPrefix, and only there,
// for this account's receipt rule ruleArn.
func (m mailBucket) allowSES(ruleArn *string) {
	m.bucket.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("ses.amazonaws.com"), nil)},
		Actions:    jsii.Strings("s3:PutObject"),
		Resources:  &[]*string{m.bucket.ArnForObjects(jsii.String(events.InboundMailPrefix + "*"))},
		Conditions: &map[string]any{"StringEquals": map[string]any{
			"aws:SourceAccount": awscdk.Stack_Of(m.bucket).Account(),
			"aws:SourceArn":     ruleArn,
		}},
	}))
}
