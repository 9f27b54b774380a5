package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2authorizers"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscognito"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/borderdesk/borderdesk/shared/auth"
	"github.com/borderdesk/borderdesk/shared/merchant"
)

// merchantIDAttribute is the custom attribute tying an agent to one merchant; the API reads
// it from the token's auth.MerchantClaim.
const merchantIDAttribute = auth.MerchantAttribute

// roles are the Cognito groups, most privileged first (lower precedence wins when a user is
// in more than one).
var roles = []merchant.Role{merchant.RoleAdmin, merchant.RoleSupervisor, merchant.RoleAgent}

// agentAuth is who may call the console API: agents in a user pool, the console's app client,
// and the JWT authorizer that checks their tokens at API Gateway.
type agentAuth struct {
	pool       awscognito.UserPool
	client     awscognito.UserPoolClient
	authorizer awsapigatewayv2authorizers.HttpJwtAuthorizer
}

func newAuth(scope constructs.Construct) agentAuth {
	pool := awscognito.NewUserPool(scope, jsii.String("Agents"), &awscognito.UserPoolProps{
		// Merchants' admins invite agents; nobody signs themselves up to a tenant.
		SelfSignUpEnabled: jsii.Bool(false),
		SignInAliases:     &awscognito.SignInAliases{Email: jsii.Bool(true)},
		AutoVerify:        &awscognito.AutoVerifiedAttrs{Email: jsii.Bool(true)},
		AccountRecovery:   awscognito.AccountRecovery_EMAIL_ONLY,
		// Agents can move money (refunds): let them protect their account with an
		// authenticator app.
		Mfa:             awscognito.Mfa_OPTIONAL,
		MfaSecondFactor: &awscognito.MfaSecondFactor{Otp: jsii.Bool(true), Sms: jsii.Bool(false)},
		CustomAttributes: &map[string]awscognito.ICustomAttribute{
			// Immutable: an agent never changes tenant.
			merchantIDAttribute: awscognito.NewStringAttribute(&awscognito.StringAttributeProps{
				Mutable: jsii.Bool(false), MinLen: jsii.Number(1), MaxLen: jsii.Number(64),
			}),
		},
		RemovalPolicy: awscdk.RemovalPolicy_RETAIN,
	})
	for i, role := range roles {
		pool.AddGroup(jsii.String("Group-"+string(role)), &awscognito.UserPoolGroupOptions{
			GroupName:  jsii.String(string(role)),
			Precedence: jsii.Number(float64(i)),
		})
	}
	client := pool.AddClient(jsii.String("Console"), &awscognito.UserPoolClientOptions{
		// The console is a browser app: it cannot keep a secret.
		GenerateSecret:             jsii.Bool(false),
		AuthFlows:                  &awscognito.AuthFlow{UserSrp: jsii.Bool(true)},
		DisableOAuth:               jsii.Bool(true),
		PreventUserExistenceErrors: jsii.Bool(true),
		// Agents may edit their profile but never their merchant.
		WriteAttributes: awscognito.NewClientAttributes().WithStandardAttributes(&awscognito.StandardAttributesMask{
			Email: jsii.Bool(true), Fullname: jsii.Bool(true), Locale: jsii.Bool(true), Timezone: jsii.Bool(true),
		}),
	})
	stack := awscdk.Stack_Of(scope)
	issuer := "https://cognito-idp." + *stack.Region() + "." + *stack.UrlSuffix() + "/" + *pool.UserPoolId()
	authorizer := awsapigatewayv2authorizers.NewHttpJwtAuthorizer(jsii.String("AgentJWT"), jsii.String(issuer),
		&awsapigatewayv2authorizers.HttpJwtAuthorizerProps{
			JwtAudience: &[]*string{client.UserPoolClientId()},
		})
	return agentAuth{pool: pool, client: client, authorizer: authorizer}
}
