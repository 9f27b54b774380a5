package dynamo

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/borderdesk/borderdesk/shared/errs"
	"github.com/borderdesk/borderdesk/shared/merchant"
)

// PutMerchant (mailboxes.go) writes a merchant with its mailbox.

// GetMerchant reads merchant id.
func (s *Store) GetMerchant(ctx context.Context, id string) (merchant.Merchant, error) {
	var m merchant.Merchant
	err := s.getDoc(ctx, tenant(id), "MERCHANT", &m)
	if errs.Is(err, errs.NotFound) {
		return m, errs.Wrap(errs.NotFound, err, "unknown merchant %q", id)
	}
	return m, err
}

// An agent's record is keyed by its ID under its merchant ("M#<merchant>", "AGENT#<id>"),
// so ListAgents is one Query. A second item, ("AGENT_EMAIL#<email>", "AGENT"), finds an agent
// by email — for the local sign-in and the admin command — and holds each email to one agent.
func agentSK(id string) string         { return "AGENT#" + id }
func agentEmailPK(email string) string { return "AGENT_EMAIL#" + email }

// PutAgent writes a and its email lookup in one transaction. An agent who changes email
// frees the old one. It is a conflict when a's email already belongs to another agent.
func (s *Store) PutAgent(ctx context.Context, a merchant.Agent) error {
	if a.ID == "" || a.Email == "" || a.MerchantID == "" {
		return errs.E(errs.Invalid, "an agent needs an id, an email and a merchant")
	}
	prev, err := s.GetAgent(ctx, a.MerchantID, a.ID)
	if err != nil && !errs.Is(err, errs.NotFound) {
		return err
	}
	record, err := docItem(tenant(a.MerchantID), agentSK(a.ID), a, nil)
	if err != nil {
		return err
	}
	lookup, err := docItem(agentEmailPK(a.Email), "AGENT", a, map[string]types.AttributeValue{"agent_id": str(a.ID)})
	if err != nil {
		return err
	}
	ours := map[string]types.AttributeValue{":id": str(a.ID)}
	items := []types.TransactWriteItem{
		{Put: &types.Put{TableName: aws.String(s.table), Item: record}},
		{Put: &types.Put{
			TableName: aws.String(s.table), Item: lookup, ExpressionAttributeValues: ours,
			ConditionExpression: aws.String("attribute_not_exists(pk) OR agent_id = :id"),
		}},
	}
	if prev.Email != "" && prev.Email != a.Email {
		items = append(items, types.TransactWriteItem{Delete: &types.Delete{
			TableName: aws.String(s.table), Key: key(agentEmailPK(prev.Email), "AGENT"), ExpressionAttributeValues: ours,
			ConditionExpression: aws.String("attribute_not_exists(pk) OR agent_id = :id"),
		}})
	}
	_, err = s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
	if err = classify(err, "put agent %s of %s", a.ID, a.MerchantID); errs.Is(err, errs.Conflict) {
		return errs.Wrap(errs.Conflict, err, "%s is already the email of another agent", a.Email)
	}
	return err
}

// GetAgent reads the agent with id at merchantID.
func (s *Store) GetAgent(ctx context.Context, merchantID, id string) (merchant.Agent, error) {
	var a merchant.Agent
	if id == "" {
		return a, errs.E(errs.NotFound, "no agent without an id")
	}
	return a, s.getDoc(ctx, tenant(merchantID), agentSK(id), &a)
}

// FindAgent finds an agent by email alone: the local sign-in, which has only an email to go
// on, and the admin command. In the cloud Cognito says who is calling, by sub.
func (s *Store) FindAgent(ctx context.Context, email string) (merchant.Agent, error) {
	var a merchant.Agent
	return a, s.getDoc(ctx, agentEmailPK(email), "AGENT", &a)
}

// ListAgents lists merchantID's agents. Records without an id (written before agents had
// one, keyed by email) are left out: nothing can name them; put them again with their sub.
func (s *Store) ListAgents(ctx context.Context, merchantID string) ([]merchant.Agent, error) {
	out, err := s.db.Query(ctx, &dynamodb.QueryInput{
		TableName:              aws.String(s.table),
		KeyConditionExpression: aws.String("pk = :pk AND begins_with(sk, :sk)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": str(tenant(merchantID)), ":sk": str(agentSK("")),
		},
	})
	if err != nil {
		return nil, classify(err, "list agents of %s", merchantID)
	}
	agents := make([]merchant.Agent, 0, len(out.Items))
	for _, it := range out.Items {
		var a merchant.Agent
		if err := json.Unmarshal([]byte(getS(it, "doc")), &a); err != nil {
			return nil, errs.Wrap(errs.Internal, err, "decode agent")
		}
		if a.ID != "" {
			agents = append(agents, a)
		}
	}
	return agents, nil
}

// putDoc writes v as JSON in attribute doc of item (pk, sk), with extra attributes.
func (s *Store) putDoc(ctx context.Context, pk, sk string, v any, extra map[string]types.AttributeValue) error {
	item, err := docItem(pk, sk, v, extra)
	if err != nil {
		return err
	}
	_, err = s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.table), Item: item})
	return classify(err, "put %s %s", pk, sk)
}

func docItem(pk, sk string, v any, extra map[string]types.AttributeValue) (map[string]types.AttributeValue, error) {
	doc, err := json.Marshal(v)
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "encode %s", sk)
	}
	item := key(pk, sk)
	item["doc"] = str(string(doc))
	for k, v := range extra {
		item[k] = v
	}
	return item, nil
}

// getDoc reads item (pk, sk) and decodes its doc into v.
func (s *Store) getDoc(ctx context.Context, pk, sk string, v any) error {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.table), Key: key(pk, sk)})
	if err != nil {
		return classify(err, "get %s %s", pk, sk)
	}
	if out.Item == nil {
		return errs.E(errs.NotFound, "%s not found", sk)
	}
	if err := json.Unmarshal([]byte(getS(out.Item, "doc")), v); err != nil {
		return errs.Wrap(errs.Internal, fmt.Errorf("decode %s %s: %w", pk, sk, err), "corrupt record")
	}
	return nil
}
