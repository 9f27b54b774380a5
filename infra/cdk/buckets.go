package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// privateBucket declares a bucket for customers' personal data (raw webhook bodies, inbound
// mail): private, encrypted, TLS-only, owner-enforced, with lifecycle, and retained like the
// table, so deleting the stack never stalls on a non-empty bucket (the lifecycle still
// empties what expires). accessLogs says why the bucket has no server access logs, the one
// cdk-nag rule every such bucket acknowledges.
func privateBucket(scope constructs.Construct, id string, lifecycle []*awss3.LifecycleRule, accessLogs string) awss3.Bucket {
	bucket := awss3.NewBucket(scope, jsii.String(id), &awss3.BucketProps{
		BlockPublicAccess: awss3.BlockPublicAccess_BLOCK_ALL(),
		Encryption:        awss3.BucketEncryption_S3_MANAGED,
		EnforceSSL:        jsii.Bool(true),
		MinimumTLSVersion: jsii.Number(1.2),
		ObjectOwnership:   awss3.ObjectOwnership_BUCKET_OWNER_ENFORCED,
		LifecycleRules:    &lifecycle,
		RemovalPolicy:     awscdk.RemovalPolicy_RETAIN,
	})
	acknowledge(bucket, nagRule{id: "AwsSolutions-S1", reason: accessLogs})
	return bucket
}
