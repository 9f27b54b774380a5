package ses

import (
	"encoding/json"
	"time"

	"github.com/borderdesk/borderdesk/shared/errs"
)

// Source is the EventBridge source of SES's events.
const Source = "aws.ses"

// SES's event types, as the detail's eventType names them (EventBridge's detail-types say
// the same in other words: "Email Bounced" is a Bounce).
const (
	EventSend             = "Send"
	EventDelivery         = "Delivery"
	EventBounce           = "Bounce"
	EventComplaint        = "Complaint"
	EventReject           = "Reject"
	EventRenderingFailure = "Rendering Failure"
	EventDeliveryDelay    = "DeliveryDelay"
)

// DetailTypes are the EventBridge detail-types of the event types, as SES publishes them
// (EventBridge's event reference for Amazon SES).
var DetailTypes = map[string]string{
	EventSend:             "Email Sent",
	EventDelivery:         "Email Delivered",
	EventBounce:           "Email Bounced",
	EventComplaint:        "Email Complaint Received",
	EventReject:           "Email Rejected",
	EventRenderingFailure: "Email Rendering Failed",
	EventDeliveryDelay:    "Email Delivery Delayed",
}

// Bounce types and the subtypes notify puts in words.
const (
	BouncePermanent    = "Permanent"
	BounceTransient    = "Transient"
	BounceUndetermined = "Undetermined"
)

// Event is an SES email sending event, the detail of its EventBridge envelope (the same
// record SES publishes to SNS and Firehose). Only the object its EventType names is set.
type Event struct {
	EventType     string         `json:"eventType"`
	Mail          Mail           `json:"mail"`
	Send          *struct{}      `json:"send,omitempty"`
	Delivery      *Delivery      `json:"delivery,omitempty"`
	Bounce        *Bounce        `json:"bounce,omitempty"`
	Complaint     *Complaint     `json:"complaint,omitempty"`
	Reject        *Reject        `json:"reject,omitempty"`
	Failure       *Failure       `json:"failure,omitempty"`
	DeliveryDelay *DeliveryDelay `json:"deliveryDelay,omitempty"`
}

// Mail is the message an event is about.
type Mail struct {
	Timestamp        time.Time           `json:"timestamp"`
	Source           string              `json:"source"`
	SendingAccountID string              `json:"sendingAccountId,omitempty"`
	MessageID        string              `json:"messageId"`
	Destination      []string            `json:"destination"`
	Tags             map[string][]string `json:"tags,omitempty"`
}

// Delivery: the recipient's mail server accepted the message.
type Delivery struct {
	Timestamp            time.Time `json:"timestamp"`
	ProcessingTimeMillis int64     `json:"processingTimeMillis,omitempty"`
	Recipients           []string  `json:"recipients"`
	SMTPResponse         string    `json:"smtpResponse,omitempty"`
	ReportingMTA         string    `json:"reportingMTA,omitempty"`
}

// Bounce: the message could not be delivered.
type Bounce struct {
	BounceType        string      `json:"bounceType"`
	BounceSubType     string      `json:"bounceSubType"`
	BouncedRecipients []Recipient `json:"bouncedRecipients"`
	Timestamp         time.Time   `json:"timestamp"`
	FeedbackID        string      `json:"feedbackId,omitempty"`
	ReportingMTA      string      `json:"reportingMTA,omitempty"`
}

// Recipient is a recipient of a bounce or a delivery delay, with what the server said.
type Recipient struct {
	EmailAddress   string `json:"emailAddress"`
	Action         string `json:"action,omitempty"`
	Status         string `json:"status,omitempty"`
	DiagnosticCode string `json:"diagnosticCode,omitempty"`
}

// Complaint: the recipient marked the message as spam.
type Complaint struct {
	ComplainedRecipients  []Recipient `json:"complainedRecipients"`
	Timestamp             time.Time   `json:"timestamp"`
	FeedbackID            string      `json:"feedbackId,omitempty"`
	ComplaintSubType      *string     `json:"complaintSubType"`
	ComplaintFeedbackType string      `json:"complaintFeedbackType,omitempty"`
}

// Reject: SES accepted the message but did not send it (it found a virus).
type Reject struct {
	Reason string `json:"reason"`
}

// Failure: a template could not be rendered (templated sends only).
type Failure struct {
	ErrorMessage string `json:"errorMessage"`
	TemplateName string `json:"templateName,omitempty"`
}

// DeliveryDelay: the message could not be delivered yet; SES keeps trying until
// ExpirationTime.
type DeliveryDelay struct {
	Timestamp         time.Time   `json:"timestamp"`
	DelayType         string      `json:"delayType"`
	ExpirationTime    time.Time   `json:"expirationTime"`
	DelayedRecipients []Recipient `json:"delayedRecipients"`
	ReportingMTA      string      `json:"reportingMTA,omitempty"`
}

// ParseEvent decodes an SES event record. One without an event type or a message id is
// invalid.
func ParseEvent(detail []byte) (Event, error) {
	var ev Event
	if err := json.Unmarshal(detail, &ev); err != nil {
		return Event{}, errs.Wrap(errs.Invalid, err, "decode SES event")
	}
	if ev.EventType == "" || ev.Mail.MessageID == "" {
		return Event{}, errs.E(errs.Invalid, "SES event without an event type or a message id")
	}
	return ev, nil
}

// At is when the event happened: its own timestamp where it has one, else when SES
// accepted the message.
func (e Event) At() time.Time {
	var at time.Time
	switch {
	case e.Delivery != nil:
		at = e.Delivery.Timestamp
	case e.Bounce != nil:
		at = e.Bounce.Timestamp
	case e.Complaint != nil:
		at = e.Complaint.Timestamp
	case e.DeliveryDelay != nil:
		at = e.DeliveryDelay.Timestamp
	}
	if at.IsZero() {
		at = e.Mail.Timestamp
	}
	return at
}

// Ref is the reply the event's message carries, from its tags.
func (e Event) Ref() (Ref, error) { return RefFromTags(e.Mail.Tags) }
