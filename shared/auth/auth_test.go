package auth_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	lambdaevents "github.com/aws/aws-lambda-go/events"
	"github.com/awslabs/aws-lambda-go-api-proxy/core"

	"github.com/borderdesk/borderdesk/shared/auth"
	"github.com/borderdesk/borderdesk/shared/errs"
	"github.com/borderdesk/borderdesk/shared/merchant"
)

func TestHMACAuthenticate(t *testing.T) {
	now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	h := auth.NewHMAC([]byte("secret"), time.Hour, clock)
	agent := merchant.Agent{ID: "sub-li", Email: "li@demo.test", MerchantID: "demo", Role: merchant.RoleSupervisor}
	good, err := h.Issue(agent)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := auth.NewHMAC([]byte("other"), time.Hour, clock).Issue(agent)
	expired, _ := auth.NewHMAC([]byte("secret"), time.Hour, func() time.Time { return now.Add(-2 * time.Hour) }).Issue(agent)
	tests := []struct {
		name, header string
		want         errs.Kind
	}{
		{"good", "Bearer " + good, ""},
		{"missing", "", errs.Unauthorized},
		{"not bearer", "Basic " + good, errs.Unauthorized},
		{"wrong secret", "Bearer " + other, errs.Unauthorized},
		{"expired", "Bearer " + expired, errs.Unauthorized},
		{"tampered", "Bearer " + good[:len(good)-2] + "xx", errs.Unauthorized},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/api/v1/me", nil)
			if tc.header != "" {
				r.Header.Set("Authorization", tc.header)
			}
			c, err := h.Authenticate(r)
			if got := errs.KindOf(err); got != tc.want {
				t.Fatalf("Authenticate(%q) error = %v; want kind %q", tc.name, err, tc.want)
			}
			if err == nil && (c.Subject != agent.ID || c.MerchantID != "demo" || c.Email != agent.Email || c.Role != merchant.RoleSupervisor) {
				t.Errorf("Authenticate(%q) = %+v; want demo supervisor %s (%s)", tc.name, c, agent.ID, agent.Email)
			}
		})
	}
}

func TestAuthorizerReadsVerifiedClaims(t *testing.T) {
	r := httptest.NewRequest("GET", "/api/v1/me", nil)
	if _, err := (auth.Authorizer{}).Authenticate(r); !errs.Is(err, errs.Unauthorized) {
		t.Errorf("without authorizer context: error = %v; want unauthorized", err)
	}
	rc := lambdaevents.APIGatewayV2HTTPRequestContext{Authorizer: &lambdaevents.APIGatewayV2HTTPRequestContextAuthorizerDescription{
		JWT: &lambdaevents.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: map[string]string{
			"sub": "3f1c-li", "email": "li@acme.test", auth.MerchantClaim: "acme", "cognito:groups": "[agent admin]",
		}},
	}}
	// The request as the Lambda adapter builds it from API Gateway's event.
	var ra core.RequestAccessorV2
	req, err := ra.EventToRequestWithContext(context.Background(), lambdaevents.APIGatewayV2HTTPRequest{
		RawPath: "/api/v1/me", RequestContext: rc,
	})
	if err != nil {
		t.Fatal(err)
	}
	c, err := (auth.Authorizer{}).Authenticate(req)
	if err != nil || c.Subject != "3f1c-li" || c.MerchantID != "acme" || c.Role != merchant.RoleAdmin {
		t.Errorf("Authenticate = %+v, %v; want acme admin 3f1c-li", c, err)
	}
	delete(rc.Authorizer.JWT.Claims, "sub")
	if c, err := (auth.Authorizer{}).Authenticate(authorizedRequest(t, rc.Authorizer.JWT.Claims)); !errs.Is(err, errs.Unauthorized) {
		t.Errorf("Authenticate(without sub) = %+v, %v; want unauthorized: an email is no identity", c, err)
	}
}

// TestRoleIsTheHighestKnownGroup: a caller's role is the most privileged Borderdesk group
// they are in; groups Borderdesk does not know count for nothing, and no known group is no
// role (the API refuses such a caller everything), never a default of agent.
func TestRoleIsTheHighestKnownGroup(t *testing.T) {
	tests := []struct {
		groups string // as API Gateway flattens the claim
		want   merchant.Role
	}{
		{"[agent]", merchant.RoleAgent},
		{"[supervisor agent]", merchant.RoleSupervisor},
		{"[agent admin supervisor]", merchant.RoleAdmin},
		{"[boss agent]", merchant.RoleAgent},
		{"[boss]", ""},
		{"[]", ""},
		{"", ""},
	}
	for _, tc := range tests {
		t.Run(tc.groups, func(t *testing.T) {
			claims := map[string]string{"sub": "3f1c-li", "email": "li@acme.test", auth.MerchantClaim: "acme"}
			if tc.groups != "" {
				claims["cognito:groups"] = tc.groups
			}
			c, err := (auth.Authorizer{}).Authenticate(authorizedRequest(t, claims))
			if err != nil || c.Role != tc.want {
				t.Errorf("Authenticate(groups %q) = %+v, %v; want role %q", tc.groups, c, err, tc.want)
			}
		})
	}
}

// authorizedRequest is a request as the Lambda adapter builds it from an API Gateway event
// whose JWT authorizer verified claims.
func authorizedRequest(t *testing.T, claims map[string]string) *http.Request {
	t.Helper()
	rc := lambdaevents.APIGatewayV2HTTPRequestContext{Authorizer: &lambdaevents.APIGatewayV2HTTPRequestContextAuthorizerDescription{
		JWT: &lambdaevents.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: claims},
	}}
	var ra core.RequestAccessorV2
	req, err := ra.EventToRequestWithContext(context.Background(), lambdaevents.APIGatewayV2HTTPRequest{RawPath: "/api/v1/me", RequestContext: rc})
	if err != nil {
		t.Fatal(err)
	}
	return req
}
