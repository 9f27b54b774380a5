package events_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/borderdesk/borderdesk/events"
)

func TestGroupID(t *testing.T) {
	long := strings.Repeat("9", 200)
	tests := []struct {
		name string
		typ  events.DetailType
		data any
		want string
	}{
		{"payment by its payment", events.PaymentDisputeOpened, events.Payment{PaymentID: "pi_1", OrderID: "10482"}, "demo#payment#pi_1"},
		{"payment without one by its order", events.PaymentFailed, events.Payment{OrderID: "10482"}, "demo#order#10482"},
		{"shipment by its order", events.ShipmentDelayed, events.Shipment{TrackingNumber: "LX1", OrderID: "10482"}, "demo#order#10482"},
		{"ticket by its order", events.TicketOpened, events.Ticket{TicketID: "tk_1", OrderID: "10482"}, "demo#order#10482"},
		{"message without order by merchant", events.MessageReceived, events.Message{MessageID: "m1", Text: "hi"}, "demo"},
		{"no data by merchant", events.PaymentFailed, nil, "demo"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ev, err := events.New(tc.typ, "ev_1", "demo", "stripe", "evt_1", at, tc.data)
			if err != nil {
				t.Fatal(err)
			}
			if got := events.GroupID(ev); got != tc.want {
				t.Errorf("GroupID(%s %s) = %q; want %q", tc.typ, ev.Data, got, tc.want)
			}
		})
	}

	// Ids SQS would refuse in a group (too long, spaces) are digested: still one group per id.
	for _, order := range []string{long, "10 482"} {
		a, _ := events.New(events.ShipmentDelayed, "ev_1", "demo", "x", "1", at, events.Shipment{OrderID: order})
		b, _ := events.New(events.ShipmentUpdated, "ev_2", "demo", "x", "2", at, events.Shipment{OrderID: order})
		c, _ := events.New(events.ShipmentUpdated, "ev_3", "demo", "x", "3", at, events.Shipment{OrderID: order + "0"})
		ga, gb, gc := events.GroupID(a), events.GroupID(b), events.GroupID(c)
		if len(ga) > 128 || strings.Contains(ga, " ") || ga != gb || ga == gc {
			t.Errorf("GroupID(order %.20q…) = %q, %q, other order %q; want one valid group ≤ 128 chars, distinct from the other order's", order, ga, gb, gc)
		}
	}
	noMerchant, _ := events.New(events.PaymentFailed, "ev_1", "", "stripe", "evt_1", at, events.Payment{PaymentID: "pi_1"})
	if got := events.GroupID(noMerchant); got != "" {
		t.Errorf("GroupID(no merchant) = %q; want \"\"", got)
	}
}

// The detail on the bus is the event plus its group under GroupField, where the cloud's FIFO
// path reads it; consumers decode it as the event.
func TestDetailCarriesGroup(t *testing.T) {
	ev, _ := events.New(events.PaymentRefunded, "ev_1", "demo", "stripe", "evt_1", at, events.Payment{PaymentID: "pi_1"})
	b, err := events.Detail(ev)
	if err != nil {
		t.Fatal(err)
	}
	var fields map[string]any
	if err := json.Unmarshal(b, &fields); err != nil {
		t.Fatal(err)
	}
	if got := fields[events.GroupField]; got != events.GroupID(ev) {
		t.Errorf("Detail()[%q] = %v; want %q", events.GroupField, got, events.GroupID(ev))
	}
	var back events.Event
	if err := json.Unmarshal(b, &back); err != nil || back.ID != ev.ID || back.Type != ev.Type || string(back.Data) != string(ev.Data) {
		t.Errorf("Detail() decodes as %+v, %v; want the event", back, err)
	}
}
