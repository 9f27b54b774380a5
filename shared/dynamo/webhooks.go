package dynamo

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/borderdesk/borderdesk/shared/errs"
)

// Receipt is a verified webhook as it arrived: the dedupe key and the raw body.
type Receipt struct {
	MerchantID string
	Provider   string
	EventID    string // the provider's event id
	Type       string // the provider's event type
	Body       []byte
	ReceivedAt time.Time
	// Events is how many catalog events the body maps to; 0 means archived, not ticketed.
	Events int
	// Retain is how long the raw body is kept (TTL).
	Retain time.Duration
}

func receiptKey(merchantID, provider, eventID string) map[string]types.AttributeValue {
	return key(tenant(merchantID)+"#WH#"+provider+"#"+eventID, "WH")
}

// RecordReceipt deduplicates and archives r in one conditional write. It returns
// errs.Conflict when the same provider event was already accepted and published: the
// caller answers the duplicate 200 and does nothing more. A receipt that was stored but
// never published (its publisher failed) may be recorded again, so a provider's retry
// completes it.
func (s *Store) RecordReceipt(ctx context.Context, r Receipt) error {
	item := receiptKey(r.MerchantID, r.Provider, r.EventID)
	item["provider_type"] = str(r.Type)
	item["body"] = &types.AttributeValueMemberB{Value: r.Body}
	item["received_at"] = str(r.ReceivedAt.UTC().Format(time.RFC3339Nano))
	item["events"] = num(int64(r.Events))
	item[Table.TTLAttribute] = num(r.ReceivedAt.Add(r.Retain).Unix())
	_, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:           aws.String(s.table),
		Item:                item,
		ConditionExpression: aws.String("attribute_not_exists(pk) OR attribute_not_exists(published_at)"),
	})
	if err != nil {
		err = classify(err, "record webhook %s/%s", r.Provider, r.EventID)
		if errs.Is(err, errs.Conflict) {
			return errs.Wrap(errs.Conflict, err, "duplicate webhook %s", r.EventID)
		}
	}
	return err
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

// GetReceipt reads a stored receipt (for tests and replays).
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
	r := Receipt{MerchantID: merchantID, Provider: provider, EventID: eventID, Type: getS(out.Item, "provider_type")}
	if b, ok := out.Item["body"].(*types.AttributeValueMemberB); ok {
		r.Body = b.Value
	}
	r.ReceivedAt, _ = time.Parse(time.RFC3339Nano, getS(out.Item, "received_at"))
	_, published := out.Item["published_at"]
	return r, published, nil
}
