package events

// MessageReceived: a customer wrote to the merchant: by web form or chat widget, or by email.
const MessageReceived DetailType = "message.received"

// Message is the data of message.received.
type Message struct {
	MessageID string   `json:"message_id"`
	Channel   string   `json:"channel"` // ChannelWeb or ChannelEmail
	Customer  Customer `json:"customer"`
	OrderID   string   `json:"order_id,omitempty"`
	Subject   string   `json:"subject,omitempty"`
	Text      string   `json:"text"`
	// Language is the customer's language as a BCP 47 tag ("de", "zh-CN"): what the widget
	// says, else the browser's Accept-Language; "" when unknown.
	Language string `json:"language,omitempty"`
	// Email is set when Channel is ChannelEmail.
	Email *EmailMeta `json:"email,omitempty"`
}

// Channels a customer writes through.
const (
	ChannelWeb   = "web"   // the merchant's web form or chat widget
	ChannelEmail = "email" // an email to the merchant's support address
)

// EmailMeta is what a message that came by email carries beside its text: how it threads,
// what was folded away, what it brought, and what the receiving side thought of it.
type EmailMeta struct {
	// MessageID is the mail's Message-ID ("<…>"); intake deduplicates on it.
	MessageID  string   `json:"message_id"`
	InReplyTo  string   `json:"in_reply_to,omitempty"`
	References []string `json:"references,omitempty"`
	// ThreadTicket is the ticket the mail answers, from the ticket's reply address
	// ("support+<ticket>@…") or a thread reference to one of our messages; "" for a new mail.
	ThreadTicket string `json:"thread_ticket,omitempty"`
	// Quoted is the earlier text the customer's client quoted and the signature, folded
	// away from the new text (Message.Text).
	Quoted string `json:"quoted,omitempty"`
	// HTML is the new text's HTML part after sanitising; raw customer HTML is never kept here.
	HTML        string       `json:"html,omitempty"`
	Attachments []Attachment `json:"attachments,omitempty"`
	Trust       Trust        `json:"trust"`
}

// Attachment is one file a mail brought. Key names the stored object in the mail bucket; an
// attachment that was not stored (over the size cap) has no Key and says why in Refused.
type Attachment struct {
	ID          string `json:"id"`
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	Key         string `json:"key,omitempty"`
	Refused     string `json:"refused,omitempty"`
}

// Trust is the receiving side's verdicts on a mail, as SES gives them ("PASS", "FAIL",
// "GRAY", "PROCESSING_FAILED"); "" when nobody checked (the local SMTP listener).
// Suspicious is set when any verdict failed: the message is kept and marked, never dropped.
type Trust struct {
	Spam       string `json:"spam,omitempty"`
	Virus      string `json:"virus,omitempty"`
	SPF        string `json:"spf,omitempty"`
	DKIM       string `json:"dkim,omitempty"`
	DMARC      string `json:"dmarc,omitempty"`
	Suspicious bool   `json:"suspicious,omitempty"`
}
