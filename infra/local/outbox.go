package local

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/smtp"
	"slices"
	"sync"
	"time"

	"github.com/borderdesk/borderdesk/shared/dynamo"
	"github.com/borderdesk/borderdesk/shared/httpjson"
	"github.com/borderdesk/borderdesk/shared/mail"
)

// SentMail is one email as GET /dev/outbox shows it.
type SentMail struct {
	ID        string        `json:"id"`
	TicketID  string        `json:"ticket_id"`
	MessageID string        `json:"message_id"`
	From      mail.Address  `json:"from"`
	To        mail.Address  `json:"to"`
	Subject   string        `json:"subject"`
	Text      string        `json:"text"`
	HTML      string        `json:"html"`
	Headers   []mail.Header `json:"headers"`
	SentAt    time.Time     `json:"sent_at"`
	Size      int           `json:"size"` // bytes of the rendered message
	// Delivery is the state SES's last event about the mail reports ("delivered",
	// "bounced", "complained"), as the SES stand-in published it; "sent" without one.
	Delivery string `json:"delivery"`
}

// MailOutbox is the local runtime's mail provider: it keeps what notify sends in memory, in
// place of SES, for GET /dev/outbox; with a relay it also hands each mail to that SMTP
// server (a local mail catcher).
type MailOutbox struct {
	mu    sync.Mutex
	sent  []SentMail
	now   func() time.Time
	relay string // host:port, or "" for none
	log   *slog.Logger
}

// NewMailOutbox returns an empty outbox on the clock now, relaying to relay ("host:port")
// unless it is empty.
func NewMailOutbox(now func() time.Time, relay string, log *slog.Logger) *MailOutbox {
	return &MailOutbox{now: now, relay: relay, log: log}
}

// Send renders m, as SES would be handed it, and keeps it.
func (o *MailOutbox) Send(_ context.Context, m mail.Message) (string, error) {
	return o.keep(m, dynamo.SendDone)
}

func (o *MailOutbox) keep(m mail.Message, delivery string) (string, error) {
	raw, err := m.Render()
	if err != nil {
		return "", err
	}
	if o.relay != "" {
		// The outbox is the record: a catcher that is down is logged, not a failed send.
		if err := smtp.SendMail(o.relay, nil, m.From.Address, []string{m.To.Address}, raw); err != nil {
			o.log.Warn("smtp relay failed; the mail is in /dev/outbox only", "relay", o.relay, "ticket_id", m.TicketID, "err", err.Error())
		}
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	id := fmt.Sprintf("local-%d", len(o.sent)+1)
	o.sent = append(o.sent, SentMail{
		ID: id, TicketID: m.TicketID, MessageID: m.MessageID, From: m.From, To: m.To, Subject: m.Subject,
		Text: m.Text, HTML: m.HTML, Headers: m.Headers(), SentAt: o.now().UTC(), Size: len(raw), Delivery: delivery,
	})
	return id, nil
}

// Sent is everything sent, newest first.
func (o *MailOutbox) Sent() []SentMail {
	o.mu.Lock()
	defer o.mu.Unlock()
	out := slices.Clone(o.sent)
	slices.Reverse(out)
	return out
}

// outboxRoutes serves GET /dev/outbox: what notify sent, newest first.
func outboxRoutes(mux *http.ServeMux, o *MailOutbox) {
	mux.HandleFunc("GET /dev/outbox", func(w http.ResponseWriter, r *http.Request) {
		sent := o.Sent()
		if sent == nil {
			sent = []SentMail{}
		}
		httpjson.Write(w, http.StatusOK, sent)
	})
}
