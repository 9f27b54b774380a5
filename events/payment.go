package events

// Payment events, from payment providers (Stripe today).
const (
	// PaymentFailed: a payment attempt was declined or failed.
	PaymentFailed DetailType = "payment.failed"
	// PaymentSucceeded: money was captured. It opens no ticket; it ties the payment and the
	// charge to the order, so a later chargeback (which names no order) finds the order's
	// ticket, and it says what was captured.
	PaymentSucceeded DetailType = "payment.succeeded"
	// PaymentDisputeOpened: the customer's bank opened a chargeback.
	PaymentDisputeOpened DetailType = "payment.dispute_opened"
	// PaymentDisputeClosed: a chargeback was decided (won, lost, withdrawn).
	PaymentDisputeClosed DetailType = "payment.dispute_closed"
	// PaymentRefunded: money went back to the customer.
	PaymentRefunded DetailType = "payment.refunded"
	// PaymentRefundUpdated: a refund changed state (e.g. failed or succeeded late).
	PaymentRefundUpdated DetailType = "payment.refund_updated"
)

// Money is an amount in integer minor units of an ISO 4217 currency (lower case, as Stripe
// sends it). Never a float.
type Money struct {
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
}

// Customer is who a ticket is about, as far as an event tells.
type Customer struct {
	Email   string `json:"email,omitempty"`
	Name    string `json:"name,omitempty"`
	Country string `json:"country,omitempty"` // ISO 3166-1 alpha-2
}

// Payment is the data of every payment.* event.
type Payment struct {
	PaymentID string   `json:"payment_id"` // payment intent id, or the charge id when there is none
	ChargeID  string   `json:"charge_id,omitempty"`
	OrderID   string   `json:"order_id,omitempty"` // from the merchant's metadata (order_id / order_number)
	Customer  Customer `json:"customer"`
	Amount    Money    `json:"amount"`
	Status    string   `json:"status"` // the provider's status of the object the event is about
	// DeclineCode and FailureMessage explain a failed payment.
	DeclineCode    string   `json:"decline_code,omitempty"`
	FailureMessage string   `json:"failure_message,omitempty"`
	Dispute        *Dispute `json:"dispute,omitempty"`
	Refund         *Refund  `json:"refund,omitempty"`
}

// Dispute is a chargeback.
type Dispute struct {
	ID            string `json:"id"`
	Reason        string `json:"reason"`
	Status        string `json:"status"`
	Amount        Money  `json:"amount"`
	EvidenceDueBy string `json:"evidence_due_by,omitempty"` // RFC 3339
}

// Refund is money returned to the customer.
type Refund struct {
	ID     string `json:"id,omitempty"`
	Status string `json:"status"`
	Amount Money  `json:"amount"`
	Reason string `json:"reason,omitempty"`
}
