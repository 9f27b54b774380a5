package dynamo

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/borderdesk/borderdesk/shared/errs"
	"github.com/borderdesk/borderdesk/shared/outbox"
)

// The relay's side of the outbox (shared/outbox): find what waits, oldest first, and delete
// what was published.

// maxBatchWrite is BatchWriteItem's limit of requests per call.
const maxBatchWrite = 25

// deleteAttempts bounds the retries of a batch's unprocessed deletes; what is still left is
// relayed again later, which consumers absorb.
const deleteAttempts = 4

// PendingOutbox returns up to limit outbox items written before before (every item when
// before is zero), oldest first, from the sparse outbox index — never a Scan. An item that
// does not decode is a bug: it is skipped, and named in an errs.Invalid error returned along
// with the records that did decode, so one bad item neither blocks the rest nor goes unseen.
func (s *Store) PendingOutbox(ctx context.Context, before time.Time, limit int) ([]outbox.Record, error) {
	if limit < 1 {
		return nil, nil
	}
	in := &dynamodb.QueryInput{
		TableName:                 aws.String(s.table),
		IndexName:                 aws.String(IndexOutbox),
		KeyConditionExpression:    aws.String("obpk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str("OUTBOX")},
		ScanIndexForward:          aws.Bool(true),
	}
	if !before.IsZero() {
		in.KeyConditionExpression = aws.String("obpk = :pk AND obsk < :before")
		in.ExpressionAttributeValues[":before"] = str(sortTime(before))
	}
	var out []outbox.Record
	var bad []error
	for read := 0; read < limit; {
		in.Limit = aws.Int32(int32(limit - read))
		page, err := s.db.Query(ctx, in)
		if err != nil {
			return nil, classify(err, "query outbox")
		}
		read += len(page.Items)
		for _, item := range page.Items {
			rec, err := DecodeOutbox(item)
			if err != nil {
				bad = append(bad, err)
				continue
			}
			out = append(out, rec)
		}
		if len(page.LastEvaluatedKey) == 0 {
			break
		}
		in.ExclusiveStartKey = page.LastEvaluatedKey
	}
	if len(bad) > 0 {
		return out, errs.Wrap(errs.Invalid, errors.Join(bad...), "%d outbox items do not decode", len(bad))
	}
	return out, nil
}

// DeleteOutbox deletes the outbox items of recs, once relayed. Deleting an item already gone
// is not an error: two relays may have published the same record.
func (s *Store) DeleteOutbox(ctx context.Context, recs []outbox.Record) error {
	for len(recs) > 0 {
		n := min(len(recs), maxBatchWrite)
		reqs := make([]types.WriteRequest, 0, n)
		for _, r := range recs[:n] {
			reqs = append(reqs, types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: key(r.PK, r.SK)}})
		}
		pending := map[string][]types.WriteRequest{s.table: reqs}
		for attempt := 0; len(pending[s.table]) > 0; attempt++ {
			if attempt == deleteAttempts {
				return errs.E(errs.Transient, "delete outbox: %d items unprocessed after %d attempts", len(pending[s.table]), attempt)
			}
			out, err := s.db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: pending})
			if err != nil {
				return classify(err, "delete outbox")
			}
			pending = out.UnprocessedItems
		}
		recs = recs[n:]
	}
	return nil
}
