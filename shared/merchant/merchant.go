// Package merchant owns the tenant: a merchant, its webhook secrets and publishable key, and
// its agents. Every other record in Borderdesk belongs to exactly one merchant.
package merchant

// Merchant is a tenant.
type Merchant struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// PublishableKey authorises the merchant's web form and chat widget to post customer
	// messages. It is public by design (it sits in the shop's page), so it only lets a caller
	// create messages.
	PublishableKey string `json:"publishable_key"`
	// WebhookSecrets holds, per provider ("stripe", "aftership"), the secrets currently
	// accepted. More than one is active while a secret is being rotated.
	WebhookSecrets map[string][]string `json:"webhook_secrets"`
	// ShopOrigins are the origins ("https://shop.example") whose pages may post customer
	// messages from the browser (the widget). Servers may post from anywhere.
	ShopOrigins []string `json:"shop_origins,omitempty"`
	TimeZone    string   `json:"time_zone"` // IANA
}

// Secrets returns the active webhook secrets for provider.
func (m Merchant) Secrets(provider string) []string { return m.WebhookSecrets[provider] }

// Role is what an agent may do.
type Role string

// Roles, matching the Cognito groups of the cloud stack.
const (
	RoleAgent      Role = "agent"
	RoleSupervisor Role = "supervisor"
	RoleAdmin      Role = "admin"
)

// Agent is a person who works tickets for one merchant.
type Agent struct {
	Email      string `json:"email"`
	Name       string `json:"name"`
	MerchantID string `json:"merchant_id"`
	Role       Role   `json:"role"`
	Language   string `json:"language"` // BCP 47, the language the agent writes in
}
