package xray_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"testing"

	lambdaevents "github.com/aws/aws-lambda-go/events"

	"github.com/borderdesk/borderdesk/shared/xray"
)

const header = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"

func TestTraceID(t *testing.T) {
	tests := []struct{ header, want string }{
		{header, "1-5759e988-bd862e3fe1be46a994272793"},
		{"Sampled=0; Root=1-abc-def ;Parent=1", "1-abc-def"},
		{"Parent=53995c3f42cd8ad8;Sampled=1", ""},
		{"", ""},
	}
	for _, tc := range tests {
		if got := xray.TraceID(tc.header); got != tc.want {
			t.Errorf("TraceID(%q) = %q; want %q", tc.header, got, tc.want)
		}
	}
}

// The header is read from the key aws-lambda-go's runtime loop sets.
func TestHeader(t *testing.T) {
	if got := xray.Header(context.Background()); got != "" {
		t.Errorf("Header(no invocation) = %q; want \"\"", got)
	}
	//lint:ignore SA1029 the very key and type aws-lambda-go sets (lambda/invoke_loop.go)
	ctx := context.WithValue(context.Background(), "x-amzn-trace-id", header)
	if got := xray.Header(ctx); got != header {
		t.Errorf("Header(Lambda context) = %q; want %q", got, header)
	}
	if got := xray.Header(xray.WithHeader(context.Background(), header)); got != header {
		t.Errorf("Header(WithHeader(h)) = %q; want %q", got, header)
	}
}

func TestFromSQS(t *testing.T) {
	m := lambdaevents.SQSMessage{Attributes: map[string]string{"AWSTraceHeader": header}}
	if got := xray.FromSQS(m); got != header {
		t.Errorf("FromSQS = %q; want %q", got, header)
	}
	if got := xray.FromSQS(lambdaevents.SQSMessage{}); got != "" {
		t.Errorf("FromSQS(untraced) = %q; want \"\"", got)
	}
}

func TestAttr(t *testing.T) {
	for _, tc := range []struct {
		header string
		want   any
	}{{header, "1-5759e988-bd862e3fe1be46a994272793"}, {"", nil}} {
		var out bytes.Buffer
		slog.New(slog.NewJSONHandler(&out, nil)).Info("x", xray.Attr(tc.header))
		var line map[string]any
		if err := json.Unmarshal(out.Bytes(), &line); err != nil {
			t.Fatal(err)
		}
		if line["trace_id"] != tc.want {
			t.Errorf("log with Attr(%q): trace_id = %v; want %v", tc.header, line["trace_id"], tc.want)
		}
		if _, ok := line[""]; ok {
			t.Errorf("log with Attr(%q) has an empty key: %s", tc.header, out.String())
		}
	}
}
