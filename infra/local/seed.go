package local

import (
	"context"
	"strings"

	"github.com/borderdesk/borderdesk/shared/dynamo"
	"github.com/borderdesk/borderdesk/shared/merchant"
)

// Seed is a merchant, its webhook secrets and its agents, written at start-up.
type Seed struct {
	Merchant merchant.Merchant
	Secrets  merchant.WebhookSecrets
	Agents   []merchant.Agent
}

// SecretsWriter keeps merchants' webhook secrets (the local runtime's Secrets Manager).
type SecretsWriter interface {
	PutSecrets(ctx context.Context, merchantID string, ws merchant.WebhookSecrets) error
}

// WriteSeeds writes seeds: merchants and agents to store, webhook secrets to secrets, as the
// admin command does in the cloud.
func WriteSeeds(ctx context.Context, store *dynamo.Store, secrets SecretsWriter, seeds []Seed) error {
	for _, s := range seeds {
		if err := store.PutMerchant(ctx, s.Merchant); err != nil {
			return err
		}
		if s.Secrets != nil {
			if err := secrets.PutSecrets(ctx, s.Merchant.ID, s.Secrets); err != nil {
				return err
			}
		}
		for _, a := range s.Agents {
			a.MerchantID = s.Merchant.ID
			if err := store.PutAgent(ctx, a); err != nil {
				return err
			}
		}
	}
	return nil
}

// DemoSeeds are the two demo merchants, demo and acme. Their secrets are deterministic and
// local-only; each can be overridden by an environment variable read through getenv:
// BORDERDESK_<MERCHANT>_STRIPE_SECRET, BORDERDESK_<MERCHANT>_AFTERSHIP_SECRET,
// BORDERDESK_<MERCHANT>_PUBLISHABLE_KEY and BORDERDESK_<MERCHANT>_SHOP_ORIGINS (comma-separated
// origins whose pages may post customer messages; MERCHANT upper-case: DEMO, ACME).
func DemoSeeds(getenv func(string) string) []Seed {
	env := func(id, suffix, def string) string {
		if v := getenv("BORDERDESK_" + strings.ToUpper(id) + "_" + suffix); v != "" {
			return v
		}
		return def
	}
	m := func(id, name, tz string) merchant.Merchant {
		return merchant.Merchant{
			ID: id, Name: name, TimeZone: tz,
			PublishableKey: env(id, "PUBLISHABLE_KEY", "pk_local_"+id),
			ShopOrigins:    strings.Split(env(id, "SHOP_ORIGINS", "http://localhost:3000"), ","),
		}
	}
	secrets := func(id string) merchant.WebhookSecrets {
		return merchant.WebhookSecrets{
			"stripe":    {env(id, "STRIPE_SECRET", "whsec_local_"+id)},
			"aftership": {env(id, "AFTERSHIP_SECRET", "aftership_local_"+id)},
		}
	}
	return []Seed{
		{
			Merchant: m("demo", "Demo Shop (Berlin)", "Europe/Berlin"),
			Secrets:  secrets("demo"),
			Agents: []merchant.Agent{
				{Email: "anna@demo.test", Name: "Anna Schmidt", Role: merchant.RoleAgent, Language: "de"},
				{Email: "li.wei@demo.test", Name: "Li Wei", Role: merchant.RoleAgent, Language: "zh-CN"},
				{Email: "sam@demo.test", Name: "Sam Taylor", Role: merchant.RoleSupervisor, Language: "en"},
			},
		},
		{
			Merchant: m("acme", "Acme Outdoor (Lyon)", "Europe/Paris"),
			Secrets:  secrets("acme"),
			Agents: []merchant.Agent{
				{Email: "jo@acme.test", Name: "Jo Martin", Role: merchant.RoleAdmin, Language: "fr"},
			},
		},
	}
}

// JWTSecret is the local signing key for /dev/login tokens: BORDERDESK_JWT_SECRET, or a
// fixed local-only default.
func JWTSecret(getenv func(string) string) []byte {
	if v := getenv("BORDERDESK_JWT_SECRET"); v != "" {
		return []byte(v)
	}
	return []byte("borderdesk-local-only-jwt-secret")
}
