package dynamo

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/borderdesk/borderdesk/shared/ticket"
)

// PutTicket writes t as every ticket write stores it — its item and its search items — so
// the inbox's tests seed tickets without going through events.
func (s *Store) PutTicket(ctx context.Context, t ticket.Ticket) error {
	item, err := ticketItem(t)
	if err != nil {
		return err
	}
	writes := append([]types.TransactWriteItem{{Put: &types.Put{TableName: aws.String(s.table), Item: item}}}, s.refWrites(t)...)
	_, err = s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: writes})
	return classify(err, "put ticket %s", t.ID)
}

// PutSearchItem writes the search item of t for ref alone: a stale one, when t is not the
// ticket as stored.
func (s *Store) PutSearchItem(ctx context.Context, t ticket.Ticket, ref string) error {
	_, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.table), Item: refItem(t, ref)})
	return classify(err, "put search item")
}

// TicketItem is the stored item of ticket id, as attributes.
func (s *Store) TicketItem(ctx context.Context, merchantID, id string) (map[string]types.AttributeValue, error) {
	return s.consistentGet(ctx, key(ticketPK(merchantID, id), "TICKET"))
}
