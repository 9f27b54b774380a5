package local_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/borderdesk/borderdesk/events"
	"github.com/borderdesk/borderdesk/infra/local"
	"github.com/borderdesk/borderdesk/shared/metrics"
	"github.com/borderdesk/borderdesk/shared/providers/stripe"
)

// metricLog is a log sink the runtime's goroutines write to while the test reads.
type metricLog struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *metricLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *metricLog) lines() [][]byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out [][]byte
	sc := bufio.NewScanner(bytes.NewReader(l.b.Bytes()))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		out = append(out, append([]byte(nil), sc.Bytes()...))
	}
	return out
}

// Locally the handlers record the metrics the cloud counts, as debug log lines: a webhook
// accepted by intake and the batch ticketing took it in.
func TestMetricsLoggedLocally(t *testing.T) {
	logs := &metricLog{}
	clk := &clock{t: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}
	rt, err := local.Start(context.Background(), local.Config{
		Seeds: local.DemoSeeds(func(string) string { return "" }), JWTSecret: []byte("test"),
		Clock: clk, Log: slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(rt.Handler)
	t.Cleanup(func() { srv.Close(); rt.Close() })
	e := &env{t: t, rt: rt, url: srv.URL, clock: clk}
	body := fixture(t, "stripe", "payment_intent.payment_failed.json")
	if code, b := e.do(http.MethodPost, "/webhooks/demo/stripe", body, map[string]string{"Stripe-Signature": stripe.Sign(body, "whsec_local_demo", clk.Now())}); code != 200 {
		t.Fatalf("stripe webhook = %d %s", code, b)
	}
	e.idle()

	var accepted, processed bool
	for _, l := range logs.lines() {
		var line map[string]any
		if err := json.Unmarshal(l, &line); err != nil || line["msg"] != "metric" {
			continue
		}
		if line[metrics.WebhooksAccepted] == 1.0 && line[metrics.Provider] == "stripe" && line[metrics.Outcome] == metrics.OutcomeAccepted && line["request_id"] != "" {
			accepted = true
		}
		if line[metrics.Function] == events.Ticketing && line[metrics.ItemsProcessed] == 1.0 && line[metrics.ItemFailures] == 0.0 {
			processed = true
		}
	}
	if !accepted || !processed {
		t.Errorf("metric lines: WebhooksAccepted(stripe, accepted) %v, ticketing ItemsProcessed 1 %v; want both", accepted, processed)
	}
}
