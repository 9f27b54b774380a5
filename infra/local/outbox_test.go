package local_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/borderdesk/borderdesk/events"
	"github.com/borderdesk/borderdesk/infra/local"
	"github.com/borderdesk/borderdesk/shared/dynamo"
)

// An agent's reply reaches the local outbox once, threaded under its ticket, newest first.
// (Redelivery sending nothing twice is functions/notify's TestRedeliverySendsOnce.)
func TestReplyReachesTheOutboxOnce(t *testing.T) {
	e := start(t)
	msg := []byte(`{"email":"jonas@example.de","order_number":"10482","text":"Wo ist mein Paket?"}`)
	if code, b := e.do("POST", "/inbound/demo/messages", msg, map[string]string{"X-Borderdesk-Key": "pk_local_demo"}); code != 202 {
		t.Fatalf("customer message = %d %s", code, b)
	}
	e.idle()
	token := e.token("anna@demo.test")
	tks := e.tickets(token)
	if len(tks) != 1 {
		t.Fatalf("tickets = %d; want 1", len(tks))
	}
	auth := map[string]string{"Authorization": "Bearer " + token}
	for _, body := range []string{"Hallo Jonas,\n\nes ist unterwegs.", "Und <heute> angekommen."} {
		b, _ := json.Marshal(map[string]string{"kind": "reply", "body": body})
		if code, out := e.do("POST", "/api/v1/tickets/"+tks[0].ID+"/messages", b, auth); code != 201 {
			t.Fatalf("reply = %d %s", code, out)
		}
		e.idle()
	}
	if dlq := e.rt.Queues[events.Notify].DLQ(); len(dlq) != 0 {
		t.Errorf("notify DLQ = %+v; want empty", dlq)
	}

	code, b := e.do("GET", "/dev/outbox", nil, nil)
	var sent []local.SentMail
	if err := json.Unmarshal(b, &sent); code != 200 || err != nil {
		t.Fatalf("GET /dev/outbox = %d %s", code, b)
	}
	if len(sent) != 2 {
		t.Fatalf("outbox holds %d mails; want 2:\n%s", len(sent), b)
	}
	newest := sent[0]
	if !strings.Contains(newest.Text, "<heute>") || !strings.Contains(newest.HTML, "&lt;heute&gt;") {
		t.Errorf("newest mail text %q html %q; want the second reply first", newest.Text, newest.HTML)
	}
	headers := map[string]string{}
	for _, h := range newest.Headers {
		headers[h.Name] = h.Value
	}
	thread := "<ticket-" + tks[0].ID + "@demo.test>"
	checks := []struct{ name, got, want string }{
		{"to", newest.To.Address, "jonas@example.de"},
		{"from", newest.From.Address, "support@demo.test"},
		{"from name", newest.From.Name, "Demo Shop (Berlin)"},
		{"ticket", newest.TicketID, tks[0].ID},
		{"In-Reply-To", headers["In-Reply-To"], thread},
		{"References", headers["References"], thread},
		{"Reply-To", headers["Reply-To"], `"Demo Shop (Berlin)" <support+` + tks[0].ID + `@demo.test>`},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q; want %q", c.name, c.got, c.want)
		}
	}
	if !strings.HasPrefix(newest.Subject, "Re: ") || sent[0].MessageID == sent[1].MessageID {
		t.Errorf("subject %q, message ids %q %q; want a Re: subject and one id per reply", newest.Subject, sent[0].MessageID, sent[1].MessageID)
	}
}

// make dev shows every delivery state: the outbox's SES stand-in publishes SES's events for
// each mail, SES's mailbox simulator addresses bounce and complain as in SES, notify applies
// the events to the reply's send marker, and the console's API reads them (Deliveries). A
// second reply to the bounced address is not sent.
func TestDeliveryStatesOnMakeDev(t *testing.T) {
	e := start(t)
	token := e.token("anna@demo.test")
	auth := map[string]string{"Authorization": "Bearer " + token}
	seen := map[string]bool{}
	reply := func(ticketID, body string) string {
		t.Helper()
		b, _ := json.Marshal(map[string]string{"kind": "reply", "body": body})
		code, out := e.do("POST", "/api/v1/tickets/"+ticketID+"/messages", b, auth)
		var entry struct{ ID string }
		if err := json.Unmarshal(out, &entry); code != 201 || err != nil || entry.ID == "" {
			t.Fatalf("reply = %d %s", code, out)
		}
		e.idle()
		return entry.ID
	}
	tests := []struct {
		customer, state, reason string
	}{
		{"jonas@example.de", dynamo.SendDelivered, ""},
		{local.SimulatorBounce, dynamo.SendBounced, "not delivered: mailbox does not exist (550 5.1.1)"},
		{local.SimulatorComplaint, dynamo.SendComplained, "delivered, but the customer marked it as spam"},
		{local.SimulatorSuppressionList, dynamo.SendBounced, "not delivered: the address is on the account's suppression list (5.1.1)"},
	}
	tickets := map[string]string{}
	for _, tc := range tests {
		msg, _ := json.Marshal(map[string]string{"email": tc.customer, "text": "Wo ist mein Paket?"})
		if code, b := e.do("POST", "/inbound/demo/messages", msg, map[string]string{"X-Borderdesk-Key": "pk_local_demo"}); code != 202 {
			t.Fatalf("customer message = %d %s", code, b)
		}
		e.idle()
		for _, tk := range e.tickets(token) {
			if !seen[tk.ID] {
				seen[tk.ID], tickets[tc.customer] = true, tk.ID
			}
		}
		entry := reply(tickets[tc.customer], "Hallo")
		got, err := e.rt.Store.Deliveries(context.Background(), "demo", []string{entry})
		if d := got[entry]; err != nil || d.State != tc.state || d.Reason != tc.reason {
			t.Errorf("reply to %s: Deliveries = %+v, %v; want %s %q", tc.customer, d, err, tc.state, tc.reason)
		}
	}
	if dlq := e.rt.Queues[events.Notify].DLQ(); len(dlq) != 0 {
		t.Errorf("notify DLQ = %+v; want empty", dlq)
	}
	_, b := e.do("GET", "/dev/outbox", nil, nil)
	var sent []local.SentMail
	if err := json.Unmarshal(b, &sent); err != nil || len(sent) != len(tests) {
		t.Fatalf("outbox = %s; want %d mails", b, len(tests))
	}
	for i, tc := range tests {
		if m := sent[len(tests)-1-i]; m.To.Address != tc.customer || m.Delivery != tc.state {
			t.Errorf("outbox mail to %s delivery %q; want %s %q", m.To.Address, m.Delivery, tc.customer, tc.state)
		}
	}

	// The bounced address is on demo's suppression list: the next reply is not mailed.
	entry := reply(tickets[local.SimulatorBounce], "Noch einmal")
	got, _ := e.rt.Store.Deliveries(context.Background(), "demo", []string{entry})
	if d := got[entry]; d.State != dynamo.SendFailed || d.Reason != "not sent: "+local.SimulatorBounce+" bounced on 2 Nov (mailbox does not exist)" {
		t.Errorf("second reply to the bounced address = %+v; want failed, not sent", d)
	}
	if _, b := e.do("GET", "/dev/outbox", nil, nil); strings.Count(string(b), `"id":`) != len(tests) {
		t.Errorf("outbox after a reply to a suppressed address = %s; want no new mail", b)
	}
}
