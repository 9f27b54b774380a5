// Package ticket owns tickets: what a ticket is, how an event opens one or joins an open one,
// and how its state follows from the set of events it has seen — in any order.
package ticket

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/borderdesk/borderdesk/events"
)

// Status is where a ticket is in its life.
type Status string

// Statuses. Open and pending tickets take every event about them; a solved ticket is
// reopened by a new problem or a customer message; a closed one is final, and a new problem
// about it opens a follow-up (see Decide).
const (
	StatusOpen    Status = "open"    // needs an agent
	StatusPending Status = "pending" // waiting on the customer or a third party
	StatusSolved  Status = "solved"
	StatusClosed  Status = "closed"
	// StatusMerged: folded into another ticket (MergedInto); no inbox shows it, and every
	// link to it leads to the survivor.
	StatusMerged Status = "merged"
)

// Statuses lists every status, for validation.
var Statuses = []Status{StatusOpen, StatusPending, StatusSolved, StatusClosed}

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	for _, v := range Statuses {
		if s == v {
			return true
		}
	}
	return false
}

// Active reports whether a ticket in s is being worked: every event about it joins it.
func (s Status) Active() bool { return s == StatusOpen || s == StatusPending }

// Category says what a ticket is about.
type Category string

// Categories.
const (
	CategoryPaymentFailed     Category = "payment_failed"
	CategoryPayment           Category = "payment" // a payment went through: context, never a ticket of its own
	CategoryChargeback        Category = "chargeback"
	CategoryRefund            Category = "refund"
	CategoryShippingException Category = "shipping_exception"
	CategoryShippingDelay     Category = "shipping_delay"
	CategoryShipment          Category = "shipment"
	CategoryCustomerMessage   Category = "customer_message"
)

// Priority orders tickets by urgency; higher is more urgent.
type Priority string

// Priorities.
const (
	PriorityLow    Priority = "low"
	PriorityNormal Priority = "normal"
	PriorityHigh   Priority = "high"
	PriorityUrgent Priority = "urgent"
)

// Rank is p's order: low 1 … urgent 4; 0 for unknown.
func (p Priority) Rank() int {
	switch p {
	case PriorityLow:
		return 1
	case PriorityNormal:
		return 2
	case PriorityHigh:
		return 3
	case PriorityUrgent:
		return 4
	}
	return 0
}

// Rule is how one event type affects tickets.
type Rule struct {
	Category Category
	Priority Priority
	// Opens: the event opens a ticket when none is open for its key. Events that do not open
	// one (a refund notice, an ordinary tracking scan) only join an open ticket.
	Opens bool
}

// Rules maps every event ticketing consumes to its rule.
var Rules = map[events.DetailType]Rule{
	events.PaymentFailed:        {CategoryPaymentFailed, PriorityNormal, true},
	events.PaymentSucceeded:     {CategoryPayment, PriorityLow, false},
	events.PaymentDisputeOpened: {CategoryChargeback, PriorityUrgent, true},
	events.PaymentDisputeClosed: {CategoryChargeback, PriorityNormal, true},
	events.PaymentRefunded:      {CategoryRefund, PriorityLow, false},
	events.PaymentRefundUpdated: {CategoryRefund, PriorityLow, false},
	events.ShipmentException:    {CategoryShippingException, PriorityHigh, true},
	events.ShipmentDelayed:      {CategoryShippingDelay, PriorityNormal, true},
	events.ShipmentUpdated:      {CategoryShipment, PriorityLow, false},
	events.MessageReceived:      {CategoryCustomerMessage, PriorityNormal, true},
}

// Ticket is one case an agent works.
type Ticket struct {
	ID         string          `json:"id"`
	MerchantID string          `json:"-"`
	Status     Status          `json:"status"`
	Category   Category        `json:"category"`
	Priority   Priority        `json:"priority"`
	Customer   events.Customer `json:"customer"`
	OrderID    string          `json:"order_id,omitempty"`
	Payment    *Payment        `json:"payment,omitempty"`
	Shipment   *Shipment       `json:"shipment,omitempty"`
	Assignee   string          `json:"assignee,omitempty"` // an agent's id (merchant.Agent.ID), never an email
	Tags       []string        `json:"tags,omitempty"`     // sorted, unique
	// Language is the customer's language (BCP 47): what they told us, else a guess from
	// their country; Lang records which, so arrival order cannot change the choice.
	Language string `json:"language,omitempty"`
	Lang     Pick   `json:"lang"`
	// Topic is the subject line of the customer's earliest message that had one.
	Topic   string `json:"topic,omitempty"`
	TopicAt Pick   `json:"topic_at"`
	// CreatedAt is the time of the earliest event on the ticket; UpdatedAt the latest
	// activity (event or agent action).
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// Version increases with every write; the store uses it for optimistic locking.
	Version int64 `json:"version"`
	// Lead is the event that decides Category: the most urgent, then the earliest, then the
	// lowest id — an extreme over the set of events, so arrival order cannot change it.
	Lead Pick `json:"lead"`
	// References are every reference the ticket's events carried ("order:10482",
	// "payment:pi_…", "charge:ch_…", "dispute:dp_…", "tracking:…", "email:…"), sorted: an
	// event naming any of them joins this ticket.
	References []string `json:"references,omitempty"`
	// People are everyone the events named, by email, each with the picks behind their
	// fields; Customer is the best of them (see meet) and Contacts the others.
	People   []Person          `json:"people,omitempty"`
	Contacts []events.Customer `json:"contacts,omitempty"`
	// Country is the best country any event gave (CountryAt picks it): the customer's when
	// their own record has none.
	Country   string `json:"country,omitempty"`
	CountryAt Pick   `json:"country_at"`
	// MergedInto is the survivor this ticket was merged into (Status is StatusMerged then);
	// Absorbed are the tickets merged into this one, whose timelines it shows.
	MergedInto string   `json:"merged_into,omitempty"`
	Absorbed   []string `json:"absorbed,omitempty"`
	// FollowUpOf is the closed ticket this one follows up on.
	FollowUpOf string `json:"follow_up_of,omitempty"`
}

// Pick identifies the event that supplied a chosen value, so the choice is an extreme over
// the set of events: higher rank wins (for the language, the customer's own word, 2, beats a
// guess from their country, 1); among equals the earliest event wins, then the lowest id.
type Pick struct {
	Rank int       `json:"rank"`
	At   time.Time `json:"at"`
	ID   string    `json:"id"`
}

func (p Pick) better(o Pick) bool {
	if p.Rank != o.Rank {
		return p.Rank > o.Rank
	}
	if !p.At.Equal(o.At) {
		return p.At.Before(o.At)
	}
	return p.ID < o.ID
}

// Payment is the latest known state of the ticket's payment.
type Payment struct {
	events.Payment
	AsOf    time.Time         `json:"as_of"`
	EventID string            `json:"event_id"`
	Event   events.DetailType `json:"event"`
}

// Shipment is the latest known state of the ticket's shipment.
type Shipment struct {
	events.Shipment
	AsOf    time.Time `json:"as_of"`
	EventID string    `json:"event_id"`
}

// Ref is what a ticket is about, for its subject line: an order, a payment, a parcel or a
// customer — or, for a customer's message, the subject line they wrote (kind "topic").
type Ref struct {
	Kind  string `json:"kind"` // order, payment, parcel, customer, topic
	Value string `json:"value"`
}

// SubjectRef is the reference the subject line names.
func (t Ticket) SubjectRef() Ref {
	switch {
	case t.Topic != "" && t.Category == CategoryCustomerMessage:
		return Ref{"topic", t.Topic}
	case t.OrderID != "":
		return Ref{"order", t.OrderID}
	case t.Payment != nil:
		return Ref{"payment", t.Payment.PaymentID}
	case t.Shipment != nil:
		return Ref{"parcel", t.Shipment.TrackingNumber}
	}
	return Ref{"customer", t.Customer.Email}
}

// Subject is a one-line summary for the inbox, in English; consoles in other languages
// word it from Category and SubjectRef.
func (t Ticket) Subject() string {
	r := t.SubjectRef()
	if r.Kind == "topic" {
		return r.Value
	}
	ref := r.Value
	if r.Kind != "customer" {
		ref = r.Kind + " " + r.Value
	}
	switch t.Category {
	case CategoryPaymentFailed:
		return "Payment failed for " + ref
	case CategoryChargeback:
		return "Chargeback on " + ref
	case CategoryRefund:
		return "Refund on " + ref
	case CategoryPayment:
		return "Payment for " + ref
	case CategoryShippingException:
		return "Delivery problem with " + ref
	case CategoryShippingDelay:
		return "Late delivery of " + ref
	case CategoryShipment:
		return "Shipment update for " + ref
	default:
		return "Message about " + ref
	}
}

// EntryKind says who or what wrote a timeline entry.
type EntryKind string

// Entry kinds.
const (
	EntryEvent    EntryKind = "event"    // a system event (payment failed, parcel scanned)
	EntryCustomer EntryKind = "customer" // the customer wrote
	EntryReply    EntryKind = "reply"    // an agent wrote to the customer
	EntryNote     EntryKind = "note"     // an agent wrote for colleagues only
	EntryStatus   EntryKind = "status"   // an agent changed the status
)

// Entry is one line of a ticket's timeline. Author wrote it: an agent's id
// (merchant.Agent.ID) for replies, notes and status changes, the customer's email for what
// the customer wrote, nobody for system events.
type Entry struct {
	ID        string            `json:"id"`
	Kind      EntryKind         `json:"kind"`
	At        time.Time         `json:"at"`
	EventType events.DetailType `json:"event_type,omitempty"`
	Author    string            `json:"author,omitempty"`
	Body      string            `json:"body"` // in English; Params let a console word it otherwise
	Params    map[string]string `json:"params,omitempty"`
	// Channel is how a customer entry came in (events.ChannelWeb, events.ChannelEmail).
	Channel string `json:"channel,omitempty"`
	// Email is what a customer entry that came by email carries beside its text.
	Email *events.EmailMeta `json:"email,omitempty"`
}

// IsMessage reports whether e is a message between people rather than a system line.
func (e Entry) IsMessage() bool {
	return e.Kind == EntryCustomer || e.Kind == EntryReply || e.Kind == EntryNote
}

// Fact is what an event tells ticketing, decoded from its data.
type Fact struct {
	Event events.Event
	Rule  Rule
	// Refs are the references the event carries (see References), sorted: it joins the
	// ticket that holds any of them.
	Refs     []string
	OrderID  string
	Customer events.Customer
	// Role is who Customer is to the shop: the person who writes beats the parcel's
	// recipient, who beats the billing contact.
	Role     int
	Payment  *events.Payment
	Shipment *events.Shipment
	Message  *events.Message
	// ArrivedAt is when ticketing took the event: the ticket's activity time, so a late
	// webhook about an old event still counts as news. OccurredAt stays on the timeline.
	ArrivedAt time.Time
}

// Roles of the person an event names, for picking a ticket's customer.
const (
	RoleBilling   = 1
	RoleRecipient = 2
	RoleWriter    = 3
)

// Read decodes e into the fact ticketing acts on. An event type with no rule, or data
// without any reference to file it under, is an error that retrying cannot fix.
func Read(e events.Event) (Fact, error) {
	rule, ok := Rules[e.Type]
	if !ok {
		return Fact{}, fmt.Errorf("event %s: ticketing has no rule for %q", e.ID, e.Type)
	}
	f := Fact{Event: e, Rule: rule}
	var refs References
	switch e.Type.Domain() {
	case "payment":
		var p events.Payment
		if err := e.Decode(&p); err != nil {
			return Fact{}, err
		}
		f.Payment, f.OrderID, f.Customer, f.Role = &p, p.OrderID, p.Customer, RoleBilling
		refs.Add(RefOrder, p.OrderID)
		refs.AddPayment(p.PaymentID)
		refs.AddPayment(p.ChargeID)
		if p.Dispute != nil {
			refs.Add(RefDispute, p.Dispute.ID)
		}
	case "shipment":
		var s events.Shipment
		if err := e.Decode(&s); err != nil {
			return Fact{}, err
		}
		f.Shipment, f.OrderID, f.Customer, f.Role = &s, s.OrderID, s.Customer, RoleRecipient
		if f.Customer.Country == "" {
			f.Customer.Country = s.DestinationCountry
		}
		refs.Add(RefOrder, s.OrderID)
		refs.Add(RefTracking, s.TrackingNumber)
	case "message":
		var m events.Message
		if err := e.Decode(&m); err != nil {
			return Fact{}, err
		}
		f.Message, f.OrderID, f.Customer, f.Role = &m, m.OrderID, m.Customer, RoleWriter
		refs.Add(RefOrder, m.OrderID)
		// A message that names no order is about whatever its writer has open with us.
		if len(refs) == 0 {
			refs.Add(RefEmail, m.Customer.Email)
		}
	}
	if len(refs) == 0 {
		return Fact{}, fmt.Errorf("event %s: no order, payment, charge, dispute, tracking number or email to file it under", e.ID)
	}
	// The shop's own spelling is what agents see ("J-2041"); references compare normalised.
	f.OrderID = strings.TrimPrefix(strings.TrimSpace(f.OrderID), "#")
	f.Customer.Email = strings.ToLower(strings.TrimSpace(f.Customer.Email))
	f.Refs = refs.Sorted()
	return f, nil
}

// Open returns a new ticket for f with the given id, and its first timeline entry.
func Open(id string, f Fact) (Ticket, Entry) {
	t := Ticket{
		ID: id, MerchantID: f.Event.MerchantID, Status: StatusOpen,
		CreatedAt: f.Event.OccurredAt, UpdatedAt: f.activity(), Version: 1,
	}
	return t, Merge(&t, f)
}

// Merge folds f into t. The result depends only on the set of facts merged, not on their
// order: every field is a maximum, a minimum or a first non-empty value under a fixed order.
// It returns the timeline entry that records f.
func Merge(t *Ticket, f Fact) Entry {
	e := f.Event
	if e.OccurredAt.Before(t.CreatedAt) {
		t.CreatedAt = e.OccurredAt
	}
	if a := f.activity(); a.After(t.UpdatedAt) {
		t.UpdatedAt = a
	}
	lead := Pick{Rank: f.Rule.Priority.Rank(), At: e.OccurredAt, ID: e.ID}
	if t.Category == "" || lead.better(t.Lead) {
		t.Lead, t.Category = lead, f.Rule.Category
	}
	if f.Rule.Priority.Rank() > t.Priority.Rank() {
		t.Priority = f.Rule.Priority
	}
	// Two orders on one ticket are rare (a payment shared by both); the lowest id is the
	// one the subject names, whatever the order of arrival.
	if f.OrderID != "" && (t.OrderID == "" || NormalizeRef(f.OrderID) < NormalizeRef(t.OrderID) ||
		NormalizeRef(f.OrderID) == NormalizeRef(t.OrderID) && f.OrderID < t.OrderID) {
		t.OrderID = f.OrderID
	}
	t.References = union(t.References, f.Refs)
	t.meet(f)
	if lang, rank := f.language(); lang != "" {
		if pick := (Pick{Rank: rank, At: e.OccurredAt, ID: e.ID}); t.Language == "" || pick.better(t.Lang) {
			t.Language, t.Lang = lang, pick
		}
	}
	if f.Payment != nil && (t.Payment == nil || newer(e, t.Payment.AsOf, t.Payment.EventID)) {
		t.Payment = &Payment{Payment: *f.Payment, AsOf: e.OccurredAt, EventID: e.ID, Event: e.Type}
	}
	if f.Shipment != nil && (t.Shipment == nil || newer(e, t.Shipment.AsOf, t.Shipment.EventID)) {
		t.Shipment = &Shipment{Shipment: *f.Shipment, AsOf: e.OccurredAt, EventID: e.ID}
	}
	if m := f.Message; m != nil && strings.TrimSpace(m.Subject) != "" {
		// The earliest subject wins (rank is the same for all), whatever the arrival order.
		if pick := (Pick{Rank: 1, At: e.OccurredAt, ID: e.ID}); t.Topic == "" || pick.better(t.TopicAt) {
			t.Topic, t.TopicAt = strings.TrimSpace(m.Subject), pick
		}
	}
	// A customer writing back, or a new problem, needs an agent again.
	if t.Status == StatusPending && Wakes(f) {
		t.Status = StatusOpen
	}
	entry := Entry{ID: e.ID, Kind: EntryEvent, At: e.OccurredAt, EventType: e.Type, Body: Describe(f), Params: Params(f)}
	if f.Message != nil {
		entry.Kind, entry.Author, entry.Body, entry.Params = EntryCustomer, f.Message.Customer.Email, f.Message.Text, nil
		entry.Channel, entry.Email = f.Message.Channel, f.Message.Email
	}
	return entry
}

// language is the customer's language as f tells it, and how sure that is.
func (f Fact) language() (string, int) {
	if f.Message != nil && f.Message.Language != "" {
		return f.Message.Language, 2
	}
	if l := CountryLanguage(f.Customer.Country); l != "" {
		return l, 1
	}
	return "", 0
}

// Refs are the values an agent can search a ticket by: order number, every customer and
// contact email, tracking numbers, payment, charge and dispute ids — the values of its
// References and people, normalised by NormalizeRef.
func (t Ticket) Refs() []string {
	var refs []string
	add := func(v string) {
		if v = NormalizeRef(v); v != "" && !slices.Contains(refs, v) {
			refs = append(refs, v)
		}
	}
	for _, r := range t.References {
		_, v, _ := strings.Cut(r, ":")
		add(v)
	}
	add(t.Customer.Email)
	for _, p := range t.People {
		add(p.Email)
	}
	slices.Sort(refs)
	return refs
}

// NormalizeRef makes a search term and a stored reference meet: trimmed, lower case, and
// without a leading "#" (agents type "#10482" for order 10482).
func NormalizeRef(v string) string {
	return strings.ToLower(strings.TrimPrefix(strings.TrimSpace(v), "#"))
}

func newer(e events.Event, asOf time.Time, id string) bool {
	if !e.OccurredAt.Equal(asOf) {
		return e.OccurredAt.After(asOf)
	}
	return e.ID > id
}

// activity is when f counts as news on its ticket: when it arrived, or when it happened
// if the caller did not say.
func (f Fact) activity() time.Time {
	if f.ArrivedAt.IsZero() {
		return f.Event.OccurredAt
	}
	return f.ArrivedAt
}
