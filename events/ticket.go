package events

// Ticket events, from ticketing, through the outbox: what other functions (assign, sla,
// notify) act on. Nobody consumes them yet; EventBridge archives them for replay.
const (
	// TicketOpened: a new ticket exists (a first event, or a follow-up of a closed ticket).
	TicketOpened DetailType = "ticket.opened"
	// TicketReopened: a solved ticket took a new problem or a customer message and is open
	// again.
	TicketReopened DetailType = "ticket.reopened"
	// TicketMerged: an event tied two open tickets together; the newer was folded into the
	// older (MergedInto).
	TicketMerged DetailType = "ticket.merged"
)

// MessageReplied: an agent replied to the customer; notify sends it. From the API, through
// the outbox, committed with the reply.
const MessageReplied DetailType = "message.replied"

// Ticket is the data of every ticket.* event: the ticket as routing and SLAs need it.
type Ticket struct {
	TicketID   string   `json:"ticket_id"`
	MergedInto string   `json:"merged_into,omitempty"` // ticket.merged: the survivor
	FollowUpOf string   `json:"follow_up_of,omitempty"`
	Status     string   `json:"status"`
	Category   string   `json:"category"`
	Priority   string   `json:"priority"`
	Customer   Customer `json:"customer"`
	OrderID    string   `json:"order_id,omitempty"`
	Language   string   `json:"language,omitempty"`
	// Cause is the id of the event that opened, reopened or merged the ticket.
	Cause string `json:"cause,omitempty"`
}

// Reply is the data of message.replied.
type Reply struct {
	TicketID string   `json:"ticket_id"`
	EntryID  string   `json:"entry_id"`
	Author   string   `json:"author"` // the agent's email
	Body     string   `json:"body"`
	Customer Customer `json:"customer"`
	Language string   `json:"language,omitempty"` // the customer's
	Subject  string   `json:"subject,omitempty"`
}
