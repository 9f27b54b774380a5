package ses

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	lambdaevents "github.com/aws/aws-lambda-go/events"

	"github.com/borderdesk/borderdesk/events"
)

// The testdata are EventBridge envelopes of SES events as a configuration set with an
// EventBridge destination publishes them, one per event type notify follows.
func TestParseEvent(t *testing.T) {
	tests := []struct {
		file, detailType, eventType string
		at                          string
		check                       func(Event) bool
	}{
		{"sent.json", "Email Sent", EventSend, "2026-12-02T09:00:00.12Z", func(e Event) bool { return e.Send != nil }},
		{"delivered.json", "Email Delivered", EventDelivery, "2026-12-02T09:00:01.734Z", func(e Event) bool {
			return e.Delivery.Recipients[0] == "jonas@example.de" && e.Delivery.SMTPResponse != ""
		}},
		{"bounced.json", "Email Bounced", EventBounce, "2026-12-02T09:00:02.112Z", func(e Event) bool {
			r := e.Bounce.BouncedRecipients[0]
			return e.Bounce.BounceType == BouncePermanent && e.Bounce.BounceSubType == "General" && r.Status == "5.1.1" && r.DiagnosticCode != ""
		}},
		{"bounced-transient.json", "Email Bounced", EventBounce, "2026-12-03T09:00:02.112Z", func(e Event) bool {
			return e.Bounce.BounceType == BounceTransient && e.Bounce.BounceSubType == "MailboxFull"
		}},
		{"complaint.json", "Email Complaint Received", EventComplaint, "2026-12-02T10:15:00Z", func(e Event) bool {
			return e.Complaint.ComplainedRecipients[0].EmailAddress == "jonas@example.de" && e.Complaint.ComplaintFeedbackType == "abuse"
		}},
		{"rejected.json", "Email Rejected", EventReject, "2026-12-02T09:00:00.12Z", func(e Event) bool { return e.Reject.Reason == "Bad content" }},
		{"rendering-failed.json", "Email Rendering Failed", EventRenderingFailure, "2026-12-02T09:00:00.12Z", func(e Event) bool {
			return e.Failure.ErrorMessage != ""
		}},
		{"delayed.json", "Email Delivery Delayed", EventDeliveryDelay, "2026-12-02T09:30:00Z", func(e Event) bool {
			return e.DeliveryDelay.DelayType == "MailboxFull" && !e.DeliveryDelay.ExpirationTime.IsZero()
		}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("testdata", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			var env lambdaevents.CloudWatchEvent
			if err := json.Unmarshal(b, &env); err != nil {
				t.Fatal(err)
			}
			if env.Source != Source || env.DetailType != tc.detailType {
				t.Errorf("envelope %s %q; want %s %q", env.Source, env.DetailType, Source, tc.detailType)
			}
			ev, err := ParseEvent(env.Detail)
			if err != nil {
				t.Fatalf("ParseEvent = %v", err)
			}
			at, _ := time.Parse(time.RFC3339Nano, tc.at)
			if ev.EventType != tc.eventType || !ev.At().Equal(at) || ev.Mail.MessageID != "0100018c-ses-1" || !tc.check(ev) {
				t.Errorf("ParseEvent = %s at %v %+v; want %s at %v", ev.EventType, ev.At(), ev, tc.eventType, at)
			}
			if r, err := ev.Ref(); err != nil || r != (Ref{MerchantID: "demo", TicketID: "tk_1", EntryID: "en_1"}) {
				t.Errorf("Ref = %+v, %v; want demo's tk_1/en_1", r, err)
			}
		})
	}
	for _, bad := range []string{`{`, `{"mail":{"messageId":"x"}}`, `{"eventType":"Bounce","mail":{}}`} {
		if _, err := ParseEvent([]byte(bad)); err == nil {
			t.Errorf("ParseEvent(%s) = nil; want an error", bad)
		}
	}
}

// Every event type notify follows has the detail-type the topology routes.
func TestDetailTypes(t *testing.T) {
	for typ, dt := range DetailTypes {
		if !slices.Contains(events.SESDeliveryEvents.DetailTypes, dt) {
			t.Errorf("DetailTypes[%s] = %q; not among the topology's SES events %v", typ, dt, events.SESDeliveryEvents.DetailTypes)
		}
	}
	if len(DetailTypes) != len(events.SESDeliveryEvents.DetailTypes) {
		t.Errorf("%d detail-types; the topology routes %d", len(DetailTypes), len(events.SESDeliveryEvents.DetailTypes))
	}
}
