package local_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/borderdesk/borderdesk/infra/local"
	"github.com/borderdesk/borderdesk/shared/merchant"
	"github.com/borderdesk/borderdesk/shared/providers/stripe"
	"github.com/borderdesk/borderdesk/shared/secretsmanager"
)

// TestWebhookSecretsLiveApartFromMerchants: the seeded webhook secrets are in the runtime's
// Secrets Manager and nowhere in the table, so what reads merchants (the API's /me) never
// sees them; intake verifies with them, and sees a rotation within its cache's minute.
func TestWebhookSecretsLiveApartFromMerchants(t *testing.T) {
	ctx := context.Background()
	e := start(t)
	var secrets []string
	for _, s := range local.DemoSeeds(func(string) string { return "" }) {
		for _, list := range s.Secrets {
			secrets = append(secrets, list...)
		}
	}
	if len(secrets) != 4 {
		t.Fatalf("seeded secrets = %d; want 4 (two merchants, two providers)", len(secrets))
	}
	leaks := func(where, s string) {
		t.Helper()
		for _, secret := range secrets {
			if strings.Contains(s, secret) {
				t.Errorf("%s holds the webhook secret %s…", where, secret[:4])
			}
		}
	}

	out, err := e.rt.DB.Client.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String("borderdesk")}) // a test may scan
	if err != nil {
		t.Fatal(err)
	}
	merchants := 0
	for _, item := range out.Items {
		if sk, _ := item["sk"].(*types.AttributeValueMemberS); sk != nil && sk.Value == "MERCHANT" {
			merchants++
		}
		for name, v := range item {
			if s, ok := v.(*types.AttributeValueMemberS); ok {
				leaks("table attribute "+name, s.Value)
			}
		}
	}
	if merchants != 2 {
		t.Errorf("the table holds %d merchants; want 2", merchants)
	}

	code, me := e.do("GET", "/api/v1/me", nil, map[string]string{"Authorization": "Bearer " + e.token("anna@demo.test")})
	if code != 200 || !bytes.Contains(me, []byte("Demo Shop")) {
		t.Fatalf("GET /api/v1/me = %d %s; want 200 naming Demo Shop", code, me)
	}
	leaks("GET /api/v1/me", string(me))

	n := 0
	post := func(secret string) int {
		t.Helper()
		n++
		body := bytes.Replace(fixture(t, "stripe", "charge.failed.json"), []byte(`"id": "evt_`), []byte(`"id": "evt_rot`+string(rune('a'+n))+`_`), 1)
		code, _ := e.do("POST", "/webhooks/demo/stripe", body, map[string]string{"Stripe-Signature": stripe.Sign(body, secret, e.clock.Now())})
		return code
	}
	store := secretsmanager.New(e.rt.Secrets.Client, "")
	steps := []struct {
		name   string
		set    merchant.WebhookSecrets
		wait   time.Duration
		status map[string]int
	}{
		{"as seeded", nil, 0, map[string]int{"whsec_local_demo": 200, "whsec_rotated": 401}},
		{"new one added", merchant.WebhookSecrets{"stripe": {"whsec_local_demo", "whsec_rotated"}}, 61 * time.Second,
			map[string]int{"whsec_local_demo": 200, "whsec_rotated": 200}},
		{"old one removed", merchant.WebhookSecrets{"stripe": {"whsec_rotated"}}, 61 * time.Second,
			map[string]int{"whsec_local_demo": 401, "whsec_rotated": 200}},
	}
	for _, s := range steps {
		if s.set != nil {
			if err := store.PutSecrets(ctx, "demo", s.set); err != nil {
				t.Fatal(err)
			}
		}
		e.clock.Advance(s.wait)
		for secret, want := range s.status {
			if got := post(secret); got != want {
				t.Errorf("%s: a webhook signed with %s = %d; want %d", s.name, secret, got, want)
			}
		}
	}
	e.idle()
}
