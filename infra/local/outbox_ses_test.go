package local

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/borderdesk/borderdesk/shared/mail"
	"github.com/borderdesk/borderdesk/shared/ses"
)

// busRecorder records what the SES stand-in publishes.
type busRecorder struct {
	published []string
	events    []ses.Event
	err       error
}

func (b *busRecorder) PublishAWS(_ context.Context, source, detailType string, detail json.RawMessage) error {
	if b.err != nil {
		return b.err
	}
	ev, err := ses.ParseEvent(detail)
	if err != nil {
		return err
	}
	b.published = append(b.published, source+" "+detailType)
	b.events = append(b.events, ev)
	return nil
}

func TestSESStandIn(t *testing.T) {
	at := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	ref := ses.Ref{MerchantID: "demo", TicketID: "tk_1", EntryID: "en:1"}
	tests := []struct {
		to       string
		want     string // the detail-types published, in order
		delivery string
		check    func([]ses.Event) bool
	}{
		{"jonas@example.de", "[aws.ses Email Sent aws.ses Email Delivered]", "delivered", func(evs []ses.Event) bool {
			return evs[1].Delivery.Recipients[0] == "jonas@example.de"
		}},
		{"bounce@simulator.amazonses.com", "[aws.ses Email Sent aws.ses Email Bounced]", "bounced", func(evs []ses.Event) bool {
			b := evs[1].Bounce
			return b.BounceType == "Permanent" && b.BounceSubType == "General" && b.BouncedRecipients[0].Status == "5.1.1" &&
				b.BouncedRecipients[0].DiagnosticCode == "smtp; 550 5.1.1 user unknown"
		}},
		{"Bounce+label@Simulator.AmazonSES.com", "[aws.ses Email Sent aws.ses Email Bounced]", "bounced", func([]ses.Event) bool { return true }},
		{"complaint@simulator.amazonses.com", "[aws.ses Email Sent aws.ses Email Delivered aws.ses Email Complaint Received]", "complained", func(evs []ses.Event) bool {
			return evs[2].Complaint.ComplainedRecipients[0].EmailAddress == "complaint@simulator.amazonses.com"
		}},
		{"suppressionlist@simulator.amazonses.com", "[aws.ses Email Sent aws.ses Email Bounced]", "bounced", func(evs []ses.Event) bool {
			return evs[1].Bounce.BounceType == "Permanent" && evs[1].Bounce.BounceSubType == "OnAccountSuppressionList"
		}},
	}
	for _, tc := range tests {
		t.Run(tc.to, func(t *testing.T) {
			bus := &busRecorder{}
			o := NewMailOutbox(func() time.Time { return at }, "", slog.New(slog.NewTextHandler(io.Discard, nil)))
			m := mail.Message{TicketID: "tk_1", From: mail.Address{Address: "support@demo.test"}, To: mail.Address{Address: tc.to},
				Subject: "Re: Hallo", MessageID: "<reply-en_1@demo.test>", Date: at, Text: "Hallo"}
			id, err := o.SES(bus).Send(context.Background(), m, ref)
			if err != nil {
				t.Fatalf("Send = %v", err)
			}
			if got := fmt.Sprint(bus.published); got != tc.want || !tc.check(bus.events) {
				t.Errorf("published %s %+v; want %s", got, bus.events, tc.want)
			}
			for _, ev := range bus.events {
				if r, err := ev.Ref(); err != nil || r != ref || ev.Mail.MessageID != id || ev.Mail.Destination[0] != tc.to {
					t.Errorf("event %s about %s to %v tagged %+v, %v; want mail %s to %s tagged %+v", ev.EventType, ev.Mail.MessageID, ev.Mail.Destination, r, err, id, tc.to, ref)
				}
			}
			if sent := o.Sent(); len(sent) != 1 || sent[0].ID != id || sent[0].Delivery != tc.delivery {
				t.Errorf("outbox %+v; want the mail, delivery %s", sent, tc.delivery)
			}
		})
	}
	// A bus that refuses the events does not unsend the mail.
	o := NewMailOutbox(func() time.Time { return at }, "", slog.New(slog.NewTextHandler(io.Discard, nil)))
	if _, err := o.SES(&busRecorder{err: fmt.Errorf("bus down")}).Send(context.Background(), mail.Message{From: mail.Address{Address: "a@b.test"}, To: mail.Address{Address: "c@d.test"}, MessageID: "<x@b.test>", Date: at}, ref); err != nil || len(o.Sent()) != 1 {
		t.Errorf("Send with a bus that refuses = %v, outbox %d; want sent and kept", err, len(o.Sent()))
	}
}
