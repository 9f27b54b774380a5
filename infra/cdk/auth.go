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

// passwordMinLength is an agent's shortest password. Agents can move money; Cognito also
// requires each character class.
const passwordMinLength = 12

// roles are the Cognito groups, most privileged first (lower precedence wins when a user is
// in more than one).
var roles = []merchant.Role{merchant.RoleAdmin, merchant.RoleSupervisor, merchant.RoleAgent}

// agentAuth is who may call the console API: agents in a user pool, the console's app client,
// the hosted sign-in they use, and the JWT authorizer that checks their tokens at API Gateway.
type agentAuth struct {
	pool       awscognito.UserPool
	client     awscognito.UserPoolClient
	domain     awscognito.UserPoolDomain
	issuer     string
	authorizer awsapigatewayv2authorizers.HttpJwtAuthorizer
}

// newAuth declares the user pool and the console's sign-in: Cognito's hosted UI at
// domainPrefix (defaultDomainPrefix when empty), returning to consoleURL.
func newAuth(scope constructs.Construct, consoleURL, domainPrefix string) agentAuth {
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
		PasswordPolicy: &awscognito.PasswordPolicy{
			MinLength:            jsii.Number(passwordMinLength),
			RequireLowercase:     jsii.Bool(true),
			RequireUppercase:     jsii.Bool(true),
			RequireDigits:        jsii.Bool(true),
			RequireSymbols:       jsii.Bool(true),
			TempPasswordValidity: awscdk.Duration_Days(jsii.Number(3)),
		},
		// For the same reason, threat protection: sign-ins with leaked credentials are
		// blocked and risky ones challenged, not just logged. It needs the Plus plan, priced
		// per active user; a merchant's agents are few.
		FeaturePlan:                  awscognito.FeaturePlan_PLUS,
		StandardThreatProtectionMode: awscognito.StandardThreatProtectionMode_FULL_FUNCTION,
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
	stack := awscdk.Stack_Of(scope)
	prefix := jsii.String(domainPrefix)
	if domainPrefix == "" {
		prefix = defaultDomainPrefix(stack)
	}
	domain := pool.AddDomain(jsii.String("SignIn"), &awscognito.UserPoolDomainOptions{
		CognitoDomain: &awscognito.CognitoDomainOptions{DomainPrefix: prefix},
	})
	// The console signs agents in through the hosted UI with the authorization code grant;
	// it is a browser app that cannot keep a secret, so it is a public client and must use
	// PKCE. Only the deployed console may receive codes: local mode signs in at /dev/login.
	client := pool.AddClient(jsii.String("Console"), &awscognito.UserPoolClientOptions{
		GenerateSecret: jsii.Bool(false),
		OAuth: &awscognito.OAuthSettings{
			Flows:        &awscognito.OAuthFlows{AuthorizationCodeGrant: jsii.Bool(true)},
			Scopes:       &[]awscognito.OAuthScope{awscognito.OAuthScope_OPENID(), awscognito.OAuthScope_EMAIL(), awscognito.OAuthScope_PROFILE()},
			CallbackUrls: jsii.Strings(consoleURL),
			LogoutUrls:   jsii.Strings(consoleURL),
		},
		SupportedIdentityProviders: &[]awscognito.UserPoolClientIdentityProvider{awscognito.UserPoolClientIdentityProvider_COGNITO()},
		// SRP stays for scripted sign-in (smoke tests against a deployed stack); the hosted
		// UI does not need it.
		AuthFlows:                  &awscognito.AuthFlow{UserSrp: jsii.Bool(true)},
		PreventUserExistenceErrors: jsii.Bool(true),
		// The API scopes every request by the ID token's auth.MerchantClaim: the client must
		// be allowed to read the attribute for Cognito to put it in the token.
		ReadAttributes: awscognito.NewClientAttributes().WithStandardAttributes(&awscognito.StandardAttributesMask{
			Email: jsii.Bool(true), EmailVerified: jsii.Bool(true), Fullname: jsii.Bool(true),
			Locale: jsii.Bool(true), Timezone: jsii.Bool(true),
		}).WithCustomAttributes(jsii.String(merchantIDAttribute)),
		// Agents may edit how they are shown and spoken to, nothing that says who they are:
		// not their email (the console shows it and mail goes to it; an agent is identified
		// by sub) and never their merchant. Group membership, their role, is not an attribute
		// at all: only an admin call with the operator's credentials changes it.
		WriteAttributes: awscognito.NewClientAttributes().WithStandardAttributes(&awscognito.StandardAttributesMask{
			Fullname: jsii.Bool(true), Locale: jsii.Bool(true), Timezone: jsii.Bool(true),
		}),
	})
	issuer := "https://cognito-idp." + *stack.Region() + "." + *stack.UrlSuffix() + "/" + *pool.UserPoolId()
	authorizer := awsapigatewayv2authorizers.NewHttpJwtAuthorizer(jsii.String("AgentJWT"), jsii.String(issuer),
		&awsapigatewayv2authorizers.HttpJwtAuthorizerProps{
			JwtAudience: &[]*string{client.UserPoolClientId()},
		})
	return agentAuth{pool: pool, client: client, domain: domain, issuer: issuer, authorizer: authorizer}
}

// defaultDomainPrefix is "borderdesk-" and the last group of the stack's UUID (from its
// AWS::StackId, known only at deploy time). A Cognito prefix domain is shared by every
// account in the region, so the prefix must be unique to this stack; the UUID is, and unlike
// the account id it tells the sign-in page's visitors nothing about the account. It stays
// the same for the stack's life and differs between stacks (staging, production) in one
// account. Set BorderdeskStackProps.AuthDomainPrefix to choose a readable one.
func defaultDomainPrefix(stack awscdk.Stack) *string {
	uuid := awscdk.Fn_Select(jsii.Number(2), awscdk.Fn_Split(jsii.String("/"), stack.StackId(), nil))
	tail := awscdk.Fn_Select(jsii.Number(4), awscdk.Fn_Split(jsii.String("-"), uuid, nil))
	return jsii.String(appName + "-" + *tail)
}
