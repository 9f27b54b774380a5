// Package xray carries the AWS X-Ray trace header of a Lambda invocation
// ("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1") to what the
// invocation sends on, and names the trace in logs, so one webhook can be followed from
// intake across the bus to its consumer: EventBridge carries the header given on PutEvents,
// and SQS hands it to the consumer as the record's AWSTraceHeader attribute.
package xray

import (
	"context"
	"log/slog"
	"strings"

	lambdaevents "github.com/aws/aws-lambda-go/events"
)

// lambdaKey is the context key aws-lambda-go puts the invocation's trace header under (the
// Lambda-Runtime-Trace-Id header, also exported as _X_AMZN_TRACE_ID). It is a plain string
// there, so it is one here.
const lambdaKey = "x-amzn-trace-id"

// Header is the trace header of the Lambda invocation ctx belongs to; "" outside Lambda.
func Header(ctx context.Context) string {
	h, _ := ctx.Value(lambdaKey).(string)
	return h
}

// WithHeader returns ctx carrying header as a Lambda invocation's context does: for tests,
// and for anything that stands in for the Lambda runtime.
func WithHeader(ctx context.Context, header string) context.Context {
	//lint:ignore SA1029 the key must be the very string aws-lambda-go uses
	return context.WithValue(ctx, lambdaKey, header)
}

// FromSQS is the trace header SQS delivered with m (its AWSTraceHeader system attribute);
// "" when the sender was not traced.
func FromSQS(m lambdaevents.SQSMessage) string { return m.Attributes["AWSTraceHeader"] }

// TraceID is the trace id in header (its Root field, what the X-Ray console searches for);
// "" when it has none.
func TraceID(header string) string {
	for field := range strings.SplitSeq(header, ";") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(field), "Root="); ok {
			return v
		}
	}
	return ""
}

// Attr is the log attribute trace_id for header; the empty attribute, which slog leaves out,
// when header names no trace.
func Attr(header string) slog.Attr {
	id := TraceID(header)
	if id == "" {
		return slog.Attr{}
	}
	return slog.String("trace_id", id)
}
