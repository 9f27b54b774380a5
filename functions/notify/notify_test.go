package notify_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	lambdaevents "github.com/aws/aws-lambda-go/events"

	"github.com/borderdesk/borderdesk/events"
	"github.com/borderdesk/borderdesk/functions/notify"
	"github.com/borderdesk/borderdesk/shared/dynamo"
	"github.com/borderdesk/borderdesk/shared/dynamo/embedded"
	"github.com/borderdesk/borderdesk/shared/mail"
	"github.com/borderdesk/borderdesk/shared/merchant"
	"github.com/borderdesk/borderdesk/shared/ses"
)

var t0 = time.Date(2026, 11, 2, 9, 30, 0, 0, time.UTC)

func newStore(t *testing.T) *dynamo.Store {
	t.Helper()
	db, err := embedded.Start(context.Background(), "127.0.0.1:0", "notify")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	store := dynamo.New(db.Client, "notify")
	for _, m := range []merchant.Merchant{
		{ID: "demo", Name: "Demo Shop", Sender: merchant.Sender{Name: "Demo Shop", Address: "support@demo.test"}},
		{ID: "nosender", Name: "No Sender"},
	} {
		if err := store.PutMerchant(context.Background(), m); err != nil {
			t.Fatal(err)
		}
	}
	return store
}

// fakeSender records what it sent; SendFn, when set, decides each send's outcome.
type fakeSender struct {
	mu     sync.Mutex
	sent   []mail.Message
	refs   []ses.Ref
	SendFn func(n int, m mail.Message) error // n counts calls from 1
	calls  int
}

func (f *fakeSender) Send(_ context.Context, m mail.Message, ref ses.Ref) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.SendFn != nil {
		if err := f.SendFn(f.calls, m); err != nil {
			return "", err
		}
	}
	f.sent = append(f.sent, m)
	f.refs = append(f.refs, ref)
	return fmt.Sprint("prov-", len(f.sent)), nil
}

func (f *fakeSender) count() int { f.mu.Lock(); defer f.mu.Unlock(); return len(f.sent) }

func replyEvent(t *testing.T, merchantID, entryID string) events.Event {
	t.Helper()
	ev, err := events.New(events.MessageReplied, "ev_"+entryID, merchantID, "borderdesk", entryID, t0, events.Reply{
		TicketID: "tk_1", EntryID: entryID, Author: "anna@demo.test", Body: "Hallo Jonas",
		Customer: events.Customer{Email: "jonas@example.de", Name: "Jonas"}, Subject: "Zahlung",
	})
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

// sqsMessage wraps ev the way EventBridge delivers it to an SQS target.
func sqsMessage(t *testing.T, ev events.Event) lambdaevents.SQSMessage {
	t.Helper()
	detail, _ := json.Marshal(ev)
	body, err := json.Marshal(lambdaevents.CloudWatchEvent{
		Version: "0", ID: "eb-" + ev.ID, DetailType: string(ev.Type), Source: "borderdesk.api",
		AccountID: "123456789012", Time: ev.OccurredAt, Region: "eu-central-1", Resources: []string{}, Detail: detail,
	})
	if err != nil {
		t.Fatal(err)
	}
	return lambdaevents.SQSMessage{MessageId: "m-" + ev.ID, Body: string(body), Attributes: map[string]string{"ApproximateReceiveCount": "1"}}
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func handle(t *testing.T, h *notify.Handler, msgs ...lambdaevents.SQSMessage) []string {
	t.Helper()
	resp, err := h.Handle(context.Background(), lambdaevents.SQSEvent{Records: msgs})
	if err != nil {
		t.Fatalf("Handle = %v; want partial batch failures only", err)
	}
	var failed []string
	for _, f := range resp.BatchItemFailures {
		failed = append(failed, f.ItemIdentifier)
	}
	return failed
}

func TestRedeliverySendsOnce(t *testing.T) {
	store, sender := newStore(t), &fakeSender{}
	h := notify.New(store, sender, func() time.Time { return t0 }, quiet())
	msg := sqsMessage(t, replyEvent(t, "demo", "en_1"))
	for i := range 3 {
		if failed := handle(t, h, msg); len(failed) != 0 {
			t.Fatalf("delivery %d failed %v", i+1, failed)
		}
	}
	if sender.count() != 1 {
		t.Fatalf("sent %d emails for one reply delivered 3 times; want 1", sender.count())
	}
	got := sender.sent[0]
	if got.To.Address != "jonas@example.de" || got.From.Address != "support@demo.test" || got.MessageID != "<reply-en_1@demo.test>" {
		t.Errorf("sent %+v; want the reply from the merchant's sender to the customer", got)
	}
	if ref := sender.refs[0]; ref != (ses.Ref{MerchantID: "demo", TicketID: "tk_1", EntryID: "en_1"}) {
		t.Errorf("sent tagged %+v; want demo's tk_1/en_1, for SES's delivery events to find the marker", ref)
	}
	if st, id, err := store.SendState(context.Background(), "demo", "en_1"); st != dynamo.SendDone || id != "prov-1" || err != nil {
		t.Errorf("SendState = %q, %q, %v; want sent as prov-1", st, id, err)
	}
}

func TestConcurrentDeliverySendsOnce(t *testing.T) {
	store, sender := newStore(t), &fakeSender{}
	h := notify.New(store, sender, func() time.Time { return t0 }, quiet())
	msg := sqsMessage(t, replyEvent(t, "demo", "en_1"))
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			_, _ = h.Handle(context.Background(), lambdaevents.SQSEvent{Records: []lambdaevents.SQSMessage{msg}})
		})
	}
	wg.Wait()
	if sender.count() != 1 {
		t.Errorf("sent %d emails for one reply delivered 8 times at once; want 1", sender.count())
	}
}

func TestRefusedTwiceThenSentOnce(t *testing.T) {
	store := newStore(t)
	sender := &fakeSender{SendFn: func(n int, _ mail.Message) error {
		if n <= 2 {
			return fmt.Errorf("throttled: %w", mail.ErrRefused)
		}
		return nil
	}}
	h := notify.New(store, sender, func() time.Time { return t0 }, quiet())
	msg := sqsMessage(t, replyEvent(t, "demo", "en_1"))
	for i, wantFailed := range []bool{true, true, false, false} {
		if failed := handle(t, h, msg); (len(failed) == 1) != wantFailed {
			t.Fatalf("delivery %d: failed %v; want failed %v", i+1, failed, wantFailed)
		}
	}
	if sender.count() != 1 || sender.calls != 3 {
		t.Errorf("sent %d in %d attempts; want 1 email in 3 attempts", sender.count(), sender.calls)
	}
}

func TestUnknownOutcomeIsNotSentAgain(t *testing.T) {
	store := newStore(t)
	sender := &fakeSender{SendFn: func(n int, _ mail.Message) error {
		if n == 1 {
			return errors.New("connection reset") // maybe sent, maybe not
		}
		return nil
	}}
	h := notify.New(store, sender, func() time.Time { return t0 }, quiet())
	msg := sqsMessage(t, replyEvent(t, "demo", "en_1"))
	for i := range 3 {
		if failed := handle(t, h, msg); len(failed) != 1 {
			t.Fatalf("delivery %d: failed %v; want it failed toward the DLQ", i+1, failed)
		}
	}
	if sender.calls != 1 {
		t.Errorf("send attempted %d times after an unknown outcome; want 1", sender.calls)
	}
}

func TestPoisonIsFailedAndNothingSent(t *testing.T) {
	store, sender := newStore(t), &fakeSender{}
	h := notify.New(store, sender, func() time.Time { return t0 }, quiet())
	notReply, _ := events.New(events.TicketOpened, "ev_open", "demo", "borderdesk", "x", t0, events.Reply{})
	good := sqsMessage(t, replyEvent(t, "demo", "en_good"))
	msgs := []lambdaevents.SQSMessage{
		{MessageId: "garbage", Body: "{not json"},
		sqsMessage(t, notReply),
		sqsMessage(t, replyEvent(t, "unknown", "en_2")),
		sqsMessage(t, replyEvent(t, "nosender", "en_3")),
		good,
	}
	failed := handle(t, h, msgs...)
	want := []string{"garbage", msgs[1].MessageId, msgs[2].MessageId, msgs[3].MessageId}
	if fmt.Sprint(failed) != fmt.Sprint(want) {
		t.Errorf("failed %v; want %v", failed, want)
	}
	if sender.count() != 1 || sender.sent[0].MessageID != "<reply-en_good@demo.test>" {
		t.Errorf("sent %d; want only the good reply", sender.count())
	}
}
