package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/jsii-runtime-go"
)

// grantSendMail lets fn send raw mail through SES from this account's verified identities
// in this region, and nothing else of SES. The merchants' senders are identities the admin
// command configures at run time, after synth, so the grant names SES identities rather
// than each one; SES itself refuses a From that is no verified identity.
func grantSendMail(fn awslambda.IFunction) {
	identities := awscdk.Stack_Of(fn).FormatArn(&awscdk.ArnComponents{
		Service: jsii.String("ses"), Resource: jsii.String("identity"), ResourceName: jsii.String("*"),
	})
	fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("ses:SendEmail", "ses:SendRawEmail"),
		Resources: &[]*string{identities},
	}))
	// The region and account are tokens, or literal when the stack's environment is set.
	acknowledgePolicy(fn, nagRule{
		id:        "AwsSolutions-IAM5",
		appliesTo: []string{`regex:^Resource::arn:<AWS::Partition>:ses:(<AWS::Region>|[a-z]{2}(-[a-z]+)+-[0-9]):(<AWS::AccountId>|[0-9]{12}):identity/\*$`},
		reason:    "The merchants' sender identities are configured by the admin command after deploy, so they are not known at synth: the grant is this account's SES identities in this region (SES refuses a From that is no verified identity), for sending only",
	})
}
