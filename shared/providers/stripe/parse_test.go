package stripe_test

import (
	"flag"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/borderdesk/borderdesk/events"
	"github.com/borderdesk/borderdesk/shared/errs"
	"github.com/borderdesk/borderdesk/shared/providers/provider"
	"github.com/borderdesk/borderdesk/shared/providers/providertest"
	"github.com/borderdesk/borderdesk/shared/providers/stripe"
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
		{"payment_intent.payment_failed", events.PaymentFailed},
		{"payment_intent.succeeded", events.PaymentSucceeded},
		{"charge.failed", events.PaymentFailed},
		{"charge.dispute.created", events.PaymentDisputeOpened},
		{"charge.dispute.closed", events.PaymentDisputeClosed},
		{"charge.refunded", events.PaymentRefunded},
		{"charge.refunded.listed", events.PaymentRefunded},
		{"refund.updated", events.PaymentRefundUpdated},
	}
	p := stripe.New()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			providertest.ParseGolden(t, p, tt.name, tt.want, *update)
		})
	}
}

func TestParseUnhandled(t *testing.T) {
	body, err := os.ReadFile("testdata/customer.created.json")
	if err != nil {
		t.Fatal(err)
	}
	got, err := stripe.New().Parse(merchantID, body)
	want := provider.Parsed{
		EventID:    "evt_1PQ7zRJw4nXb0aZtDx4Hk8Ls",
		Type:       "customer.created",
		OccurredAt: time.Unix(1718029911, 0).UTC(),
	}
	if err != nil || got.EventID != want.EventID || got.Type != want.Type ||
		!got.OccurredAt.Equal(want.OccurredAt) || len(got.Events) != 0 {
		t.Errorf("Parse(customer.created) = %+v, %v; want %+v, nil", got, err, want)
	}
}

func TestParseInvalid(t *testing.T) {
	tests := []struct {
		name string
		body string
	}{
		{"not JSON", `{"id": "evt_1", "type": `},
		{"not an object", `["evt_1"]`},
		{"no id", `{"object":"event","type":"charge.failed","created":1718034410,"data":{"object":{"id":"ch_1"}}}`},
		{"no type", `{"id":"evt_1","object":"event","created":1718034410,"data":{"object":{"id":"ch_1"}}}`},
		{"no created", `{"id":"evt_1","object":"event","type":"charge.failed","data":{"object":{"id":"ch_1"}}}`},
		// JSON and RFC 3339 have four-digit years: a time outside them cannot be published.
		{"created after year 9999", `{"id":"evt_1","object":"event","type":"charge.failed","created":253402300800,"data":{"object":{"id":"ch_1"}}}`},
		{"created far after year 9999", `{"id":"evt_1","object":"event","type":"customer.created","created":9223372036854775807,"data":{"object":{"id":"cus_1"}}}`},
		{"created before 1970", `{"id":"evt_1","object":"event","type":"charge.failed","created":-1,"data":{"object":{"id":"ch_1"}}}`},
		{"created before year 0", `{"id":"evt_1","object":"event","type":"charge.failed","created":-62167219201,"data":{"object":{"id":"ch_1"}}}`},
		{"no data.object", `{"id":"evt_1","object":"event","type":"charge.failed","created":1718034410,"data":{}}`},
		{"null data.object", `{"id":"evt_1","object":"event","type":"refund.updated","created":1718034410,"data":{"object":null}}`},
		{"object without id", `{"id":"evt_1","object":"event","type":"charge.dispute.created","created":1718034410,"data":{"object":{"object":"dispute","amount":100}}}`},
		{"object of the wrong shape", `{"id":"evt_1","object":"event","type":"charge.refunded","created":1718034410,"data":{"object":{"id":"ch_1","amount":"lots"}}}`},
	}
	// Ids become table keys, which DynamoDB caps at 2,048 bytes: absurd ones are refused.
	long := strings.Repeat("x", provider.MaxIDBytes+1)
	charge := func(field string) string {
		return `{"id":"evt_1","object":"event","type":"charge.failed","created":1718034410,"data":{"object":{"id":"ch_1",` + field + `}}}`
	}
	tests = append(tests, []struct {
		name string
		body string
	}{
		{"event id over the limit", `{"id":"evt_` + long + `","object":"event","type":"customer.created","created":1718034410,"data":{"object":{"id":"cus_1"}}}`},
		{"charge id over the limit", `{"id":"evt_1","object":"event","type":"charge.failed","created":1718034410,"data":{"object":{"id":"ch_` + long + `"}}}`},
		{"payment intent over the limit", charge(`"payment_intent":"pi_` + long + `"`)},
		{"order id over the limit", charge(`"metadata":{"order_id":"` + long + `"}`)},
		{"email over the limit", charge(`"billing_details":{"email":"` + long + `@example.com"}`)},
		{"dispute id over the limit", `{"id":"evt_1","object":"event","type":"charge.dispute.created","created":1718034410,"data":{"object":{"id":"dp_` + long + `","charge":"ch_1"}}}`},
		{"refund id over the limit", `{"id":"evt_1","object":"event","type":"refund.updated","created":1718034410,"data":{"object":{"id":"re_` + long + `","charge":"ch_1"}}}`},
	}...)
	p := stripe.New()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := p.Parse(merchantID, []byte(tt.body))
			if !errs.Is(err, errs.Invalid) {
				t.Errorf("Parse(%q) = %+v, %v; want an error of kind %s", tt.body, got, err, errs.Invalid)
			}
		})
	}
}

// TestParseExpandedReferences: an expanded reference yields the same ids as a plain one.
func TestParseExpandedReferences(t *testing.T) {
	body := []byte(`{"id":"evt_1","object":"event","type":"refund.updated","created":1718034410,
		"data":{"object":{"id":"re_1","object":"refund","amount":500,"currency":"usd","status":"succeeded",
		"charge":{"id":"ch_1","object":"charge"},"payment_intent":{"id":"pi_1","object":"payment_intent"}}}}`)
	got, err := stripe.New().Parse(merchantID, body)
	if err != nil || len(got.Events) != 1 {
		t.Fatalf("Parse(%q) = %+v, %v; want one event", body, got, err)
	}
	var data events.Payment
	if err := got.Events[0].Decode(&data); err != nil {
		t.Fatal(err)
	}
	if data.PaymentID != "pi_1" || data.ChargeID != "ch_1" {
		t.Errorf("Parse(%q) payment_id, charge_id = %q, %q; want %q, %q", body, data.PaymentID, data.ChargeID, "pi_1", "ch_1")
	}
}
