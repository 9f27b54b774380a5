package ticket

import (
	"time"

	"github.com/borderdesk/borderdesk/events"
)

// Announcement is the ticket.* event that tells other functions (assign, sla, notify) what
// happened to t because of event cause. id is stable (derived from the ticket or the cause),
// so a retried transaction or relay announces nothing twice.
func Announcement(typ events.DetailType, t Ticket, id, cause string, at time.Time) (events.Event, error) {
	ev, err := events.New(typ, id, t.MerchantID, "borderdesk", cause, at, events.Ticket{
		TicketID: t.ID, MergedInto: t.MergedInto, FollowUpOf: t.FollowUpOf,
		Status: string(t.Status), Category: string(t.Category), Priority: string(t.Priority),
		Customer: t.Customer, OrderID: t.OrderID, Language: t.Language, Cause: cause,
	})
	return ev, err
}

// MergeEntry is the line on the survivor's timeline that records o being merged into it.
func MergeEntry(o Ticket, at time.Time) Entry {
	return Entry{
		ID: "merged-" + o.ID, Kind: EntryEvent, At: at, EventType: events.TicketMerged,
		Body:   "Merged ticket " + o.ID + " (" + o.Subject() + ") into this one.",
		Params: map[string]string{"ticket_id": o.ID},
	}
}

// Replied is the message.replied event for an agent's reply e on t: what notify sends the
// customer. Its id derives from the entry, so the reply is announced once. e.Author is the
// agent's id; the event names the agent by authorEmail, which notify signs and addresses
// the reply with.
func Replied(t Ticket, e Entry, authorEmail string) (events.Event, error) {
	return events.New(events.MessageReplied, "mr_"+e.ID, t.MerchantID, "borderdesk", e.ID, e.At, events.Reply{
		TicketID: t.ID, EntryID: e.ID, Author: authorEmail, Body: e.Body,
		Customer: t.Customer, Language: t.Language, Subject: t.Subject(),
	})
}
