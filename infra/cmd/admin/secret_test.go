package main

import (
	"bytes"
	"context"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/borderdesk/borderdesk/shared/dynamo"
	"github.com/borderdesk/borderdesk/shared/dynamo/embedded"
	"github.com/borderdesk/borderdesk/shared/merchant"
	"github.com/borderdesk/borderdesk/shared/secretsmanager"
	smembedded "github.com/borderdesk/borderdesk/shared/secretsmanager/embedded"
)

// TestSecretRotation rotates a merchant's Stripe secret through the Secrets Manager peer,
// as an operator would: add the new one, (switch the provider), remove the old one. The
// secrets land in Secrets Manager, never in the table, and are shown masked.
func TestSecretRotation(t *testing.T) {
	ctx := context.Background()
	db, err := embedded.Start(ctx, "127.0.0.1:0", "bd")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	changed := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	sm := httptest.NewServer(smembedded.New(func() time.Time { return changed }))
	defer sm.Close()
	env := map[string]string{"BORDERDESK_TABLE": "bd", "BORDERDESK_DYNAMODB_ENDPOINT": db.URL, "BORDERDESK_SECRETSMANAGER_ENDPOINT": sm.URL}
	steps := []struct {
		args    string
		wantErr string
		wantOut string
	}{
		{"merchant put -id acme -name Acme", "", "publishable key: pk_"},
		{"merchant show -id acme", "", "webhook secrets: none yet"},
		{"secret add -merchant acme -provider stripe -secret whsec_old_0123456789", "", "1 active stripe"},
		{"secret add -merchant acme -provider stripe -secret whsec_new_0123456789", "", "2 active stripe"},
		{"secret add -merchant acme -provider stripe -secret whsec_new_0123456789", "", "2 active stripe"},
		{"merchant show -id acme", "", "stripe secrets: whse…6789 whse…6789\n"},
		{"secret remove -merchant acme -provider stripe -secret whsec_typo_0123456789", "not one of acme's stripe secrets", ""},
		{"secret remove -merchant acme -provider stripe -secret whsec_old_0123456789", "", "1 active stripe secret(s); intake uses them within 1m0s"},
		{"secret add -merchant acme -provider aftership -secret as_0123456789", "", "1 active aftership"},
		{"secret add -merchant nobody -provider stripe -secret whsec_x", "not found", ""},
		{"secret add -merchant acme -provider paypal -secret x", "-provider", ""},
		{"secret add -merchant acme -provider stripe", "-secret", ""},
		{"merchant show -id acme", "", "aftership secrets: as_0…6789\nstripe secrets: whse…6789\n"},
		{"merchant show -id acme", "", "webhook secrets changed 2026-11-02T09:00:00Z, in effect everywhere by 2026-11-02T09:01:00Z"},
		{"secret remove -merchant acme -provider aftership -secret as_0123456789", "", "every aftership webhook to acme is refused"},
	}
	for _, s := range steps {
		var out bytes.Buffer
		err := run(ctx, strings.Fields(s.args), func(k string) string { return env[k] }, &out)
		if s.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), s.wantErr) {
				t.Errorf("admin %s = %v; want an error about %q", s.args, err, s.wantErr)
			}
			continue
		}
		if err != nil || !strings.Contains(out.String(), s.wantOut) {
			t.Errorf("admin %s = %v, %q; want output containing %q", s.args, err, out.String(), s.wantOut)
		}
		if strings.Contains(out.String(), "0123456789") {
			t.Errorf("admin %s printed a whole secret: %s", s.args, out.String())
		}
	}
	ws, err := secretsmanager.New(smembedded.Client(sm.URL), "").Secrets(ctx, "acme")
	if want := (merchant.WebhookSecrets{"stripe": {"whsec_new_0123456789"}}); err != nil || !reflect.DeepEqual(ws, want) {
		t.Errorf("secret borderdesk/merchants/acme/webhooks = %v, %v; want %v", ws, err, want)
	}
	item, err := db.Client.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("bd"), Key: map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: "M#acme"}, "sk": &types.AttributeValueMemberS{Value: "MERCHANT"}}})
	if err != nil || item.Item == nil {
		t.Fatalf("the merchant's item = %v, %v; want it", item, err)
	}
	if doc, _ := item.Item["doc"].(*types.AttributeValueMemberS); doc == nil || strings.Contains(doc.Value, "0123456789") || strings.Contains(doc.Value, "secret") {
		t.Errorf("the merchant's table item = %v; want a doc with no webhook secrets in it", item.Item["doc"])
	}
	if m, err := dynamo.New(db.Client, "bd").GetMerchant(ctx, "acme"); err != nil || m.Name != "Acme" {
		t.Errorf("GetMerchant(acme) = %+v, %v; want Acme", m, err)
	}
}
