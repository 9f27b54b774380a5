package dynamo

import (
	"context"
	"encoding/json"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/borderdesk/borderdesk/events"
	"github.com/borderdesk/borderdesk/shared/errs"
	"github.com/borderdesk/borderdesk/shared/ticket"
)

// maxAttempts bounds optimistic-locking retries when writers race on one ticket.
const maxAttempts = 8

func ticketPK(merchantID, id string) string { return tenant(merchantID) + "#T#" + id }
func openPK(merchantID, key string) string  { return tenant(merchantID) + "#OPEN#" + key }
func markerPK(merchantID, id string) string { return tenant(merchantID) + "#EV#" + id }
func inboxPK(merchantID string) string      { return tenant(merchantID) + "#TICKETS" }
func statusPK(merchantID string, st ticket.Status) string {
	return tenant(merchantID) + "#STATUS#" + string(st)
}
func entrySK(e ticket.Entry) string { return "E#" + sortTime(e.At) + "#" + e.ID }

// Outcome says what applying an event did.
type Outcome struct {
	TicketID  string // "" when the event joined no ticket
	Opened    bool   // a new ticket was opened
	Parked    bool   // no ticket was open and the event opens none: it waits for one
	Duplicate bool   // the event had been applied before; nothing changed
}

func parkPK(merchantID, key string) string { return tenant(merchantID) + "#PARK#" + key }

// ApplyFact opens a ticket for f or merges f into the open ticket with f's key, exactly
// once per event id. Redelivery is a no-op; two events racing for the same key end on one
// ticket (the loser of the race for the open-ticket link retries and merges). An event that
// opens no ticket (a refund notice, a routine scan) and finds none open is parked under its
// key and merged when a ticket opens, so arrival order cannot change the end state.
func (s *Store) ApplyFact(ctx context.Context, f ticket.Fact, newID func() string) (Outcome, error) {
	m := f.Event.MerchantID
	marker := key(markerPK(m, f.Event.ID), "EV")
	for range maxAttempts {
		if id, done, err := s.applied(ctx, marker); err != nil || done {
			return Outcome{TicketID: id, Duplicate: done}, err
		}
		link, err := s.consistentGet(ctx, key(openPK(m, f.Key), "OPEN"))
		if err != nil {
			return Outcome{}, err
		}
		var (
			items []types.TransactWriteItem
			out   Outcome
		)
		switch {
		case link != nil:
			t, err := s.loadTicket(ctx, m, getS(link, "ticket_id"))
			if err != nil {
				return Outcome{}, err
			}
			prev := t.Version
			entry := ticket.Merge(&t, f)
			t.Version++
			if items, err = s.ticketWrites(&t, prev, entry); err != nil {
				return Outcome{}, err
			}
			out.TicketID = t.ID
		case f.Rule.Opens:
			if items, out, err = s.openWrites(ctx, f, newID()); err != nil {
				return Outcome{}, err
			}
		default:
			if items, err = s.parkWrites(f); err != nil {
				return Outcome{}, err
			}
			out.Parked = true
		}
		markerItem := key(markerPK(m, f.Event.ID), "EV")
		markerItem["ticket_id"] = str(out.TicketID)
		markerItem["event_type"] = str(string(f.Event.Type))
		items = append(items, types.TransactWriteItem{Put: &types.Put{
			TableName: aws.String(s.table), Item: markerItem,
			ConditionExpression: aws.String("attribute_not_exists(pk)"),
		}})
		_, err = s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
		if err == nil {
			return out, nil
		}
		if reasons := cancelledBy(err); len(reasons) == len(items) && reasons[len(items)-1] {
			return Outcome{Duplicate: true}, nil
		}
		if err = classify(err, "apply event %s", f.Event.ID); !errs.Is(err, errs.Conflict) && !errs.Is(err, errs.Transient) {
			return Outcome{}, err
		}
		// Someone else moved first: re-read and try again.
	}
	return Outcome{}, errs.E(errs.Transient, "apply event %s: too much contention", f.Event.ID)
}

// maxParked bounds how many parked events one opening takes along, within DynamoDB's
// 100-item transaction limit; the rest stay parked for the next ticket of the key.
const maxParked = 40

// openWrites opens ticket id for f, taking along the events parked under f's key. The
// park counter's condition makes a park that commits meanwhile cancel this opening.
func (s *Store) openWrites(ctx context.Context, f ticket.Fact, id string) ([]types.TransactWriteItem, Outcome, error) {
	m := f.Event.MerchantID
	// Most keys never had anything parked: one GetItem of the counter spares the Query.
	counter, err := s.consistentGet(ctx, key(parkPK(m, f.Key), "COUNT"))
	if err != nil {
		return nil, Outcome{}, err
	}
	parked := &dynamodb.QueryOutput{}
	if counter != nil {
		parked, err = s.db.Query(ctx, &dynamodb.QueryInput{
			TableName:                 aws.String(s.table),
			KeyConditionExpression:    aws.String("pk = :pk"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(parkPK(m, f.Key))},
			ConsistentRead:            aws.Bool(true),
			Limit:                     aws.Int32(maxParked + 1),
		})
		if err != nil {
			return nil, Outcome{}, classify(err, "read parked events of %s", f.Key)
		}
	}
	t, first := ticket.Open(id, f)
	entries := []ticket.Entry{first}
	var tail []types.TransactWriteItem
	count := "0"
	for _, it := range parked.Items {
		if getS(it, "sk") == "COUNT" {
			if n, ok := it["n"].(*types.AttributeValueMemberN); ok {
				count = n.Value
			}
			continue
		}
		var ev events.Event
		if err := json.Unmarshal([]byte(getS(it, "doc")), &ev); err != nil {
			return nil, Outcome{}, errs.Wrap(errs.Internal, err, "decode parked event")
		}
		pf, err := ticket.Read(ev)
		if err != nil {
			return nil, Outcome{}, err
		}
		entries = append(entries, ticket.Merge(&t, pf))
		tail = append(tail, types.TransactWriteItem{Delete: &types.Delete{TableName: aws.String(s.table), Key: key(getS(it, "pk"), getS(it, "sk"))}})
	}
	tail = append(tail, types.TransactWriteItem{Delete: &types.Delete{
		TableName: aws.String(s.table), Key: key(parkPK(m, f.Key), "COUNT"),
		ConditionExpression:       aws.String("attribute_not_exists(pk) OR n = :n"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":n": &types.AttributeValueMemberN{Value: count}},
	}})
	items, err := s.ticketWrites(&t, 0, entries...)
	if err != nil {
		return nil, Outcome{}, err
	}
	items = append(items, s.claimOpen(t))
	return append(items, tail...), Outcome{TicketID: t.ID, Opened: true}, nil
}

// parkWrites park f under its key, on condition that no ticket is open for the key.
func (s *Store) parkWrites(f ticket.Fact) ([]types.TransactWriteItem, error) {
	m := f.Event.MerchantID
	item, err := docItem(parkPK(m, f.Key), "EV#"+f.Event.ID, f.Event, nil)
	if err != nil {
		return nil, err
	}
	return []types.TransactWriteItem{
		{ConditionCheck: &types.ConditionCheck{
			TableName: aws.String(s.table), Key: key(openPK(m, f.Key), "OPEN"),
			ConditionExpression: aws.String("attribute_not_exists(pk)"),
		}},
		{Put: &types.Put{TableName: aws.String(s.table), Item: item}},
		{Update: &types.Update{
			TableName: aws.String(s.table), Key: key(parkPK(m, f.Key), "COUNT"),
			UpdateExpression:          aws.String("ADD n :one"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":one": num(1)},
		}},
	}, nil
}

// claimOpen makes t the open ticket of its key, on condition that no ticket is.
func (s *Store) claimOpen(t ticket.Ticket) types.TransactWriteItem {
	link := key(openPK(t.MerchantID, t.Key), "OPEN")
	link["ticket_id"] = str(t.ID)
	return types.TransactWriteItem{Put: &types.Put{
		TableName: aws.String(s.table), Item: link, ConditionExpression: aws.String("attribute_not_exists(pk)"),
	}}
}

// applied reports whether the marker exists, and the ticket it names.
func (s *Store) applied(ctx context.Context, marker map[string]types.AttributeValue) (string, bool, error) {
	it, err := s.consistentGet(ctx, marker)
	if err != nil || it == nil {
		return "", false, err
	}
	return getS(it, "ticket_id"), true, nil
}

func (s *Store) consistentGet(ctx context.Context, k map[string]types.AttributeValue) (map[string]types.AttributeValue, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.table), Key: k, ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, classify(err, "get %s", getS(k, "pk"))
	}
	return out.Item, nil
}

// ticketWrites are the writes that store t (whose stored version was prev; 0 for new) and
// add entries to its timeline.
func (s *Store) ticketWrites(t *ticket.Ticket, prev int64, entries ...ticket.Entry) ([]types.TransactWriteItem, error) {
	var refs []types.TransactWriteItem
	for _, r := range t.Refs() {
		if slices.Contains(t.Indexed, r) {
			continue
		}
		ref := key(refPK(t.MerchantID, r), t.ID)
		refs = append(refs, types.TransactWriteItem{Put: &types.Put{TableName: aws.String(s.table), Item: ref}})
		t.Indexed = append(t.Indexed, r)
	}
	slices.Sort(t.Indexed)
	item, err := ticketItem(*t)
	if err != nil {
		return nil, err
	}
	put := &types.Put{TableName: aws.String(s.table), Item: item}
	if prev == 0 {
		put.ConditionExpression = aws.String("attribute_not_exists(pk)")
	} else {
		put.ConditionExpression = aws.String("version = :v")
		put.ExpressionAttributeValues = map[string]types.AttributeValue{":v": num(prev)}
	}
	items := append([]types.TransactWriteItem{{Put: put}}, refs...)
	for _, e := range entries {
		entryItem, err := docItem(ticketPK(t.MerchantID, t.ID), entrySK(e), e, nil)
		if err != nil {
			return nil, err
		}
		items = append(items, types.TransactWriteItem{Put: &types.Put{
			TableName: aws.String(s.table), Item: entryItem, ConditionExpression: aws.String("attribute_not_exists(pk)"),
		}})
	}
	return items, nil
}

func refPK(merchantID, ref string) string { return tenant(merchantID) + "#REF#" + ref }

func decodeTicket(merchantID string, item map[string]types.AttributeValue) (ticket.Ticket, error) {
	var t ticket.Ticket
	if err := json.Unmarshal([]byte(getS(item, "doc")), &t); err != nil {
		return t, errs.Wrap(errs.Internal, err, "decode ticket")
	}
	t.MerchantID = merchantID
	return t, nil
}

func (s *Store) loadTicket(ctx context.Context, merchantID, id string) (ticket.Ticket, error) {
	it, err := s.consistentGet(ctx, key(ticketPK(merchantID, id), "TICKET"))
	if err != nil {
		return ticket.Ticket{}, err
	}
	if it == nil {
		return ticket.Ticket{}, errs.E(errs.NotFound, "ticket %s not found", id)
	}
	return decodeTicket(merchantID, it)
}

// GetTicket reads ticket id of merchantID with its timeline, oldest first. Another
// merchant's ticket is not found, exactly like a missing one.
func (s *Store) GetTicket(ctx context.Context, merchantID, id string) (ticket.Ticket, []ticket.Entry, error) {
	var (
		t       ticket.Ticket
		found   bool
		entries []ticket.Entry
	)
	p := dynamodb.NewQueryPaginator(s.db, &dynamodb.QueryInput{
		TableName:                 aws.String(s.table),
		KeyConditionExpression:    aws.String("pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(ticketPK(merchantID, id))},
		ConsistentRead:            aws.Bool(true),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return t, nil, classify(err, "get ticket %s", id)
		}
		for _, it := range page.Items {
			sk := getS(it, "sk")
			if sk == "TICKET" {
				if t, err = decodeTicket(merchantID, it); err != nil {
					return t, nil, err
				}
				found = true
				continue
			}
			var e ticket.Entry
			if err := json.Unmarshal([]byte(getS(it, "doc")), &e); err != nil {
				return t, nil, errs.Wrap(errs.Internal, err, "decode timeline entry")
			}
			entries = append(entries, e)
		}
	}
	if !found {
		return t, nil, errs.E(errs.NotFound, "ticket %s not found", id)
	}
	return t, entries, nil
}

// Change is an agent's change to a ticket: an entry for the timeline, and the fields to set
// (nil: unchanged).
type Change struct {
	Entry    ticket.Entry
	Status   ticket.Status // "" keeps the status
	Assignee *string       // "" unassigns
	Tags     *[]string
}

// ChangeTicket applies c to ticket id under optimistic locking and returns the new ticket.
// A change that changes nothing writes nothing. Solving or closing a ticket releases its
// order for a new ticket; reopening takes it back when no other ticket has taken it meanwhile.
func (s *Store) ChangeTicket(ctx context.Context, merchantID, id string, c Change) (ticket.Ticket, error) {
	for range maxAttempts {
		t, err := s.loadTicket(ctx, merchantID, id)
		if err != nil {
			return t, err
		}
		prev, wasActive := t.Version, t.Status.Active()
		changed := c.Entry.Kind == ticket.EntryReply || c.Entry.Kind == ticket.EntryNote
		if c.Status != "" && c.Status != t.Status {
			t.Status, changed = c.Status, true
		}
		if c.Assignee != nil && *c.Assignee != t.Assignee {
			t.Assignee, changed = *c.Assignee, true
		}
		if c.Tags != nil && !slices.Equal(*c.Tags, t.Tags) {
			t.Tags, changed = *c.Tags, true
		}
		if !changed {
			return t, nil
		}
		if c.Entry.At.After(t.UpdatedAt) {
			t.UpdatedAt = c.Entry.At
		}
		t.Version++
		items, err := s.ticketWrites(&t, prev, c.Entry)
		if err != nil {
			return t, err
		}
		if wasActive != t.Status.Active() {
			link, err := s.consistentGet(ctx, key(openPK(merchantID, t.Key), "OPEN"))
			if err != nil {
				return t, err
			}
			switch {
			case wasActive && link != nil && getS(link, "ticket_id") == t.ID:
				items = append(items, types.TransactWriteItem{Delete: &types.Delete{
					TableName: aws.String(s.table), Key: key(openPK(merchantID, t.Key), "OPEN"),
					ConditionExpression:       aws.String("ticket_id = :id"),
					ExpressionAttributeValues: map[string]types.AttributeValue{":id": str(t.ID)},
				}})
			case !wasActive && link == nil:
				items = append(items, s.claimOpen(t))
			}
		}
		_, err = s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
		if err == nil {
			return t, nil
		}
		if err = classify(err, "change ticket %s", id); !errs.Is(err, errs.Conflict) && !errs.Is(err, errs.Transient) {
			return t, err
		}
	}
	return ticket.Ticket{}, errs.E(errs.Transient, "change ticket %s: too much contention", id)
}
