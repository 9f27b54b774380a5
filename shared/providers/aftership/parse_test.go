package aftership_test

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/borderdesk/borderdesk/events"
	"github.com/borderdesk/borderdesk/shared/errs"
	"github.com/borderdesk/borderdesk/shared/providers/aftership"
	"github.com/borderdesk/borderdesk/shared/providers/provider"
	"github.com/borderdesk/borderdesk/shared/providers/providertest"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.json from the current output")

const merchantID = providertest.MerchantID

// TestParseGolden maps each captured-shape payload in testdata/<name>.json and compares the
// catalog events with testdata/<name>.golden.json.
func TestParseGolden(t *testing.T) {
	tests := []struct {
		name string
		want events.DetailType
	}{
		{"tracking_update.in_transit", events.ShipmentUpdated},
		{"tracking_update.exception", events.ShipmentException},
		{"tracking_update.failed_attempt", events.ShipmentException},
		{"tracking_update.delayed", events.ShipmentDelayed},
		{"tracking_update.delivered_late", events.ShipmentDelayed},
		{"tracking_update.delivered", events.ShipmentUpdated},
	}
	p := aftership.New()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := providertest.ParseGolden(t, p, tt.name, tt.want, *update)
			var sh events.Shipment
			if err := got.Events[0].Decode(&sh); err != nil {
				t.Fatal(err)
			}
			if len(sh.Checkpoints) > 10 {
				t.Errorf("Parse(%q) has %d checkpoints; want at most 10", tt.name, len(sh.Checkpoints))
			}
		})
	}
}

func TestParseUnhandled(t *testing.T) {
	body, err := os.ReadFile("testdata/edd_revise.json")
	if err != nil {
		t.Fatal(err)
	}
	got, err := aftership.New().Parse(merchantID, body)
	want := provider.Parsed{
		EventID:    "3e7a1c5b-90d4-4f2e-a8b6-c2d4e6f80a13",
		Type:       "edd_revise",
		OccurredAt: time.Unix(1718610000, 0).UTC(),
	}
	if err != nil || got.EventID != want.EventID || got.Type != want.Type ||
		!got.OccurredAt.Equal(want.OccurredAt) || len(got.Events) != 0 {
		t.Errorf("Parse(edd_revise) = %+v, %v; want %+v, nil", got, err, want)
	}
}

// TestParseDelay pins when a tracking update is a delay. ts is 2024-06-17T07:15:00Z.
func TestParseDelay(t *testing.T) {
	tests := []struct {
		name, tag, msg string
		want           events.DetailType
	}{
		{"due later", "InTransit", `"expected_delivery":"2024-06-18"`, events.ShipmentUpdated},
		{"due today: the whole day is on time", "InTransit", `"expected_delivery":"2024-06-17"`, events.ShipmentUpdated},
		{"due yesterday", "OutForDelivery", `"expected_delivery":"2024-06-16"`, events.ShipmentDelayed},
		{"due earlier this morning", "InTransit", `"expected_delivery":"2024-06-17T06:00:00"`, events.ShipmentDelayed},
		{"due later today", "InTransit", `"expected_delivery":"2024-06-17T18:00:00+02:00"`, events.ShipmentUpdated},
		{"no expected delivery", "InTransit", `"expected_delivery":null`, events.ShipmentUpdated},
		{"unreadable expected delivery", "InTransit", `"expected_delivery":"next week"`, events.ShipmentUpdated},
		{"latest estimate passed", "InTransit", `"latest_estimated_delivery":{"type":"specific","datetime":"2024-06-15"}`, events.ShipmentDelayed},
		{"inside an estimated range", "InTransit", `"latest_estimated_delivery":{"type":"range","datetime":null,"datetime_min":"2024-06-15","datetime_max":"2024-06-17"}`, events.ShipmentUpdated},
		{"past an estimated range", "InTransit", `"latest_estimated_delivery":{"type":"range","datetime":null,"datetime_min":"2024-06-14","datetime_max":"2024-06-16"}`, events.ShipmentDelayed},
		{"exception wins over delay", "Exception", `"expected_delivery":"2024-06-01"`, events.ShipmentException},
		{"expired", "Expired", `"expected_delivery":"2024-06-30"`, events.ShipmentException},
		{"delivered on the expected day", "Delivered", `"expected_delivery":"2024-06-16","shipment_delivery_date":"2024-06-16T23:10:00+09:00"`, events.ShipmentUpdated},
		{"delivered on the expected evening, the next day in UTC", "Delivered", `"expected_delivery":"2024-06-16","shipment_delivery_date":"2024-06-16T20:00:00-07:00"`, events.ShipmentUpdated},
		{"delivered the day after, in the recipient's zone", "Delivered", `"expected_delivery":"2024-06-16","shipment_delivery_date":"2024-06-17T00:20:00-07:00"`, events.ShipmentDelayed},
		{"delivered before the expected time", "Delivered", `"expected_delivery":"2024-06-16T18:00:00","shipment_delivery_date":"2024-06-16T17:59:00"`, events.ShipmentUpdated},
		{"delivered after the expected time", "Delivered", `"expected_delivery":"2024-06-16T18:00:00","shipment_delivery_date":"2024-06-16T18:30:00"`, events.ShipmentDelayed},
		{"delivered late, known from the checkpoint", "Delivered", `"expected_delivery":"2024-06-14","checkpoints":[{"checkpoint_time":"2024-06-15T09:00:00+02:00","message":"Delivered","tag":"Delivered"}]`, events.ShipmentDelayed},
		{"delivered, date unknown", "Delivered", `"expected_delivery":"2024-06-14"`, events.ShipmentUpdated},
	}
	p := aftership.New()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := fmt.Sprintf(`{"event":"tracking_update","event_id":"e1","ts":1718608500,"msg":{"tracking_number":"T1","slug":"dhl","tag":%q,%s}}`, tt.tag, tt.msg)
			got, err := p.Parse(merchantID, []byte(body))
			if err != nil || len(got.Events) != 1 || got.Events[0].Type != tt.want {
				t.Errorf("Parse(%s) = %v, %v; want one %s", body, providertest.Types(got.Events), err, tt.want)
			}
		})
	}
}

func TestParseInvalid(t *testing.T) {
	tests := []struct {
		name string
		body string
	}{
		{"not JSON", `{"event":"tracking_update","msg":`},
		{"not an object", `"tracking_update"`},
		{"no event_id", `{"event":"tracking_update","ts":1718608500,"msg":{"tracking_number":"T1"}}`},
		{"no event", `{"event_id":"e1","ts":1718608500,"msg":{"tracking_number":"T1"}}`},
		{"no ts", `{"event":"tracking_update","event_id":"e1","msg":{"tracking_number":"T1"}}`},
		{"ts after year 9999", `{"event":"tracking_update","event_id":"e1","ts":253402300800,"msg":{"tracking_number":"T1"}}`},
		{"ts after year 9999, unhandled event", `{"event":"edd_revise","event_id":"e1","ts":253402300800}`},
		{"negative ts", `{"event":"tracking_update","event_id":"e1","ts":-86400,"msg":{"tracking_number":"T1"}}`},
		{"no msg", `{"event":"tracking_update","event_id":"e1","ts":1718608500}`},
		{"null msg", `{"event":"tracking_update","event_id":"e1","ts":1718608500,"msg":null}`},
		{"no tracking number", `{"event":"tracking_update","event_id":"e1","ts":1718608500,"msg":{"slug":"ups","tag":"InTransit"}}`},
		{"tracking of the wrong shape", `{"event":"tracking_update","event_id":"e1","ts":1718608500,"msg":{"tracking_number":"T1","checkpoints":"none"}}`},
	}
	// Ids become table keys, which DynamoDB caps at 2,048 bytes: absurd ones are refused.
	long := strings.Repeat("x", provider.MaxIDBytes+1)
	tracking := func(fields string) string {
		return `{"event":"tracking_update","event_id":"e1","ts":1718608500,"msg":{` + fields + `}}`
	}
	tests = append(tests, []struct {
		name string
		body string
	}{
		{"event id over the limit", `{"event":"edd_revise","event_id":"` + long + `","ts":1718608500}`},
		{"tracking number over the limit", tracking(`"tracking_number":"` + long + `"`)},
		{"order id over the limit", tracking(`"tracking_number":"T1","order_id":"` + long + `"`)},
		{"order number over the limit", tracking(`"tracking_number":"T1","order_number":"` + long + `"`)},
		{"email over the limit", tracking(`"tracking_number":"T1","emails":["` + long + `@example.com"]`)},
		{"customer email over the limit", tracking(`"tracking_number":"T1","customers":[{"email":"` + long + `@example.com"}]`)},
	}...)
	p := aftership.New()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := p.Parse(merchantID, []byte(tt.body))
			if !errs.Is(err, errs.Invalid) {
				t.Errorf("Parse(%q) = %+v, %v; want an error of kind %s", tt.body, got, err, errs.Invalid)
			}
		})
	}
}

func TestParseCheckpointOrder(t *testing.T) {
	tests := []struct {
		name        string
		checkpoints string
		want        []string // messages, oldest first
	}{
		{"sorted by time across zones",
			`[{"checkpoint_time":"2024-06-14T09:00:00+02:00","message":"b"},{"checkpoint_time":"2024-06-14T08:30:00+02:00","message":"a"},{"checkpoint_time":"2024-06-14T03:30:00-05:00","message":"c"}]`,
			[]string{"a", "b", "c"}},
		{"kept as sent when a time does not parse",
			`[{"checkpoint_time":"2024-06-14T09:00:00+02:00","message":"b"},{"checkpoint_time":"","message":"a"}]`,
			[]string{"b", "a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := fmt.Sprintf(`{"event":"tracking_update","event_id":"e1","ts":1718608500,"msg":{"tracking_number":"T1","tag":"InTransit","checkpoints":%s}}`, tt.checkpoints)
			got, err := aftership.New().Parse(merchantID, []byte(body))
			if err != nil || len(got.Events) != 1 {
				t.Fatalf("Parse(%s) = %+v, %v; want one event", body, got, err)
			}
			var s events.Shipment
			if err := got.Events[0].Decode(&s); err != nil {
				t.Fatal(err)
			}
			var messages []string
			for _, cp := range s.Checkpoints {
				messages = append(messages, cp.Message)
			}
			if fmt.Sprint(messages) != fmt.Sprint(tt.want) {
				t.Errorf("Parse(%s) checkpoints = %v; want %v", body, messages, tt.want)
			}
		})
	}
}
