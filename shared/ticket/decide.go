package ticket

import (
	"fmt"
	"slices"
	"strings"
)

// Action is what an event does to the tickets its references lead to.
type Action string

// Actions.
const (
	// ActJoin: the event joins an open or pending ticket (and merges every other active
	// ticket it ties to that one).
	ActJoin Action = "join"
	// ActOpen: no ticket holds any of the event's references; the event opens one.
	ActOpen Action = "open"
	// ActReopen: the only tickets holding its references are solved, and the event is a new
	// problem or a customer message: the newest solved ticket opens again.
	ActReopen Action = "reopen"
	// ActNote: a routine event (refund notice, ordinary scan) about a solved ticket is added
	// to its timeline without reopening it.
	ActNote Action = "note"
	// ActFollowUp: the only tickets holding its references are closed, which is final; a
	// ticket-worthy event opens a new ticket that links to the newest closed one.
	ActFollowUp Action = "follow_up"
	// ActPark: a routine event that no active or solved ticket holds waits, parked under its
	// references, until a ticket takes one of them.
	ActPark Action = "park"
)

// Plan is the decision for one event.
type Plan struct {
	Action Action
	// Target is the ticket the event lands on (join, reopen, note); "" for open, follow-up
	// and park, whose ticket is new or none.
	Target string
	// Absorb are the other active tickets the event ties to Target, to merge into it.
	Absorb []string
	// FollowUpOf is the closed ticket a follow-up links to.
	FollowUpOf string
}

// Decide says what f does, given the tickets its references lead to (each at most once, in
// any order). The rule, as a helpdesk user expects it:
//
//   - active (open or pending) tickets take every event; when the event ties several
//     together they merge into the oldest;
//   - a solved ticket is reopened by a ticket-worthy event (a new problem, a customer
//     message) and quietly takes routine ones;
//   - a closed ticket is final: a ticket-worthy event opens a follow-up that links to it, a
//     routine one is parked for whichever ticket takes its references next;
//   - with no ticket at all, a ticket-worthy event opens one and a routine one is parked.
//
// So a ticket-worthy event always ends on an open ticket, which every open-inbox view
// shows. Merged tickets are never passed in: their references lead to the survivor.
func Decide(f Fact, linked []Ticket) Plan {
	var active, solved, closed []Ticket
	for _, t := range linked {
		switch {
		case t.Status.Active():
			active = append(active, t)
		case t.Status == StatusSolved:
			solved = append(solved, t)
		case t.Status == StatusClosed:
			closed = append(closed, t)
		}
	}
	switch {
	case len(active) > 0:
		slices.SortFunc(active, func(a, b Ticket) int {
			if Older(a, b) {
				return -1
			}
			return 1
		})
		p := Plan{Action: ActJoin, Target: active[0].ID}
		for _, t := range active[1:] {
			p.Absorb = append(p.Absorb, t.ID)
		}
		return p
	case len(solved) > 0 && f.Rule.Opens:
		return Plan{Action: ActReopen, Target: newest(solved).ID}
	case len(solved) > 0:
		return Plan{Action: ActNote, Target: newest(solved).ID}
	case len(closed) > 0 && f.Rule.Opens:
		return Plan{Action: ActFollowUp, FollowUpOf: newest(closed).ID}
	case f.Rule.Opens:
		return Plan{Action: ActOpen}
	}
	return Plan{Action: ActPark}
}

// newest is the most recently opened of ts, then the highest id.
func newest(ts []Ticket) Ticket {
	best := ts[0]
	for _, t := range ts[1:] {
		if Older(best, t) {
			best = t
		}
	}
	return best
}

// FollowUp makes t the follow-up of closed ticket c: it links to c and takes over refs, the
// references of c that still led to it, so later events about the same order find t.
func FollowUp(t *Ticket, c Ticket, refs []string) {
	t.FollowUpOf = c.ID
	t.References = union(t.References, refs)
}

// Reopen makes a solved t open again for f's sake; Merge records f itself.
func Reopen(t *Ticket) { t.Status = StatusOpen }

// Wakes reports whether f, joining an active ticket, makes a pending one open: a customer
// writing back or a new ticket-worthy problem needs an agent again; routine updates leave
// the ticket waiting.
func Wakes(f Fact) bool { return f.Rule.Opens }

// CheckStatusChange says whether an agent may move a ticket from one status to another.
// Closed is final (new events about it open a follow-up ticket); merged tickets are
// changed through their survivor.
func CheckStatusChange(from, to Status) error {
	switch {
	case !to.Valid():
		return fmt.Errorf("status must be one of open, pending, solved, closed")
	case from == StatusClosed && to != StatusClosed:
		return fmt.Errorf("a closed ticket is final; new events about it open a follow-up ticket")
	}
	return nil
}

// Thread is the ticket f says it answers: an email reply's thread ticket (our reply
// address's tag, or our thread id in its References); "" for anything else.
func (f Fact) Thread() string {
	if f.Message == nil || f.Message.Email == nil || len(f.Message.Email.ThreadTicket) > MaxRefLen {
		return ""
	}
	return strings.TrimSpace(f.Message.Email.ThreadTicket)
}

// JoinThread says whether f may join t, the live ticket (merges followed) its thread names,
// and how f files there. Only the ticket's customer or a known contact may write into it by
// thread: a ticket id is no secret (it is in every reply's Reply-To and References), so an
// outsider who learns one files as a new mail under their own references instead. Joined,
// f keeps its order references, so an order the reply names ties in as any event's would,
// but not the customer's email: that reference only stands in for a message that names
// nothing else, and the thread already says where the reply belongs.
func JoinThread(f Fact, t Ticket) (Fact, bool) {
	if t.ID == "" || t.MergedInto != "" || t.MerchantID != f.Event.MerchantID || !t.Knows(f.Customer.Email) {
		return f, false
	}
	own := RefEmail + ":" + NormalizeRef(f.Customer.Email)
	f.Refs = slices.DeleteFunc(slices.Clone(f.Refs), func(r string) bool { return r == own })
	return f, true
}

// Knows reports whether email is the ticket's customer or one of the people its events
// named (compared as references are: trimmed, lower case).
func (t Ticket) Knows(email string) bool {
	email = NormalizeRef(email)
	if email == "" {
		return false
	}
	if NormalizeRef(t.Customer.Email) == email {
		return true
	}
	for _, c := range t.Contacts {
		if NormalizeRef(c.Email) == email {
			return true
		}
	}
	for _, p := range t.People {
		if NormalizeRef(p.Email) == email {
			return true
		}
	}
	return false
}
