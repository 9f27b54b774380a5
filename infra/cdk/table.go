package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/borderdesk/borderdesk/shared/dynamo"
)

// newTable declares the one table from the schema the local runtime also creates, so the
// two cannot drift. Every key is a string: tenant-prefixed composites such as "M#<id>#…".
func newTable(scope constructs.Construct, schema dynamo.Schema) awsdynamodb.Table {
	table := awsdynamodb.NewTable(scope, jsii.String("Table"), &awsdynamodb.TableProps{
		PartitionKey: stringKey(schema.PartitionKey),
		SortKey:      stringKey(schema.SortKey),
		BillingMode:  awsdynamodb.BillingMode_PAY_PER_REQUEST,
		Encryption:   awsdynamodb.TableEncryption_AWS_MANAGED,
		PointInTimeRecoverySpecification: &awsdynamodb.PointInTimeRecoverySpecification{
			PointInTimeRecoveryEnabled: jsii.Bool(true),
		},
		TimeToLiveAttribute: optional(schema.TTLAttribute),
		// New images feed the outbox relay (the stream function of the topology): an outbox
		// item is relayed within a second of its commit. Old images are never needed.
		Stream: awsdynamodb.StreamViewType_NEW_IMAGE,
		// Tickets, refunds and raw events are the merchants' records: deleting the stack
		// must not delete them.
		RemovalPolicy: awscdk.RemovalPolicy_RETAIN,
	})
	for _, ix := range schema.Indexes {
		table.AddGlobalSecondaryIndex(&awsdynamodb.GlobalSecondaryIndexProps{
			IndexName:      jsii.String(ix.Name),
			PartitionKey:   stringKey(ix.PartitionKey),
			SortKey:        stringKey(ix.SortKey),
			ProjectionType: awsdynamodb.ProjectionType_ALL,
		})
	}
	return table
}

// stringKey is a string key attribute, or nil for a key the schema leaves out.
func stringKey(name string) *awsdynamodb.Attribute {
	if name == "" {
		return nil
	}
	return &awsdynamodb.Attribute{Name: jsii.String(name), Type: awsdynamodb.AttributeType_STRING}
}

// optional is nil for "", so an unset schema field stays unset in the template.
func optional(s string) *string {
	if s == "" {
		return nil
	}
	return jsii.String(s)
}
