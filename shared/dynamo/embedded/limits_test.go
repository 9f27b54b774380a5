package embedded_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"

	"github.com/borderdesk/borderdesk/shared/dynamo/embedded"
)

const (
	tooLarge = "Item size has exceeded the maximum allowed size"
	hashKey  = "One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes"
	rangeKey = "One or more parameter values were invalid: Aggregated size of all range keys has exceeded the size limit of 1024 bytes"
	transact = "1 validation error detected: Value at 'transactItems' failed to satisfy constraint: Member must have length less than or equal to 100"
	batch    = "Too many items requested for the BatchWriteItem call"
)

func s(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }

// itemOfSize is an item of exactly n bytes as DynamoDB counts them: "pk" + "p", "sk" + "s"
// and "body" + its bytes.
func itemOfSize(n int) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		"pk": s("p"), "sk": s("s"),
		"body": &types.AttributeValueMemberB{Value: make([]byte, n-len("pkpsksbody"))},
	}
}

// TestLimits: through the real SDK client, the embedded table refuses what DynamoDB refuses,
// with DynamoDB's error, and accepts what it accepts.
func TestLimits(t *testing.T) {
	ctx := context.Background()
	db, err := embedded.Start(ctx, "127.0.0.1:0", "limits")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	table := aws.String("limits")
	put := func(item map[string]types.AttributeValue) error {
		_, err := db.Client.PutItem(ctx, &dynamodb.PutItemInput{TableName: table, Item: item})
		return err
	}
	long := func(n int) string { return strings.Repeat("k", n) }
	tests := []struct {
		name    string
		call    func() error
		wantMsg string // "" for accepted
	}{
		{"PutItem at 400 KB", func() error { return put(itemOfSize(embedded.MaxItemBytes)) }, ""},
		{"PutItem a byte over 400 KB", func() error { return put(itemOfSize(embedded.MaxItemBytes + 1)) }, tooLarge},
		{"PutItem, partition key at the limit", func() error {
			return put(map[string]types.AttributeValue{"pk": s(long(2048)), "sk": s("s")})
		}, ""},
		{"PutItem, partition key over", func() error {
			return put(map[string]types.AttributeValue{"pk": s(long(2049)), "sk": s("s")})
		}, hashKey},
		{"PutItem, sort key at the limit", func() error {
			return put(map[string]types.AttributeValue{"pk": s("p"), "sk": s(long(1024))})
		}, ""},
		{"PutItem, sort key over", func() error {
			return put(map[string]types.AttributeValue{"pk": s("p"), "sk": s(long(1025))})
		}, rangeKey},
		{"PutItem, index partition key over", func() error {
			return put(map[string]types.AttributeValue{"pk": s("p"), "sk": s("s2"), "gsi1pk": s(long(2049)), "gsi1sk": s("x")})
		}, hashKey},
		{"PutItem, large nested item", func() error {
			list := make([]types.AttributeValue, 0, 5000)
			for range 5000 {
				list = append(list, &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{
					"message": s(long(80)), "n": &types.AttributeValueMemberN{Value: "12345"},
				}})
			}
			return put(map[string]types.AttributeValue{"pk": s("p"), "sk": s("s3"), "checkpoints": &types.AttributeValueMemberL{Value: list}})
		}, tooLarge},
		{"TransactWriteItems Put over 400 KB", func() error {
			_, err := db.Client.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
				{Put: &types.Put{TableName: table, Item: map[string]types.AttributeValue{"pk": s("t"), "sk": s("1")}}},
				{Put: &types.Put{TableName: table, Item: itemOfSize(embedded.MaxItemBytes + 1)}},
			}})
			return err
		}, tooLarge},
		{"TransactWriteItems Update of a key over", func() error {
			_, err := db.Client.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
				{Update: &types.Update{TableName: table, Key: map[string]types.AttributeValue{"pk": s(long(3000)), "sk": s("1")},
					UpdateExpression: aws.String("SET a = :a"), ExpressionAttributeValues: map[string]types.AttributeValue{":a": s("x")}}},
			}})
			return err
		}, hashKey},
		{"BatchWriteItem put over 400 KB", func() error {
			_, err := db.Client.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{
				"limits": {{PutRequest: &types.PutRequest{Item: itemOfSize(embedded.MaxItemBytes + 1)}}},
			}})
			return err
		}, tooLarge},
		{"TransactWriteItems of 100 items", func() error { return transactN(ctx, db, 100) }, ""},
		{"TransactWriteItems of 101 items", func() error { return transactN(ctx, db, 101) }, transact},
		{"BatchWriteItem of 25 puts", func() error { return batchN(ctx, db, 25) }, ""},
		{"BatchWriteItem of 26 puts", func() error { return batchN(ctx, db, 26) }, batch},
		{"GetItem of a key over", func() error {
			_, err := db.Client.GetItem(ctx, &dynamodb.GetItemInput{TableName: table, Key: map[string]types.AttributeValue{"pk": s("p"), "sk": s(long(1025))}})
			return err
		}, rangeKey},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			if tc.wantMsg == "" {
				if err != nil {
					t.Errorf("%s = %v; want accepted", tc.name, err)
				}
				return
			}
			var apiErr smithy.APIError
			var httpErr *awshttp.ResponseError
			if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "ValidationException" || apiErr.ErrorMessage() != tc.wantMsg ||
				!errors.As(err, &httpErr) || httpErr.HTTPStatusCode() != 400 {
				t.Errorf("%s = %v; want a 400 ValidationException %q", tc.name, err, tc.wantMsg)
			}
		})
	}
}

func transactN(ctx context.Context, db *embedded.DynamoDB, n int) error {
	items := make([]types.TransactWriteItem, n)
	for i := range items {
		items[i] = types.TransactWriteItem{Put: &types.Put{TableName: aws.String("limits"),
			Item: map[string]types.AttributeValue{"pk": s("tx"), "sk": s(fmt.Sprint(i))}}}
	}
	_, err := db.Client.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
	return err
}

func batchN(ctx context.Context, db *embedded.DynamoDB, n int) error {
	reqs := make([]types.WriteRequest, n)
	for i := range reqs {
		reqs[i] = types.WriteRequest{PutRequest: &types.PutRequest{Item: map[string]types.AttributeValue{"pk": s("bw"), "sk": s(fmt.Sprint(i))}}}
	}
	_, err := db.Client.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{"limits": reqs}})
	return err
}
