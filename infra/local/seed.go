package local

import (
	"context"
	"crypto/sha256"
	"fmt"
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
			if a.ID == "" {
				a.ID = AgentID(a.MerchantID, a.Email)
			}
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
			Sender:         merchant.Sender{Name: name, Address: "support@" + id + ".test"},
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

// AgentID is a seeded agent's id, the local stand-in for a Cognito sub: a UUID derived from
// the merchant and the email, so it is the same on every start (a console still signed in
// from before a restart names the same agent) and, like a sub, is no email to be mistaken
// for one.
func AgentID(merchantID, email string) string {
	sum := sha256.Sum256([]byte("borderdesk local agent\x00" + merchantID + "\x00" + email))
	sum[6] = sum[6]&0x0f | 0x80 // version 8: a UUID of our own derivation (RFC 9562)
	sum[8] = sum[8]&0x3f | 0x80 // the RFC 9562 variant
	return fmt.Sprintf("%x-%x-%x-%x-%x", sum[0:4], sum[4:6], sum[6:8], sum[8:10], sum[10:16])
}

// JWTSecret is the local signing key for /dev/login tokens: BORDERDESK_JWT_SECRET, or a
// fixed local-only default.
func JWTSecret(getenv func(string) string) []byte {
	if v := getenv("BORDERDESK_JWT_SECRET"); v != "" {
		return []byte(v)
	}
	return []byte("borderdesk-local-only-jwt-secret")
}
