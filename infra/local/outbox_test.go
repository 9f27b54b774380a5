package local_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/borderdesk/borderdesk/events"
	"github.com/borderdesk/borderdesk/infra/local"
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
