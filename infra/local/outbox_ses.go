package local

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/borderdesk/borderdesk/functions/notify"
	"github.com/borderdesk/borderdesk/shared/dynamo"
	"github.com/borderdesk/borderdesk/shared/mail"
	"github.com/borderdesk/borderdesk/shared/ses"
)

// AWSPublisher puts an AWS service's event on the local bus, routed by the topology's
// AWSEvents (*queue.Bus).
type AWSPublisher interface {
	PublishAWS(ctx context.Context, source, detailType string, detail json.RawMessage) error
}

// SESStandIn is the outbox as notify's Sender, in place of SES with a configuration set: it
// keeps each mail in the outbox and then publishes on the bus the events SES would publish
// about it, tagged with the reply they carry, so `make dev` shows every delivery state.
// Ordinary addresses are sent and delivered. SES's mailbox simulator addresses behave as the
// SES developer guide documents them (labels such as bounce+1@… included):
//
//	bounce@simulator.amazonses.com           a hard bounce (Permanent, General; 550 5.1.1)
//	complaint@simulator.amazonses.com        delivered, then a complaint
//	suppressionlist@simulator.amazonses.com  a hard bounce, the address on the account's
//	                                         suppression list (Permanent, OnAccountSuppressionList)
type SESStandIn struct {
	outbox *MailOutbox
	bus    AWSPublisher
}

// SES returns the outbox as an SES stand-in publishing to bus.
func (o *MailOutbox) SES(bus AWSPublisher) *SESStandIn { return &SESStandIn{outbox: o, bus: bus} }

// The mailbox simulator's addresses.
const (
	SimulatorBounce          = "bounce@simulator.amazonses.com"
	SimulatorComplaint       = "complaint@simulator.amazonses.com"
	SimulatorSuppressionList = "suppressionlist@simulator.amazonses.com"
)

// Send keeps m and publishes its SES events. The mail counts as sent once it is kept: an
// event the bus refuses is logged, as EventBridge's delivery of SES events is best effort.
func (s *SESStandIn) Send(ctx context.Context, m mail.Message, ref ses.Ref) (string, error) {
	tags, err := ref.Tags()
	if err != nil {
		return "", fmt.Errorf("%w: %w", mail.ErrRefused, err)
	}
	now := s.outbox.now().UTC()
	evs := simulate(m.To.Address, now)
	id, err := s.outbox.keep(m, outcome(evs))
	if err != nil {
		return "", err
	}
	mo := ses.Mail{
		Timestamp: now, Source: m.From.Address, SendingAccountID: "000000000000", MessageID: id,
		Destination: []string{m.To.Address}, Tags: map[string][]string{"ses:configuration-set": {"local"}},
	}
	for _, t := range tags {
		mo.Tags[aws.ToString(t.Name)] = []string{aws.ToString(t.Value)}
	}
	for _, ev := range evs {
		ev.Mail = mo
		detail, err := json.Marshal(ev)
		if err == nil {
			err = s.bus.PublishAWS(ctx, ses.Source, ses.DetailTypes[ev.EventType], detail)
		}
		if err != nil {
			s.outbox.log.Warn("SES stand-in could not publish a delivery event", "event_type", ev.EventType, "ticket_id", ref.TicketID, "err", err.Error())
		}
	}
	return id, nil
}

// simulate is what SES reports about a mail to address sent at now.
func simulate(address string, now time.Time) []ses.Event {
	sent := ses.Event{EventType: ses.EventSend, Send: &struct{}{}}
	delivered := ses.Event{EventType: ses.EventDelivery, Delivery: &ses.Delivery{
		Timestamp: now.Add(time.Second), ProcessingTimeMillis: 1000, Recipients: []string{address},
		SMTPResponse: "250 2.6.0 Message received", ReportingMTA: "a1-1.smtp-out.local.amazonses.com",
	}}
	bounce := func(subType, diagnostic string) ses.Event {
		return ses.Event{EventType: ses.EventBounce, Bounce: &ses.Bounce{
			BounceType: ses.BouncePermanent, BounceSubType: subType, Timestamp: now.Add(time.Second),
			FeedbackID: "local-feedback", ReportingMTA: "dsn; a1-1.smtp-out.local.amazonses.com",
			BouncedRecipients: []ses.Recipient{{EmailAddress: address, Action: "failed", Status: "5.1.1", DiagnosticCode: diagnostic}},
		}}
	}
	// The simulator takes labels: bounce+anything@simulator.amazonses.com bounces too.
	local, domain, _ := strings.Cut(strings.ToLower(address), "@")
	local, _, _ = strings.Cut(local, "+")
	switch local + "@" + domain {
	case SimulatorBounce:
		return []ses.Event{sent, bounce("General", "smtp; 550 5.1.1 user unknown")}
	case SimulatorSuppressionList:
		return []ses.Event{sent, bounce("OnAccountSuppressionList",
			"Amazon SES did not send the message to this address because it is on the suppression list for your account.")}
	case SimulatorComplaint:
		return []ses.Event{sent, delivered, {EventType: ses.EventComplaint, Complaint: &ses.Complaint{
			ComplainedRecipients: []ses.Recipient{{EmailAddress: address}}, Timestamp: now.Add(2 * time.Second),
			FeedbackID: "local-feedback", ComplaintFeedbackType: "abuse",
		}}}
	}
	return []ses.Event{sent, delivered}
}

// outcome is the delivery state evs leave a reply's marker in, by notify's own ordering
// rule (notify.Next): what GET /dev/outbox shows is what the console will.
func outcome(evs []ses.Event) string {
	d := dynamo.Delivery{State: dynamo.SendClaimed}
	for _, ev := range evs {
		d, _ = notify.Next(d, ev)
	}
	return d.State
}
