package events

import (
	"encoding/json"
	"fmt"
	"time"
)

// DetailType names an event on the bus: "<domain>.<event>".
type DetailType string

// SchemaVersion is the version of every Data shape in this catalog. Consumers reject a
// higher major version instead of guessing.
const SchemaVersion = 1

// Source values for the EventBridge envelope: "borderdesk.<component>".
const (
	SourceIntake    = "borderdesk.intake"
	SourceTicketing = "borderdesk.ticketing"
	SourceAPI       = "borderdesk.api"
)

// Event is the detail of every Borderdesk event on the bus. The envelope around it
// (source, detail-type, time) is EventBridge's; Event carries what consumers need to be
// idempotent and tenant-safe.
type Event struct {
	// ID is ours and deterministic: the same provider event always yields the same ID, so
	// every consumer can deduplicate on it.
	ID         string     `json:"id"`
	Type       DetailType `json:"type"`
	MerchantID string     `json:"merchant_id"`
	OccurredAt time.Time  `json:"occurred_at"`
	// Provider and ProviderEventID say where the event came from ("stripe", "evt_…").
	Provider        string `json:"provider"`
	ProviderEventID string `json:"provider_event_id"`
	// CorrelationID ties the event to the request that accepted it.
	CorrelationID string          `json:"correlation_id,omitempty"`
	Version       int             `json:"version"`
	Data          json.RawMessage `json:"data"`
}

// New builds an Event whose Data is data encoded as JSON.
func New(t DetailType, id, merchantID, provider, providerEventID string, at time.Time, data any) (Event, error) {
	raw, err := json.Marshal(data)
	if err != nil {
		return Event{}, fmt.Errorf("encode %s data: %w", t, err)
	}
	return Event{
		ID: id, Type: t, MerchantID: merchantID, OccurredAt: at.UTC(),
		Provider: provider, ProviderEventID: providerEventID,
		Version: SchemaVersion, Data: raw,
	}, nil
}

// Decode reads e.Data into v, refusing versions this build does not understand.
func (e Event) Decode(v any) error {
	if e.Version > SchemaVersion {
		return fmt.Errorf("event %s: data version %d is newer than %d", e.ID, e.Version, SchemaVersion)
	}
	if err := json.Unmarshal(e.Data, v); err != nil {
		return fmt.Errorf("event %s: decode %s data: %w", e.ID, e.Type, err)
	}
	return nil
}

// Domain is the part of the detail-type before the dot ("payment").
func (t DetailType) Domain() string {
	for i := 0; i < len(t); i++ {
		if t[i] == '.' {
			return string(t[:i])
		}
	}
	return string(t)
}

// NewData returns a pointer to a zero value of t's data type, for decoding.
func NewData(t DetailType) (any, error) {
	if t == MessageReplied {
		return &Reply{}, nil
	}
	switch t.Domain() {
	case "ticket":
		return &Ticket{}, nil
	case "payment":
		return &Payment{}, nil
	case "shipment":
		return &Shipment{}, nil
	case "message":
		return &Message{}, nil
	}
	return nil, fmt.Errorf("no data type for %q", t)
}
