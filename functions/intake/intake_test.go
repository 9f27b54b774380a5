package intake_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/borderdesk/borderdesk/events"
	"github.com/borderdesk/borderdesk/functions/intake"
	"github.com/borderdesk/borderdesk/shared/dynamo"
	"github.com/borderdesk/borderdesk/shared/dynamo/embedded"
	"github.com/borderdesk/borderdesk/shared/errs"
	"github.com/borderdesk/borderdesk/shared/merchant"
	"github.com/borderdesk/borderdesk/shared/providers/aftership"
	"github.com/borderdesk/borderdesk/shared/providers/stripe"
	"github.com/borderdesk/borderdesk/shared/s3"
	s3embedded "github.com/borderdesk/borderdesk/shared/s3/embedded"
	"github.com/borderdesk/borderdesk/shared/secretsmanager"
	smembedded "github.com/borderdesk/borderdesk/shared/secretsmanager/embedded"
)

var now = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

// recordingStore counts receipts, so a test can prove a rejected request stored nothing.
type recordingStore struct {
	*dynamo.Store
	mu       sync.Mutex
	receipts int
}

func (s *recordingStore) RecordReceipt(ctx context.Context, r dynamo.Receipt) error {
	s.mu.Lock()
	s.receipts++
	s.mu.Unlock()
	return s.Store.RecordReceipt(ctx, r)
}

// bus records what was published; FailFn makes it fail. It encodes each event as the
// EventBridge publisher does, so an event the real bus could not carry fails here too.
type bus struct {
	mu        sync.Mutex
	published []events.Event
	FailFn    func() error
}

func (b *bus) Publish(_ context.Context, evs ...events.Event) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.FailFn != nil {
		if err := b.FailFn(); err != nil {
			return err
		}
	}
	for _, e := range evs {
		detail, err := json.Marshal(e)
		if err != nil {
			return errs.Wrap(errs.Internal, err, "encode event %s", e.ID)
		}
		if len(detail) > 256<<10 { // PutEvents refuses entries over 256 KB
			return errs.E(errs.Transient, "put events: entry %s is over 256 KB", e.ID)
		}
	}
	b.published = append(b.published, evs...)
	return nil
}

type fixture struct {
	h       http.Handler
	store   *recordingStore
	secrets *secretsmanager.Store
	bus     *bus
	bodies  *s3.Bodies
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	db, err := embedded.Start(ctx, "127.0.0.1:0", "intake")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	store := &recordingStore{Store: dynamo.New(db.Client, "intake")}
	raw, err := s3embedded.Start(ctx, "127.0.0.1:0", "raw-bodies")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	secrets := newSecrets(t)
	for _, m := range []struct {
		merchant.Merchant
		secrets merchant.WebhookSecrets
	}{
		{merchant.Merchant{ID: "demo", PublishableKey: "pk_demo", ShopOrigins: []string{"https://shop.demo.test"}},
			merchant.WebhookSecrets{"stripe": {"whsec_old", "whsec_new"}, "aftership": {"as_demo"}}},
		{merchant.Merchant{ID: "acme", PublishableKey: "pk_acme"},
			merchant.WebhookSecrets{"stripe": {"whsec_acme"}, "aftership": {"as_acme"}}},
		{merchant.Merchant{ID: "fresh", PublishableKey: "pk_fresh"}, nil}, // onboarded, no secret yet
	} {
		if err := store.PutMerchant(ctx, m.Merchant); err != nil {
			t.Fatal(err)
		}
		if m.secrets != nil {
			if err := secrets.PutSecrets(ctx, m.ID, m.secrets); err != nil {
				t.Fatal(err)
			}
		}
	}
	b := &bus{}
	n := 0
	h := intake.New(intake.Config{
		Providers: intake.Providers(), Store: store, Secrets: secrets, Bodies: raw.Bodies(), Bus: b, Now: func() time.Time { return now },
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), NewID: func() string { n++; return "gen" + string(rune('0'+n)) },
	})
	return &fixture{h: h, store: store, secrets: secrets, bus: b, bodies: raw.Bodies()}
}

// newSecrets is the Secrets Manager adapter over the embedded Secrets Manager, reached
// through the real SDK client on an httptest server.
func newSecrets(t *testing.T) *secretsmanager.Store {
	t.Helper()
	srv := httptest.NewServer(smembedded.New(nil))
	t.Cleanup(srv.Close)
	return secretsmanager.New(smembedded.Client(srv.URL), "")
}

func (f *fixture) post(path string, body []byte, header map[string]string) *httptest.ResponseRecorder {
	r := httptest.NewRequest("POST", path, bytes.NewReader(body))
	for k, v := range header {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	f.h.ServeHTTP(w, r)
	return w
}

func fixtureFile(t *testing.T, provider, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "shared", "providers", provider, "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestWebhooks(t *testing.T) {
	failed := fixtureFile(t, "stripe", "payment_intent.payment_failed.json")
	unhandled := fixtureFile(t, "stripe", "customer.created.json")
	exception := fixtureFile(t, "aftership", "tracking_update.exception.json")
	stripeSig := func(body []byte, secret string, at time.Time) map[string]string {
		return map[string]string{"Stripe-Signature": stripe.Sign(body, secret, at)}
	}
	// Signed correctly, but dated where RFC 3339 (and so the bus) cannot follow.
	year10000 := bytes.Replace(failed, []byte(`"created": 1718031245`), []byte(`"created": 253402300800`), 1)
	negativeTS := bytes.Replace(exception, []byte(`"ts": 1718572720`), []byte(`"ts": -62167219201`), 1)
	huge := append([]byte(`{"id":"evt_big","pad":"`), bytes.Repeat([]byte("x"), intake.MaxWebhookBytes)...)
	// Under 1 MiB, but its one scan's message alone is over the bus's 256 KB.
	hugeScan := []byte(`{"event":"tracking_update","event_id":"e-huge-scan","ts":1718572720,"msg":{"tracking_number":"T1","tag":"InTransit",` +
		`"checkpoints":[{"checkpoint_time":"2024-06-16T09:00:00+02:00","message":"` + strings.Repeat("m", 300<<10) + `"}]}}`)
	huge = append(huge, `"}`...)
	tests := []struct {
		name       string
		path       string
		body       []byte
		header     map[string]string
		wantStatus int
		wantBody   string // a substring of the answer
		stored     bool
		published  int
	}{
		{"stripe good", "/webhooks/demo/stripe", failed, stripeSig(failed, "whsec_old", now), 200, `"accepted"`, true, 1},
		{"stripe rotated secret", "/webhooks/demo/stripe", failed, stripeSig(failed, "whsec_new", now), 200, `"accepted"`, true, 1},
		{"stripe tampered", "/webhooks/demo/stripe", tampered(failed), stripeSig(failed, "whsec_old", now), 401, "signature", false, 0},
		{"stripe stale", "/webhooks/demo/stripe", failed, stripeSig(failed, "whsec_old", now.Add(-6*time.Minute)), 401, "tolerance", false, 0},
		{"stripe missing header", "/webhooks/demo/stripe", failed, nil, 401, "Stripe-Signature", false, 0},
		{"stripe other merchant's secret", "/webhooks/demo/stripe", failed, stripeSig(failed, "whsec_acme", now), 401, "signature", false, 0},
		{"unknown merchant", "/webhooks/nobody/stripe", failed, stripeSig(failed, "whsec_old", now), 404, "merchant", false, 0},
		{"merchant without a secret yet", "/webhooks/fresh/stripe", failed, stripeSig(failed, "whsec_old", now), 401, "signature", false, 0},
		{"unknown provider", "/webhooks/demo/paypal", failed, stripeSig(failed, "whsec_old", now), 404, "provider", false, 0},
		{"malformed JSON", "/webhooks/demo/stripe", []byte(`{"id": "evt_1",`), stripeSig([]byte(`{"id": "evt_1",`), "whsec_old", now), 400, "JSON", false, 0},
		{"too large", "/webhooks/demo/stripe", huge, stripeSig(huge, "whsec_old", now), 413, "bytes", false, 0},
		{"unhandled type archived", "/webhooks/demo/stripe", unhandled, stripeSig(unhandled, "whsec_old", now), 200, `"archived"`, true, 0},
		{"aftership good", "/webhooks/demo/aftership", exception, map[string]string{"aftership-hmac-sha256": aftership.Sign(exception, "as_demo")}, 200, `"accepted"`, true, 1},
		{"aftership wrong secret", "/webhooks/demo/aftership", exception, map[string]string{"aftership-hmac-sha256": aftership.Sign(exception, "as_acme")}, 401, "signature", false, 0},
		{"aftership missing header", "/webhooks/demo/aftership", exception, nil, 401, "aftership-hmac-sha256", false, 0},
		{"merchant id over the limit", "/webhooks/" + strings.Repeat("m", 3000) + "/stripe", failed, stripeSig(failed, "whsec_old", now), 400, "merchant id", false, 0},
		{"maps to an event over 256 KB", "/webhooks/demo/aftership", hugeScan, map[string]string{"aftership-hmac-sha256": aftership.Sign(hugeScan, "as_demo")}, 413, "256 KB", false, 0},
		{"stripe dated after year 9999", "/webhooks/demo/stripe", year10000, stripeSig(year10000, "whsec_old", now), 400, "created", false, 0},
		{"aftership dated before year 0", "/webhooks/demo/aftership", negativeTS, map[string]string{"aftership-hmac-sha256": aftership.Sign(negativeTS, "as_demo")}, 400, "ts", false, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			w := f.post(tc.path, tc.body, tc.header)
			if w.Code != tc.wantStatus || !strings.Contains(w.Body.String(), tc.wantBody) {
				t.Errorf("POST %s = %d %s; want %d containing %q", tc.path, w.Code, w.Body, tc.wantStatus, tc.wantBody)
			}
			if stored := f.store.receipts > 0; stored != tc.stored {
				t.Errorf("stored = %v; want %v", stored, tc.stored)
			}
			if len(f.bus.published) != tc.published {
				t.Errorf("published %d events; want %d", len(f.bus.published), tc.published)
			}
		})
	}
}

func TestWebhookDuplicateChangesNothing(t *testing.T) {
	f := newFixture(t)
	body := fixtureFile(t, "stripe", "charge.dispute.created.json")
	h := map[string]string{"Stripe-Signature": stripe.Sign(body, "whsec_old", now)}
	want := []string{`"accepted"`, `"duplicate"`, `"duplicate"`}
	for i, w := range want {
		if got := f.post("/webhooks/demo/stripe", body, h); got.Code != 200 || !strings.Contains(got.Body.String(), w) {
			t.Errorf("delivery %d = %d %s; want 200 %s", i+1, got.Code, got.Body, w)
		}
	}
	if len(f.bus.published) != 1 {
		t.Errorf("published %d events; want 1", len(f.bus.published))
	}
}

func TestWebhookPublishFailureIsRetriedBySender(t *testing.T) {
	f := newFixture(t)
	body := fixtureFile(t, "stripe", "charge.failed.json")
	h := map[string]string{"Stripe-Signature": stripe.Sign(body, "whsec_old", now)}
	f.bus.FailFn = func() error { return errors.New("bus down") }
	if w := f.post("/webhooks/demo/stripe", body, h); w.Code != http.StatusServiceUnavailable {
		t.Fatalf("with the bus down = %d %s; want 503 so the provider retries", w.Code, w.Body)
	}
	f.bus.FailFn = nil
	if w := f.post("/webhooks/demo/stripe", body, h); w.Code != 200 || !strings.Contains(w.Body.String(), `"accepted"`) {
		t.Fatalf("provider's retry = %d %s; want 200 accepted (not a duplicate: nothing was published)", w.Code, w.Body)
	}
	if w := f.post("/webhooks/demo/stripe", body, h); !strings.Contains(w.Body.String(), `"duplicate"`) {
		t.Errorf("third delivery = %s; want duplicate", w.Body)
	}
	if len(f.bus.published) != 1 {
		t.Errorf("published %d events; want 1", len(f.bus.published))
	}
}

func TestCustomerMessages(t *testing.T) {
	good := []byte(`{"email":"jonas@example.de","name":"Jonas","order_number":"10482","text":"Wo ist mein Paket?"}`)
	key := func(k string) map[string]string { return map[string]string{"X-Borderdesk-Key": k} }
	tests := []struct {
		name       string
		path       string
		body       []byte
		header     map[string]string
		wantStatus int
		wantBody   string
		stored     bool
	}{
		{"good", "/inbound/demo/messages", good, key("pk_demo"), 202, `"accepted"`, true},
		{"missing key", "/inbound/demo/messages", good, nil, 401, "publishable key", false},
		{"other merchant's key", "/inbound/demo/messages", good, key("pk_acme"), 401, "publishable key", false},
		{"unknown merchant", "/inbound/nobody/messages", good, key("pk_demo"), 404, "merchant", false},
		{"bad email", "/inbound/demo/messages", []byte(`{"email":"not-an-email","text":"hi"}`), key("pk_demo"), 400, "email", false},
		{"bad language", "/inbound/demo/messages", []byte(`{"email":"a@b.de","text":"hi","language":"german!"}`), key("pk_demo"), 400, "BCP 47", false},
		{"empty text", "/inbound/demo/messages", []byte(`{"email":"a@b.de","text":"  "}`), key("pk_demo"), 400, "text", false},
		{"unknown field", "/inbound/demo/messages", []byte(`{"email":"a@b.de","text":"hi","card":"4242"}`), key("pk_demo"), 400, "JSON", false},
		{"malformed", "/inbound/demo/messages", []byte(`{"email":`), key("pk_demo"), 400, "JSON", false},
		{"too large", "/inbound/demo/messages", bytes.Repeat([]byte("x"), intake.MaxMessageBytes+1), key("pk_demo"), 413, "bytes", false},
		{"email over the limit", "/inbound/demo/messages", []byte(`{"email":"` + strings.Repeat("a", 3000) + `@b.de","text":"hi"}`), key("pk_demo"), 400, "email", false},
		{"merchant id over the limit", "/inbound/" + strings.Repeat("m", 3000) + "/messages", good, key("pk_demo"), 400, "merchant id", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			w := f.post(tc.path, tc.body, tc.header)
			if w.Code != tc.wantStatus || !strings.Contains(w.Body.String(), tc.wantBody) {
				t.Errorf("POST %s = %d %s; want %d containing %q", tc.path, w.Code, w.Body, tc.wantStatus, tc.wantBody)
			}
			if stored := f.store.receipts > 0; stored != tc.stored {
				t.Errorf("stored = %v; want %v", stored, tc.stored)
			}
		})
	}
}

func TestCustomerMessageIdempotencyKey(t *testing.T) {
	f := newFixture(t)
	body := []byte(`{"email":"jonas@example.de","text":"Hallo"}`)
	h := map[string]string{"X-Borderdesk-Key": "pk_demo", "Idempotency-Key": "form-123", "Accept-Language": "de-DE,de;q=0.9,en;q=0.8"}
	for i, want := range []string{`"accepted"`, `"duplicate"`} {
		if w := f.post("/inbound/demo/messages", body, h); w.Code != 202 || !strings.Contains(w.Body.String(), want) {
			t.Errorf("post %d = %d %s; want 202 %s", i+1, w.Code, w.Body, want)
		}
	}
	if len(f.bus.published) != 1 {
		t.Fatalf("published %d; want 1", len(f.bus.published))
	}
	var m events.Message
	if err := f.bus.published[0].Decode(&m); err != nil || m.Customer.Email != "jonas@example.de" || m.MessageID != "form-123" || m.Language != "de-DE" {
		t.Errorf("published message = %+v, %v; want jonas@example.de form-123 in de-DE (from Accept-Language)", m, err)
	}
}

// TestIdempotencyKeyReused: a key names one message. The same message again (however its JSON
// is laid out) is a duplicate; another message under the same key is refused with a 422 and
// changes nothing, whether or not the first was published yet. Keys are scoped by the
// publishable key and guessable, so answering "duplicate" would let anyone pre-claim them.
func TestIdempotencyKeyReused(t *testing.T) {
	first := []byte(`{"email":"jonas@example.de","order_number":"10482","text":"Wo ist mein Paket?"}`)
	sameAgain := []byte(`{ "text": "Wo ist mein Paket?", "order_number": "10482", "email": "Jonas@Example.de " }`)
	other := []byte(`{"email":"jonas@example.de","order_number":"10482","text":"Bitte stornieren."}`)
	h := map[string]string{"X-Borderdesk-Key": "pk_demo", "Idempotency-Key": "form-42"}
	tests := []struct {
		name    string
		busDown bool // while the first message is posted
	}{
		{"after the first was published", false},
		{"while the first waits for its retry", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			wantFirst := 202
			if tc.busDown {
				f.bus.FailFn = func() error { return errors.New("bus down") }
				wantFirst = 503
			}
			if w := f.post("/inbound/demo/messages", first, h); w.Code != wantFirst {
				t.Fatalf("first post = %d %s; want %d", w.Code, w.Body, wantFirst)
			}
			f.bus.FailFn = nil
			if w := f.post("/inbound/demo/messages", other, h); w.Code != 422 || !strings.Contains(w.Body.String(), "Idempotency-Key") {
				t.Errorf("another message under the same key = %d %s; want 422 naming the Idempotency-Key", w.Code, w.Body)
			}
			wantStatus := `"duplicate"`
			if tc.busDown {
				wantStatus = `"accepted"` // the sender's retry completes the first message
			}
			if w := f.post("/inbound/demo/messages", sameAgain, h); w.Code != 202 || !strings.Contains(w.Body.String(), wantStatus) {
				t.Errorf("the first message again = %d %s; want 202 %s", w.Code, w.Body, wantStatus)
			}
			if len(f.bus.published) != 1 {
				t.Fatalf("published %d; want 1", len(f.bus.published))
			}
			var m events.Message
			if err := f.bus.published[0].Decode(&m); err != nil || m.Text != "Wo ist mein Paket?" {
				t.Errorf("published message = %+v, %v; want the first text", m, err)
			}
		})
	}
}

// tampered is body with one field changed after signing.
func tampered(body []byte) []byte {
	out := bytes.Replace(body, []byte(`"livemode": false`), []byte(`"livemode": true`), 1)
	if bytes.Equal(out, body) {
		panic("tampered: nothing to change in the fixture")
	}
	return out
}

// TestWidgetCORS: a shop's own pages may post messages from the browser; other origins may not.
func TestWidgetCORS(t *testing.T) {
	body := []byte(`{"email":"jonas@example.de","text":"Hallo"}`)
	tests := []struct {
		name, method, origin string
		wantStatus           int
		wantACAO             string
	}{
		{"preflight from the shop", "OPTIONS", "https://shop.demo.test", 204, "https://shop.demo.test"},
		{"preflight from elsewhere", "OPTIONS", "https://evil.test", 403, ""},
		{"post from the shop", "POST", "https://shop.demo.test", 202, "https://shop.demo.test"},
		{"post from elsewhere", "POST", "https://evil.test", 401, ""},
		{"post from a server", "POST", "", 202, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			r := httptest.NewRequest(tc.method, "/inbound/demo/messages", bytes.NewReader(body))
			r.Header.Set("X-Borderdesk-Key", "pk_demo")
			if tc.origin != "" {
				r.Header.Set("Origin", tc.origin)
			}
			w := httptest.NewRecorder()
			f.h.ServeHTTP(w, r)
			if w.Code != tc.wantStatus || w.Header().Get("Access-Control-Allow-Origin") != tc.wantACAO {
				t.Errorf("%s from %q = %d ACAO %q; want %d %q", tc.method, tc.origin, w.Code, w.Header().Get("Access-Control-Allow-Origin"), tc.wantStatus, tc.wantACAO)
			}
		})
	}
}
