package ticket

import (
	"slices"
	"time"
)

// Join folds ticket o into t, the survivor of a merge: t's state becomes what one ticket
// would hold had it seen the events of both. Every field is the same maximum, minimum, pick
// or union Merge uses, so the result does not depend on which events each ticket saw first.
// Agent-set fields (assignee, follow-up link) stay the survivor's unless it has none; tags
// are the union; the ticket is open when either was.
func Join(t *Ticket, o Ticket) {
	if o.CreatedAt.Before(t.CreatedAt) {
		t.CreatedAt = o.CreatedAt
	}
	if o.UpdatedAt.After(t.UpdatedAt) {
		t.UpdatedAt = o.UpdatedAt
	}
	if o.Category != "" && (t.Category == "" || o.Lead.better(t.Lead)) {
		t.Lead, t.Category = o.Lead, o.Category
	}
	if o.Priority.Rank() > t.Priority.Rank() {
		t.Priority = o.Priority
	}
	if o.OrderID != "" && (t.OrderID == "" || NormalizeRef(o.OrderID) < NormalizeRef(t.OrderID) ||
		NormalizeRef(o.OrderID) == NormalizeRef(t.OrderID) && o.OrderID < t.OrderID) {
		t.OrderID = o.OrderID
	}
	t.References = union(t.References, o.References)
	for _, p := range o.People {
		t.People = addPerson(t.People, p)
	}
	if o.Country != "" && (t.Country == "" || o.CountryAt.better(t.CountryAt)) {
		t.Country, t.CountryAt = o.Country, o.CountryAt
	}
	t.pickCustomer()
	if o.Language != "" && (t.Language == "" || o.Lang.better(t.Lang)) {
		t.Language, t.Lang = o.Language, o.Lang
	}
	if o.Topic != "" && (t.Topic == "" || o.TopicAt.better(t.TopicAt)) {
		t.Topic, t.TopicAt = o.Topic, o.TopicAt
	}
	if o.Payment != nil && (t.Payment == nil || newerThan(o.Payment.AsOf, o.Payment.EventID, t.Payment.AsOf, t.Payment.EventID)) {
		t.Payment = o.Payment
	}
	if o.Shipment != nil && (t.Shipment == nil || newerThan(o.Shipment.AsOf, o.Shipment.EventID, t.Shipment.AsOf, t.Shipment.EventID)) {
		t.Shipment = o.Shipment
	}
	if o.Status == StatusOpen {
		t.Status = StatusOpen
	}
	if t.Assignee == "" {
		t.Assignee = o.Assignee
	}
	if t.FollowUpOf == "" {
		t.FollowUpOf = o.FollowUpOf
	}
	t.Tags = union(t.Tags, o.Tags)
	if len(t.Tags) == 0 {
		t.Tags = nil
	}
	t.Absorbed = union(t.Absorbed, append(slices.Clone(o.Absorbed), o.ID))
}

func newerThan(at time.Time, id string, than time.Time, thanID string) bool {
	if !at.Equal(than) {
		return at.After(than)
	}
	return id > thanID
}

// Older reports whether a should survive a merge with b: the ticket whose first event is
// older, then the lower id.
func Older(a, b Ticket) bool {
	if !a.CreatedAt.Equal(b.CreatedAt) {
		return a.CreatedAt.Before(b.CreatedAt)
	}
	return a.ID < b.ID
}
