package events

// MessageReceived: a customer wrote to the merchant (web form or chat widget today).
const MessageReceived DetailType = "message.received"

// Message is the data of message.received.
type Message struct {
	MessageID string   `json:"message_id"`
	Channel   string   `json:"channel"` // "web"
	Customer  Customer `json:"customer"`
	OrderID   string   `json:"order_id,omitempty"`
	Subject   string   `json:"subject,omitempty"`
	Text      string   `json:"text"`
	// Language is the customer's language as a BCP 47 tag ("de", "zh-CN"): what the widget
	// says, else the browser's Accept-Language; "" when unknown.
	Language string `json:"language,omitempty"`
}
