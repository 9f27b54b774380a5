package dynamo

import (
	"context"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/borderdesk/borderdesk/shared/errs"
)

// A merchant's suppression list is one item per address, ("M#<merchant>",
// "SUPPRESS#<address in lower case>"): a merchant's bounces and complaints never keep another
// merchant's mail from a customer they share.
func suppressSK(address string) string {
	return "SUPPRESS#" + strings.ToLower(strings.TrimSpace(address))
}

// Why an address is suppressed.
const (
	SuppressBounced    = "bounced"    // a permanent bounce
	SuppressComplained = "complained" // the recipient marked a mail as spam
)

// Suppression is an address a merchant no longer mails, why, and since when.
type Suppression struct {
	Address string
	Why     string    // SuppressBounced or SuppressComplained
	Detail  string    // in plain words, e.g. "mailbox does not exist"
	At      time.Time // when the bounce or complaint happened
	EntryID string    // the reply whose mail bounced or was complained about
}

// Suppress puts sup.Address on merchantID's suppression list, replacing what was there.
func (s *Store) Suppress(ctx context.Context, merchantID string, sup Suppression) error {
	item := key(tenant(merchantID), suppressSK(sup.Address))
	item["address"] = str(sup.Address)
	item["why"] = str(sup.Why)
	item["detail"] = str(sup.Detail)
	item["at"] = str(sortTime(sup.At))
	item["entry_id"] = str(sup.EntryID)
	_, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.table), Item: item})
	return classify(err, "suppress %s", sup.Address)
}

// Suppressed reads address's entry on merchantID's suppression list (the address's case does
// not matter): not found when the address is not suppressed.
func (s *Store) Suppressed(ctx context.Context, merchantID, address string) (Suppression, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(s.table), Key: key(tenant(merchantID), suppressSK(address)), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return Suppression{}, classify(err, "read suppression of %s", address)
	}
	if out.Item == nil {
		return Suppression{}, errs.E(errs.NotFound, "%s is not suppressed", address)
	}
	sup := Suppression{Address: getS(out.Item, "address"), Why: getS(out.Item, "why"), Detail: getS(out.Item, "detail"), EntryID: getS(out.Item, "entry_id")}
	sup.At, _ = time.Parse(time.RFC3339Nano, getS(out.Item, "at"))
	return sup, nil
}
