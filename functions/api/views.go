package api

import (
	"slices"
	"time"

	"github.com/borderdesk/borderdesk/events"
	"github.com/borderdesk/borderdesk/shared/dynamo"
	"github.com/borderdesk/borderdesk/shared/inbound"
	"github.com/borderdesk/borderdesk/shared/merchant"
	"github.com/borderdesk/borderdesk/shared/ticket"
)

// The JSON the API answers with. These are the API's contract (openapi.json describes them);
// stored shapes may change without changing these.

// Me is the caller. ID is who they are (the token's sub); Email is the agent record's, else
// the token's.
type Me struct {
	ID       string       `json:"id"`
	Email    string       `json:"email"`
	Name     string       `json:"name,omitempty"`
	Role     string       `json:"role"`
	Language string       `json:"language,omitempty"`
	Merchant MerchantView `json:"merchant"`
}

// MerchantView is a merchant without its secrets.
type MerchantView struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	TimeZone string `json:"time_zone,omitempty"`
}

// AgentList is the merchant's agents, for assigning.
type AgentList struct {
	Agents []AgentView `json:"agents"`
}

// AgentView is an agent as colleagues see them. ID is what assignees, timeline authors and
// the assignee filter name.
type AgentView struct {
	ID       string `json:"id"`
	Email    string `json:"email"`
	Name     string `json:"name"`
	Role     string `json:"role"`
	Language string `json:"language,omitempty"`
}

// TicketList is a page of the inbox.
type TicketList struct {
	Tickets    []TicketSummary `json:"tickets"`
	NextCursor string          `json:"next_cursor,omitempty"`
}

// TicketSummary is a ticket as the inbox shows it.
type TicketSummary struct {
	ID      string `json:"id"`
	Subject string `json:"subject"` // in English
	// SubjectRef is what the subject names, so a console can word it in the agent's language.
	SubjectRef ticket.Ref      `json:"subject_ref"`
	Status     ticket.Status   `json:"status"`
	Category   ticket.Category `json:"category"`
	Priority   ticket.Priority `json:"priority"`
	Customer   events.Customer `json:"customer"`
	OrderID    string          `json:"order_id,omitempty"`
	// Assignee is the assigned agent's id; AssigneeName and AssigneeEmail show them (absent
	// when the agent has no record any more).
	Assignee      string   `json:"assignee,omitempty"`
	AssigneeName  string   `json:"assignee_name,omitempty"`
	AssigneeEmail string   `json:"assignee_email,omitempty"`
	Language      string   `json:"language,omitempty"`
	Tags          []string `json:"tags"`
	// FollowUpOf is the closed ticket this one follows up on.
	FollowUpOf string `json:"follow_up_of,omitempty"`
	// Unread: the caller has not opened the ticket since its last activity (lists only).
	Unread    bool      `json:"unread"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// Version grows with every change to the ticket. With ID it makes the ETag GET and PATCH
	// answer, "<id>.<version>", which PATCH's If-Match takes.
	Version int64 `json:"version"`
}

// TicketDetail is one ticket with its timeline and context.
type TicketDetail struct {
	TicketSummary
	// MergedFrom are the tickets merged into this one; their timelines are in Timeline.
	MergedFrom []string `json:"merged_from"`
	// Contacts are the other people the ticket's events named (billing contact, recipient).
	Contacts []events.Customer `json:"contacts"`
	Context  Context           `json:"context"`
	Timeline []EntryView       `json:"timeline"`
	Messages []EntryView       `json:"messages"`
}

// Context is what the agent needs beside the conversation, all from stored events.
type Context struct {
	Order    *OrderView    `json:"order,omitempty"`
	Payment  *PaymentView  `json:"payment,omitempty"`
	Shipment *ShipmentView `json:"shipment,omitempty"`
}

// OrderView is the order a ticket is about.
type OrderView struct {
	ID string `json:"id"`
}

// PaymentView is the latest state of the ticket's payment.
type PaymentView struct {
	PaymentID     string          `json:"payment_id"`
	ChargeID      string          `json:"charge_id,omitempty"`
	Status        string          `json:"status"`
	Amount        events.Money    `json:"amount"`
	DeclineCode   string          `json:"decline_code,omitempty"`
	DeclineReason string          `json:"decline_reason,omitempty"` // in plain words
	Dispute       *events.Dispute `json:"dispute,omitempty"`
	Refund        *events.Refund  `json:"refund,omitempty"`
	LastEvent     string          `json:"last_event"`
	AsOf          time.Time       `json:"as_of"`
}

// ShipmentView is the latest state of the ticket's shipment.
type ShipmentView struct {
	Carrier          string              `json:"carrier"`
	TrackingNumber   string              `json:"tracking_number"`
	Status           string              `json:"status"`
	SubStatusMessage string              `json:"sub_status_message,omitempty"`
	ExpectedDelivery string              `json:"expected_delivery,omitempty"`
	Checkpoints      []events.Checkpoint `json:"checkpoints"`
	AsOf             time.Time           `json:"as_of"`
}

// EntryView is a timeline line.
type EntryView struct {
	ID        string    `json:"id"`
	Kind      string    `json:"kind"`
	At        time.Time `json:"at"`
	EventType string    `json:"event_type,omitempty"`
	// Author is an agent's id (reply, note, status) or the customer's email (customer);
	// AuthorName and AuthorEmail show an agent author.
	Author      string `json:"author,omitempty"`
	AuthorName  string `json:"author_name,omitempty"`
	AuthorEmail string `json:"author_email,omitempty"`
	Body        string `json:"body"`
	// Params are the facts behind a system or status line (amount in minor units, currency,
	// decline_code, carrier, status, assignee, tags, …), for wording it in the agent's language.
	Params map[string]string `json:"params,omitempty"`
	// Channel is how a customer entry came in: "email" or "web".
	Channel string `json:"channel,omitempty"`
	// Email is what a customer entry that came by email carries beside its text.
	Email *EmailView `json:"email,omitempty"`
	// Delivery is where a reply's email stands (reply entries only).
	Delivery *DeliveryView `json:"delivery,omitempty"`
}

// EmailView is a customer's email beside its new text (Body): what was folded away, its
// sanitised HTML, what it brought and what the receiving side thought of it. Threading
// headers and where attachments are stored stay inside.
type EmailView struct {
	// Subject is the mail's subject line. Entries do not keep one of their own: it is set on
	// the entry whose subject became the ticket's topic, and absent on the others.
	Subject string `json:"subject,omitempty"`
	// Quoted is the earlier text the customer's client quoted and their signature, as plain
	// text.
	Quoted string `json:"quoted,omitempty"`
	// HTML is the new text's HTML part as intake sanitised it (bluemonday), sanitised again
	// on the way out (inbound.SanitizeHTML).
	HTML        string           `json:"html,omitempty"`
	Attachments []AttachmentView `json:"attachments,omitempty"`
	// Trust is the receiving side's verdicts: {} when nobody checked (the local listener).
	Trust events.Trust `json:"trust"`
}

// AttachmentView is a file a mail brought. One with Refused was not kept and cannot be
// downloaded; the others can, through GET /tickets/{id}/attachments/{attachmentId}.
type AttachmentView struct {
	// ID names the attachment within its ticket: the entry's id and the mail's own
	// attachment id ("1", "2", … per mail, so two mails on one ticket both have a "1").
	ID          string `json:"id"`
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	Refused     string `json:"refused,omitempty"`
}

// DeliveryView is where a reply's email stands: queued (not tried yet), sending, sent,
// delivered, delayed, bounced, complained or failed; Reason says why in plain words when it
// did not (or not yet) arrive, At since when it is in State.
type DeliveryView struct {
	State  string     `json:"state"`
	Reason string     `json:"reason,omitempty"`
	At     *time.Time `json:"at,omitempty"`
}

// DeliveryQueued is the state of a reply whose send has not been tried: it has no send
// marker yet.
const DeliveryQueued = "queued"

// AttachmentLink is a short-lived link that downloads one attachment.
type AttachmentLink struct {
	URL         string    `json:"url"`
	ExpiresAt   time.Time `json:"expires_at"`
	Filename    string    `json:"filename"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
}

// agentDirectory is a merchant's agents by id.
type agentDirectory map[string]merchant.Agent

func summary(t ticket.Ticket, dir agentDirectory) TicketSummary {
	s := TicketSummary{
		ID: t.ID, Subject: t.Subject(), SubjectRef: t.SubjectRef(), Status: t.Status, Category: t.Category, Priority: t.Priority,
		Customer: t.Customer, OrderID: t.OrderID, Assignee: t.Assignee, Language: t.Language, Tags: t.Tags,
		FollowUpOf: t.FollowUpOf, CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt, Version: t.Version,
	}
	if s.Tags == nil {
		s.Tags = []string{}
	}
	if a, ok := dir[t.Assignee]; ok && t.Assignee != "" {
		s.AssigneeName, s.AssigneeEmail = a.Name, a.Email
	}
	return s
}

// detail is t with its timeline; deliveries are its replies' send markers by entry id (nil
// when they could not be read: replies then show no delivery at all rather than a wrong one).
func detail(t ticket.Ticket, entries []ticket.Entry, dir agentDirectory, deliveries map[string]dynamo.Delivery) TicketDetail {
	d := TicketDetail{
		TicketSummary: summary(t, dir), MergedFrom: slices.Clone(t.Absorbed), Contacts: slices.Clone(t.Contacts),
		Timeline: []EntryView{}, Messages: []EntryView{},
	}
	if d.MergedFrom == nil {
		d.MergedFrom = []string{}
	}
	if d.Contacts == nil {
		d.Contacts = []events.Customer{}
	}
	if t.OrderID != "" {
		d.Context.Order = &OrderView{ID: t.OrderID}
	}
	if p := t.Payment; p != nil {
		d.Context.Payment = &PaymentView{
			PaymentID: p.PaymentID, ChargeID: p.ChargeID, Status: p.Status, Amount: p.Amount,
			DeclineCode: p.DeclineCode, DeclineReason: ticket.DeclineReason(p.DeclineCode),
			Dispute: p.Dispute, Refund: p.Refund, LastEvent: string(p.Event), AsOf: p.AsOf,
		}
		if d.Context.Payment.DeclineReason == "" {
			d.Context.Payment.DeclineReason = p.FailureMessage
		}
	}
	if s := t.Shipment; s != nil {
		d.Context.Shipment = &ShipmentView{
			Carrier: s.Carrier, TrackingNumber: s.TrackingNumber, Status: s.Status, SubStatusMessage: s.SubStatusMessage,
			ExpectedDelivery: s.ExpectedDelivery, Checkpoints: s.Checkpoints, AsOf: s.AsOf,
		}
		if d.Context.Shipment.Checkpoints == nil {
			d.Context.Shipment.Checkpoints = []events.Checkpoint{}
		}
	}
	for _, e := range entries {
		v := entryView(e, dir)
		if v.Email != nil && e.ID == t.TopicAt.ID {
			v.Email.Subject = t.Topic
		}
		if e.Kind == ticket.EntryReply && deliveries != nil {
			v.Delivery = deliveryView(deliveries[e.ID])
		}
		d.Timeline = append(d.Timeline, v)
		if e.IsMessage() {
			d.Messages = append(d.Messages, v)
		}
	}
	return d
}

func entryView(e ticket.Entry, dir agentDirectory) EntryView {
	v := EntryView{ID: e.ID, Kind: string(e.Kind), At: e.At, EventType: string(e.EventType), Author: e.Author, Body: e.Body, Params: e.Params}
	if e.Kind == ticket.EntryCustomer {
		v.Channel, v.Email = e.Channel, emailView(e.ID, e.Email)
	}
	if e.Kind != ticket.EntryCustomer && e.Author != "" {
		if a, ok := dir[e.Author]; ok {
			v.AuthorName, v.AuthorEmail = a.Name, a.Email
		}
	}
	return v
}

// emailView is m, the mail of entry entryID, as the console shows it; nil for an entry that
// did not come by email.
func emailView(entryID string, m *events.EmailMeta) *EmailView {
	if m == nil {
		return nil
	}
	v := &EmailView{Quoted: m.Quoted, HTML: inbound.SanitizeHTML(m.HTML), Trust: m.Trust}
	for _, a := range m.Attachments {
		v.Attachments = append(v.Attachments, AttachmentView{ID: attachmentID(entryID, a.ID), Filename: a.Filename, ContentType: a.ContentType, Size: a.Size, Refused: a.Refused})
	}
	return v
}

// deliveryView is a reply's delivery from its send marker; the zero Delivery (no marker) is
// a reply not tried yet.
func deliveryView(d dynamo.Delivery) *DeliveryView {
	if d.State == "" {
		return &DeliveryView{State: DeliveryQueued}
	}
	v := &DeliveryView{State: d.State, Reason: d.Reason}
	if !d.At.IsZero() {
		at := d.At.UTC()
		v.At = &at
	}
	return v
}

// attachmentID is the ticket-wide id of attachment id of entry entryID's mail.
func attachmentID(entryID, id string) string { return entryID + "." + id }
