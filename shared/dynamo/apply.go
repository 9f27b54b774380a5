package dynamo

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/borderdesk/borderdesk/events"
	"github.com/borderdesk/borderdesk/shared/errs"
	"github.com/borderdesk/borderdesk/shared/ticket"
)

// How ticketing's items are keyed:
//
//	M#<m>#T#<ticket>      TICKET                  the ticket; E#<at>#<id> its timeline entries
//	M#<m>#LINK#<ref>      LINK                    which ticket holds a reference (ticket_id), and
//	                                              how many events wait parked under it (parked)
//	M#<m>#PARK#<ref>      EV#<event>              an event parked under a reference
//	M#<m>#EV#<event>      EV                      the applied-event marker (state applied|parked)
//
// A link names the newest ticket that holds its reference, whatever its status; the ticket
// domain (ticket.Decide) says what an event does with the tickets its links lead to, and
// the store turns that plan into one transaction whose conditions are exactly what the plan
// read: every link as it was, every ticket at its version. Anything that moved meanwhile
// cancels the transaction, and the event is decided again.
func ticketPK(merchantID, id string) string { return tenant(merchantID) + "#T#" + id }
func linkPK(merchantID, ref string) string  { return tenant(merchantID) + "#LINK#" + ref }
func parkPK(merchantID, ref string) string  { return tenant(merchantID) + "#PARK#" + ref }
func markerPK(merchantID, id string) string { return tenant(merchantID) + "#EV#" + id }
func entrySK(e ticket.Entry) string         { return "E#" + sortTime(e.At) + "#" + e.ID }
func inboxPK(merchantID string) string      { return tenant(merchantID) + "#TICKETS" }
func statusPK(merchantID string, st ticket.Status) string {
	return tenant(merchantID) + "#STATUS#" + string(st)
}

// Marker states.
const (
	markerApplied = "applied"
	markerParked  = "parked"
)

// parkRetain is how long a parked event waits for a ticket (TTL): past the card networks'
// 120-day chargeback window, after which nothing is likely to ask for it.
const parkRetain = 180 * 24 * time.Hour

// maxAttempts bounds optimistic-locking retries when writers race on one ticket.
const maxAttempts = 8

// Outcome says what applying an event did.
type Outcome struct {
	TicketID  string // "" when the event joined no ticket
	Action    ticket.Action
	Opened    bool     // a new ticket was opened (first, or a follow-up)
	Parked    bool     // the event waits, parked, for a ticket to take its references
	Merged    []string // tickets merged into TicketID
	Duplicate bool     // the event had been applied (or parked) before; nothing changed
	// Backlog: events may wait parked under references TicketID now holds; call
	// DrainParked until it reports none.
	Backlog bool
}

// link is a link item as read.
type link struct {
	exists   bool
	ticketID string
	parked   int64
	hasCount bool
}

// linkOp is one update of a link item: point it at a ticket and/or change its parked count,
// on condition that it is still as read.
type linkOp struct {
	read     link
	setTo    string
	addCount int64
	anyCount bool // the count was not read: hold only the ticket
}

// planState is what one attempt read: the fact's links and the tickets they lead to.
type planState struct {
	links   map[string]link
	tickets map[string]ticket.Ticket
}

// ApplyFact applies f exactly once per event id: it reads the tickets f's references lead
// to, lets ticket.Decide say what f does (join, open, reopen, note, follow up, park, and
// merge the tickets f ties together), and commits that in one transaction with the
// applied-event marker and the events the change implies (outbox). Redelivery is a no-op;
// racing events are decided again on the state that won.
func (s *Store) ApplyFact(ctx context.Context, f ticket.Fact, newID func() string) (Outcome, error) {
	return s.apply(ctx, f, newID, false)
}

func (s *Store) apply(ctx context.Context, f ticket.Fact, newID func() string, fromPark bool) (Outcome, error) {
	m := f.Event.MerchantID
	for range maxAttempts {
		marker, err := s.consistentGet(ctx, key(markerPK(m, f.Event.ID), "EV"))
		if err != nil {
			return Outcome{}, err
		}
		if marker != nil && !(fromPark && getS(marker, "state") == markerParked) {
			return Outcome{TicketID: getS(marker, "ticket_id"), Duplicate: true, Parked: getS(marker, "state") == markerParked}, nil
		}
		if fromPark && marker == nil {
			// Taken by another drain meanwhile; its park items went with it.
			return Outcome{Duplicate: true}, nil
		}
		// f as it files on this attempt: joined to the ticket its thread names when it may.
		// It shadows the f every attempt starts from, since the thread may move meanwhile.
		f, thread, err := s.threadOf(ctx, f)
		if err != nil {
			return Outcome{}, err
		}
		st, err := s.readPlanState(ctx, f)
		if err != nil {
			return Outcome{}, err
		}
		if thread != nil {
			st.tickets[thread.ID] = *thread
		}
		plan := ticket.Decide(f, slices.Collect(maps.Values(st.tickets)))
		if fromPark && plan.Action == ticket.ActPark {
			return Outcome{Parked: true, Action: plan.Action}, nil
		}
		if plan.Action == ticket.ActFollowUp {
			// The follow-up takes over every reference of the closed ticket, not only the
			// event's, so the next event about the order finds it rather than opening a
			// second follow-up: read those links too.
			more, err := s.readLinks(ctx, m, st.tickets[plan.FollowUpOf].References)
			if err != nil {
				return Outcome{}, err
			}
			for r, l := range more {
				if _, ok := st.links[r]; !ok && l.ticketID == plan.FollowUpOf {
					st.links[r] = l
				}
			}
		}
		items, out, err := s.planWrites(f, plan, st, newID, fromPark)
		if err != nil {
			return Outcome{}, err
		}
		err = s.commit(ctx, items)
		if err == nil {
			return out, nil
		}
		if err = classify(err, "apply event %s", f.Event.ID); !errs.Is(err, errs.Conflict) && !errs.Is(err, errs.Transient) {
			return Outcome{}, err
		}
		// Someone else moved first (or this event was applied meanwhile): read again.
	}
	return Outcome{}, errs.E(errs.Transient, "apply event %s: too much contention", f.Event.ID)
}

// readPlanState reads f's links and the tickets they name (following merges).
func (s *Store) readPlanState(ctx context.Context, f ticket.Fact) (planState, error) {
	m := f.Event.MerchantID
	st := planState{links: map[string]link{}, tickets: map[string]ticket.Ticket{}}
	links, err := s.readLinks(ctx, m, f.Refs)
	if err != nil {
		return st, err
	}
	st.links = links
	for _, l := range links {
		if l.ticketID == "" {
			continue
		}
		t, err := s.loadLive(ctx, m, l.ticketID)
		if err != nil {
			return st, err
		}
		st.tickets[t.ID] = t
	}
	return st, nil
}

// threadOf reads the ticket f's thread names (an email reply's), following merges, and
// returns f as it files there with that ticket when ticket.JoinThread lets it join; else f
// as it was and no ticket, so it files under its own references. Another merchant's ticket
// is not found under this merchant's key, so its id never leads anywhere.
func (s *Store) threadOf(ctx context.Context, f ticket.Fact) (ticket.Fact, *ticket.Ticket, error) {
	id := f.Thread()
	if id == "" {
		return f, nil, nil
	}
	t, err := s.loadLive(ctx, f.Event.MerchantID, id)
	switch {
	case errs.Is(err, errs.NotFound):
		return f, nil, nil
	case err != nil:
		return f, nil, err
	}
	joined, ok := ticket.JoinThread(f, t)
	if !ok {
		return f, nil, nil
	}
	return joined, &t, nil
}

// readLinks reads the link items of refs, consistently.
func (s *Store) readLinks(ctx context.Context, merchantID string, refs []string) (map[string]link, error) {
	out := make(map[string]link, len(refs))
	if len(refs) == 0 {
		return out, nil
	}
	keys := make([]map[string]types.AttributeValue, 0, len(refs))
	for _, r := range refs {
		keys = append(keys, key(linkPK(merchantID, r), "LINK"))
		out[r] = link{}
	}
	items, err := s.batchGet(ctx, keys, true)
	if err != nil {
		return nil, err
	}
	prefix := linkPK(merchantID, "")
	for _, it := range items {
		l := link{exists: true, ticketID: getS(it, "ticket_id")}
		if n, ok := it["parked"].(*types.AttributeValueMemberN); ok {
			l.hasCount = true
			l.parked, _ = strconv.ParseInt(n.Value, 10, 64)
		}
		out[getS(it, "pk")[len(prefix):]] = l
	}
	return out, nil
}

// loadLive reads ticket id, following merges to the survivor.
func (s *Store) loadLive(ctx context.Context, merchantID, id string) (ticket.Ticket, error) {
	for range 8 {
		t, err := s.loadTicket(ctx, merchantID, id)
		if err != nil || t.MergedInto == "" {
			return t, err
		}
		id = t.MergedInto
	}
	return ticket.Ticket{}, errs.E(errs.Internal, "ticket %s: merge chain too long", id)
}

// planWrites turns plan into the writes of one transaction.
func (s *Store) planWrites(f ticket.Fact, plan ticket.Plan, st planState, newID func() string, fromPark bool) ([]types.TransactWriteItem, Outcome, error) {
	m := f.Event.MerchantID
	out := Outcome{Action: plan.Action}
	ops := map[string]*linkOp{}
	op := func(ref string, read link) *linkOp {
		if o, ok := ops[ref]; ok {
			return o
		}
		ops[ref] = &linkOp{read: read}
		return ops[ref]
	}
	type write struct {
		t       ticket.Ticket
		prev    int64
		entries []ticket.Entry
	}
	type news struct {
		typ events.DetailType
		id  string
		t   *ticket.Ticket // nil: the target as it ends
	}
	var (
		writes []*write
		items  []types.TransactWriteItem
		tell   []news
	)
	at := f.ArrivedAt
	if at.IsZero() {
		at = f.Event.OccurredAt
	}

	var target *write
	switch plan.Action {
	case ticket.ActOpen, ticket.ActFollowUp:
		t, first := ticket.Open(newID(), f)
		if plan.FollowUpOf != "" {
			var taken []string
			for r, l := range st.links {
				if l.ticketID == plan.FollowUpOf {
					taken = append(taken, r)
				}
			}
			ticket.FollowUp(&t, st.tickets[plan.FollowUpOf], taken)
		}
		target = &write{t: t, entries: []ticket.Entry{first}}
		out.Opened = true
		tell = append(tell, news{typ: events.TicketOpened, id: "to_" + t.ID})
	case ticket.ActJoin, ticket.ActReopen, ticket.ActNote:
		t := st.tickets[plan.Target]
		target = &write{t: t, prev: t.Version}
		for _, id := range plan.Absorb {
			a := st.tickets[id]
			ticket.Join(&target.t, a)
			prev := a.Version
			a.Status, a.MergedInto = ticket.StatusMerged, target.t.ID
			a.Version++
			w := &write{t: a, prev: prev}
			writes = append(writes, w)
			// Every reference of the merged ticket now leads to the survivor. Links the plan
			// did not read are held to the merged ticket only: nothing parks under an active
			// ticket's link, so their counts cannot matter.
			for _, r := range a.References {
				if _, read := st.links[r]; read {
					op(r, st.links[r]).setTo = target.t.ID
					continue
				}
				o := op(r, link{exists: true, ticketID: a.ID})
				o.setTo, o.anyCount = target.t.ID, true
			}
			target.entries = append(target.entries, ticket.MergeEntry(a, at))
			out.Merged = append(out.Merged, a.ID)
			tell = append(tell, news{typ: events.TicketMerged, id: "tm_" + a.ID, t: &w.t})
		}
		if plan.Action == ticket.ActReopen {
			ticket.Reopen(&target.t)
			tell = append(tell, news{typ: events.TicketReopened, id: "tr_" + f.Event.ID})
		}
		target.entries = append(target.entries, ticket.Merge(&target.t, f))
		target.t.Version++
	}
	if target != nil {
		out.TicketID = target.t.ID
		writes = append([]*write{target}, writes...)
		for _, r := range target.t.References {
			l, read := st.links[r]
			if !read {
				continue // held already (the target's own) or not the plan's to move
			}
			if l.ticketID != target.t.ID || !slices.Contains(f.Refs, r) {
				op(r, l).setTo = target.t.ID
			} else {
				op(r, l) // unchanged, but the plan depends on it
			}
			if l.parked > 0 {
				out.Backlog = true
			}
		}
		if len(out.Merged) > 0 {
			out.Backlog = true
		}
	}

	marker := key(markerPK(m, f.Event.ID), "EV")
	marker["event_type"] = str(string(f.Event.Type))
	marker["ticket_id"] = str(out.TicketID)
	marker["state"] = str(markerApplied)
	if plan.Action == ticket.ActPark {
		out.Parked = true
		marker["state"] = str(markerParked)
		item, err := docItem("", "", f.Event, map[string]types.AttributeValue{Table.TTLAttribute: num(at.Add(parkRetain).Unix())})
		if err != nil {
			return nil, out, err
		}
		for _, r := range f.Refs {
			park := maps.Clone(item)
			park["pk"], park["sk"] = str(parkPK(m, r)), str("EV#"+f.Event.ID)
			items = append(items, types.TransactWriteItem{Put: &types.Put{TableName: aws.String(s.table), Item: park}})
			op(r, st.links[r]).addCount++
		}
	}
	if fromPark {
		// The event leaves every park it waited in.
		for _, r := range f.Refs {
			items = append(items, types.TransactWriteItem{Delete: &types.Delete{
				TableName: aws.String(s.table), Key: key(parkPK(m, r), "EV#"+f.Event.ID),
			}})
			o := op(r, st.links[r])
			o.addCount--
		}
		items = append(items, types.TransactWriteItem{Put: &types.Put{
			TableName: aws.String(s.table), Item: marker,
			ConditionExpression:       aws.String("#state = :parked"),
			ExpressionAttributeNames:  map[string]string{"#state": "state"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":parked": str(markerParked)},
		}})
	} else {
		items = append(items, types.TransactWriteItem{Put: &types.Put{
			TableName: aws.String(s.table), Item: marker, ConditionExpression: aws.String("attribute_not_exists(pk)"),
		}})
	}
	for _, w := range writes {
		tw, err := s.ticketWrites(&w.t, w.prev, w.entries...)
		if err != nil {
			return nil, out, err
		}
		items = append(items, tw...)
	}
	for _, r := range slices.Sorted(maps.Keys(ops)) {
		items = append(items, s.linkWrite(m, r, ops[r]))
	}
	for _, n := range tell {
		t := n.t
		if t == nil {
			t = &target.t
		}
		ev, err := ticket.Announcement(n.typ, *t, n.id, f.Event.ID, at)
		if err != nil {
			return nil, out, err
		}
		// The request that brought the cause (the webhook's, the mail's) follows it on.
		ev.CorrelationID = f.Event.CorrelationID
		w, err := s.outboxWrite(events.SourceTicketing, ev, at)
		if err != nil {
			return nil, out, err
		}
		items = append(items, w)
	}
	return items, out, nil
}

// linkWrite is the conditional update of one link item.
func (s *Store) linkWrite(merchantID, ref string, o *linkOp) types.TransactWriteItem {
	values := map[string]types.AttributeValue{}
	var set, add, cond string
	if o.setTo != "" {
		set = "SET ticket_id = :to"
		values[":to"] = str(o.setTo)
	}
	if o.addCount != 0 {
		add = " ADD parked :d"
		values[":d"] = num(o.addCount)
	}
	switch {
	case !o.read.exists:
		cond = "attribute_not_exists(pk)"
	default:
		if o.read.ticketID != "" {
			cond = "ticket_id = :was"
			values[":was"] = str(o.read.ticketID)
		} else {
			cond = "attribute_not_exists(ticket_id)"
		}
		// A park's count may move under a park (ADD is commutative); anything that sets the
		// ticket must see the count it read, or a park that slipped in would be missed.
		if (o.setTo != "" || o.addCount < 0) && !o.anyCount {
			if o.read.hasCount {
				cond += " AND parked = :n"
				values[":n"] = num(o.read.parked)
			} else {
				cond += " AND attribute_not_exists(parked)"
			}
		}
	}
	expr := set + add
	if expr == "" {
		// Nothing to change, but the plan depends on the link: hold it to what was read.
		return types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{
			TableName: aws.String(s.table), Key: key(linkPK(merchantID, ref), "LINK"),
			ConditionExpression: aws.String(cond), ExpressionAttributeValues: nonEmpty(values),
		}}
	}
	return types.TransactWriteItem{Update: &types.Update{
		TableName: aws.String(s.table), Key: key(linkPK(merchantID, ref), "LINK"),
		UpdateExpression: aws.String(expr), ConditionExpression: aws.String(cond),
		ExpressionAttributeValues: values,
	}}
}

func nonEmpty(m map[string]types.AttributeValue) map[string]types.AttributeValue {
	if len(m) == 0 {
		return nil
	}
	return m
}

// maxDrainBatch is how many parked events one drain round reads per reference.
const maxDrainBatch = 25

// DrainParked applies every event parked under the references ticket id holds, however
// many: each one is applied like a fresh event (so it may merge tickets it ties together)
// and leaves its parks in the same transaction. It returns when nothing the ticket's
// survivor holds waits any more, or nothing more can move (a closed ticket's parks wait for
// its follow-up). A crash midway leaves the rest parked and counted; the next drain of the
// ticket takes them.
func (s *Store) DrainParked(ctx context.Context, merchantID, id string, now time.Time, newID func() string) (int, error) {
	moved := 0
	for {
		t, err := s.loadLive(ctx, merchantID, id)
		if err != nil {
			return moved, err
		}
		if t.Status == ticket.StatusClosed {
			return moved, nil
		}
		links, err := s.readLinks(ctx, merchantID, t.References)
		if err != nil {
			return moved, err
		}
		progress := false
		for _, r := range t.References {
			if l := links[r]; l.ticketID != t.ID || l.parked <= 0 {
				continue
			}
			page, err := s.db.Query(ctx, &dynamodb.QueryInput{
				TableName:                 aws.String(s.table),
				KeyConditionExpression:    aws.String("pk = :pk"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(parkPK(merchantID, r))},
				ConsistentRead:            aws.Bool(true),
				Limit:                     aws.Int32(maxDrainBatch),
			})
			if err != nil {
				return moved, classify(err, "read events parked under %s", r)
			}
			if len(page.Items) == 0 {
				// The parks expired (TTL) while their count stayed: settle the count.
				if err := s.resetParked(ctx, merchantID, r, links[r].parked); err != nil {
					return moved, err
				}
				continue
			}
			for _, it := range page.Items {
				var ev events.Event
				if err := json.Unmarshal([]byte(getS(it, "doc")), &ev); err != nil {
					return moved, errs.Wrap(errs.Internal, err, "decode parked event %s", getS(it, "sk"))
				}
				f, err := ticket.Read(ev)
				if err != nil {
					return moved, fmt.Errorf("parked event %s: %w", ev.ID, err)
				}
				f.ArrivedAt = now
				out, err := s.apply(ctx, f, newID, true)
				if err != nil {
					return moved, err
				}
				if !out.Parked {
					moved++
					progress = true
				}
			}
		}
		if !progress {
			return moved, nil
		}
		id = t.ID
	}
}

// resetParked sets the parked count of ref's link to zero, if it still is n.
func (s *Store) resetParked(ctx context.Context, merchantID, ref string, n int64) error {
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(s.table), Key: key(linkPK(merchantID, ref), "LINK"),
		UpdateExpression:          aws.String("SET parked = :zero"),
		ConditionExpression:       aws.String("parked = :n"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":zero": num(0), ":n": num(n)},
	})
	if err = classify(err, "settle parked count of %s", ref); errs.Is(err, errs.Conflict) {
		return nil // someone parked or drained meanwhile; the next drain looks again
	}
	return err
}
