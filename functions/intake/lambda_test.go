package intake_test

import (
	"context"
	"encoding/base64"
	"strings"
	"testing"

	lambdaevents "github.com/aws/aws-lambda-go/events"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/borderdesk/borderdesk/shared/providers/stripe"
)

// TestBehindAPIGateway runs intake the way the Lambda does: an API Gateway HTTP API (payload
// v2) event through the same adapter the main uses, including a base64-encoded body.
func TestBehindAPIGateway(t *testing.T) {
	f := newFixture(t)
	body := fixtureFile(t, "stripe", "charge.refunded.json")
	adapter := httpadapter.NewV2(f.h)
	tests := []struct {
		name     string
		base64   bool
		wantCode int
		wantBody string
	}{
		{"plain body", false, 200, `"accepted"`},
		{"base64 body, redelivered", true, 200, `"duplicate"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := lambdaevents.APIGatewayV2HTTPRequest{
				Version: "2.0", RouteKey: "POST /webhooks/{merchantId}/{provider}", RawPath: "/webhooks/demo/stripe",
				Headers:        map[string]string{"stripe-signature": stripe.Sign(body, "whsec_old", now), "content-type": "application/json"},
				RequestContext: lambdaevents.APIGatewayV2HTTPRequestContext{HTTP: lambdaevents.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "POST", Path: "/webhooks/demo/stripe"}},
				Body:           string(body),
			}
			if tc.base64 {
				req.Body, req.IsBase64Encoded = base64.StdEncoding.EncodeToString(body), true
			}
			resp, err := adapter.ProxyWithContext(context.Background(), req)
			if err != nil || resp.StatusCode != tc.wantCode || !strings.Contains(resp.Body, tc.wantBody) {
				t.Errorf("Proxy(%s) = %d %s, %v; want %d %s", tc.name, resp.StatusCode, resp.Body, err, tc.wantCode, tc.wantBody)
			}
		})
	}
}
