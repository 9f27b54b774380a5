package dynamo

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/borderdesk/borderdesk/shared/errs"
)

// A reply's send marker is ("M#<merchant>", "SENT#<entry id>"): claimed (state "sending")
// before the mail goes out, "sent" with the provider's id after. One entry is one email.
func sendSK(entryID string) string { return "SENT#" + entryID }

// Send marker states: "sending" and "sent" are notify's own; the rest come from SES's delivery
// events, or from notify when a send can never happen ("failed"). An entry with no marker is
// queued: its send has not been tried yet.
const (
	SendClaimed    = "sending"
	SendDone       = "sent"
	SendDelivered  = "delivered"
	SendDelayed    = "delayed"
	SendBounced    = "bounced"
	SendComplained = "complained"
	SendFailed     = "failed"
)

// Delivery is where a reply's email stands, as the console shows it: its state, a reason in
// plain words when it did not (or not yet) arrive, when it got there, and the provider's
// message id once sent.
type Delivery struct {
	State, Reason string
	At            time.Time
	ProviderID    string
}

// Deliveries reads the send markers of entryIDs (a ticket's timeline), keyed by entry id. An
// entry with no marker is absent: queued, or not an email at all.
func (s *Store) Deliveries(ctx context.Context, merchantID string, entryIDs []string) (map[string]Delivery, error) {
	out := map[string]Delivery{}
	seen := map[string]bool{}
	var keys []map[string]types.AttributeValue
	for _, id := range entryIDs {
		if seen[id] { // BatchGetItem refuses a request that names one key twice
			continue
		}
		seen[id] = true
		keys = append(keys, key(tenant(merchantID), sendSK(id)))
	}
	for len(keys) > 0 {
		n := min(len(keys), 100) // BatchGetItem's limit per request
		items, err := s.batchGet(ctx, keys[:n], false)
		if err != nil {
			return nil, fmt.Errorf("read deliveries: %w", err)
		}
		keys = keys[n:]
		for _, it := range items {
			out[strings.TrimPrefix(getS(it, "sk"), "SENT#")] = deliveryOf(it)
		}
	}
	return out, nil
}

// deliveryOf reads a marker item. Markers from before delivery states carry no state_at: their
// time is when they were sent, or claimed.
func deliveryOf(it map[string]types.AttributeValue) Delivery {
	d := Delivery{State: getS(it, "state"), Reason: getS(it, "reason"), ProviderID: getS(it, "provider_id")}
	for _, name := range []string{"state_at", "sent_at", "claimed_at"} {
		if v := getS(it, name); v != "" {
			d.At, _ = time.Parse(time.RFC3339Nano, v)
			break
		}
	}
	return d
}

// unsentCondition holds for a marker that does not exist, or that notify itself recorded as
// failed before any send (no provider id): in both cases no email went out, so a send may
// be claimed, and a failure recorded, over it.
const unsentCondition = "attribute_not_exists(pk) OR (#s = :failed AND attribute_not_exists(provider_id))"

// ClaimSend claims the sending of entry's email: a conflict when it was claimed before
// (sent, or a send whose outcome nobody recorded). A marker notify recorded as failed before
// sending (no sender, suppressed) does not stand in the way: the cause may have been fixed.
func (s *Store) ClaimSend(ctx context.Context, merchantID, entryID string, at time.Time) error {
	item := key(tenant(merchantID), sendSK(entryID))
	item["state"] = str(SendClaimed)
	item["claimed_at"] = str(sortTime(at))
	item["state_at"] = str(sortTime(at))
	_, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(s.table), Item: item,
		ConditionExpression:       aws.String(unsentCondition),
		ExpressionAttributeNames:  map[string]string{"#s": "state"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":failed": str(SendFailed)},
	})
	return classify(err, "claim send of %s", entryID)
}

// FailSend records that entry's email was not and will not be sent as it stands, and why in
// plain words: a conflict when a send was claimed or made.
func (s *Store) FailSend(ctx context.Context, merchantID, entryID, reason string, at time.Time) error {
	item := key(tenant(merchantID), sendSK(entryID))
	item["state"] = str(SendFailed)
	item["reason"] = str(reason)
	item["state_at"] = str(sortTime(at))
	_, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(s.table), Item: item,
		ConditionExpression:       aws.String(unsentCondition),
		ExpressionAttributeNames:  map[string]string{"#s": "state"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":failed": str(SendFailed)},
	})
	return classify(err, "record send of %s failed", entryID)
}

// Delivery reads entry's send marker: not found when there is none.
func (s *Store) Delivery(ctx context.Context, merchantID, entryID string) (Delivery, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(s.table), Key: key(tenant(merchantID), sendSK(entryID)), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return Delivery{}, classify(err, "read send of %s", entryID)
	}
	if out.Item == nil {
		return Delivery{}, errs.E(errs.NotFound, "send of %s not claimed", entryID)
	}
	return deliveryOf(out.Item), nil
}

// SetDelivery moves entry's marker from state from to d, recording d's reason, time and
// provider id (kept when d has none). It never creates a marker: not found when there is
// none, a conflict when the marker is no longer in state from (someone moved it first). The
// caller decides whether the move is allowed; this is the compare-and-set that makes it safe.
func (s *Store) SetDelivery(ctx context.Context, merchantID, entryID, from string, d Delivery) error {
	set := "SET #s = :to, reason = :reason, state_at = :at"
	vals := map[string]types.AttributeValue{
		":to": str(d.State), ":reason": str(d.Reason), ":at": str(sortTime(d.At)), ":from": str(from),
	}
	if d.ProviderID != "" {
		set += ", provider_id = :id"
		vals[":id"] = str(d.ProviderID)
	}
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(s.table), Key: key(tenant(merchantID), sendSK(entryID)),
		UpdateExpression:          aws.String(set),
		ConditionExpression:       aws.String("attribute_exists(pk) AND #s = :from"),
		ExpressionAttributeNames:  map[string]string{"#s": "state"},
		ExpressionAttributeValues: vals,
	})
	err = classify(err, "set delivery of %s to %s", entryID, d.State)
	if errs.Is(err, errs.Conflict) {
		if _, rerr := s.Delivery(ctx, merchantID, entryID); errs.Is(rerr, errs.NotFound) {
			return rerr
		}
	}
	return err
}

// SendState is the state of entry's send marker and the provider's message id once sent;
// not found when it was never claimed.
func (s *Store) SendState(ctx context.Context, merchantID, entryID string) (state, providerID string, err error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(s.table), Key: key(tenant(merchantID), sendSK(entryID)), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return "", "", classify(err, "read send of %s", entryID)
	}
	if out.Item == nil {
		return "", "", errs.E(errs.NotFound, "send of %s not claimed", entryID)
	}
	return getS(out.Item, "state"), getS(out.Item, "provider_id"), nil
}

// MarkSent records that entry's email went out as providerID. A delivery event may have
// moved the claim on already (SES can report a delivery before the send call returns): then
// only the provider id and the send time are recorded, and the later state stays.
func (s *Store) MarkSent(ctx context.Context, merchantID, entryID, providerID string, at time.Time) error {
	k := key(tenant(merchantID), sendSK(entryID))
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(s.table), Key: k,
		UpdateExpression:         aws.String("SET #s = :sent, provider_id = :id, sent_at = :at, state_at = :at"),
		ConditionExpression:      aws.String("#s = :claimed"),
		ExpressionAttributeNames: map[string]string{"#s": "state"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":sent": str(SendDone), ":claimed": str(SendClaimed), ":id": str(providerID), ":at": str(sortTime(at)),
		},
	})
	if !errs.Is(classify(err, ""), errs.Conflict) {
		return classify(err, "mark %s sent", entryID)
	}
	_, err = s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(s.table), Key: k,
		UpdateExpression:    aws.String("SET provider_id = :id, sent_at = :at"),
		ConditionExpression: aws.String("attribute_exists(pk)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":id": str(providerID), ":at": str(sortTime(at)),
		},
	})
	return classify(err, "mark %s sent", entryID)
}

// ReleaseSend turns a claim whose send certainly did not happen (the provider refused it)
// into a failure that says why, so the console shows the reply as not sent while its
// message waits to be retried, and a retry may claim it again (unsentCondition). A marker
// already sent is kept: a conflict.
func (s *Store) ReleaseSend(ctx context.Context, merchantID, entryID, reason string, at time.Time) error {
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(s.table), Key: key(tenant(merchantID), sendSK(entryID)),
		UpdateExpression:         aws.String("SET #s = :failed, reason = :r, state_at = :at"),
		ConditionExpression:      aws.String("#s = :claimed"),
		ExpressionAttributeNames: map[string]string{"#s": "state"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":claimed": str(SendClaimed), ":failed": str(SendFailed), ":r": str(reason), ":at": str(sortTime(at)),
		},
	})
	return classify(err, "release send of %s", entryID)
}
