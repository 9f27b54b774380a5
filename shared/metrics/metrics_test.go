package metrics_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	lambdaevents "github.com/aws/aws-lambda-go/events"

	"github.com/borderdesk/borderdesk/shared/metrics"
)

func TestHTTP(t *testing.T) {
	tests := []struct {
		name        string
		handler     http.HandlerFunc
		wantErrors  float64
		wantRequest float64
	}{
		{"200 by writing a body", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("ok")) }, 0, 1},
		{"nothing written", func(w http.ResponseWriter, r *http.Request) {}, 0, 1},
		{"404", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNotFound) }, 0, 1},
		{"503", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusServiceUnavailable) }, 1, 1},
		{"500 then a second WriteHeader", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusInternalServerError)
			w.WriteHeader(http.StatusOK)
		}, 1, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := &metrics.Memory{}
			h := metrics.HTTP(rec, "intake", tc.handler)
			h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("POST", "/webhooks/demo/stripe", nil))
			fn := metrics.Dim(metrics.Function, "intake")
			if got := rec.Sum(metrics.Requests, fn); got != tc.wantRequest {
				t.Errorf("Requests = %v; want %v\n%s", got, tc.wantRequest, rec)
			}
			if got := rec.Sum(metrics.ServerErrors, fn); got != tc.wantErrors {
				t.Errorf("ServerErrors = %v; want %v\n%s", got, tc.wantErrors, rec)
			}
		})
	}
}

func TestBatch(t *testing.T) {
	now := time.Date(2026, 12, 2, 7, 0, 0, 0, time.UTC)
	msg := func(id string, sentAgo time.Duration) lambdaevents.SQSMessage {
		attrs := map[string]string{}
		if sentAgo >= 0 {
			attrs["SentTimestamp"] = strconv.FormatInt(now.Add(-sentAgo).UnixMilli(), 10)
		}
		return lambdaevents.SQSMessage{MessageId: id, Attributes: attrs}
	}
	tests := []struct {
		name                     string
		records                  []lambdaevents.SQSMessage
		failed                   []string
		wantProcessed, wantFails float64
		wantAge                  float64 // -1: none recorded
	}{
		{"the oldest record sets the age", []lambdaevents.SQSMessage{msg("a", 3*time.Second), msg("b", 95*time.Second), msg("c", time.Second)}, []string{"b"}, 2, 1, 95},
		{"no SentTimestamp, no age", []lambdaevents.SQSMessage{msg("a", -1)}, nil, 1, 0, -1},
		{"a clock behind the queue's is age 0, not negative", []lambdaevents.SQSMessage{msg("a", -1), {MessageId: "b", Attributes: map[string]string{"SentTimestamp": strconv.FormatInt(now.Add(time.Minute).UnixMilli(), 10)}}}, []string{"a", "b"}, 0, 2, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := &metrics.Memory{}
			var resp lambdaevents.SQSEventResponse
			for _, id := range tc.failed {
				resp.BatchItemFailures = append(resp.BatchItemFailures, lambdaevents.SQSBatchItemFailure{ItemIdentifier: id})
			}
			metrics.Batch(rec, "ticketing", lambdaevents.SQSEvent{Records: tc.records}, resp, now)
			fn := metrics.Dim(metrics.Function, "ticketing")
			if got := rec.Sum(metrics.ItemsProcessed, fn); got != tc.wantProcessed {
				t.Errorf("ItemsProcessed = %v; want %v", got, tc.wantProcessed)
			}
			if got := rec.Sum(metrics.ItemFailures, fn); got != tc.wantFails {
				t.Errorf("ItemFailures = %v; want %v", got, tc.wantFails)
			}
			gotAge := -1.0
			for _, v := range rec.Records()[0].Values {
				if v.Name == metrics.OldestMessageAge {
					gotAge = v.Value
					if v.Unit != metrics.UnitSeconds {
						t.Errorf("OldestMessageAge unit = %q; want Seconds", v.Unit)
					}
				}
			}
			if gotAge != tc.wantAge {
				t.Errorf("OldestMessageAge = %v; want %v", gotAge, tc.wantAge)
			}
		})
	}
}

func TestLog(t *testing.T) {
	var out bytes.Buffer
	rec := metrics.NewLog(slog.New(slog.NewJSONHandler(&out, &slog.HandlerOptions{Level: slog.LevelDebug})))
	rec.Record(metrics.Record{
		Dimensions: []metrics.Dimension{metrics.Dim(metrics.Function, "ticketing")},
		Values:     []metrics.Value{metrics.Count(metrics.ItemFailures, 2)},
		Properties: map[string]string{"merchant_id": "demo"},
	})
	var line map[string]any
	if err := json.Unmarshal(out.Bytes(), &line); err != nil {
		t.Fatalf("log line %q: %v", out.String(), err)
	}
	if line["msg"] != "metric" || line["level"] != "DEBUG" || line[metrics.Function] != "ticketing" || line[metrics.ItemFailures] != 2.0 || line["merchant_id"] != "demo" {
		t.Errorf("log line = %v; want a debug \"metric\" line with Function, ItemFailures and merchant_id", line)
	}

	out.Reset()
	quiet := metrics.NewLog(slog.New(slog.NewJSONHandler(&out, &slog.HandlerOptions{Level: slog.LevelInfo})))
	quiet.Record(metrics.Record{Values: []metrics.Value{metrics.Count(metrics.Requests, 1)}})
	if out.Len() != 0 {
		t.Errorf("Log at info level wrote %q; want nothing", out.String())
	}
}

func TestOr(t *testing.T) {
	if metrics.Or(nil) != metrics.Discard {
		t.Errorf("Or(nil) = %v; want Discard", metrics.Or(nil))
	}
	m := &metrics.Memory{}
	if metrics.Or(m) != metrics.Recorder(m) {
		t.Errorf("Or(m) is not m")
	}
	metrics.Discard.Record(metrics.Record{}) // must not panic
}

func TestMemorySum(t *testing.T) {
	m := &metrics.Memory{}
	a, b := metrics.Dim(metrics.Provider, "stripe"), metrics.Dim(metrics.Outcome, "accepted")
	m.Record(metrics.Record{Dimensions: []metrics.Dimension{a, b}, Values: []metrics.Value{metrics.Count(metrics.WebhooksAccepted, 1)}})
	m.Record(metrics.Record{Dimensions: []metrics.Dimension{b, a}, Values: []metrics.Value{metrics.Count(metrics.WebhooksAccepted, 2)}})
	m.Record(metrics.Record{Dimensions: []metrics.Dimension{a}, Values: []metrics.Value{metrics.Count(metrics.WebhooksAccepted, 4)}})
	if got := m.Sum(metrics.WebhooksAccepted, a, b); got != 3 {
		t.Errorf("Sum(WebhooksAccepted, stripe, accepted) = %v; want 3 (exact dimension sets, any order)", got)
	}
}
