package notify_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/borderdesk/borderdesk/events"
	"github.com/borderdesk/borderdesk/functions/notify"
	"github.com/borderdesk/borderdesk/infra/local/queue"
	"github.com/borderdesk/borderdesk/shared/dynamo"
	"github.com/borderdesk/borderdesk/shared/ses"
)

// throttlingSES speaks SES v2's SendEmail (POST /v2/email/outbound-emails) and answers
// TooManyRequestsException (429) to the first `throttle` sends, then accepts.
type throttlingSES struct {
	mu       sync.Mutex
	throttle int
	calls    int
	accepted []map[string]any
}

func (f *throttlingSES) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var body map[string]any
	if r.URL.Path != "/v2/email/outbound-emails" || json.NewDecoder(r.Body).Decode(&body) != nil {
		http.Error(w, "not SendEmail", http.StatusBadRequest)
		return
	}
	f.calls++
	w.Header().Set("Content-Type", "application/json")
	if f.calls <= f.throttle {
		w.Header().Set("X-Amzn-ErrorType", "TooManyRequestsException")
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = w.Write([]byte(`{"message":"Maximum sending rate exceeded."}`))
		return
	}
	f.accepted = append(f.accepted, body)
	_, _ = w.Write([]byte(`{"MessageId":"0100018c-ses-1"}`))
}

// The fault the issue asks for: SES throttles the first two sends and takes the third. On
// notify's own queue (the local SQS model, its configuration from the topology) with a stopped
// clock, each failure is retried after its backoff — 30 s, then 1 min — rather than the
// queue's 1 min visibility timeout; the customer gets the reply once; SES's delivery event
// then marks it delivered.
func TestSendThrottledTwiceThenDelivered(t *testing.T) {
	ctx := context.Background()
	store := newStore(t)
	fake := &throttlingSES{throttle: 2}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	sender := ses.New(sesv2.New(sesv2.Options{
		BaseEndpoint: aws.String(srv.URL), Region: "eu-central-1", RetryMaxAttempts: 1,
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "AKIDLOCAL", SecretAccessKey: "local"}, nil
		}),
	}), ses.ConfigurationSet("borderdesk"))

	fn, _ := events.Lookup(events.Notify)
	clock := queue.NewStoppedClock(t0)
	q, err := queue.New(events.Notify, *fn.Queue, clock)
	if err != nil {
		t.Fatal(err)
	}
	h := notify.New(store, sender, clock.Now, quiet(), notify.Backoff(queue.VisibilityOf(map[string]*queue.Queue{events.Notify: q})))
	p := &queue.Poller{Queue: q, Handler: h.Handle, Logger: quiet()}
	poll := func(want int, when string) {
		t.Helper()
		if n, err := p.PollOnce(ctx); n != want || err != nil {
			t.Fatalf("PollOnce %s delivered %d, %v; want %d", when, n, err, want)
		}
	}
	advance := func(d time.Duration) {
		t.Helper()
		if _, err := clock.Advance(d); err != nil {
			t.Fatal(err)
		}
	}

	if _, err := q.Send(sqsMessage(t, replyEvent(t, "demo", "en_1")).Body, ""); err != nil {
		t.Fatal(err)
	}
	poll(1, "first") // throttled
	// While it waits, the reply says it was not sent yet, and why.
	if d, err := store.Delivery(ctx, "demo", "en_1"); err != nil || d.State != dynamo.SendFailed || !strings.Contains(d.Reason, "not sent yet") || !strings.Contains(d.Reason, "retrying") {
		t.Errorf("Delivery while the send waits for its retry = %+v, %v; want failed, saying it is not sent yet and retrying", d, err)
	}
	advance(29 * time.Second)
	poll(0, "29 s after the first failure")
	advance(time.Second)
	poll(1, "30 s after the first failure (the queue's timeout is 1 min)") // throttled again
	advance(59 * time.Second)
	poll(0, "59 s after the second failure")
	advance(time.Second)
	poll(1, "1 min after the second failure") // sent
	if s := q.Stats(); s != (queue.Stats{}) {
		t.Errorf("queue %+v after the send; want empty", s)
	}
	if fake.calls != 3 || len(fake.accepted) != 1 {
		t.Fatalf("SES saw %d sends and accepted %d; want 3 and exactly one email", fake.calls, len(fake.accepted))
	}
	if st, id, err := store.SendState(ctx, "demo", "en_1"); st != dynamo.SendDone || id != "0100018c-ses-1" || err != nil {
		t.Errorf("SendState = %q, %q, %v; want sent as 0100018c-ses-1", st, id, err)
	}
	if tags := fake.accepted[0]["EmailTags"]; !strings.Contains(jsonString(tags), `"Value":"en_1"`) || fake.accepted[0]["ConfigurationSetName"] != "borderdesk" {
		t.Errorf("accepted send tags %v in %v; want the entry tagged, through the configuration set", tags, fake.accepted[0]["ConfigurationSetName"])
	}

	// SES reports the delivery; a redelivered reply still sends nothing.
	if _, err := q.Send(string(sesEnvelope(t, "delivered.json", nil)), ""); err != nil {
		t.Fatal(err)
	}
	if _, err := q.Send(sqsMessage(t, replyEvent(t, "demo", "en_1")).Body, ""); err != nil {
		t.Fatal(err)
	}
	poll(2, "the delivery event and the duplicate")
	if d, err := store.Delivery(ctx, "demo", "en_1"); err != nil || d.State != dynamo.SendDelivered {
		t.Errorf("Delivery = %+v, %v; want delivered", d, err)
	}
	if fake.calls != 3 || q.Stats() != (queue.Stats{}) {
		t.Errorf("SES saw %d sends, queue %+v; want still 3 and an empty queue", fake.calls, q.Stats())
	}
}

func jsonString(v any) string { b, _ := json.Marshal(v); return string(b) }

// The backoff keeps a failing send within what the queue allows: all its receives fit well
// inside SQS's default retention (4 days) even at the cap, and the retries of the topology's
// queue fit inside the 15 minutes the queue-age alarm tolerates before it pages.
func TestRetryBackoffFitsTheQueue(t *testing.T) {
	fn, _ := events.Lookup(events.Notify)
	var total time.Duration
	for r := 1; r < fn.Queue.MaxReceives; r++ {
		total += notify.RetryBackoff.Delay(r)
	}
	if total >= 15*time.Minute {
		t.Errorf("backoff before the last of %d receives = %v; want under 15 min", fn.Queue.MaxReceives, total)
	}
	if capped := time.Duration(fn.Queue.MaxReceives) * notify.RetryBackoff.Max; capped >= 4*24*time.Hour {
		t.Errorf("MaxReceives × cap = %v; want well within 4 days", capped)
	}
}
