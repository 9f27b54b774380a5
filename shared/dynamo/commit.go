package dynamo

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/borderdesk/borderdesk/shared/errs"
)

// maxTransactItems is DynamoDB's limit on the items of one TransactWriteItems.
const maxTransactItems = 100

// commit writes items in one transaction. A ticket's write re-puts one search item per
// reference it holds (refItem), so a ticket with dozens of references, or a merge of two
// large ones, can need more than DynamoDB's 100 items, which it refuses on every retry: the
// event would rest in the DLQ and never reach its ticket. Search items are derived (they
// only point at the ticket and order search), so when the transaction would be too large
// they are written after it commits, in batches, instead of inside it: the ticket, its links,
// markers and outbox still commit together or not at all. The failure this leaves — a crash
// between the two — is search showing a large ticket at its previous activity time, or not
// yet under a brand-new reference, until the ticket's next write re-puts them all.
func (s *Store) commit(ctx context.Context, items []types.TransactWriteItem) error {
	var deferred []types.WriteRequest
	if len(items) > maxTransactItems {
		kept := make([]types.TransactWriteItem, 0, len(items))
		for _, it := range items {
			if p := it.Put; p != nil && p.ConditionExpression == nil && isRefPK(p.Item) {
				deferred = append(deferred, types.WriteRequest{PutRequest: &types.PutRequest{Item: p.Item}})
				continue
			}
			kept = append(kept, it)
		}
		if len(kept) > maxTransactItems {
			return errs.E(errs.Internal, "%d writes (%d without search items) is over DynamoDB's %d per transaction", len(items), len(kept), maxTransactItems)
		}
		items = kept
	}
	if _, err := s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items}); err != nil {
		return err
	}
	// The change is committed: a failure to write its search items now must not look like a
	// failed change (a retry would find the event applied and stop). It is the crash case
	// above, and the ticket's next write repairs it.
	_ = s.batchPut(ctx, deferred)
	return nil
}

func isRefPK(item map[string]types.AttributeValue) bool {
	pk, ok := item["pk"].(*types.AttributeValueMemberS)
	return ok && strings.Contains(pk.Value, "#REF#")
}

// batchPut writes reqs 25 at a time, again for what DynamoDB left unprocessed.
func (s *Store) batchPut(ctx context.Context, reqs []types.WriteRequest) error {
	for len(reqs) > 0 {
		n := min(len(reqs), 25)
		pending := reqs[:n]
		reqs = reqs[n:]
		for attempt := 0; len(pending) > 0; attempt++ {
			if attempt == 5 {
				return errs.E(errs.Transient, "search items: %d writes still unprocessed", len(pending))
			}
			out, err := s.db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{s.table: pending}})
			if err != nil {
				return classify(err, "write search items")
			}
			pending = out.UnprocessedItems[s.table]
		}
	}
	return nil
}
