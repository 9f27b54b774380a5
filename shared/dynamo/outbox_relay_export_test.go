package dynamo

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/borderdesk/borderdesk/events"
)

// PutOutbox commits ev to the outbox as source at at, as the writers' transactions do, so the
// relay's tests seed the outbox without a state change.
func (s *Store) PutOutbox(ctx context.Context, source string, ev events.Event, at time.Time) error {
	w, err := s.outboxWrite(source, ev, at)
	if err != nil {
		return err
	}
	_, err = s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{w}})
	return classify(err, "put outbox %s", ev.ID)
}
