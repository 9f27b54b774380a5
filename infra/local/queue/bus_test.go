package queue

import (
	"encoding/json"
	"errors"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	lambdaevents "github.com/aws/aws-lambda-go/events"

	"github.com/borderdesk/borderdesk/events"
)

// testTopology has two consumers of payment.failed, one of them FIFO, and one consumer of
// shipment.delayed.
var testTopology = []events.Function{
	{Name: "intake", Emits: []events.DetailType{events.PaymentFailed, events.ShipmentDelayed}},
	{Name: "ticketing", Consumes: []events.DetailType{events.PaymentFailed, events.ShipmentDelayed}, Queue: &standard},
	{Name: "refunds", Consumes: []events.DetailType{events.PaymentFailed},
		Queue: &events.Queue{Batch: 10, Visibility: time.Minute, MaxReceives: 3, FIFO: true}},
}

func newBus(t *testing.T, opts ...BusOption) (*Bus, map[string]*Queue) {
	t.Helper()
	queues := map[string]*Queue{}
	for _, f := range testTopology {
		if f.Queue != nil {
			q, err := New(f.Name, *f.Queue, newFakeClock())
			if err != nil {
				t.Fatal(err)
			}
			queues[f.Name] = q
		}
	}
	b, err := NewBus(testTopology, queues, opts...)
	if err != nil {
		t.Fatalf("NewBus() error = %v", err)
	}
	return b, queues
}

func event(t *testing.T, typ events.DetailType, id, merchant string) events.Event {
	t.Helper()
	ev, err := events.New(typ, id, merchant, "stripe", "evt_"+id,
		time.Date(2026, 3, 1, 12, 0, 5, 123456789, time.UTC), map[string]string{"payment_id": "pi_" + id})
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

func TestBusRoutesToEveryConsumer(t *testing.T) {
	b, queues := newBus(t)
	failed := event(t, events.PaymentFailed, "e1", "m_acme")
	delayed := event(t, events.ShipmentDelayed, "e2", "m_acme")
	if err := b.Publish(t.Context(), failed, delayed); err != nil {
		t.Fatalf("Publish() error = %v", err)
	}

	tests := []struct {
		queue string
		want  []events.Event
	}{
		{"ticketing", []events.Event{failed, delayed}},
		{"refunds", []events.Event{failed}},
	}
	for _, tt := range tests {
		t.Run(tt.queue, func(t *testing.T) {
			recs := queues[tt.queue].Receive()
			var got []events.Event
			for _, r := range recs {
				ev, err := events.FromSQS(r)
				if err != nil {
					t.Fatalf("FromSQS() error = %v", err)
				}
				got = append(got, ev)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("%s received %+v; want %+v", tt.queue, got, tt.want)
			}
		})
	}
}

func TestBusEnvelope(t *testing.T) {
	clock := newFakeClock()
	b, queues := newBus(t, WithSource("borderdesk.ticketing"), WithClock(clock))
	stamped := event(t, events.ShipmentDelayed, "e1", "m_acme")
	unstamped := stamped
	unstamped.ID, unstamped.OccurredAt = "e2", time.Time{}
	if err := b.Publish(t.Context(), stamped, unstamped); err != nil {
		t.Fatal(err)
	}

	recs := queues["ticketing"].Receive()
	if len(recs) != 2 {
		t.Fatalf("Receive() = %d messages; want 2", len(recs))
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal([]byte(recs[0].Body), &raw); err != nil {
		t.Fatal(err)
	}
	for field, want := range map[string]string{
		"version":     `"0"`,
		"detail-type": `"shipment.delayed"`,
		"source":      `"borderdesk.ticketing"`,
		"account":     `"000000000000"`,
		"region":      `"local"`,
		"resources":   `[]`,
		"time":        `"2026-03-01T12:00:05Z"`,
	} {
		if got := string(raw[field]); got != want {
			t.Errorf("envelope %s = %s; want %s", field, got, want)
		}
	}
	var envs [2]lambdaevents.CloudWatchEvent
	for i, r := range recs {
		if err := json.Unmarshal([]byte(r.Body), &envs[i]); err != nil {
			t.Fatal(err)
		}
	}
	if envs[0].ID == "" || envs[0].ID == envs[1].ID {
		t.Errorf("envelope ids %q, %q; want distinct ids", envs[0].ID, envs[1].ID)
	}
	if !envs[1].Time.Equal(clock.Now()) {
		t.Errorf("envelope time of an event without OccurredAt = %v; want the clock's %v", envs[1].Time, clock.Now())
	}
}

func TestBusFIFOGroupIsMerchant(t *testing.T) {
	b, queues := newBus(t)
	if err := b.Publish(t.Context(), event(t, events.PaymentFailed, "e1", "m_acme")); err != nil {
		t.Fatal(err)
	}
	if got := queues["refunds"].Receive()[0].Attributes["MessageGroupId"]; got != "m_acme" {
		t.Errorf("MessageGroupId = %q; want m_acme", got)
	}
}

func TestBusPublishRejects(t *testing.T) {
	big := event(t, events.ShipmentDelayed, "e3", "m_acme")
	big.Data = json.RawMessage(`"` + strings.Repeat("x", MaxBodySize) + `"`)
	tests := []struct {
		name string
		bad  events.Event
		want error
	}{
		{"nobody consumes it", event(t, events.MessageReceived, "e2", "m_acme"), ErrNoConsumer},
		{"FIFO consumer and no merchant", event(t, events.PaymentFailed, "e2", ""), ErrNoGroup},
		{"too large", big, ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, queues := newBus(t)
			good := event(t, events.ShipmentDelayed, "e1", "m_acme")
			if err := b.Publish(t.Context(), good, tt.bad); !errors.Is(err, tt.want) {
				t.Errorf("Publish() error = %v; want %v", err, tt.want)
			}
			for name, q := range queues {
				if s := q.Stats(); s != (Stats{}) {
					t.Errorf("%s Stats() = %+v; want nothing sent from a rejected batch", name, s)
				}
			}
		})
	}
}

func TestNewBusWiring(t *testing.T) {
	q, err := New("ticketing", standard, nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		queues map[string]*Queue
	}{
		{"consumer without a queue", map[string]*Queue{"ticketing": q}},
		{"queue without a consumer", map[string]*Queue{"ticketing": q, "refunds": q, "spare": q}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := NewBus(testTopology, tt.queues); err == nil {
				t.Errorf("NewBus(%v) error = nil; want one", slices.Sorted(maps.Keys(tt.queues)))
			}
		})
	}
}

// The catalog's own topology wires up, and every event in it has somewhere to go.
func TestBusCatalogTopology(t *testing.T) {
	queues := map[string]*Queue{}
	for _, f := range events.Topology {
		if f.Queue != nil {
			q, err := New(f.Name, *f.Queue, nil)
			if err != nil {
				t.Fatalf("New(%s) error = %v", f.Name, err)
			}
			queues[f.Name] = q
		}
	}
	b, err := NewBus(events.Topology, queues)
	if err != nil {
		t.Fatalf("NewBus(events.Topology) error = %v", err)
	}
	for _, typ := range events.All {
		if err := b.Publish(t.Context(), event(t, typ, "e-"+string(typ), "m_acme")); err != nil {
			t.Errorf("Publish(%s) error = %v", typ, err)
		}
	}
}
