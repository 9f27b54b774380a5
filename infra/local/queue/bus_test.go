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
// shipment.delayed; message.received is emitted and consumed by nobody; ticketing emits
// ticket.opened, which refunds consumes, and (so that a source other than intake reaches
// ticketing) shipment.delayed.
var testTopology = []events.Function{
	{Name: "intake", Emits: []events.DetailType{events.PaymentFailed, events.ShipmentDelayed, events.MessageReceived}},
	{Name: "ticketing", Consumes: []events.DetailType{events.PaymentFailed, events.ShipmentDelayed}, Queue: &standard,
		Emits: []events.DetailType{events.TicketOpened, events.ShipmentDelayed}},
	{Name: "refunds", Consumes: []events.DetailType{events.PaymentFailed, events.TicketOpened},
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

// FIFO queues group as events.GroupID says, which is also what the detail carries for the
// cloud's FIFO path.
func TestBusFIFOGroupIsGroupID(t *testing.T) {
	b, queues := newBus(t)
	ev := event(t, events.PaymentFailed, "e1", "m_acme")
	if err := b.Publish(t.Context(), ev); err != nil {
		t.Fatal(err)
	}
	rec := queues["refunds"].Receive()[0]
	if got, want := rec.Attributes["MessageGroupId"], events.GroupID(ev); got != want || want != "m_acme#payment#pi_e1" {
		t.Errorf("MessageGroupId = %q; want %q (m_acme#payment#pi_e1)", got, want)
	}
	var env struct{ Detail map[string]any }
	if err := json.Unmarshal([]byte(rec.Body), &env); err != nil || env.Detail[events.GroupField] != events.GroupID(ev) {
		t.Errorf("detail %s = %v; want %q", events.GroupField, env.Detail[events.GroupField], events.GroupID(ev))
	}
}

// Rules match (source, detail-type): the same type from another source reaches only the
// consumers subscribed to that source.
func TestBusRoutesBySource(t *testing.T) {
	tests := []struct {
		source string
		typ    events.DetailType
		want   []string // queues with a message
		err    error
	}{
		{events.SourceIntake, events.PaymentFailed, []string{"ticketing", "refunds"}, nil},
		{events.SourceTicketing, events.TicketOpened, []string{"refunds"}, nil},
		{events.SourceIntake, events.MessageReceived, nil, nil}, // emitted, consumed by nobody: dropped
		{events.SourceTicketing, events.PaymentFailed, nil, ErrNotEmitted},
		{events.SourceIntake, events.TicketOpened, nil, ErrNotEmitted},
	}
	for _, tt := range tests {
		t.Run(tt.source+"/"+string(tt.typ), func(t *testing.T) {
			b, queues := newBus(t)
			err := b.As(tt.source).Publish(t.Context(), event(t, tt.typ, "e1", "m_acme"))
			if !errors.Is(err, tt.err) {
				t.Fatalf("As(%q).Publish(%s) error = %v; want %v", tt.source, tt.typ, err, tt.err)
			}
			var got []string
			for _, name := range []string{"ticketing", "refunds"} {
				if queues[name].Stats().Visible > 0 {
					got = append(got, name)
				}
			}
			if !slices.Equal(got, tt.want) || !slices.Equal(b.Targets(tt.source, tt.typ), tt.want) {
				t.Errorf("As(%q).Publish(%s) reached %v, Targets = %v; want %v", tt.source, tt.typ, got, b.Targets(tt.source, tt.typ), tt.want)
			}
		})
	}
	b, queues := newBus(t)
	if err := b.PublishAs(t.Context(), events.SourceTicketing, event(t, events.TicketOpened, "e2", "m_acme")); err != nil || queues["refunds"].Stats().Visible != 1 {
		t.Errorf("PublishAs(ticketing, ticket.opened) = %v, refunds visible %d; want nil, 1", err, queues["refunds"].Stats().Visible)
	}
	var env struct{ Source string }
	_ = json.Unmarshal([]byte(queues["refunds"].Receive()[0].Body), &env)
	if env.Source != events.SourceTicketing {
		t.Errorf("envelope source = %q; want %q", env.Source, events.SourceTicketing)
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
		{"the source does not emit it", event(t, events.TicketOpened, "e2", "m_acme"), ErrNotEmitted},
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
	for _, f := range events.Topology {
		for _, typ := range f.Emits {
			if err := b.PublishAs(t.Context(), f.Source(), event(t, typ, "e-"+string(typ), "m_acme")); err != nil {
				t.Errorf("PublishAs(%s, %s) error = %v", f.Source(), typ, err)
			}
		}
	}
}
