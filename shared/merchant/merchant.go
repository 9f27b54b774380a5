// Package merchant owns the tenant: a merchant, its webhook secrets and publishable key, and
// its agents. Every other record in Borderdesk belongs to exactly one merchant.
package merchant

// Merchant is a tenant. Its webhook secrets are not part of it: they are WebhookSecrets,
// kept apart (in Secrets Manager in the cloud), so a function that reads merchants never
// reads secrets.
type Merchant struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// PublishableKey authorises the merchant's web form and chat widget to post customer
	// messages. It is public by design (it sits in the shop's page), so it only lets a caller
	// create messages.
	PublishableKey string `json:"publishable_key"`
	// ShopOrigins are the origins ("https://shop.example") whose pages may post customer
	// messages from the browser (the widget). Servers may post from anywhere.
	ShopOrigins []string `json:"shop_origins,omitempty"`
	TimeZone    string   `json:"time_zone"` // IANA
	// Sender is who replies come from: an address or domain verified in SES (the admin
	// command sets it; the cloud role may send only from configured identities).
	Sender Sender `json:"sender,omitzero"`
}

// Sender is a merchant's outbound mail identity: the display name and the address.
type Sender struct {
	Name    string `json:"name,omitempty"`
	Address string `json:"address,omitempty"`
}

// Role is what an agent may do.
type Role string

// Roles, matching the Cognito groups of the cloud stack.
const (
	RoleAgent      Role = "agent"
	RoleSupervisor Role = "supervisor"
	RoleAdmin      Role = "admin"
)

// Agent is a person who works tickets for one merchant. ID is who they are: the Cognito
// user's sub in the cloud (locally, a fixed id per seeded agent), which never changes and
// which the agent cannot edit. Tickets' assignees, timeline authors and read markers name
// agents by ID. Email is how to show and address them; it may change.
type Agent struct {
	ID         string `json:"id"`
	Email      string `json:"email"`
	Name       string `json:"name"`
	MerchantID string `json:"merchant_id"`
	Role       Role   `json:"role"`
	Language   string `json:"language"` // BCP 47, the language the agent writes in
}
