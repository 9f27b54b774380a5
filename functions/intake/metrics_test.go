package intake_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	lambdaevents "github.com/aws/aws-lambda-go/events"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/borderdesk/borderdesk/events"
	"github.com/borderdesk/borderdesk/functions/intake"
	"github.com/borderdesk/borderdesk/shared/dynamo"
	"github.com/borderdesk/borderdesk/shared/errs"
	"github.com/borderdesk/borderdesk/shared/merchant"
	"github.com/borderdesk/borderdesk/shared/metrics"
	"github.com/borderdesk/borderdesk/shared/xray"
)

// receiptStore is the table as the metrics tests need it: one merchant, receipts by key,
// a receipt not yet published written again, a key reused for another message refused — as
// the table's conditions do.
type receiptStore struct {
	mu        sync.Mutex
	receipts  map[string]string // event id → fingerprint
	published map[string]bool
}

func (s *receiptStore) GetMerchant(_ context.Context, id string) (merchant.Merchant, error) {
	if id != "demo" {
		return merchant.Merchant{}, errs.E(errs.NotFound, "no merchant %s", id)
	}
	return merchant.Merchant{ID: "demo", PublishableKey: "pk_demo"}, nil
}

func (s *receiptStore) RecordReceipt(_ context.Context, r dynamo.Receipt) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if fp, ok := s.receipts[r.EventID]; ok && s.published[r.EventID] {
		if fp != r.Fingerprint {
			return errs.E(errs.Unprocessable, "receipt %s has another fingerprint", r.EventID)
		}
		return errs.E(errs.Conflict, "receipt %s exists", r.EventID)
	}
	s.receipts[r.EventID] = r.Fingerprint
	return nil
}

func (s *receiptStore) MarkPublished(_ context.Context, _, _, eventID string, _ time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.published[eventID] = true
	return nil
}

type flakyBus struct{ fail bool }

func (b *flakyBus) Publish(context.Context, ...events.Event) error {
	if b.fail {
		return errors.New("bus down")
	}
	return nil
}

// What intake answers is counted: accepted by outcome, refused by status, per provider, and
// every response towards the function's 5xx rate.
func TestMetrics(t *testing.T) {
	rec := &metrics.Memory{}
	b := &flakyBus{}
	h := intake.New(intake.Config{
		Providers: intake.Providers(), Store: &receiptStore{receipts: map[string]string{}, published: map[string]bool{}}, Bus: b,
		Now: func() time.Time { return now }, Log: slog.New(slog.DiscardHandler), NewID: func() string { return "gen" },
		Metrics: rec,
	})
	message := func(key, text string) func() {
		return func() {
			r := httptest.NewRequest("POST", "/inbound/demo/messages", strings.NewReader(`{"email":"jonas@example.de","text":"`+text+`"}`))
			r.Header.Set("X-Borderdesk-Key", "pk_demo")
			r.Header.Set("Idempotency-Key", key)
			h.ServeHTTP(httptest.NewRecorder(), r)
		}
	}
	post := func(path string) func() {
		return func() {
			h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("POST", path, strings.NewReader(`{}`)))
		}
	}
	accepted := func(provider, outcome string) []metrics.Dimension {
		return []metrics.Dimension{metrics.Dim(metrics.Provider, provider), metrics.Dim(metrics.Outcome, outcome)}
	}
	refused := func(provider, status string) []metrics.Dimension {
		return []metrics.Dimension{metrics.Dim(metrics.Provider, provider), metrics.Dim(metrics.Status, status)}
	}
	fn := metrics.Dim(metrics.Function, events.Intake)
	tests := []struct {
		name     string
		do       func()
		busFails bool
		metric   string
		dims     []metrics.Dimension
		errors   float64 // ServerErrors of this request
	}{
		{"a message accepted", message("k1", "Wo ist mein Paket?"), false, metrics.WebhooksAccepted, accepted(intake.InboundProvider, metrics.OutcomeAccepted), 0},
		{"its duplicate", message("k1", "Wo ist mein Paket?"), false, metrics.WebhooksAccepted, accepted(intake.InboundProvider, metrics.OutcomeDuplicate), 0},
		{"its key reused for another message", message("k1", "Hallo?"), false, metrics.WebhooksRefused, refused(intake.InboundProvider, "422"), 0},
		{"the bus fails", message("k2", "Hallo?"), true, metrics.WebhooksRefused, refused(intake.InboundProvider, "503"), 1},
		{"the sender's retry publishes", message("k2", "Hallo?"), false, metrics.WebhooksAccepted, accepted(intake.InboundProvider, metrics.OutcomeAccepted), 0},
		{"a wrong publishable key", func() {
			r := httptest.NewRequest("POST", "/inbound/demo/messages", strings.NewReader(`{}`))
			r.Header.Set("X-Borderdesk-Key", "pk_wrong")
			h.ServeHTTP(httptest.NewRecorder(), r)
		}, false, metrics.WebhooksRefused, refused(intake.InboundProvider, "401"), 0},
		{"an unknown merchant", post("/webhooks/nobody/stripe"), false, metrics.WebhooksRefused, refused("stripe", "404"), 0},
		// A made-up provider name is one dimension value, whatever the name: no metric per name.
		{"an unknown provider", post("/webhooks/demo/paypal"), false, metrics.WebhooksRefused, refused("unknown", "404"), 0},
		{"another unknown provider", post("/webhooks/demo/x-" + strings.Repeat("y", 40)), false, metrics.WebhooksRefused, refused("unknown", "404"), 0},
	}
	var wantRequests, wantErrors, wantPublished float64
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := rec.Sum(tc.metric, tc.dims...)
			b.fail = tc.busFails
			tc.do()
			if got := rec.Sum(tc.metric, tc.dims...) - before; got != 1 {
				t.Errorf("%s%v counted %v; want 1\n%s", tc.metric, tc.dims, got, rec)
			}
			wantRequests++
			wantErrors += tc.errors
			if tc.metric == metrics.WebhooksAccepted && tc.dims[1].Value == metrics.OutcomeAccepted {
				wantPublished++
			}
			if got := rec.Sum(metrics.Requests, fn); got != wantRequests {
				t.Errorf("Requests = %v; want %v", got, wantRequests)
			}
			if got := rec.Sum(metrics.ServerErrors, fn); got != wantErrors {
				t.Errorf("ServerErrors = %v; want %v", got, wantErrors)
			}
			if got := rec.Sum(metrics.EventsPublished, fn); got != wantPublished {
				t.Errorf("EventsPublished = %v; want %v", got, wantPublished)
			}
		})
	}
	for _, r := range rec.Records() {
		for _, d := range r.Dimensions {
			if d.Name == "merchant_id" || strings.Contains(d.Value, "demo") || strings.Contains(d.Value, "nobody") {
				t.Errorf("record %v has a merchant in its dimensions; want it in Properties only", r)
			}
		}
	}
}

// Behind API Gateway in a traced Lambda invocation, intake's log lines and metrics name the
// X-Ray trace next to the request id, so one webhook can be followed.
func TestTraceIDLogged(t *testing.T) {
	var logs bytes.Buffer
	rec := &metrics.Memory{}
	h := intake.New(intake.Config{
		Providers: intake.Providers(), Store: &receiptStore{receipts: map[string]string{}, published: map[string]bool{}}, Bus: &flakyBus{},
		Now: func() time.Time { return now }, Log: slog.New(slog.NewJSONHandler(&logs, nil)), NewID: func() string { return "gen" },
		Metrics: rec,
	})
	const header = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
	req := lambdaevents.APIGatewayV2HTTPRequest{
		Version: "2.0", RouteKey: "POST /inbound/{merchantId}/messages", RawPath: "/inbound/demo/messages",
		Headers: map[string]string{"x-borderdesk-key": "pk_demo", "content-type": "application/json"},
		RequestContext: lambdaevents.APIGatewayV2HTTPRequestContext{RequestID: "apigw-req-1",
			HTTP: lambdaevents.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "POST", Path: "/inbound/demo/messages"}},
		Body: `{"email":"jonas@example.de","text":"Wo ist mein Paket?"}`,
	}
	resp, err := httpadapter.NewV2(h).ProxyWithContext(xray.WithHeader(context.Background(), header), req)
	if err != nil || resp.StatusCode != 202 {
		t.Fatalf("Proxy = %d %s, %v; want 202", resp.StatusCode, resp.Body, err)
	}
	var line map[string]any
	if err := json.Unmarshal(bytes.TrimSpace(logs.Bytes()), &line); err != nil {
		t.Fatalf("log %q: %v", logs.String(), err)
	}
	if line["trace_id"] != "1-5759e988-bd862e3fe1be46a994272793" || line["request_id"] != "apigw-req-1" {
		t.Errorf("log line = %v; want trace_id 1-5759e988-… and request_id apigw-req-1", line)
	}
	var props map[string]string
	for _, r := range rec.Records() {
		for _, v := range r.Values {
			if v.Name == metrics.WebhooksAccepted {
				props = r.Properties
			}
		}
	}
	if props["trace_id"] != "1-5759e988-bd862e3fe1be46a994272793" || props["request_id"] != "apigw-req-1" || props["merchant_id"] != "demo" {
		t.Errorf("WebhooksAccepted properties = %v; want trace_id, request_id and merchant_id", props)
	}
}
