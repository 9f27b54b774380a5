// Package relay is the outbox relay's Lambda handler: the table's stream brings each new
// outbox item (filtered to kind "outbox", INSERT, new images) and the relay publishes it as
// its writer; a schedule sweeps the outbox index for anything the stream did not relay. The
// relaying itself is shared/outbox, which the local runtime drives too.
package relay

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	lambdaevents "github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/borderdesk/borderdesk/events"
	"github.com/borderdesk/borderdesk/shared/dynamo"
	"github.com/borderdesk/borderdesk/shared/metrics"
	"github.com/borderdesk/borderdesk/shared/outbox"
)

// SweepAge is how old an outbox item must be before the scheduled sweep relays it: the
// stream relays within seconds, so anything older was missed (a batch that exhausted its
// retries, a relay broken for longer than the stream keeps records). Younger items are left
// to the stream, so the two rarely publish the same event twice.
const SweepAge = 3 * time.Minute

// Handler relays the outbox.
type Handler struct {
	relay   *outbox.Relay
	now     func() time.Time
	log     *slog.Logger
	metrics metrics.Recorder
}

// Option configures a Handler.
type Option func(*Handler)

// Metrics counts what the relay published (OutboxRelayed) and could not publish
// (OutboxRelayFailures), by trigger; without it nothing is counted.
func Metrics(rec metrics.Recorder) Option { return func(h *Handler) { h.metrics = metrics.Or(rec) } }

// New returns the relay's handler.
func New(relay *outbox.Relay, now func() time.Time, log *slog.Logger, opts ...Option) *Handler {
	h := &Handler{relay: relay, now: now, log: log, metrics: metrics.Discard}
	for _, o := range opts {
		o(h)
	}
	return h
}

// count records one relay pass of trigger.
func (h *Handler) count(trigger string, relayed, failed int) {
	h.metrics.Record(metrics.Record{
		Dimensions: []metrics.Dimension{metrics.Dim(metrics.Function, events.Relay), metrics.Dim(metrics.Trigger, trigger)},
		Values:     []metrics.Value{metrics.Count(metrics.OutboxRelayed, relayed), metrics.Count(metrics.OutboxRelayFailures, failed)},
	})
}

// Invoke takes what Lambda delivers — a batch of stream records, or the schedule's event —
// and relays accordingly. One function has both triggers, so it tells them apart by shape.
func (h *Handler) Invoke(ctx context.Context, payload json.RawMessage) (any, error) {
	var probe struct {
		Records    []json.RawMessage `json:"Records"`
		DetailType string            `json:"detail-type"`
	}
	if err := json.Unmarshal(payload, &probe); err != nil {
		return nil, fmt.Errorf("relay: decode invocation: %w", err)
	}
	if probe.Records != nil {
		var ev lambdaevents.DynamoDBEvent
		if err := json.Unmarshal(payload, &ev); err != nil {
			return nil, fmt.Errorf("relay: decode stream batch: %w", err)
		}
		return h.Stream(ctx, ev)
	}
	if probe.DetailType != "Scheduled Event" {
		return nil, fmt.Errorf("relay: invocation is neither stream records nor the schedule")
	}
	return nil, h.Sweep(ctx)
}

// Stream relays the outbox items of a stream batch and reports the ones not published, so
// Lambda retries from the first of them. An image that is not an outbox item cannot succeed
// on retry: it is logged and skipped, and the sweep reports it while it stays in the index.
func (h *Handler) Stream(ctx context.Context, ev lambdaevents.DynamoDBEvent) (lambdaevents.DynamoDBEventResponse, error) {
	var recs []outbox.Record
	seq := map[string]string{} // outbox item sort key → stream sequence number
	for _, r := range ev.Records {
		if r.EventName != string(lambdaevents.DynamoDBOperationTypeInsert) {
			continue
		}
		rec, err := dynamo.DecodeOutbox(Image(r.Change.NewImage))
		if err != nil {
			h.log.Error("stream record is not an outbox item", "event_id", r.EventID, "sequence", r.Change.SequenceNumber, "err", err.Error())
			continue
		}
		recs = append(recs, rec)
		seq[rec.PK+"\x00"+rec.SK] = r.Change.SequenceNumber
	}
	resp := lambdaevents.DynamoDBEventResponse{BatchItemFailures: []lambdaevents.DynamoDBBatchItemFailure{}}
	failed, err := h.relay.Relay(ctx, recs)
	for _, f := range failed {
		resp.BatchItemFailures = append(resp.BatchItemFailures, lambdaevents.DynamoDBBatchItemFailure{ItemIdentifier: seq[f.PK+"\x00"+f.SK]})
	}
	h.count(metrics.TriggerStream, len(recs)-len(failed), len(failed))
	if err != nil {
		h.log.Warn("relay from the stream incomplete", "records", len(recs), "failed", len(failed), "err", err.Error())
	}
	return resp, nil
}

// Sweep relays every outbox item older than SweepAge. Its error fails the invocation, so the
// function's error alarm fires while something cannot be relayed.
func (h *Handler) Sweep(ctx context.Context) error {
	n, err := h.relay.Sweep(ctx, h.now().Add(-SweepAge))
	// A sweep reports the events it moved, not each it could not: a failed sweep counts as one
	// failure (and fails the invocation).
	failures := 0
	if err != nil {
		failures = 1
	}
	h.count(metrics.TriggerSweep, n, failures)
	if n > 0 {
		h.log.Info("sweep relayed outbox events the stream did not", "events", n)
	}
	if err != nil {
		return fmt.Errorf("relay sweep: %w", err)
	}
	return nil
}

// Image converts a stream image to the SDK's attribute values, which dynamo decodes.
func Image(img map[string]lambdaevents.DynamoDBAttributeValue) map[string]types.AttributeValue {
	out := make(map[string]types.AttributeValue, len(img))
	for k, v := range img {
		out[k] = attribute(v)
	}
	return out
}

func attribute(v lambdaevents.DynamoDBAttributeValue) types.AttributeValue {
	switch v.DataType() {
	case lambdaevents.DataTypeString:
		return &types.AttributeValueMemberS{Value: v.String()}
	case lambdaevents.DataTypeNumber:
		return &types.AttributeValueMemberN{Value: v.Number()}
	case lambdaevents.DataTypeBinary:
		return &types.AttributeValueMemberB{Value: v.Binary()}
	case lambdaevents.DataTypeBoolean:
		return &types.AttributeValueMemberBOOL{Value: v.Boolean()}
	case lambdaevents.DataTypeStringSet:
		return &types.AttributeValueMemberSS{Value: v.StringSet()}
	case lambdaevents.DataTypeNumberSet:
		return &types.AttributeValueMemberNS{Value: v.NumberSet()}
	case lambdaevents.DataTypeBinarySet:
		return &types.AttributeValueMemberBS{Value: v.BinarySet()}
	case lambdaevents.DataTypeList:
		l := v.List()
		out := make([]types.AttributeValue, len(l))
		for i, e := range l {
			out[i] = attribute(e)
		}
		return &types.AttributeValueMemberL{Value: out}
	case lambdaevents.DataTypeMap:
		return &types.AttributeValueMemberM{Value: Image(v.Map())}
	}
	return &types.AttributeValueMemberNULL{Value: true}
}
