package notify_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	lambdaevents "github.com/aws/aws-lambda-go/events"

	"github.com/borderdesk/borderdesk/functions/notify"
	"github.com/borderdesk/borderdesk/shared/dynamo"
	"github.com/borderdesk/borderdesk/shared/errs"
	"github.com/borderdesk/borderdesk/shared/merchant"
	"github.com/borderdesk/borderdesk/shared/ses"
)

// sesEnvelope reads one of shared/ses's real-shaped EventBridge envelopes of an SES event,
// with its message tags replaced by tags when tags is not nil (nil values delete a tag).
func sesEnvelope(t *testing.T, file string, tags map[string]any) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "shared", "ses", "testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	if tags == nil {
		return b
	}
	var env map[string]any
	if err := json.Unmarshal(b, &env); err != nil {
		t.Fatal(err)
	}
	mailTags := env["detail"].(map[string]any)["mail"].(map[string]any)["tags"].(map[string]any)
	for k, v := range tags {
		if v == nil {
			delete(mailTags, k)
		} else {
			mailTags[k] = []string{v.(string)}
		}
	}
	b, _ = json.Marshal(env)
	return b
}

func sesEvent(t *testing.T, file string) ses.Event {
	t.Helper()
	var env lambdaevents.CloudWatchEvent
	if err := json.Unmarshal(sesEnvelope(t, file, nil), &env); err != nil {
		t.Fatal(err)
	}
	ev, err := ses.ParseEvent(env.Detail)
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

func sesMessage(id string, body []byte) lambdaevents.SQSMessage {
	return lambdaevents.SQSMessage{MessageId: id, Body: string(body), Attributes: map[string]string{"ApproximateReceiveCount": "1"}}
}

func TestNext(t *testing.T) {
	tests := []struct {
		cur, file string
		want      string // the state after; "" when the event changes nothing
		reason    string // a prefix of the reason, when the state moves
	}{
		{dynamo.SendClaimed, "sent.json", dynamo.SendDone, ""},
		{dynamo.SendDone, "sent.json", "", ""},
		{dynamo.SendClaimed, "delivered.json", dynamo.SendDelivered, ""}, // before MarkSent
		{dynamo.SendDone, "delivered.json", dynamo.SendDelivered, ""},
		{dynamo.SendDone, "delayed.json", dynamo.SendDelayed, "delayed: mailbox full; SES keeps trying until 2 Dec 21:00 UTC"},
		{dynamo.SendDelayed, "delivered.json", dynamo.SendDelivered, ""},
		{dynamo.SendDelivered, "delayed.json", "", ""},
		{dynamo.SendDelivered, "delivered.json", "", ""},
		{dynamo.SendDone, "bounced.json", dynamo.SendBounced, "not delivered: mailbox does not exist (550 5.1.1)"},
		{dynamo.SendDelivered, "bounced.json", dynamo.SendBounced, "not delivered: mailbox does not exist"}, // asynchronous bounce
		{dynamo.SendBounced, "delivered.json", "", ""},                                                      // out of order: stays bounced
		{dynamo.SendBounced, "bounced.json", "", ""},
		{dynamo.SendDone, "bounced-transient.json", dynamo.SendBounced, "not delivered: mailbox full (552 5.2.2)"},
		{dynamo.SendDelivered, "complaint.json", dynamo.SendComplained, "delivered, but the customer marked it as spam"},
		{dynamo.SendBounced, "complaint.json", dynamo.SendComplained, "delivered, but"},
		{dynamo.SendComplained, "bounced.json", "", ""},
		{dynamo.SendComplained, "delivered.json", "", ""},
		{dynamo.SendClaimed, "rejected.json", dynamo.SendFailed, "not sent: SES found a virus in it (Bad content)"},
		{dynamo.SendDone, "rendering-failed.json", dynamo.SendFailed, "not sent: SES could not render it (Attribute 'name'"},
		{dynamo.SendBounced, "rejected.json", "", ""}, // bounced and failed share a rank: the first stays
		{dynamo.SendFailed, "delivered.json", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.cur+"+"+tc.file, func(t *testing.T) {
			ev := sesEvent(t, tc.file)
			cur := dynamo.Delivery{State: tc.cur, Reason: "before", ProviderID: ev.Mail.MessageID}
			got, moved := notify.Next(cur, ev)
			switch {
			case tc.want == "" && (moved || got != cur):
				t.Errorf("Next(%s, %s) = %+v, %v; want no move", tc.cur, tc.file, got, moved)
			case tc.want != "" && (!moved || got.State != tc.want || !strings.HasPrefix(got.Reason, tc.reason) || (tc.reason == "" && got.Reason != "")):
				t.Errorf("Next(%s, %s) = %+v, %v; want %s with reason %q…", tc.cur, tc.file, got, moved, tc.want, tc.reason)
			case tc.want != "" && (!got.At.Equal(ev.At()) || got.ProviderID != "0100018c-ses-1"):
				t.Errorf("Next(%s, %s) at %v as %q; want the event's time %v and message id", tc.cur, tc.file, got.At, got.ProviderID, ev.At())
			}
		})
	}
	open := ses.Event{EventType: "Open", Mail: ses.Mail{MessageID: "x"}}
	if got, moved := notify.Next(dynamo.Delivery{State: dynamo.SendDelivered}, open); moved {
		t.Errorf("Next(delivered, Open) = %+v; want no move (notify does not follow opens)", got)
	}
}

// sentReply is a reply of merchantID's that notify sent as SES message id.
func sentReply(t *testing.T, store *dynamo.Store, merchantID, entryID, id string) {
	t.Helper()
	ctx := context.Background()
	if err := store.ClaimSend(ctx, merchantID, entryID, t0); err != nil {
		t.Fatal(err)
	}
	if err := store.MarkSent(ctx, merchantID, entryID, id, t0); err != nil {
		t.Fatal(err)
	}
}

func TestDeliveryEvents(t *testing.T) {
	ctx := context.Background()
	store, sender := newStore(t), &fakeSender{}
	h := notify.New(store, sender, func() time.Time { return t0 }, quiet())
	sentReply(t, store, "demo", "en_1", "0100018c-ses-1")
	sentReply(t, store, "acme", "en_1", "0100018c-ses-1") // the same ids at another tenant

	// Out of order: the bounce arrives before the delivery; the delivery keeps it bounced.
	// Then the same bounce again, redelivered.
	msgs := []lambdaevents.SQSMessage{
		sesMessage("bounce", sesEnvelope(t, "bounced.json", nil)),
		sesMessage("delivered", sesEnvelope(t, "delivered.json", nil)),
		sesMessage("bounce-again", sesEnvelope(t, "bounced.json", nil)),
		sesMessage("sent", sesEnvelope(t, "sent.json", nil)),
	}
	if failed := handle(t, h, msgs...); len(failed) != 0 {
		t.Fatalf("failed %v; want every event applied or dropped", failed)
	}
	d, err := store.Delivery(ctx, "demo", "en_1")
	if err != nil || d.State != dynamo.SendBounced || d.Reason != "not delivered: mailbox does not exist (550 5.1.1)" {
		t.Errorf("demo's en_1 = %+v, %v; want bounced: mailbox does not exist (550 5.1.1)", d, err)
	}
	sup, err := store.Suppressed(ctx, "demo", "jonas@example.de")
	if err != nil || sup.Why != dynamo.SuppressBounced || sup.Detail != "mailbox does not exist" || sup.EntryID != "en_1" {
		t.Errorf("demo's suppression of jonas = %+v, %v; want bounced: mailbox does not exist", sup, err)
	}
	// The tenant came from the tag: acme's marker with the same ids did not move, and acme
	// suppresses nobody.
	if d, _ := store.Delivery(ctx, "acme", "en_1"); d.State != dynamo.SendDone {
		t.Errorf("acme's en_1 = %+v; want still sent (the events were demo's)", d)
	}
	if _, err := store.Suppressed(ctx, "acme", "jonas@example.de"); !errs.Is(err, errs.NotFound) {
		t.Errorf("acme's suppression of jonas = %v; want none", err)
	}

	// A complaint about acme's message (tagged so) reaches acme's marker alone.
	if failed := handle(t, h, sesMessage("complaint", sesEnvelope(t, "complaint.json", map[string]any{"merchant": "acme"}))); len(failed) != 0 {
		t.Fatalf("complaint failed %v", failed)
	}
	if d, _ := store.Delivery(ctx, "acme", "en_1"); d.State != dynamo.SendComplained {
		t.Errorf("acme's en_1 = %+v; want complained", d)
	}
	if sup, _ := store.Suppressed(ctx, "acme", "jonas@example.de"); sup.Why != dynamo.SuppressComplained {
		t.Errorf("acme's suppression of jonas = %+v; want complained", sup)
	}

	// Events that name no marker, no tags of ours, or another message are dropped, and
	// create nothing.
	dropped := []lambdaevents.SQSMessage{
		sesMessage("unknown-entry", sesEnvelope(t, "delivered.json", map[string]any{"entry": "en_never"})),
		sesMessage("unknown-merchant", sesEnvelope(t, "bounced.json", map[string]any{"merchant": "nobody"})),
		sesMessage("untagged", sesEnvelope(t, "bounced.json", map[string]any{"merchant": nil, "entry": nil, "ticket": nil})),
	}
	if failed := handle(t, h, dropped...); len(failed) != 0 {
		t.Errorf("failed %v; want dropped events acknowledged", failed)
	}
	for _, k := range [][2]string{{"demo", "en_never"}, {"nobody", "en_1"}} {
		if _, err := store.Delivery(ctx, k[0], k[1]); !errs.Is(err, errs.NotFound) {
			t.Errorf("marker %s/%s after an event naming it = %v; want none created", k[0], k[1], err)
		}
	}
	if _, err := store.Suppressed(ctx, "nobody", "jonas@example.de"); !errs.Is(err, errs.NotFound) {
		t.Errorf("suppression for a merchant with no marker = %v; want none", err)
	}
	sentReply(t, store, "demo", "en_2", "0100018c-other")
	if failed := handle(t, h, sesMessage("other-message", sesEnvelope(t, "bounced.json", map[string]any{"entry": "en_2"}))); len(failed) != 0 {
		t.Errorf("failed %v", failed)
	}
	if d, _ := store.Delivery(ctx, "demo", "en_2"); d.State != dynamo.SendDone {
		t.Errorf("en_2 after a bounce of another SES message = %+v; want still sent", d)
	}

	// A malformed SES event is poison.
	if failed := handle(t, h, sesMessage("garbage", []byte(`{"source":"aws.ses","detail-type":"Email Bounced","detail":{"eventType":"Bounce"}}`))); len(failed) != 1 {
		t.Errorf("failed %v; want the malformed event failed", failed)
	}
	if sender.count() != 0 {
		t.Errorf("sent %d emails handling delivery events; want none", sender.count())
	}
}

func TestSuppressedAddressIsNotMailed(t *testing.T) {
	ctx := context.Background()
	store, sender := newStore(t), &fakeSender{}
	if err := store.PutMerchant(ctx, merchant.Merchant{ID: "acme", Name: "Acme", Sender: merchant.Sender{Address: "support@acme.test"}}); err != nil {
		t.Fatal(err)
	}
	h := notify.New(store, sender, func() time.Time { return t0 }, quiet())
	// The first reply goes out and bounces permanently.
	if failed := handle(t, h, sqsMessage(t, replyEvent(t, "demo", "en_1"))); len(failed) != 0 {
		t.Fatalf("first reply failed %v", failed)
	}
	bounce := sesEnvelope(t, "bounced.json", nil)
	bounce = []byte(strings.ReplaceAll(string(bounce), "0100018c-ses-1", "prov-1")) // the fake sender's id
	if failed := handle(t, h, sesMessage("bounce", bounce)); len(failed) != 0 {
		t.Fatalf("bounce failed %v", failed)
	}
	// The next reply to that address is not sent, says why, and is acknowledged.
	if failed := handle(t, h, sqsMessage(t, replyEvent(t, "demo", "en_2"))); len(failed) != 0 {
		t.Errorf("reply to a suppressed address failed %v; want it acknowledged (no retry, no DLQ)", failed)
	}
	if sender.count() != 1 {
		t.Errorf("sent %d emails; want 1 (nothing to the bounced address again)", sender.count())
	}
	d, err := store.Delivery(ctx, "demo", "en_2")
	if want := "not sent: jonas@example.de bounced on 2 Dec (mailbox does not exist)"; err != nil || d.State != dynamo.SendFailed || d.Reason != want {
		t.Errorf("en_2 = %+v, %v; want failed: %q", d, err, want)
	}
	// Another merchant's reply to the same customer is mailed: suppression is per merchant.
	if failed := handle(t, h, sqsMessage(t, replyEvent(t, "acme", "en_3"))); len(failed) != 0 {
		t.Errorf("acme's reply failed %v", failed)
	}
	if sender.count() != 2 || sender.refs[1].MerchantID != "acme" {
		t.Errorf("sent %d emails; want acme's reply sent too", sender.count())
	}
}

func TestUnbuildableReplySaysWhy(t *testing.T) {
	ctx := context.Background()
	store, sender := newStore(t), &fakeSender{}
	h := notify.New(store, sender, func() time.Time { return t0 }, quiet())
	noAddress := replyEvent(t, "demo", "en_2")
	noAddress.Data = []byte(strings.Replace(string(noAddress.Data), "jonas@example.de", "", 1))
	msgs := []lambdaevents.SQSMessage{sqsMessage(t, replyEvent(t, "nosender", "en_1")), sqsMessage(t, noAddress)}
	if failed := handle(t, h, msgs...); len(failed) != 2 {
		t.Errorf("failed %v; want both toward the DLQ", failed)
	}
	for _, tc := range []struct{ merchant, entry, reason string }{
		{"nosender", "en_1", "not sent: the shop has no sender address configured"},
		{"demo", "en_2", "not sent: the customer has no usable email address"},
	} {
		if d, err := store.Delivery(ctx, tc.merchant, tc.entry); err != nil || d.State != dynamo.SendFailed || d.Reason != tc.reason {
			t.Errorf("%s/%s = %+v, %v; want failed: %q", tc.merchant, tc.entry, d, err, tc.reason)
		}
	}
	// Once the cause is fixed, the redriven message is sent: the failure does not block it.
	if err := store.PutMerchant(ctx, merchant.Merchant{ID: "nosender", Name: "Fixed", Sender: merchant.Sender{Address: "support@fixed.test"}}); err != nil {
		t.Fatal(err)
	}
	if failed := handle(t, h, msgs[0]); len(failed) != 0 || sender.count() != 1 {
		t.Errorf("redrive after the fix failed %v, sent %d; want it sent", failed, sender.count())
	}
	if d, _ := store.Delivery(ctx, "nosender", "en_1"); d.State != dynamo.SendDone || d.Reason != "" {
		t.Errorf("nosender/en_1 after the redrive = %+v; want sent, no reason", d)
	}
}
