package dynamo

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/borderdesk/borderdesk/shared/errs"
)

// ReceiptRetention is how long receipts, and the raw bodies kept in S3 for them, are kept by
// default: the table's TTL for the one, the bucket's lifecycle for the other.
const ReceiptRetention = 30 * 24 * time.Hour

// Receipt is a verified webhook as it arrived: the dedupe key and the raw body.
type Receipt struct {
	MerchantID string
	Provider   string
	EventID    string // the provider's event id
	Type       string // the provider's event type
	// Body is the raw body when the item holds it; BodyBucket and BodyKey locate it in S3
	// when it was too large for an item (a claim check: items are limited to 400 KB).
	Body                []byte
	BodyBucket, BodyKey string
	ReceivedAt          time.Time
	// Events is how many catalog events the body maps to; 0 means archived, not ticketed.
	Events int
	// Retain is how long the raw body is kept (TTL).
	Retain time.Duration
	// Fingerprint identifies the content when the sender's own key names the receipt (a
	// customer message's Idempotency-Key): the same key with another fingerprint is refused.
	// Empty for webhooks: the provider signs the event id, and its redeliveries may differ in
	// details (Stripe's pending_webhooks).
	Fingerprint string
}

func receiptKey(merchantID, provider, eventID string) map[string]types.AttributeValue {
	return key(tenant(merchantID)+"#WH#"+provider+"#"+eventID, "WH")
}

// RecordReceipt deduplicates and archives r in one conditional write. It returns
// errs.Conflict when the same provider event was already accepted and published: the
// caller answers the duplicate 200 and does nothing more. A receipt that was stored but
// never published (its publisher failed) may be recorded again, so a provider's retry
// completes it. A receipt with a Fingerprint already recorded with another one is
// errs.Unprocessable, published or not: the key was used for different content, which must
// neither replace the first nor pass as its duplicate.
func (s *Store) RecordReceipt(ctx context.Context, r Receipt) error {
	item := receiptKey(r.MerchantID, r.Provider, r.EventID)
	item["provider_type"] = str(r.Type)
	if r.BodyKey != "" {
		item["body_bucket"] = str(r.BodyBucket)
		item["body_key"] = str(r.BodyKey)
	} else {
		item["body"] = &types.AttributeValueMemberB{Value: r.Body}
	}
	item["received_at"] = str(r.ReceivedAt.UTC().Format(time.RFC3339Nano))
	item["events"] = num(int64(r.Events))
	item[Table.TTLAttribute] = num(r.ReceivedAt.Add(r.Retain).Unix())
	in := &dynamodb.PutItemInput{
		TableName:           aws.String(s.table),
		Item:                item,
		ConditionExpression: aws.String("attribute_not_exists(pk) OR attribute_not_exists(published_at)"),
	}
	if r.Fingerprint != "" {
		item["fingerprint"] = str(r.Fingerprint)
		// Receipts from before fingerprints count as the same content.
		in.ConditionExpression = aws.String("attribute_not_exists(pk) OR " +
			"(attribute_not_exists(published_at) AND (attribute_not_exists(fingerprint) OR fingerprint = :fp))")
		in.ExpressionAttributeValues = map[string]types.AttributeValue{":fp": str(r.Fingerprint)}
	}
	_, err := s.db.PutItem(ctx, in)
	if err == nil {
		return nil
	}
	err = classify(err, "record webhook %s/%s", r.Provider, r.EventID)
	if !errs.Is(err, errs.Conflict) {
		return err
	}
	if r.Fingerprint != "" {
		// Only on a conflict: one more read tells a duplicate from a reused key.
		stored, _, gerr := s.GetReceipt(ctx, r.MerchantID, r.Provider, r.EventID)
		switch {
		case errs.Is(gerr, errs.NotFound): // expired in between: the sender retries
			return errs.Wrap(errs.Transient, err, "receipt %s changed while recording it; please retry", r.EventID)
		case gerr != nil:
			return gerr
		case stored.Fingerprint != "" && stored.Fingerprint != r.Fingerprint:
			return errs.Wrap(errs.Unprocessable, err, "receipt %s was recorded with other content", r.EventID)
		}
	}
	return errs.Wrap(errs.Conflict, err, "duplicate webhook %s", r.EventID)
}

// MarkPublished records that the receipt's events reached the bus.
func (s *Store) MarkPublished(ctx context.Context, merchantID, provider, eventID string, at time.Time) error {
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(s.table),
		Key:                       receiptKey(merchantID, provider, eventID),
		UpdateExpression:          aws.String("SET published_at = :at"),
		ConditionExpression:       aws.String("attribute_exists(pk)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":at": str(at.UTC().Format(time.RFC3339Nano))},
	})
	return classify(err, "mark webhook %s/%s published", provider, eventID)
}

// GetReceipt reads a stored receipt (for tests and replays). A body kept in S3 is not read:
// the receipt says where it is.
func (s *Store) GetReceipt(ctx context.Context, merchantID, provider, eventID string) (Receipt, bool, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(s.table), Key: receiptKey(merchantID, provider, eventID), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return Receipt{}, false, classify(err, "get webhook %s/%s", provider, eventID)
	}
	if out.Item == nil {
		return Receipt{}, false, errs.E(errs.NotFound, "webhook %s not found", eventID)
	}
	r := Receipt{
		MerchantID: merchantID, Provider: provider, EventID: eventID, Type: getS(out.Item, "provider_type"),
		BodyBucket: getS(out.Item, "body_bucket"), BodyKey: getS(out.Item, "body_key"), Fingerprint: getS(out.Item, "fingerprint"),
	}
	if b, ok := out.Item["body"].(*types.AttributeValueMemberB); ok {
		r.Body = b.Value
	}
	r.ReceivedAt, _ = time.Parse(time.RFC3339Nano, getS(out.Item, "received_at"))
	_, published := out.Item["published_at"]
	return r, published, nil
}
