// Package metrics owns what Borderdesk's functions count: the metric names and dimensions the
// alarms are built on, and recorders that write them. In the cloud a function writes CloudWatch
// Embedded Metric Format (EMF) records to stdout, which Lambda ships to CloudWatch Logs, which
// turns them into metrics; the local runtime logs them at debug level; tests keep them in
// memory. Handlers take a Recorder through their constructor and never fail because of it.
package metrics

import (
	"context"
	"log/slog"
	"strconv"
	"strings"
	"sync"
)

// Namespace is where every Borderdesk metric lives in CloudWatch.
const Namespace = "Borderdesk"

// Metric names. The CDK stack alarms on them by these constants.
const (
	// Requests and ServerErrors are recorded once per HTTP response of a function (HTTP): the
	// rate of 5xx answers is ServerErrors / Requests.
	Requests     = "Requests"
	ServerErrors = "ServerErrors"
	// WebhooksAccepted counts verified webhooks and customer messages by Provider and Outcome
	// (OutcomeAccepted, OutcomeDuplicate, OutcomeArchived); WebhooksRefused those answered
	// otherwise, by Provider and Status (the HTTP status: 400, 401, 404, 413, 422, 503 when the
	// bus failed, 500).
	WebhooksAccepted = "WebhooksAccepted"
	WebhooksRefused  = "WebhooksRefused"
	// EventsPublished counts the events a function put on the bus itself, by Function.
	EventsPublished = "EventsPublished"
	// ItemsProcessed, ItemFailures and OldestMessageAge describe each SQS batch a consumer
	// handled (Batch), by Function.
	ItemsProcessed   = "ItemsProcessed"
	ItemFailures     = "ItemFailures"
	OldestMessageAge = "OldestMessageAge"
	// OutboxRelayed counts outbox events the relay published, by Function and Trigger
	// (TriggerStream, TriggerSweep); OutboxRelayFailures those it could not publish.
	OutboxRelayed       = "OutboxRelayed"
	OutboxRelayFailures = "OutboxRelayFailures"
)

// Dimension names and the values they take. Every value set is small and fixed: each
// distinct combination is a metric of its own, billed monthly and kept for 15 months, so
// ids (merchant, request, event) are never dimensions — they go in Properties, which land in
// the log record where Logs Insights can group by them.
const (
	Function = "Function"
	Provider = "Provider"
	Outcome  = "Outcome"
	Status   = "Status"
	Trigger  = "Trigger"

	OutcomeAccepted  = "accepted"
	OutcomeDuplicate = "duplicate"
	OutcomeArchived  = "archived"
	TriggerStream    = "stream"
	TriggerSweep     = "sweep"
)

// Unit is a CloudWatch unit.
type Unit string

// The units Borderdesk records in.
const (
	UnitCount   Unit = "Count"
	UnitSeconds Unit = "Seconds"
)

// Dimension is one dimension of a record.
type Dimension struct{ Name, Value string }

// Dim returns the dimension name=value.
func Dim(name, value string) Dimension { return Dimension{Name: name, Value: value} }

// Value is one measured value.
type Value struct {
	Name  string
	Unit  Unit
	Value float64
}

// Count returns a count of n under name.
func Count(name string, n int) Value { return Value{Name: name, Unit: UnitCount, Value: float64(n)} }

// Record is values measured together under one set of dimensions.
type Record struct {
	Dimensions []Dimension
	Values     []Value
	// Properties are context for whoever reads the record in the logs (ids); they are not
	// dimensions, so they cost no metrics.
	Properties map[string]string
}

// Recorder records metrics. Implementations are safe for concurrent use and never fail the
// caller: a metric that cannot be written is lost, the request it describes is not.
type Recorder interface {
	Record(r Record)
}

// Or is r, or Discard when r is nil: what a constructor keeps when given no recorder.
func Or(r Recorder) Recorder {
	if r == nil {
		return Discard
	}
	return r
}

// Discard records nothing.
var Discard Recorder = discard{}

type discard struct{}

func (discard) Record(Record) {}

// Log writes each record to a logger at debug level: the local runtime's recorder, so
// `BORDERDESK_LOG=debug make dev` shows what the cloud would count.
type Log struct{ log *slog.Logger }

// NewLog returns a recorder that logs to log.
func NewLog(log *slog.Logger) Log { return Log{log: log} }

// Record logs r as one "metric" line.
func (l Log) Record(r Record) {
	if !l.log.Enabled(context.Background(), slog.LevelDebug) {
		return
	}
	attrs := make([]any, 0, len(r.Dimensions)+len(r.Values)+len(r.Properties))
	for _, d := range r.Dimensions {
		attrs = append(attrs, slog.String(d.Name, d.Value))
	}
	for _, v := range r.Values {
		attrs = append(attrs, slog.Float64(v.Name, v.Value))
	}
	for k, v := range r.Properties {
		attrs = append(attrs, slog.String(k, v))
	}
	l.log.Debug("metric", attrs...)
}

// Memory keeps every record, for tests.
type Memory struct {
	mu      sync.Mutex
	records []Record
}

// Record keeps r.
func (m *Memory) Record(r Record) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.records = append(m.records, r)
}

// Records returns what was recorded, in order.
func (m *Memory) Records() []Record {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Record(nil), m.records...)
}

// Sum adds up the values named name of the records whose dimensions are exactly dims (in any
// order).
func (m *Memory) Sum(name string, dims ...Dimension) float64 {
	var sum float64
	for _, r := range m.Records() {
		if !sameDimensions(r.Dimensions, dims) {
			continue
		}
		for _, v := range r.Values {
			if v.Name == name {
				sum += v.Value
			}
		}
	}
	return sum
}

// String lists the records, one a line, for failure messages.
func (m *Memory) String() string {
	var b strings.Builder
	for _, r := range m.Records() {
		b.WriteString(formatRecord(r))
		b.WriteByte('\n')
	}
	return b.String()
}

func sameDimensions(a, b []Dimension) bool {
	if len(a) != len(b) {
		return false
	}
	for _, d := range b {
		found := false
		for _, e := range a {
			if e == d {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

func formatRecord(r Record) string {
	var b strings.Builder
	for i, d := range r.Dimensions {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(d.Name + "=" + d.Value)
	}
	b.WriteString(":")
	for _, v := range r.Values {
		b.WriteString(" " + v.Name + "=" + strconv.FormatFloat(v.Value, 'g', -1, 64))
	}
	return b.String()
}
