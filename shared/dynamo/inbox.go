package dynamo

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/borderdesk/borderdesk/shared/errs"
	"github.com/borderdesk/borderdesk/shared/ticket"
)

// Sort orders of the inbox.
const (
	SortUpdated  = "updated"  // most recent activity first (default)
	SortOldest   = "oldest"   // least recent activity first: who has waited longest
	SortPriority = "priority" // most urgent first, then most recent activity
)

// Unassigned, as Filter.Assignee, selects tickets nobody is assigned to.
const Unassigned = "none"

// Filter selects tickets for the inbox.
type Filter struct {
	Status   ticket.Status
	Category ticket.Category
	Priority ticket.Priority
	Assignee string // an agent's email, Unassigned, or "" for any
	Language string
	Sort     string
	Limit    int
	Cursor   string // from Page.Next
}

// Page is one page of tickets.
type Page struct {
	Tickets []ticket.Ticket
	Next    string // "" on the last page
}

// index is the index a listing reads and its partition.
type index struct {
	name, pkName, skName, pk string
}

// ListTickets lists merchantID's tickets from an index (never a Scan). The cursor is opaque
// to callers and bound to the merchant and index: a cursor from elsewhere is rejected.
func (s *Store) ListTickets(ctx context.Context, merchantID string, f Filter) (Page, error) {
	if f.Limit <= 0 || f.Limit > 100 {
		f.Limit = 25
	}
	ix := index{IndexInbox, "gsi1pk", "gsi1sk", inboxPK(merchantID)}
	var conds []string
	values := map[string]types.AttributeValue{}
	switch {
	case f.Sort == SortPriority:
		ix = index{IndexPriority, "gsi3pk", "gsi3sk", inboxPK(merchantID)}
		if f.Status != "" {
			conds = append(conds, "#status = :s")
			values[":s"] = str(string(f.Status))
		}
	case f.Status != "":
		ix = index{IndexStatus, "gsi2pk", "gsi2sk", statusPK(merchantID, f.Status)}
	}
	start, err := decodeCursor(f.Cursor, ix)
	if err != nil {
		return Page{}, err
	}
	values[":pk"] = str(ix.pk)
	in := &dynamodb.QueryInput{
		TableName:                 aws.String(s.table),
		IndexName:                 aws.String(ix.name),
		KeyConditionExpression:    aws.String(ix.pkName + " = :pk"),
		ExpressionAttributeValues: values,
		ScanIndexForward:          aws.Bool(f.Sort == SortOldest),
		ExclusiveStartKey:         start,
	}
	for _, c := range []struct{ attr, value string }{
		{"category", string(f.Category)}, {"priority", string(f.Priority)}, {"language", f.Language},
	} {
		if c.value != "" {
			conds = append(conds, "#"+c.attr+" = :"+c.attr)
			values[":"+c.attr] = str(c.value)
		}
	}
	switch f.Assignee {
	case "":
	case Unassigned:
		conds = append(conds, "attribute_not_exists(#assignee)")
	default:
		conds = append(conds, "#assignee = :assignee")
		values[":assignee"] = str(f.Assignee)
	}
	if len(conds) > 0 {
		// Names, not bare attributes: some (status, language) are DynamoDB reserved words.
		in.FilterExpression = aws.String(strings.Join(conds, " AND "))
		in.ExpressionAttributeNames = map[string]string{}
		for _, a := range []string{"status", "category", "priority", "language", "assignee"} {
			if strings.Contains(*in.FilterExpression, "#"+a) {
				in.ExpressionAttributeNames["#"+a] = a
			}
		}
	}
	var (
		page    Page
		lastKey map[string]types.AttributeValue
	)
	for {
		in.Limit = aws.Int32(int32(f.Limit - len(page.Tickets) + 1)) // one extra tells whether more exist
		out, err := s.db.Query(ctx, in)
		if err != nil {
			return Page{}, classify(err, "list tickets")
		}
		for _, it := range out.Items {
			if len(page.Tickets) == f.Limit {
				page.Next = encodeCursor(lastKey, ix)
				return page, nil
			}
			t, err := decodeTicket(merchantID, it)
			if err != nil {
				return Page{}, err
			}
			page.Tickets = append(page.Tickets, t)
			lastKey = it
		}
		if out.LastEvaluatedKey == nil {
			return page, nil
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}

type cursor map[string]string

func encodeCursor(item map[string]types.AttributeValue, ix index) string {
	c := cursor{"ix": ix.name}
	for _, n := range []string{"pk", "sk", ix.pkName, ix.skName} {
		c[n] = getS(item, n)
	}
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string, ix index) (map[string]types.AttributeValue, error) {
	if s == "" {
		return nil, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	var c cursor
	if err == nil {
		err = json.Unmarshal(b, &c)
	}
	if err != nil || c["ix"] != ix.name || c[ix.pkName] != ix.pk || len(c) != 5 {
		return nil, errs.E(errs.Invalid, "cursor is not valid for this list")
	}
	delete(c, "ix")
	out := map[string]types.AttributeValue{}
	for k, v := range c {
		out[k] = str(v)
	}
	return out, nil
}

// maxSearch bounds a search's answer.
const maxSearch = 50

// Match reports whether t passes f's filters (not its sort, limit or cursor): the same test
// ListTickets' filter expression makes, for tickets found another way.
func (f Filter) Match(t ticket.Ticket) bool {
	switch {
	case f.Status != "" && t.Status != f.Status,
		f.Category != "" && t.Category != f.Category,
		f.Priority != "" && t.Priority != f.Priority,
		f.Language != "" && t.Language != f.Language,
		f.Assignee == Unassigned && t.Assignee != "",
		f.Assignee != "" && f.Assignee != Unassigned && t.Assignee != f.Assignee:
		return false
	}
	return true
}

// SearchTickets finds merchantID's tickets by order number, customer email, tracking number
// or payment id (exact, case-insensitive) that pass f's filters, most recent activity first.
func (s *Store) SearchTickets(ctx context.Context, merchantID, q string, f Filter) ([]ticket.Ticket, error) {
	ref := ticket.NormalizeRef(q)
	if ref == "" {
		return nil, errs.E(errs.Invalid, "search term is empty")
	}
	out, err := s.db.Query(ctx, &dynamodb.QueryInput{
		TableName:                 aws.String(s.table),
		KeyConditionExpression:    aws.String("pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(refPK(merchantID, ref))},
		Limit:                     aws.Int32(maxSearch),
	})
	if err != nil {
		return nil, classify(err, "search tickets")
	}
	if len(out.Items) == 0 {
		return []ticket.Ticket{}, nil
	}
	keys := make([]map[string]types.AttributeValue, 0, len(out.Items))
	for _, it := range out.Items {
		keys = append(keys, key(ticketPK(merchantID, getS(it, "sk")), "TICKET"))
	}
	items, err := s.batchGet(ctx, keys)
	if err != nil {
		return nil, err
	}
	tickets := make([]ticket.Ticket, 0, len(items))
	for _, it := range items {
		t, err := decodeTicket(merchantID, it)
		if err != nil {
			return nil, err
		}
		if f.Match(t) {
			tickets = append(tickets, t)
		}
	}
	slices.SortFunc(tickets, func(a, b ticket.Ticket) int { return b.UpdatedAt.Compare(a.UpdatedAt) })
	return tickets, nil
}

// batchGet reads up to 100 items, retrying unprocessed keys.
func (s *Store) batchGet(ctx context.Context, keys []map[string]types.AttributeValue) ([]map[string]types.AttributeValue, error) {
	var items []map[string]types.AttributeValue
	req := map[string]types.KeysAndAttributes{s.table: {Keys: keys}}
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

func readPK(merchantID, agent string) string { return tenant(merchantID) + "#READ#" + agent }

// MarkRead records that agent has seen ticket id as of its activity time at.
func (s *Store) MarkRead(ctx context.Context, merchantID, agent, id string, at time.Time) error {
	item := key(readPK(merchantID, agent), id)
	item["at"] = str(sortTime(at))
	_, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.table), Item: item})
	return classify(err, "mark ticket %s read", id)
}

// Unread reports which of tickets agent has not seen since their last activity.
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
	items, err := s.batchGet(ctx, keys)
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
