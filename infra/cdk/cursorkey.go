package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// cursorKeyEnv names the secret in the reader's environment (functions/api/cmd reads it).
const cursorKeyEnv = "CURSOR_KEY_ARN"

// cursorKey is the key the API signs the inbox's cursors with. Every API instance must
// verify what any other signed, so the key is one secret, generated at deploy and read once
// at each instance's start; it never appears in the template or the function's environment.
type cursorKey struct {
	secret awssecretsmanager.Secret
}

func newCursorKey(scope constructs.Construct) cursorKey {
	secret := awssecretsmanager.NewSecret(scope, jsii.String("CursorKey"), &awssecretsmanager.SecretProps{
		Description: jsii.String("Borderdesk: signs the console API's inbox cursors (HMAC-SHA256)"),
		GenerateSecretString: &awssecretsmanager.SecretStringGenerator{
			// 64 characters of letters and digits: about 380 bits, well over the 32 bytes the
			// API requires, and safe in any encoding.
			PasswordLength:     jsii.Number(64),
			ExcludePunctuation: jsii.Bool(true),
		},
	})
	acknowledge(secret, nagRule{id: "AwsSolutions-SMG4",
		reason: "The key only signs inbox cursors, which the API checks against the caller's merchant and query anyway; each API instance reads it once at start, so a scheduled rotation would refuse cursors in flight. Rotate by replacing the secret's value and redeploying the API"})
	return cursorKey{secret: secret}
}

// reader lets fn read the key, and nothing else of Secrets Manager, and tells it where.
func (k cursorKey) reader(fn awslambda.Function) {
	k.secret.GrantRead(fn, nil)
	fn.AddEnvironment(jsii.String(cursorKeyEnv), k.secret.SecretArn(), nil)
}
