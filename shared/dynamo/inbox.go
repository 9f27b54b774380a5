package dynamo

import (
	"context"
	"encoding/json"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/borderdesk/borderdesk/shared/errs"
	"github.com/borderdesk/borderdesk/shared/ticket"
)

// The inbox's own indexes (declared in Table).
const (
	// IndexAgent is each agent's queue, newest activity first: pk
	// "M#<merchant>#AGENT#<assignee's agent id>", sk "<activity>#<ticket id>". Only assigned,
	// unmerged tickets are in it.
	IndexAgent = "by_agent"
	// IndexRef finds tickets by a search reference, newest activity first: pk (rfpk)
	// "M#<merchant>#REF#<reference>", sk (rfsk) "<activity>#<ticket id>". It holds the
	// search items refItem builds; merged tickets' items are not in it.
	IndexRef = "by_ref"
)

// Filter and Page are the domain's; these names keep the store's callers compiling.
type (
	Filter = ticket.Filter
	Page   = ticket.Page
)

// maxQueryCalls bounds the index queries one listing makes, whatever its budget.
const maxQueryCalls = 6

// index is the index a listing reads and its partition.
type index struct {
	name, pkName, skName, pk string
}

// plan picks the index that answers f for merchantID with the least filtering, and the
// conditions the index does not already imply.
func plan(merchantID string, f ticket.Filter) (index, []expression.ConditionBuilder) {
	ix := index{IndexInbox, "gsi1pk", "gsi1sk", inboxPK(merchantID)}
	assignee := f.Assignee != "" && f.Assignee != ticket.Unassigned
	byStatus, byAssignee := false, false
	switch {
	case f.Sort == ticket.SortPriority:
		ix = index{IndexPriority, "gsi3pk", "gsi3sk", inboxPK(merchantID)}
	case assignee:
		// An agent's queue is small and is the view agents live in: read it, not the inbox.
		ix, byAssignee = index{IndexAgent, "agpk", "agsk", agentPK(merchantID, f.Assignee)}, true
	case f.Status != "":
		ix, byStatus = index{IndexStatus, "gsi2pk", "gsi2sk", statusPK(merchantID, f.Status)}, true
	}
	var conds []expression.ConditionBuilder
	eq := func(attr, v string) {
		if v != "" {
			conds = append(conds, expression.Name(attr).Equal(expression.Value(v)))
		}
	}
	if !byStatus {
		eq("status", string(f.Status))
	}
	eq("category", string(f.Category))
	eq("priority", string(f.Priority))
	eq("language", f.Language)
	switch {
	case f.Assignee == ticket.Unassigned:
		conds = append(conds, expression.AttributeNotExists(expression.Name("assignee")))
	case assignee && !byAssignee:
		eq("assignee", f.Assignee)
	}
	return ix, conds
}

// queryInput is the Query of ix in f's order, with conds as its filter.
func (s *Store) queryInput(ix index, f ticket.Filter, conds []expression.ConditionBuilder, newestFirst bool) (*dynamodb.QueryInput, error) {
	b := expression.NewBuilder().WithKeyCondition(expression.Key(ix.pkName).Equal(expression.Value(ix.pk)))
	switch len(conds) {
	case 0:
	case 1:
		b = b.WithFilter(conds[0])
	default:
		b = b.WithFilter(expression.And(conds[0], conds[1], conds[2:]...))
	}
	expr, err := b.Build()
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "build the inbox query")
	}
	start, err := decodePosition(f.Cursor, ix)
	if err != nil {
		return nil, err
	}
	return &dynamodb.QueryInput{
		TableName:                 aws.String(s.table),
		IndexName:                 aws.String(ix.name),
		KeyConditionExpression:    expr.KeyCondition(),
		FilterExpression:          expr.Filter(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
		ScanIndexForward:          aws.Bool(!newestFirst),
		ExclusiveStartKey:         start,
	}, nil
}

// ListTickets lists merchantID's tickets from an index (never a Scan). It evaluates at most
// f.Budget tickets: when a rare filter spends the budget first, the page holds what was found
// (perhaps nothing) and Next continues where the reading stopped. Next is bound to the
// merchant and the index partition; a position from elsewhere is refused.
func (s *Store) ListTickets(ctx context.Context, merchantID string, f ticket.Filter) (ticket.Page, error) {
	f = f.Normalized()
	ix, conds := plan(merchantID, f)
	in, err := s.queryInput(ix, f, conds, f.Sort != ticket.SortOldest)
	if err != nil {
		return ticket.Page{}, err
	}
	page := ticket.Page{Tickets: []ticket.Ticket{}}
	page.Next, err = s.readIndex(ctx, in, ix, f, "list tickets", func(items []map[string]types.AttributeValue) (int, bool, error) {
		for i, it := range items {
			t, err := decodeTicket(merchantID, it)
			if err != nil {
				return i, false, err
			}
			// The indexes hold no merged ticket; Match says so again for an item written
			// before that rule.
			if !f.Match(t) {
				continue
			}
			if len(page.Tickets) == f.Limit {
				return i, true, nil // one match more than the page holds: there is a next page
			}
			page.Tickets = append(page.Tickets, t)
		}
		return len(items), false, nil
	}, func() int { return f.Limit + 1 - len(page.Tickets) })
	if err != nil {
		return ticket.Page{}, err
	}
	return page, nil
}

// readIndex runs in page after page, handing the items to take, until take has filled the
// page, the index ends, or f's budget of evaluated items is spent. take returns how many
// items it used and whether the page is full — it has seen one match more than the page
// holds, so a next page exists; want says how many more matches would settle that. It
// returns the position after the last item used, or "" when the index has no more.
func (s *Store) readIndex(ctx context.Context, in *dynamodb.QueryInput, ix index, f ticket.Filter, what string,
	take func([]map[string]types.AttributeValue) (int, bool, error), want func() int) (ticket.Position, error) {
	budget := f.Budget
	var last map[string]types.AttributeValue
	for call := 1; ; call++ {
		// Each further call reads twice as many: a filter that left the page short will
		// likely do so again.
		limit := min(budget, want()<<(call-1))
		in.Limit = aws.Int32(int32(limit))
		out, err := s.db.Query(ctx, in)
		if err != nil {
			return "", classify(err, "%s", what)
		}
		budget -= limit // what the query may have evaluated, filtered out or not
		n, full, err := take(out.Items)
		if err != nil {
			return "", err
		}
		if n > 0 {
			last = out.Items[n-1]
		}
		switch {
		case full:
			return encodePosition(last, ix), nil
		case out.LastEvaluatedKey == nil:
			return "", nil
		case budget <= 0 || call == maxQueryCalls:
			return encodePosition(out.LastEvaluatedKey, ix), nil
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}

// A position is the key of the last item read — the table's and the index's — and the
// index it belongs to, as JSON. It carries no authority (the API seals it in a signed
// cursor); the store still checks that it is a key of the very index partition it reads.
func encodePosition(item map[string]types.AttributeValue, ix index) ticket.Position {
	c := map[string]string{"ix": ix.name}
	for _, n := range []string{"pk", "sk", ix.pkName, ix.skName} {
		c[n] = getS(item, n)
	}
	b, _ := json.Marshal(c)
	return ticket.Position(b)
}

func decodePosition(p ticket.Position, ix index) (map[string]types.AttributeValue, error) {
	if p == "" {
		return nil, nil
	}
	var c map[string]string
	if err := json.Unmarshal([]byte(p), &c); err != nil || c["ix"] != ix.name || c[ix.pkName] != ix.pk || len(c) != 5 ||
		c["pk"] == "" || c["sk"] == "" || c[ix.skName] == "" {
		return nil, errs.E(errs.Invalid, "cursor is not valid for this list")
	}
	delete(c, "ix")
	out := map[string]types.AttributeValue{}
	for k, v := range c {
		out[k] = str(v)
	}
	return out, nil
}

// SearchTickets finds merchantID's tickets by order number, customer email, tracking number
// or payment id (exact, case-insensitive) that pass f's filters, most recent activity first
// (f.Sort oldest: least recent first; the index has no priority order, so SortPriority is
// most recent first too), a page at a time with the same budget as ListTickets.
// A merged ticket is never an answer: its survivor is, once.
func (s *Store) SearchTickets(ctx context.Context, merchantID, q string, f ticket.Filter) (ticket.Page, error) {
	ref := ticket.NormalizeRef(q)
	if ref == "" {
		return ticket.Page{}, errs.E(errs.Invalid, "search term is empty")
	}
	f = f.Normalized()
	ix := index{IndexRef, "rfpk", "rfsk", refPK(merchantID, ref)}
	in, err := s.queryInput(ix, f, nil, f.Sort != ticket.SortOldest)
	if err != nil {
		return ticket.Page{}, err
	}
	page := ticket.Page{Tickets: []ticket.Ticket{}}
	seen := map[string]bool{}
	page.Next, err = s.readIndex(ctx, in, ix, f, "search tickets", func(items []map[string]types.AttributeValue) (int, bool, error) {
		found, err := s.ticketsOf(ctx, merchantID, items)
		if err != nil {
			return 0, false, err
		}
		for i, it := range items {
			t, ok := found[getS(it, "sk")]
			if !ok {
				continue
			}
			if t.MergedInto != "" {
				// A search item the merge has not yet taken out of the index. The survivor
				// holds the merged ticket's references and has its own item for this one,
				// in its own place; only a survivor without it is answered here.
				if t, err = s.loadLive(ctx, merchantID, t.MergedInto); err != nil {
					return i, false, err
				}
				if slices.Contains(t.Refs(), ref) {
					continue
				}
			}
			if seen[t.ID] || !f.Match(t) {
				continue
			}
			if len(page.Tickets) == f.Limit {
				return i, true, nil // one match more than the page holds: there is a next page
			}
			seen[t.ID] = true
			page.Tickets = append(page.Tickets, t)
		}
		return len(items), false, nil
	}, func() int { return f.Limit + 1 - len(page.Tickets) })
	if err != nil {
		return ticket.Page{}, err
	}
	return page, nil
}

// ticketsOf reads the tickets search items name, by id.
func (s *Store) ticketsOf(ctx context.Context, merchantID string, items []map[string]types.AttributeValue) (map[string]ticket.Ticket, error) {
	out := map[string]ticket.Ticket{}
	var keys []map[string]types.AttributeValue
	flush := func() error {
		if len(keys) == 0 {
			return nil
		}
		got, err := s.batchGet(ctx, keys, false)
		if err != nil {
			return err
		}
		for _, it := range got {
			t, err := decodeTicket(merchantID, it)
			if err != nil {
				return err
			}
			out[t.ID] = t
		}
		keys = keys[:0]
		return nil
	}
	asked := map[string]bool{}
	for _, it := range items {
		id := getS(it, "sk")
		if asked[id] {
			continue
		}
		asked[id] = true
		keys = append(keys, key(ticketPK(merchantID, id), "TICKET"))
		if len(keys) == 100 { // BatchGetItem's limit
			if err := flush(); err != nil {
				return nil, err
			}
		}
	}
	return out, flush()
}

// batchGet reads up to 100 items, retrying unprocessed keys.
func (s *Store) batchGet(ctx context.Context, keys []map[string]types.AttributeValue, consistent bool) ([]map[string]types.AttributeValue, error) {
	var items []map[string]types.AttributeValue
	req := map[string]types.KeysAndAttributes{s.table: {Keys: keys, ConsistentRead: aws.Bool(consistent)}}
	for attempt := 0; len(req) > 0 && len(req[s.table].Keys) > 0; attempt++ {
		if attempt == 5 {
			return nil, errs.E(errs.Transient, "batch read: keys left unprocessed")
		}
		out, err := s.db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: req})
		if err != nil {
			return nil, classify(err, "batch read")
		}
		items = append(items, out.Responses[s.table]...)
		req = out.UnprocessedKeys
	}
	return items, nil
}

// readPK is the partition of one agent's read markers; agent is the agent's id (the token's
// sub), never their email.
func readPK(merchantID, agent string) string { return tenant(merchantID) + "#READ#" + agent }

// MarkRead records that agent (an agent id) has seen ticket id as of its activity time at.
func (s *Store) MarkRead(ctx context.Context, merchantID, agent, id string, at time.Time) error {
	item := key(readPK(merchantID, agent), id)
	item["at"] = str(sortTime(at))
	_, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.table), Item: item})
	return classify(err, "mark ticket %s read", id)
}

// Unread reports which of tickets agent (an agent id) has not seen since their last activity.
func (s *Store) Unread(ctx context.Context, merchantID, agent string, tickets []ticket.Ticket) (map[string]bool, error) {
	unread := map[string]bool{}
	if len(tickets) == 0 {
		return unread, nil
	}
	keys := make([]map[string]types.AttributeValue, 0, len(tickets))
	for _, t := range tickets {
		keys = append(keys, key(readPK(merchantID, agent), t.ID))
		unread[t.ID] = true
	}
	items, err := s.batchGet(ctx, keys, false)
	if err != nil {
		return nil, err
	}
	seen := map[string]string{}
	for _, it := range items {
		seen[getS(it, "sk")] = getS(it, "at")
	}
	for _, t := range tickets {
		if at, ok := seen[t.ID]; ok && at >= sortTime(t.UpdatedAt) {
			delete(unread, t.ID)
		}
	}
	return unread, nil
}
