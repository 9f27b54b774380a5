package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsses"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/borderdesk/borderdesk/events"
)

// receiptRuleSetName is the SES receipt rule set the stack declares. An account and region
// has one active rule set, and CloudFormation cannot make one active: the operator runs the
// command the ActivateReceiptRuleSet output prints, once.
const receiptRuleSetName = appName + "-inbound"

// mailReceiving is SES receiving: the rule set, and its rule for the function that receives
// mail.
type mailReceiving struct {
	ruleSet awsses.CfnReceiptRuleSet
}

// newMailReceiving declares the receipt rule set; with no mail domains there is nothing to
// receive for, so there is none (ok false).
func newMailReceiving(stack awscdk.Stack, domains []string) (mailReceiving, bool) {
	if len(domains) == 0 {
		return mailReceiving{}, false
	}
	set := awsses.NewCfnReceiptRuleSet(stack, jsii.String("MailReceiptRuleSet"), &awsses.CfnReceiptRuleSetProps{
		RuleSetName: jsii.String(receiptRuleSetName),
	})
	output(stack, "ActivateReceiptRuleSet", awscdk.Fn_Join(jsii.String(""), &[]*string{
		jsii.String("aws ses set-active-receipt-rule-set --rule-set-name " + receiptRuleSetName + " --region "), stack.Region(),
	}))
	output(stack, "MailMxRecord", awscdk.Fn_Join(jsii.String(""), &[]*string{
		jsii.String("10 inbound-smtp."), stack.Region(), jsii.String(".amazonaws.com"),
	}))
	return mailReceiving{ruleSet: set}, true
}

// receiptRuleName is the rule that delivers mail to f.
func receiptRuleName(f events.Function) string { return appName + "-" + f.Name }

// receiptRuleArn is the ARN of f's receipt rule, built from the names rather than a
// reference: SES checks, as the rule is created, that it may already write to the bucket
// and invoke the function, so the bucket policy and the permission that name this ARN come
// first, and a Ref to the rule would make that a cycle.
func receiptRuleArn(stack awscdk.Stack, f events.Function) *string {
	return stack.FormatArn(&awscdk.ArnComponents{
		Service:      jsii.String("ses"),
		Resource:     jsii.String("receipt-rule-set"),
		ResourceName: jsii.String(receiptRuleSetName + ":receipt-rule/" + receiptRuleName(f)),
		ArnFormat:    awscdk.ArnFormat_SLASH_RESOURCE_NAME,
	})
}

// deliver adds f's rule: mail to any address at the domains, scanned for spam and viruses
// (the verdicts reach intake in SES's notification, which keeps them on the message) and
// refused unless sent over TLS, is stored under events.InboundMailPrefix and then handed to
// fn asynchronously (Event), so SES never waits on parsing; what keeps failing lands in
// fn's dead-letter queue.
func (r mailReceiving) deliver(scope constructs.Construct, f events.Function, fn awslambda.Function, bucket mailBucket, domains []string) awsses.CfnReceiptRule {
	stack := awscdk.Stack_Of(scope)
	arn := receiptRuleArn(stack, f)
	bucket.allowSES(arn)
	fn.AddPermission(jsii.String("SESInvoke"), &awslambda.Permission{
		Principal:     awsiam.NewServicePrincipal(jsii.String("ses.amazonaws.com"), nil),
		Action:        jsii.String("lambda:InvokeFunction"),
		SourceAccount: stack.Account(),
		SourceArn:     arn,
	})
	rule := awsses.NewCfnReceiptRule(scope, jsii.String("ReceiptRule"), &awsses.CfnReceiptRuleProps{
		RuleSetName: r.ruleSet.Ref(),
		Rule: &awsses.CfnReceiptRule_RuleProperty{
			Name:        jsii.String(receiptRuleName(f)),
			Enabled:     jsii.Bool(true),
			Recipients:  jsii.Strings(domains...),
			ScanEnabled: jsii.Bool(true),
			TlsPolicy:   jsii.String("Require"),
			Actions: &[]*awsses.CfnReceiptRule_ActionProperty{
				{S3Action: &awsses.CfnReceiptRule_S3ActionProperty{
					BucketName:      bucket.bucket.BucketName(),
					ObjectKeyPrefix: jsii.String(events.InboundMailPrefix),
				}},
				{LambdaAction: &awsses.CfnReceiptRule_LambdaActionProperty{
					FunctionArn:    fn.FunctionArn(),
					InvocationType: jsii.String("Event"),
				}},
			},
		},
	})
	rule.Node().AddDependency(bucket.bucket.Policy())
	if p := fn.Node().TryFindChild(jsii.String("SESInvoke")); p != nil {
		rule.Node().AddDependency(p)
	}
	return rule
}
