package main

import (
	"encoding/json"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2integrations"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/borderdesk/borderdesk/events"
)

// Stage throttling for the whole API: enough for a merchant's webhook bursts, low enough
// that a runaway client cannot run up the bill.
const (
	throttleRate  = 50
	throttleBurst = 100
)

// newAPI declares the HTTP API with one route per topology route, each integrated with the
// function that declares it; routes with Auth go through authorizer. CORS is the functions'
// own (see functionDeps.consoleOrigin): the API declares no CorsConfiguration, which would
// make API Gateway answer every preflight with one policy.
func newAPI(scope constructs.Construct, topology []events.Function, fns map[string]awslambda.IFunction,
	authorizer awsapigatewayv2.IHttpRouteAuthorizer) (awsapigatewayv2.HttpApi, awsapigatewayv2.HttpStage) {
	api := awsapigatewayv2.NewHttpApi(scope, jsii.String("Api"), &awsapigatewayv2.HttpApiProps{
		ApiName: jsii.String(appName),
		// The default stage is declared below, where throttling can be set.
		CreateDefaultStage: jsii.Bool(false),
	})
	stage := awsapigatewayv2.NewHttpStage(scope, jsii.String("Stage"), &awsapigatewayv2.HttpStageProps{
		HttpApi:    api,
		StageName:  jsii.String("$default"),
		AutoDeploy: jsii.Bool(true),
		Throttle: &awsapigatewayv2.ThrottleSettings{
			RateLimit:  jsii.Number(throttleRate),
			BurstLimit: jsii.Number(throttleBurst),
		},
	})
	for _, f := range topology {
		if len(f.Routes) == 0 {
			continue
		}
		integration := awsapigatewayv2integrations.NewHttpLambdaIntegration(jsii.String(f.Name), fns[f.Name], nil)
		for _, r := range f.Routes {
			opts := &awsapigatewayv2.AddRoutesOptions{
				Path:        jsii.String(routePath(r.Path)),
				Methods:     &[]awsapigatewayv2.HttpMethod{routeMethod(r.Method)},
				Integration: integration,
			}
			if r.Auth {
				opts.Authorizer = authorizer
			}
			routes := api.AddRoutes(opts)
			if why := openRouteReason(r); !r.Auth && why != "" {
				for _, route := range *routes {
					acknowledge(route, nagRule{id: "AwsSolutions-APIG4", reason: why})
				}
			}
		}
	}
	accessLogs(scope, stage)
	return api, stage
}

// accessLogFields are what each access log line records, as JSON: API Gateway's request id
// (intake's and the API's request_id and the events' correlation_id), the Lambda request
// the integration made (the x-amzn-RequestId Lambda answered), the route and what came of it — enough to follow one webhook from
// the gateway into the function's logs, and to see why the gateway answered 5xx itself.
// No source IP, user agent or query string: those are a customer's or an agent's personal
// data, and a search query may be an email address.
var accessLogFields = map[string]string{
	"requestId":               "$context.requestId",
	"requestTime":             "$context.requestTime",
	"routeKey":                "$context.routeKey",
	"path":                    "$context.path",
	"status":                  "$context.status",
	"responseLength":          "$context.responseLength",
	"responseLatency":         "$context.responseLatency",
	"integrationRequestId":    "$context.awsEndpointRequestId",
	"integrationStatus":       "$context.integrationStatus",
	"integrationLatency":      "$context.integrationLatency",
	"integrationErrorMessage": "$context.integrationErrorMessage",
	"errorMessage":            "$context.error.message",
	"authorizerError":         "$context.authorizer.error",
}

// accessLogs writes stage's access log, one JSON line a request, to a log group kept as
// long as the functions' logs.
func accessLogs(scope constructs.Construct, stage awsapigatewayv2.HttpStage) awslogs.LogGroup {
	group := awslogs.NewLogGroup(scope, jsii.String("ApiAccessLogs"), &awslogs.LogGroupProps{
		Retention: awslogs.RetentionDays_ONE_MONTH,
	})
	format, err := json.Marshal(accessLogFields) // sorted keys: a stable template
	if err != nil {
		panic(err)
	}
	stage.Node().DefaultChild().(awsapigatewayv2.CfnStage).SetAccessLogSettings(&awsapigatewayv2.CfnStage_AccessLogSettingsProperty{
		DestinationArn: group.LogGroupArn(),
		Format:         jsii.String(string(format)),
	})
	return group
}

// openRouteReason says how a route without a JWT is authenticated instead; "" for a route
// nobody has explained, which cdk-nag then reports.
func openRouteReason(r events.Route) string {
	switch {
	case r.Method == "OPTIONS":
		return "A CORS preflight: browsers send it without credentials, and the function answers it per origin"
	case strings.HasPrefix(r.Path, "/webhooks/"):
		return "Payment and carrier providers cannot send a JWT: intake verifies each webhook's provider signature (Stripe-Signature, aftership-hmac-sha256) with the merchant's secret and refuses it with 401"
	case strings.HasPrefix(r.Path, "/inbound/"):
		return "A shop's customers have no account: intake requires the merchant's publishable key (X-Borderdesk-Key) and, from a browser, one of the merchant's shop origins"
	}
	return ""
}

// routePath turns a ServeMux path into an API Gateway one: the two share "{name}", but a
// trailing wildcard is "{name...}" in Go and "{name+}" in API Gateway.
func routePath(p string) string {
	return strings.ReplaceAll(p, "...}", "+}")
}

// routeMethod is the route's method; a ServeMux pattern without one matches any.
func routeMethod(m string) awsapigatewayv2.HttpMethod {
	if m == "" {
		return awsapigatewayv2.HttpMethod_ANY
	}
	return awsapigatewayv2.HttpMethod(strings.ToUpper(m))
}
