package api_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	lambdaevents "github.com/aws/aws-lambda-go/events"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/borderdesk/borderdesk/functions/api"
	"github.com/borderdesk/borderdesk/shared/auth"
	"github.com/borderdesk/borderdesk/shared/dynamo"
	"github.com/borderdesk/borderdesk/shared/dynamo/embedded"
	"github.com/borderdesk/borderdesk/shared/merchant"
)

// TestBehindJWTAuthorizer runs the API the way the Lambda does: API Gateway has verified the
// Cognito token and passes its claims in the request context; the merchant comes from there.
func TestBehindJWTAuthorizer(t *testing.T) {
	now := func() time.Time { return time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC) }
	db, err := embedded.Start(context.Background(), "127.0.0.1:0", "api")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	store := dynamo.New(db.Client, "api")
	for _, m := range []merchant.Merchant{{ID: "demo", Name: "Demo Shop"}, {ID: "acme", Name: "Acme"}} {
		if err := store.PutMerchant(context.Background(), m); err != nil {
			t.Fatal(err)
		}
	}
	adapter := httpadapter.NewV2(api.New(store, auth.Authorizer{}, now, func() string { return "e1" }, slog.New(slog.NewTextHandler(io.Discard, nil))))
	tests := []struct {
		name     string
		claims   map[string]string
		wantCode int
		wantName string
	}{
		{"demo agent", map[string]string{"sub": "sub-li", "email": "li@demo.test", auth.MerchantClaim: "demo", "cognito:groups": "[agent]"}, 200, "Demo Shop"},
		{"acme admin", map[string]string{"sub": "sub-jo", "email": "jo@acme.test", auth.MerchantClaim: "acme", "cognito:groups": "[admin]"}, 200, "Acme"},
		{"no merchant claim", map[string]string{"sub": "sub-x", "email": "x@y.test"}, 401, ""},
		{"no sub", map[string]string{"email": "li@demo.test", auth.MerchantClaim: "demo", "cognito:groups": "[agent]"}, 401, ""},
		{"no group", map[string]string{"sub": "sub-li", "email": "li@demo.test", auth.MerchantClaim: "demo"}, 403, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := lambdaevents.APIGatewayV2HTTPRequest{
				Version: "2.0", RouteKey: "GET /api/v1/me", RawPath: "/api/v1/me",
				RequestContext: lambdaevents.APIGatewayV2HTTPRequestContext{
					HTTP:       lambdaevents.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "GET", Path: "/api/v1/me"},
					Authorizer: &lambdaevents.APIGatewayV2HTTPRequestContextAuthorizerDescription{JWT: &lambdaevents.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: tc.claims}},
				},
			}
			resp, err := adapter.ProxyWithContext(context.Background(), req)
			if err != nil || resp.StatusCode != tc.wantCode {
				t.Fatalf("GET /api/v1/me as %s = %d %s, %v; want %d", tc.name, resp.StatusCode, resp.Body, err, tc.wantCode)
			}
			var me api.Me
			_ = json.Unmarshal([]byte(resp.Body), &me)
			if me.Merchant.Name != tc.wantName {
				t.Errorf("merchant = %q; want %q", me.Merchant.Name, tc.wantName)
			}
			if tc.wantCode == 200 && me.ID != tc.claims["sub"] {
				t.Errorf("me.id = %q; want the sub %q", me.ID, tc.claims["sub"])
			}
		})
	}
}

// TestConsoleCORS: the console's origin may call the API from the browser; no other may.
func TestConsoleCORS(t *testing.T) {
	now := func() time.Time { return time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC) }
	srv := api.New(nil, auth.NewHMAC([]byte("s"), time.Hour, now), now, func() string { return "e1" },
		slog.New(slog.NewTextHandler(io.Discard, nil)), api.ConsoleOrigin("https://console.example"))
	tests := []struct {
		method, path, origin string
		wantStatus           int
		wantACAO             string
	}{
		{"OPTIONS", "/api/v1/tickets", "https://console.example", 204, "https://console.example"},
		{"OPTIONS", "/api/v1/tickets/tk_1/messages", "https://console.example", 204, "https://console.example"},
		{"OPTIONS", "/api/v1/tickets", "https://evil.example", 403, ""},
		{"GET", "/api/v1/tickets", "https://console.example", 401, "https://console.example"},
		{"GET", "/api/v1/tickets", "https://evil.example", 401, ""},
	}
	for _, tc := range tests {
		r := httptest.NewRequest(tc.method, tc.path, nil)
		r.Header.Set("Origin", tc.origin)
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, r)
		if w.Code != tc.wantStatus || w.Header().Get("Access-Control-Allow-Origin") != tc.wantACAO {
			t.Errorf("%s %s from %s = %d ACAO %q; want %d %q", tc.method, tc.path, tc.origin, w.Code, w.Header().Get("Access-Control-Allow-Origin"), tc.wantStatus, tc.wantACAO)
		}
	}
	// The console's PATCH carries If-Match and its replies an Idempotency-Key: a browser drops
	// the request when the preflight does not allow the header.
	r := httptest.NewRequest("OPTIONS", "/api/v1/tickets/tk_1", nil)
	r.Header.Set("Origin", "https://console.example")
	r.Header.Set("Access-Control-Request-Method", "PATCH")
	w := httptest.NewRecorder()
	srv.ServeHTTP(w, r)
	allowed := strings.Split(w.Header().Get("Access-Control-Allow-Headers"), ", ")
	for _, h := range []string{"Authorization", "Content-Type", "Idempotency-Key", "If-Match"} {
		if !slices.Contains(allowed, h) {
			t.Errorf("preflight Access-Control-Allow-Headers = %q; want %s among them", allowed, h)
		}
	}
}
