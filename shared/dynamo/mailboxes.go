package dynamo

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/borderdesk/borderdesk/shared/errs"
	"github.com/borderdesk/borderdesk/shared/merchant"
)

// A merchant's support address is its sender (merchant.Sender.Address): replies go out from
// it, and customers write to it. A mailbox item ("MAILBOX#<address>", "MAILBOX") says which
// merchant owns an address, so inbound mail finds its tenant with one read, and it holds each
// address to one merchant: a second merchant claiming it is refused, not silently handed the
// first one's mail.
func mailboxPK(address string) string { return "MAILBOX#" + address }

// maxAddressBytes bounds an address as a key: RFC 5321's 64-byte local part, @ and 255-byte
// domain, so no address a mail server delivers is refused and no key nears DynamoDB's limit.
const maxAddressBytes = 64 + 1 + 255

// NormalAddress is address as a mailbox key: trimmed, without angle brackets, lower case.
// Mail servers treat local parts case-insensitively in practice, and a customer who types
// Support@Shop.example means the shop's support@shop.example.
func NormalAddress(address string) string {
	a := strings.TrimSpace(address)
	a = strings.TrimSuffix(strings.TrimPrefix(a, "<"), ">")
	return strings.ToLower(strings.TrimSpace(a))
}

// PutMerchant writes m, and when m's sender address changes, its mailbox with it in one
// transaction: the new address is claimed (a conflict when another merchant owns it) and the
// old one freed. So the address replies come from is always the one mail to it reaches.
func (s *Store) PutMerchant(ctx context.Context, m merchant.Merchant) error {
	if m.ID == "" {
		return errs.E(errs.Invalid, "a merchant needs an id")
	}
	prev, err := s.GetMerchant(ctx, m.ID)
	if err != nil && !errs.Is(err, errs.NotFound) {
		return err
	}
	addr, was := NormalAddress(m.Sender.Address), NormalAddress(prev.Sender.Address)
	if addr == "" && was == "" {
		return s.putDoc(ctx, tenant(m.ID), "MERCHANT", m, nil) // no mailbox to keep
	}
	record, err := docItem(tenant(m.ID), "MERCHANT", m, nil)
	if err != nil {
		return err
	}
	items := []types.TransactWriteItem{{Put: &types.Put{TableName: aws.String(s.table), Item: record}}}
	ours := map[string]types.AttributeValue{":id": str(m.ID)}
	if addr != "" {
		if len(addr) > maxAddressBytes || strings.Count(addr, "@") != 1 {
			return errs.E(errs.Invalid, "sender %q is not an address a mailbox can have", m.Sender.Address)
		}
		box := key(mailboxPK(addr), "MAILBOX")
		box["merchant_id"] = str(m.ID)
		box["address"] = str(addr)
		// Put every time, not only on a change: a mailbox lost (or written before mailboxes)
		// comes back with the next put of its merchant.
		items = append(items, types.TransactWriteItem{Put: &types.Put{
			TableName: aws.String(s.table), Item: box, ExpressionAttributeValues: ours,
			ConditionExpression: aws.String("attribute_not_exists(pk) OR merchant_id = :id"),
		}})
	}
	if was != "" && was != addr {
		items = append(items, types.TransactWriteItem{Delete: &types.Delete{
			TableName: aws.String(s.table), Key: key(mailboxPK(was), "MAILBOX"), ExpressionAttributeValues: ours,
			ConditionExpression: aws.String("attribute_not_exists(pk) OR merchant_id = :id"),
		}})
	}
	_, err = s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
	if err = classify(err, "put merchant %s", m.ID); errs.Is(err, errs.Conflict) {
		return errs.Wrap(errs.Conflict, err, "%s is already the support address of another merchant", addr)
	}
	return err
}

// Mailbox says which merchant owns address, and the ticket tag it carries: mail to
// "support+tk_123@shop.example" is the merchant of support@shop.example's, about ticket
// tk_123 (the Reply-To of our replies, shared/mail FromReply). An address nobody owns, or
// that is no address, is not found. An address that is itself a mailbox (a merchant whose
// sender has a "+") is that merchant's, with no tag.
func (s *Store) Mailbox(ctx context.Context, address string) (merchantID, ticketTag string, err error) {
	addr := NormalAddress(address)
	local, domain, ok := strings.Cut(addr, "@")
	if !ok || local == "" || domain == "" || strings.Contains(domain, "@") || len(addr) > maxAddressBytes {
		return "", "", errs.E(errs.NotFound, "no mailbox %q", address)
	}
	id, err := s.mailboxOwner(ctx, addr)
	if !errs.Is(err, errs.NotFound) {
		return id, "", err
	}
	base, tag, tagged := strings.Cut(local, "+")
	if !tagged || base == "" {
		return "", "", err
	}
	id, err = s.mailboxOwner(ctx, base+"@"+domain)
	if err != nil {
		return "", "", err
	}
	return id, tag, nil
}

// mailboxOwner reads the merchant that owns the normalised address addr.
func (s *Store) mailboxOwner(ctx context.Context, addr string) (string, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.table), Key: key(mailboxPK(addr), "MAILBOX")})
	if err != nil {
		return "", classify(err, "get mailbox %s", addr)
	}
	if out.Item == nil || getS(out.Item, "merchant_id") == "" {
		return "", errs.E(errs.NotFound, "no merchant receives mail at %s", addr)
	}
	return getS(out.Item, "merchant_id"), nil
}
