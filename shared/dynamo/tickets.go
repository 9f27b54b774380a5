package dynamo

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/borderdesk/borderdesk/events"
	"github.com/borderdesk/borderdesk/shared/errs"
	"github.com/borderdesk/borderdesk/shared/ticket"
)

func (s *Store) consistentGet(ctx context.Context, k map[string]types.AttributeValue) (map[string]types.AttributeValue, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.table), Key: k, ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, classify(err, "get %s", getS(k, "pk"))
	}
	return out.Item, nil
}

// ticketWrites are the writes that store t (whose stored version was prev; 0 for new), its
// search items as of its activity time, and entries on its timeline.
func (s *Store) ticketWrites(t *ticket.Ticket, prev int64, entries ...ticket.Entry) ([]types.TransactWriteItem, error) {
	refs := s.refWrites(*t)
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

// GetTicket reads ticket id of merchantID with its timeline, oldest first. A merged ticket
// answers its survivor, whose timeline holds the merged tickets' too. Another merchant's
// ticket is not found, exactly like a missing one.
func (s *Store) GetTicket(ctx context.Context, merchantID, id string) (ticket.Ticket, []ticket.Entry, error) {
	t, err := s.loadLive(ctx, merchantID, id)
	if err != nil {
		return t, nil, err
	}
	var entries []ticket.Entry
	for _, pid := range append([]string{t.ID}, t.Absorbed...) {
		p := dynamodb.NewQueryPaginator(s.db, &dynamodb.QueryInput{
			TableName:              aws.String(s.table),
			KeyConditionExpression: aws.String("pk = :pk AND begins_with(sk, :e)"),
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":pk": str(ticketPK(merchantID, pid)), ":e": str("E#"),
			},
			ConsistentRead: aws.Bool(true),
		})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return t, nil, classify(err, "get ticket %s", id)
			}
			for _, it := range page.Items {
				var e ticket.Entry
				if err := json.Unmarshal([]byte(getS(it, "doc")), &e); err != nil {
					return t, nil, errs.Wrap(errs.Internal, err, "decode timeline entry")
				}
				entries = append(entries, e)
			}
		}
	}
	slices.SortStableFunc(entries, func(a, b ticket.Entry) int {
		if c := a.At.Compare(b.At); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return t, entries, nil
}

// Change is an agent's change to a ticket: an entry for the timeline, and the fields to set
// (nil: unchanged).
type Change struct {
	Entry    ticket.Entry
	Status   ticket.Status // "" keeps the status
	Assignee *string       // "" unassigns
	Tags     *[]string
	// Idempotency makes a retried change (a browser resending a reply) a no-op that answers
	// the first one's entry: Key is the caller's Idempotency-Key, Fingerprint what the
	// request said. The same key with another fingerprint is refused.
	Idempotency *Idempotency
	// Announce returns the events the change implies (e.g. message.replied for a reply),
	// committed with it through the outbox as Source.
	Announce func(t ticket.Ticket, e ticket.Entry) ([]events.Event, error)
	Source   string
	// IfSeen, when set, applies the change only to the ticket as the caller last saw it, so
	// that nothing that arrived since (a chargeback joining, a customer's answer) is solved
	// away unseen. The version it names is the condition of the write itself, not a check
	// before it: news landing between the read and the write still refuses the change.
	IfSeen *Seen
}

// Seen is a ticket as a caller last saw it: the id of the ticket they were shown (the
// survivor's, when they opened a merged one) and its version. The id matters: a merge moves
// the caller onto another ticket whose version may well equal the one they saw.
type Seen struct {
	TicketID string
	Version  int64
}

// StaleError is the cause of the errs.Conflict a change with IfSeen gets when the ticket is
// no longer as the caller saw it. Ticket is the ticket as it is now.
type StaleError struct {
	Seen   Seen
	Ticket ticket.Ticket
}

func (e *StaleError) Error() string {
	return fmt.Sprintf("ticket %s is %s at version %d, not %s at version %d as seen", e.Ticket.ID, e.Ticket.Status, e.Ticket.Version, e.Seen.TicketID, e.Seen.Version)
}

// Idempotency identifies one request among its retries.
type Idempotency struct {
	Key         string // scoped to the agent and the ticket by the caller
	Fingerprint string
}

// idempotencyRetain is how long an Idempotency-Key is remembered (TTL).
const idempotencyRetain = 24 * time.Hour

// ChangeTicket applies c to ticket id (or its survivor, when id was merged) under
// optimistic locking and returns the ticket and the entry recorded. A change that changes
// nothing writes nothing. A change with an Idempotency key already used answers the entry
// recorded the first time (errs.Unprocessable when the key came with another request). A
// change with IfSeen on a ticket that moved on since is an errs.Conflict whose cause is a
// *StaleError, and writes nothing.
func (s *Store) ChangeTicket(ctx context.Context, merchantID, id string, c Change) (ticket.Ticket, ticket.Entry, error) {
	for range maxAttempts {
		t, err := s.loadLive(ctx, merchantID, id)
		if err != nil {
			return t, ticket.Entry{}, err
		}
		var idem map[string]types.AttributeValue
		if c.Idempotency != nil {
			idemKey := key(ticketPK(merchantID, t.ID), "IDEM#"+c.Idempotency.Key)
			prior, err := s.consistentGet(ctx, idemKey)
			if err != nil {
				return t, ticket.Entry{}, err
			}
			if prior != nil {
				return replay(t, prior, c.Idempotency)
			}
			if idem, err = docItem(getS(idemKey, "pk"), getS(idemKey, "sk"), c.Entry, map[string]types.AttributeValue{
				"fingerprint":      str(c.Idempotency.Fingerprint),
				Table.TTLAttribute: num(c.Entry.At.Add(idempotencyRetain).Unix()),
			}); err != nil {
				return t, ticket.Entry{}, err
			}
		}
		prev := t.Version
		if c.IfSeen != nil {
			// After the replay check: a retried change must find its own write, not stale news.
			if t.ID != c.IfSeen.TicketID || t.Version != c.IfSeen.Version {
				return t, ticket.Entry{}, errs.Wrap(errs.Conflict, &StaleError{Seen: *c.IfSeen, Ticket: t}, "ticket %s changed since it was read", id)
			}
			prev = c.IfSeen.Version // the write's condition: still the version the caller saw
		}
		changed := c.Entry.Kind == ticket.EntryReply || c.Entry.Kind == ticket.EntryNote
		if c.Status != "" && c.Status != t.Status {
			if err := ticket.CheckStatusChange(t.Status, c.Status); err != nil {
				return t, ticket.Entry{}, errs.E(errs.Conflict, "%s", err.Error())
			}
			t.Status, changed = c.Status, true
		}
		if c.Assignee != nil && *c.Assignee != t.Assignee {
			t.Assignee, changed = *c.Assignee, true
		}
		if c.Tags != nil && !slices.Equal(*c.Tags, t.Tags) {
			t.Tags, changed = *c.Tags, true
		}
		if !changed {
			return t, c.Entry, nil
		}
		if c.Entry.At.After(t.UpdatedAt) {
			t.UpdatedAt = c.Entry.At
		}
		t.Version++
		items, err := s.ticketWrites(&t, prev, c.Entry)
		if err != nil {
			return t, ticket.Entry{}, err
		}
		if idem != nil {
			items = append(items, types.TransactWriteItem{Put: &types.Put{
				TableName: aws.String(s.table), Item: idem, ConditionExpression: aws.String("attribute_not_exists(pk)"),
			}})
		}
		if c.Announce != nil {
			evs, err := c.Announce(t, c.Entry)
			if err != nil {
				return t, ticket.Entry{}, err
			}
			for _, ev := range evs {
				w, err := s.outboxWrite(c.Source, ev, c.Entry.At)
				if err != nil {
					return t, ticket.Entry{}, err
				}
				items = append(items, w)
			}
		}
		err = s.commit(ctx, items)
		if err == nil {
			return t, c.Entry, nil
		}
		if err = classify(err, "change ticket %s", id); !errs.Is(err, errs.Conflict) && !errs.Is(err, errs.Transient) {
			return t, ticket.Entry{}, err
		}
	}
	return ticket.Ticket{}, ticket.Entry{}, errs.E(errs.Transient, "change ticket %s: too much contention", id)
}

// replay answers a change whose idempotency key was used before.
func replay(t ticket.Ticket, prior map[string]types.AttributeValue, idem *Idempotency) (ticket.Ticket, ticket.Entry, error) {
	if getS(prior, "fingerprint") != idem.Fingerprint {
		return t, ticket.Entry{}, errs.E(errs.Unprocessable, "Idempotency-Key %q was already used with a different request", idem.Key)
	}
	var e ticket.Entry
	if err := json.Unmarshal([]byte(getS(prior, "doc")), &e); err != nil {
		return t, e, errs.Wrap(errs.Internal, err, "decode idempotent entry")
	}
	return t, e, nil
}
