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

// PutMerchant writes m.
func (s *Store) PutMerchant(ctx context.Context, m merchant.Merchant) error {
	return s.putDoc(ctx, tenant(m.ID), "MERCHANT", m, nil)
}

// GetMerchant reads merchant id.
func (s *Store) GetMerchant(ctx context.Context, id string) (merchant.Merchant, error) {
	var m merchant.Merchant
	err := s.getDoc(ctx, tenant(id), "MERCHANT", &m)
	if errs.Is(err, errs.NotFound) {
		return m, errs.Wrap(errs.NotFound, err, "unknown merchant %q", id)
	}
	return m, err
}

// PutAgent writes a, and the email lookup the local sign-in uses.
func (s *Store) PutAgent(ctx context.Context, a merchant.Agent) error {
	if err := s.putDoc(ctx, tenant(a.MerchantID), "AGENT#"+a.Email, a, nil); err != nil {
		return err
	}
	return s.putDoc(ctx, "AGENT#"+a.Email, "AGENT", a, nil)
}

// GetAgent reads the agent with email at merchantID.
func (s *Store) GetAgent(ctx context.Context, merchantID, email string) (merchant.Agent, error) {
	var a merchant.Agent
	return a, s.getDoc(ctx, tenant(merchantID), "AGENT#"+email, &a)
}

// FindAgent finds an agent by email alone. Only the local sign-in uses it; in the cloud,
// Cognito knows who an agent is.
func (s *Store) FindAgent(ctx context.Context, email string) (merchant.Agent, error) {
	var a merchant.Agent
	return a, s.getDoc(ctx, "AGENT#"+email, "AGENT", &a)
}

// ListAgents lists merchantID's agents.
func (s *Store) ListAgents(ctx context.Context, merchantID string) ([]merchant.Agent, error) {
	out, err := s.db.Query(ctx, &dynamodb.QueryInput{
		TableName:              aws.String(s.table),
		KeyConditionExpression: aws.String("pk = :pk AND begins_with(sk, :sk)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": str(tenant(merchantID)), ":sk": str("AGENT#"),
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
		agents = append(agents, a)
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
