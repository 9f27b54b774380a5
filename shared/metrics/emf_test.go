package metrics_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/borderdesk/borderdesk/shared/metrics"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.json from the current output")

var at = time.Date(2026, 12, 2, 7, 30, 0, 123_000_000, time.UTC)

func TestEMFGolden(t *testing.T) {
	tests := []struct {
		name string
		rec  metrics.Record
	}{
		{"webhook", metrics.Record{
			Dimensions: []metrics.Dimension{metrics.Dim(metrics.Provider, "stripe"), metrics.Dim(metrics.Outcome, metrics.OutcomeAccepted)},
			Values:     []metrics.Value{metrics.Count(metrics.WebhooksAccepted, 1)},
			Properties: map[string]string{"merchant_id": "demo", "request_id": "req_1"},
		}},
		{"batch", metrics.Record{
			Dimensions: []metrics.Dimension{metrics.Dim(metrics.Function, "ticketing")},
			Values: []metrics.Value{
				metrics.Count(metrics.ItemsProcessed, 9), metrics.Count(metrics.ItemFailures, 1),
				{Name: metrics.OldestMessageAge, Unit: metrics.UnitSeconds, Value: 12.5},
			},
		}},
		// What EMF cannot carry is left out; the rest still counts.
		{"sanitized", metrics.Record{
			Dimensions: []metrics.Dimension{metrics.Dim(metrics.Function, "api"), metrics.Dim(metrics.Function, "again"), metrics.Dim("_aws", "x")},
			Values: []metrics.Value{
				metrics.Count(metrics.Requests, 1), {Name: "Broken", Unit: metrics.UnitCount, Value: math.NaN()},
				metrics.Count(metrics.Function, 3), metrics.Count(metrics.Requests, 2),
			},
			Properties: map[string]string{metrics.Requests: "shadowed", "_aws": "shadowed", "trace_id": "1-abc"},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			metrics.NewEMF(&out, func() time.Time { return at }).Record(tc.rec)
			golden := filepath.Join("testdata", tc.name+".golden.json")
			if *update {
				if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("read golden (run with -update to create it): %v", err)
			}
			if !bytes.Equal(out.Bytes(), want) {
				t.Errorf("EMF record =\n%s\nwant\n%s", out.Bytes(), want)
			}
			checkEMF(t, out.Bytes())
		})
	}
}

// checkEMF holds a line to the documented structure: an "_aws" object with a millisecond
// Timestamp and CloudWatchMetrics directives, each of a Namespace, Dimensions (arrays of
// member names, at most 30 each) and Metrics (Name, Unit), where every dimension names a
// string member and every metric a number member of the same object.
func checkEMF(t *testing.T, line []byte) {
	t.Helper()
	if len(line) == 0 || line[len(line)-1] != '\n' || bytes.Count(line, []byte("\n")) != 1 {
		t.Fatalf("EMF output %q; want exactly one line", line)
	}
	var doc map[string]any
	if err := json.Unmarshal(line, &doc); err != nil {
		t.Fatalf("EMF line is not JSON: %v", err)
	}
	var meta struct {
		Timestamp         *int64
		CloudWatchMetrics []struct {
			Namespace  string
			Dimensions [][]string
			Metrics    []struct{ Name, Unit string }
		}
	}
	raw, _ := json.Marshal(doc["_aws"])
	if err := json.Unmarshal(raw, &meta); err != nil || meta.Timestamp == nil || len(meta.CloudWatchMetrics) == 0 {
		t.Fatalf("_aws = %s; want Timestamp and CloudWatchMetrics", raw)
	}
	if *meta.Timestamp != at.UnixMilli() {
		t.Errorf("Timestamp = %d; want %d (the injected clock, in milliseconds)", *meta.Timestamp, at.UnixMilli())
	}
	for _, d := range meta.CloudWatchMetrics {
		if d.Namespace != metrics.Namespace {
			t.Errorf("Namespace = %q; want %q", d.Namespace, metrics.Namespace)
		}
		for _, set := range d.Dimensions {
			if len(set) > 30 {
				t.Errorf("dimension set %v has %d dimensions; want at most 30", set, len(set))
			}
			for _, name := range set {
				if _, ok := doc[name].(string); !ok {
					t.Errorf("dimension %q = %v; want a string member", name, doc[name])
				}
			}
		}
		if len(d.Metrics) == 0 {
			t.Errorf("directive has no metrics")
		}
		for _, m := range d.Metrics {
			if _, ok := doc[m.Name].(float64); !ok {
				t.Errorf("metric %q = %v; want a number member", m.Name, doc[m.Name])
			}
			switch m.Unit {
			case "Count", "Seconds", "":
			default:
				t.Errorf("metric %q unit %q; want a CloudWatch unit", m.Name, m.Unit)
			}
		}
	}
}

func TestEMFNothingToRecord(t *testing.T) {
	var out bytes.Buffer
	metrics.NewEMF(&out, func() time.Time { return at }).Record(metrics.Record{
		Dimensions: []metrics.Dimension{metrics.Dim(metrics.Function, "api")},
		Values:     []metrics.Value{{Name: "Broken", Value: math.Inf(1)}},
	})
	if out.Len() != 0 {
		t.Errorf("EMF of a record without a value it can carry = %q; want nothing", out.String())
	}
}
