package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/jsii-runtime-go"

	"github.com/borderdesk/borderdesk/shared/secretsmanager"
)

// merchantSecretsEnv names, in the reader's environment, the prefix of the merchants'
// secret names (functions/intake/cmd reads it).
const merchantSecretsEnv = "MERCHANT_SECRETS_PREFIX"

// merchantSecrets are the merchants' webhook secrets: one Secrets Manager secret per
// merchant, <prefix><merchant id>/webhooks. The admin command creates and rotates them, not
// the stack — merchants come and go without a deploy — so the stack names them by prefix.
type merchantSecrets struct {
	prefix string
	arn    *string // every secret under prefix
}

func newMerchantSecrets(stack awscdk.Stack) merchantSecrets {
	prefix := secretsmanager.DefaultPrefix
	return merchantSecrets{prefix: prefix, arn: stack.FormatArn(&awscdk.ArnComponents{
		Service:      jsii.String("secretsmanager"),
		Resource:     jsii.String("secret"),
		ArnFormat:    awscdk.ArnFormat_COLON_RESOURCE_NAME,
		ResourceName: jsii.String(prefix + "*"), // a secret's ARN ends in "-" and six random characters
	})}
}

// reader lets fn read the merchants' secrets — GetSecretValue, nothing else of Secrets
// Manager — and tells it their prefix.
func (s merchantSecrets) reader(fn awslambda.Function) {
	fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("secretsmanager:GetSecretValue"),
		Resources: &[]*string{s.arn},
	}))
	fn.AddEnvironment(jsii.String(merchantSecretsEnv), jsii.String(s.prefix), nil)
	acknowledgePolicy(fn, nagRule{id: "AwsSolutions-IAM5",
		appliesTo: []string{"Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:" + s.prefix + "*"},
		reason:    "One secret per merchant, created by the admin command as merchants are onboarded, so the stack can name them only by their prefix; the grant is GetSecretValue alone, on merchants' webhook secrets alone"})
}
