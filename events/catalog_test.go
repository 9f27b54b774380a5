package events_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/borderdesk/borderdesk/events"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestTopologyIsConsistent fails when the local runtime and the cloud stack, both built from
// Topology, could disagree or drop something: a consumed event nobody emits, an emitted event
// outside the catalog, a consumer without a queue or DLQ, a function without a trigger or
// without code.
func TestTopologyIsConsistent(t *testing.T) {
	emitted := map[events.DetailType]bool{}
	routes := map[string]string{}
	streams := 0
	for _, f := range events.Topology {
		if len(f.Routes) == 0 && len(f.Consumes) == 0 && f.Schedule == 0 && !f.Stream {
			t.Errorf("function %q has no trigger (route, queue, schedule or stream)", f.Name)
		}
		if len(f.Consumes) > 0 && (f.Queue == nil || f.Queue.MaxReceives < 1 || f.Queue.Batch < 1 || f.Queue.Visibility <= 0) {
			t.Errorf("function %q consumes events without a queue that has a DLQ (maxReceives ≥ 1), a batch size and a visibility timeout", f.Name)
		}
		if len(f.Consumes) == 0 && f.Queue != nil {
			t.Errorf("function %q has a queue but consumes nothing", f.Name)
		}
		if f.Outbox && (len(f.Emits) == 0 || f.Table != events.ReadWrite) {
			t.Errorf("function %q publishes through the outbox, so it needs Emits and table write access", f.Name)
		}
		if f.Stream {
			streams++
			if f.Table != events.ReadWrite || len(f.Emits) > 0 || f.Schedule == 0 {
				t.Errorf("stream function %q: table %q, emits %v, schedule %v; want rw (it deletes what it relays), nothing of its own, and a sweep schedule", f.Name, f.Table, f.Emits, f.Schedule)
			}
		}
		for _, r := range f.Routes {
			if other, dup := routes[r.Pattern()]; dup {
				t.Errorf("route %q served by both %q and %q", r.Pattern(), other, f.Name)
			}
			routes[r.Pattern()] = f.Name
		}
		for _, e := range f.Emits {
			emitted[e] = true
			if !slices.Contains(events.All, e) {
				t.Errorf("function %q emits %q, which is not in the catalog", f.Name, e)
			}
		}
		for _, e := range f.Consumes {
			if !slices.Contains(events.All, e) {
				t.Errorf("function %q consumes %q, which is not in the catalog", f.Name, e)
			}
		}
		if _, err := os.Stat(filepath.Join("..", "functions", f.Name, "cmd", "main.go")); err != nil {
			t.Errorf("function %q has no Lambda main at functions/%s/cmd: %v", f.Name, f.Name, err)
		}
	}
	if outbox := slices.ContainsFunc(events.Topology, func(f events.Function) bool { return f.Outbox }); outbox && streams != 1 {
		t.Errorf("stream functions = %d; want exactly one relay for the outbox", streams)
	}
	for _, f := range events.Topology {
		for _, e := range f.Consumes {
			if !emitted[e] {
				t.Errorf("function %q consumes %q, which no function emits", f.Name, e)
			}
		}
	}
	for _, e := range events.All {
		if !emitted[e] {
			t.Errorf("event %q is emitted by no function", e)
		}
	}
	dirs, _ := os.ReadDir(filepath.Join("..", "functions"))
	for _, d := range dirs {
		if _, ok := events.Lookup(d.Name()); d.IsDir() && !ok {
			t.Errorf("functions/%s is not in the topology, so nothing deploys or runs it", d.Name())
		}
	}
}

// The catalog's source constants are the sources the topology derives.
func TestSources(t *testing.T) {
	for name, want := range map[string]string{
		events.Intake: events.SourceIntake, events.Ticketing: events.SourceTicketing, events.API: events.SourceAPI,
	} {
		f, ok := events.Lookup(name)
		if !ok {
			t.Fatalf("Lookup(%q) = false; want the function", name)
		}
		if got := f.Source(); got != want {
			t.Errorf("Lookup(%q).Source() = %q; want %q", name, got, want)
		}
	}
}

func TestPublishesAs(t *testing.T) {
	topo := []events.Function{
		{Name: "front", Emits: []events.DetailType{events.PaymentFailed}},
		{Name: "desk", Emits: []events.DetailType{events.TicketOpened}, Outbox: true},
		{Name: "api", Emits: []events.DetailType{events.MessageReplied}, Outbox: true},
		{Name: "relay", Stream: true},
		{Name: "quiet"},
	}
	want := map[string][]string{
		"front": {"borderdesk.front"},
		"desk":  nil, // the relay publishes for it
		"api":   nil,
		"relay": {"borderdesk.desk", "borderdesk.api"},
		"quiet": nil,
	}
	for _, f := range topo {
		if got := f.PublishesAs(topo); !slices.Equal(got, want[f.Name]) || (len(got) > 0) != f.PutsEvents() {
			t.Errorf("%s.PublishesAs() = %v, PutsEvents() = %v; want %v", f.Name, got, f.PutsEvents(), want[f.Name])
		}
	}
}

func TestSubscriptions(t *testing.T) {
	topo := []events.Function{
		{Name: "front", Emits: []events.DetailType{events.PaymentFailed, events.ShipmentDelayed, events.MessageReceived}},
		{Name: "desk", Emits: []events.DetailType{events.TicketOpened, events.PaymentFailed}},
		{Name: "quiet", Emits: []events.DetailType{events.TicketMerged}},
		{Name: "all", Consumes: []events.DetailType{events.ShipmentDelayed, events.PaymentFailed, events.TicketOpened}},
		{Name: "one", Consumes: []events.DetailType{events.TicketOpened}},
	}
	want := []events.Subscription{
		{Consumer: "all", Source: "borderdesk.front", DetailTypes: []events.DetailType{events.ShipmentDelayed, events.PaymentFailed}},
		{Consumer: "all", Source: "borderdesk.desk", DetailTypes: []events.DetailType{events.PaymentFailed, events.TicketOpened}},
		{Consumer: "one", Source: "borderdesk.desk", DetailTypes: []events.DetailType{events.TicketOpened}},
	}
	if got := events.Subscriptions(topo); !reflect.DeepEqual(got, want) {
		t.Errorf("Subscriptions() = %+v; want %+v", got, want)
	}
	for _, tc := range []struct {
		source string
		typ    events.DetailType
		want   bool
	}{
		{"borderdesk.front", events.PaymentFailed, true},
		{"borderdesk.quiet", events.TicketMerged, true}, // emitted, consumed by nobody
		{"borderdesk.front", events.TicketOpened, false},
		{"borderdesk.nobody", events.PaymentFailed, false},
	} {
		if got := events.Emitted(topo, tc.source, tc.typ); got != tc.want {
			t.Errorf("Emitted(%q, %q) = %v; want %v", tc.source, tc.typ, got, tc.want)
		}
	}
}

var at = time.Date(2026, 11, 2, 9, 30, 0, 0, time.UTC)

// examples is one realistic event per detail-type; their JSON is the golden file.
var examples = map[events.DetailType]any{
	events.PaymentFailed: events.Payment{
		PaymentID: "pi_3PQ8kLJw4nXb0aZt1Gm2Xc7R", ChargeID: "ch_3PQ8kLJw4nXb0aZt1u0xV9bQ", OrderID: "10482",
		Customer: events.Customer{Email: "jonas.weber@example.de", Name: "Jonas Weber", Country: "DE"},
		Amount:   events.Money{Amount: 8990, Currency: "eur"}, Status: "requires_payment_method",
		DeclineCode: "insufficient_funds", FailureMessage: "Your card has insufficient funds.",
	},
	events.PaymentDisputeOpened: events.Payment{
		PaymentID: "pi_3PPzQ4Jw4nXb0aZt1zH5gT6w", ChargeID: "ch_3PPzQ4Jw4nXb0aZt1qzY5t2c", OrderID: "10391",
		Amount: events.Money{Amount: 12900, Currency: "usd"}, Status: "needs_response",
		Dispute: &events.Dispute{ID: "dp_1PRcX2Jw4nXb0aZtu7Lk2Yhd", Reason: "product_not_received", Status: "needs_response",
			Amount: events.Money{Amount: 12900, Currency: "usd"}, EvidenceDueBy: "2026-11-20T23:59:59Z"},
	},
	events.PaymentDisputeClosed: events.Payment{
		PaymentID: "pi_3PPzQ4Jw4nXb0aZt1zH5gT6w", OrderID: "10391", Amount: events.Money{Amount: 12900, Currency: "usd"}, Status: "won",
		Dispute: &events.Dispute{ID: "dp_1PRcX2Jw4nXb0aZtu7Lk2Yhd", Reason: "product_not_received", Status: "won", Amount: events.Money{Amount: 12900, Currency: "usd"}},
	},
	events.PaymentRefunded: events.Payment{
		PaymentID: "pi_3PQ1", ChargeID: "ch_3PQ1", OrderID: "10177", Amount: events.Money{Amount: 4500, Currency: "gbp"}, Status: "succeeded",
		Refund: &events.Refund{ID: "re_3PQ1", Status: "refunded", Amount: events.Money{Amount: 4500, Currency: "gbp"}, Reason: "requested_by_customer"},
	},
	events.PaymentSucceeded: events.Payment{
		PaymentID: "pi_3PQ9aBJw4nXb0aZt0Kd2Lm4N", ChargeID: "ch_3PQ9aBJw4nXb0aZt0qW3eR5T", OrderID: "10475",
		Customer: events.Customer{Email: "sofia.rossi@example.it", Name: "Sofia Rossi", Country: "IT"},
		Amount:   events.Money{Amount: 12900, Currency: "eur"}, Status: "succeeded",
	},
	events.PaymentRefundUpdated: events.Payment{
		PaymentID: "pi_3PQ1", ChargeID: "ch_3PQ1", Amount: events.Money{Amount: 4500, Currency: "gbp"}, Status: "failed",
		Refund: &events.Refund{ID: "re_3PQ1", Status: "failed", Amount: events.Money{Amount: 4500, Currency: "gbp"}},
	},
	events.ShipmentUpdated: events.Shipment{
		TrackingNumber: "JD014600006281230704", Carrier: "dhl", OrderID: "10482", Status: "InTransit", SubStatus: "InTransit_001",
		ExpectedDelivery: "2026-11-05", DestinationCountry: "DEU",
		Checkpoints: []events.Checkpoint{{At: "2026-11-02T08:12:00+08:00", Location: "Shenzhen, CN", Message: "Departed facility", Status: "InTransit"}},
	},
	events.ShipmentException: events.Shipment{
		TrackingNumber: "JD014600006281230704", Carrier: "dhl", OrderID: "10482", Status: "Exception", SubStatus: "Exception_011",
		SubStatusMessage: "Held by customs", DestinationCountry: "DEU",
		Customer:    events.Customer{Email: "jonas.weber@example.de", Name: "Jonas Weber", Country: "DE"},
		Checkpoints: []events.Checkpoint{{At: "2026-11-02T10:00:00+01:00", Location: "Leipzig, DE", Message: "Shipment on hold at customs", Status: "Exception"}},
	},
	events.ShipmentDelayed: events.Shipment{
		TrackingNumber: "LX123456789CN", Carrier: "china-post", OrderID: "10377", Status: "InTransit", ExpectedDelivery: "2026-10-28",
		DestinationCountry: "FRA", Customer: events.Customer{Email: "camille@example.fr", Country: "FR"},
	},
	events.MessageReceived: events.Message{
		MessageID: "msg_7f3a", Channel: "web", Customer: events.Customer{Email: "jonas.weber@example.de", Name: "Jonas Weber"},
		OrderID: "10482", Subject: "Zahlung fehlgeschlagen", Text: "Hallo, meine Zahlung für Bestellung 10482 wurde abgelehnt. Was kann ich tun?", Language: "de",
	},
	events.TicketOpened: events.Ticket{
		TicketID: "tk_01JC8W3M5R", Status: "open", Category: "payment_failed", Priority: "high",
		Customer: events.Customer{Email: "jonas.weber@example.de", Name: "Jonas Weber", Country: "DE"},
		OrderID:  "10482", Language: "de", Cause: "ev_stripe_evt_1",
	},
	events.TicketReopened: events.Ticket{
		TicketID: "tk_01JC8W3M5R", Status: "open", Category: "chargeback", Priority: "urgent",
		Customer: events.Customer{Email: "jonas.weber@example.de", Name: "Jonas Weber", Country: "DE"},
		OrderID:  "10482", Language: "de", Cause: "ev_stripe_evt_2",
	},
	events.TicketMerged: events.Ticket{
		TicketID: "tk_01JC8X9Q2A", MergedInto: "tk_01JC8W3M5R", Status: "merged", Category: "chargeback", Priority: "urgent",
		Customer: events.Customer{Email: "jonas.weber@example.de"}, OrderID: "10482", Cause: "ev_stripe_evt_3",
	},
	events.MessageReplied: events.Reply{
		TicketID: "tk_01JC8W3M5R", EntryID: "en_01JC8Z0K7T", Author: "anna@demo.test",
		Body:     "Hallo Jonas, bitte versuchen Sie es mit einer anderen Karte.",
		Customer: events.Customer{Email: "jonas.weber@example.de", Name: "Jonas Weber"}, Language: "de", Subject: "Zahlung fehlgeschlagen",
	},
}

func TestGoldenEventsRoundTrip(t *testing.T) {
	for _, typ := range events.All {
		t.Run(string(typ), func(t *testing.T) {
			data, ok := examples[typ]
			if !ok {
				t.Fatalf("no example for %q: every catalog event needs one", typ)
			}
			ev, err := events.New(typ, "ev_example_1", "demo", "example", "evt_1", at, data)
			if err != nil {
				t.Fatal(err)
			}
			ev.CorrelationID = "req_1"
			got, err := json.MarshalIndent(ev, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", string(typ)+".json")
			if *update {
				if err := os.WriteFile(path, append(got, '\n'), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("read golden (run go test ./events -update): %v", err)
			}
			if !bytes.Equal(append(got, '\n'), want) {
				t.Errorf("%s = %s; want golden %s", typ, got, want)
			}
			// The golden file decodes back, strictly, into the typed data.
			var back events.Event
			if err := json.Unmarshal(want, &back); err != nil {
				t.Fatal(err)
			}
			v, err := events.NewData(typ)
			if err != nil {
				t.Fatal(err)
			}
			dec := json.NewDecoder(bytes.NewReader(back.Data))
			dec.DisallowUnknownFields()
			if err := dec.Decode(v); err != nil {
				t.Errorf("decode %s data strictly: %v", typ, err)
			}
			if back.Type != typ || back.Version != events.SchemaVersion || !back.OccurredAt.Equal(at) {
				t.Errorf("round trip = %s v%d at %s; want %s v%d at %s", back.Type, back.Version, back.OccurredAt, typ, events.SchemaVersion, at)
			}
		})
	}
}

func TestDecodeRefusesNewerVersion(t *testing.T) {
	ev, _ := events.New(events.PaymentFailed, "ev_1", "demo", "stripe", "evt_1", at, examples[events.PaymentFailed])
	ev.Version = events.SchemaVersion + 1
	var p events.Payment
	if err := ev.Decode(&p); err == nil {
		t.Errorf("Decode(version %d) = nil; want an error", ev.Version)
	}
}
