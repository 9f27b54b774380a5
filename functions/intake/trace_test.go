package intake_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	lambdaevents "github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	awseventbridge "github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/borderdesk/borderdesk/events"
	"github.com/borderdesk/borderdesk/functions/intake"
	"github.com/borderdesk/borderdesk/shared/eventbridge"
	"github.com/borderdesk/borderdesk/shared/metrics"
	"github.com/borderdesk/borderdesk/shared/providers/stripe"
	"github.com/borderdesk/borderdesk/shared/xray"
)

// putEventsPeer speaks EventBridge's AWS JSON 1.1 PutEvents and keeps the entries it got.
type putEventsPeer struct {
	mu      sync.Mutex
	entries []map[string]any
}

func (p *putEventsPeer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var in struct{ Entries []map[string]any }
	b, _ := io.ReadAll(r.Body)
	if r.Header.Get("X-Amz-Target") != "AWSEvents.PutEvents" || json.Unmarshal(b, &in) != nil {
		http.Error(w, `{"__type":"SerializationException"}`, http.StatusBadRequest)
		return
	}
	p.mu.Lock()
	p.entries = append(p.entries, in.Entries...)
	p.mu.Unlock()
	out := map[string]any{"FailedEntryCount": 0, "Entries": make([]map[string]any, len(in.Entries))}
	for i := range in.Entries {
		out["Entries"].([]map[string]any)[i] = map[string]any{"EventId": "eb-1"}
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	_ = json.NewEncoder(w).Encode(out)
}

type staticCredentials struct{}

func (staticCredentials) Retrieve(context.Context) (aws.Credentials, error) {
	return aws.Credentials{AccessKeyID: "AKIDLOCAL", SecretAccessKey: "local", Source: "test"}, nil
}

// One webhook can be followed from intake onto the bus: run as the Lambda runs it (API
// Gateway's event through the adapter, in a traced invocation's context), intake publishes
// through the real EventBridge publisher with the invocation's trace header and API
// Gateway's request id as the event's correlation id. The webhook is counted too.
func TestWebhookTraceReachesTheBus(t *testing.T) {
	base := newFixture(t)
	peer := &putEventsPeer{}
	srv := httptest.NewServer(peer)
	defer srv.Close()
	client := awseventbridge.New(awseventbridge.Options{
		Region: "eu-central-1", BaseEndpoint: aws.String(srv.URL), Credentials: aws.NewCredentialsCache(staticCredentials{}),
	})
	rec := &metrics.Memory{}
	h := intake.New(intake.Config{
		Providers: intake.Providers(), Store: base.store, Secrets: base.secrets, Bodies: base.bodies,
		Bus: eventbridge.New(client, "borderdesk", events.SourceIntake), Now: func() time.Time { return now },
		Log: slog.New(slog.DiscardHandler), NewID: func() string { return "x" }, Metrics: rec,
	})
	body := fixtureFile(t, "stripe", "payment_intent.payment_failed.json")
	const header = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
	req := lambdaevents.APIGatewayV2HTTPRequest{
		Version: "2.0", RouteKey: "POST /webhooks/{merchantId}/{provider}", RawPath: "/webhooks/demo/stripe",
		Headers: map[string]string{"stripe-signature": stripe.Sign(body, "whsec_old", now), "content-type": "application/json"},
		RequestContext: lambdaevents.APIGatewayV2HTTPRequestContext{RequestID: "apigw-req-7",
			HTTP: lambdaevents.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "POST", Path: "/webhooks/demo/stripe"}},
		Body: string(body),
	}
	resp, err := httpadapter.NewV2(h).ProxyWithContext(xray.WithHeader(context.Background(), header), req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("Proxy = %d %s, %v; want 200", resp.StatusCode, resp.Body, err)
	}
	if len(peer.entries) != 1 {
		t.Fatalf("PutEvents entries = %d; want 1", len(peer.entries))
	}
	entry := peer.entries[0]
	var detail events.Event
	if err := json.Unmarshal([]byte(entry["Detail"].(string)), &detail); err != nil {
		t.Fatal(err)
	}
	if entry["TraceHeader"] != header || detail.CorrelationID != "apigw-req-7" {
		t.Errorf("entry TraceHeader %v, detail correlation_id %q; want %q and apigw-req-7", entry["TraceHeader"], detail.CorrelationID, header)
	}
	accepted := []metrics.Dimension{metrics.Dim(metrics.Provider, "stripe"), metrics.Dim(metrics.Outcome, metrics.OutcomeAccepted)}
	if got := rec.Sum(metrics.WebhooksAccepted, accepted...); got != 1 {
		t.Errorf("WebhooksAccepted(stripe, accepted) = %v; want 1\n%s", got, rec)
	}

	// The sender's redelivery is a duplicate, a type Borderdesk does not ticket is archived,
	// a tampered body is refused as unauthenticated.
	unhandled := fixtureFile(t, "stripe", "customer.created.json")
	for _, tc := range []struct {
		body, signed []byte
		dims         []metrics.Dimension
		counter      string
	}{
		{body, body, []metrics.Dimension{metrics.Dim(metrics.Provider, "stripe"), metrics.Dim(metrics.Outcome, metrics.OutcomeDuplicate)}, metrics.WebhooksAccepted},
		{unhandled, unhandled, []metrics.Dimension{metrics.Dim(metrics.Provider, "stripe"), metrics.Dim(metrics.Outcome, metrics.OutcomeArchived)}, metrics.WebhooksAccepted},
		{tampered(body), body, []metrics.Dimension{metrics.Dim(metrics.Provider, "stripe"), metrics.Dim(metrics.Status, "401")}, metrics.WebhooksRefused},
	} {
		r := httptest.NewRequest("POST", "/webhooks/demo/stripe", bytes.NewReader(tc.body))
		r.Header.Set("Stripe-Signature", stripe.Sign(tc.signed, "whsec_old", now))
		h.ServeHTTP(httptest.NewRecorder(), r)
		if got := rec.Sum(tc.counter, tc.dims...); got != 1 {
			t.Errorf("%s%v = %v; want 1\n%s", tc.counter, tc.dims, got, rec)
		}
	}
}
