package intake_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/borderdesk/borderdesk/functions/intake"
	"github.com/borderdesk/borderdesk/shared/errs"
	"github.com/borderdesk/borderdesk/shared/merchant"
	"github.com/borderdesk/borderdesk/shared/providers/stripe"
	"github.com/borderdesk/borderdesk/shared/secretsmanager"
)

// clock is a settable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// countingStore counts merchant reads.
type countingStore struct {
	*recordingStore
	mu    sync.Mutex
	reads int
}

func (s *countingStore) GetMerchant(ctx context.Context, id string) (merchant.Merchant, error) {
	s.mu.Lock()
	s.reads++
	s.mu.Unlock()
	return s.recordingStore.GetMerchant(ctx, id)
}

// countingSecrets counts secret reads; FailFn makes them fail.
type countingSecrets struct {
	*secretsmanager.Store
	mu     sync.Mutex
	reads  int
	FailFn func() error
}

func (s *countingSecrets) Secrets(ctx context.Context, id string) (merchant.WebhookSecrets, error) {
	s.mu.Lock()
	s.reads++
	fail := s.FailFn
	s.mu.Unlock()
	if fail != nil {
		if err := fail(); err != nil {
			return nil, err
		}
	}
	return s.Store.Secrets(ctx, id)
}

func (s *countingSecrets) count() int { s.mu.Lock(); defer s.mu.Unlock(); return s.reads }

type cachedFixture struct {
	h       *intake.Handler
	clock   *clock
	store   *countingStore
	secrets *countingSecrets
	admin   *secretsmanager.Store // writes secrets as the admin command does
}

func newCachedFixture(t *testing.T) *cachedFixture {
	base := newFixture(t)
	f := &cachedFixture{
		clock: &clock{t: now}, store: &countingStore{recordingStore: base.store},
		secrets: &countingSecrets{Store: base.secrets}, admin: base.secrets,
	}
	f.h = intake.New(intake.Config{
		Providers: intake.Providers(), Store: f.store, Secrets: f.secrets, Bus: &bus{}, Now: f.clock.Now,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), NewID: func() string { return "x" },
	})
	return f
}

// post sends a fresh Stripe webhook (its own event id) for demo, signed with secret now.
func (f *cachedFixture) post(t *testing.T, secret string) int {
	t.Helper()
	body := fixtureFile(t, "stripe", "charge.failed.json")
	body = bytes.Replace(body, []byte(`"id": "evt_`), []byte(`"id": "evt_`+f.clock.Now().Format("150405")+secret+`_`), 1)
	r := httptest.NewRequest("POST", "/webhooks/demo/stripe", bytes.NewReader(body))
	r.Header.Set("Stripe-Signature", stripe.Sign(body, secret, f.clock.Now()))
	w := httptest.NewRecorder()
	f.h.ServeHTTP(w, r)
	return w.Code
}

// TestReadsOncePerMinute: a burst of webhooks reads the merchant and its secrets once each,
// and both again after the cache's minute.
func TestReadsOncePerMinute(t *testing.T) {
	f := newCachedFixture(t)
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() { f.post(t, "whsec_old") })
	}
	wg.Wait()
	if f.store.reads != 1 || f.secrets.count() != 1 {
		t.Errorf("16 concurrent webhooks read the merchant %d times and its secrets %d times; want 1 and 1", f.store.reads, f.secrets.count())
	}
	f.clock.Advance(59 * time.Second)
	f.post(t, "whsec_old")
	if f.store.reads != 1 || f.secrets.count() != 1 {
		t.Errorf("within the minute: %d merchant reads, %d secret reads; want 1 and 1", f.store.reads, f.secrets.count())
	}
	f.clock.Advance(2 * time.Second)
	f.post(t, "whsec_old")
	if f.store.reads != 2 || f.secrets.count() != 2 {
		t.Errorf("after a minute: %d merchant reads, %d secret reads; want 2 and 2", f.store.reads, f.secrets.count())
	}
}

// TestRotation is the admin command's rotation as intake sees it: a new secret is accepted
// alongside the old one within the cache's minute; once the old one is removed it is refused
// within the minute, and the new one goes on.
func TestRotation(t *testing.T) {
	ctx := context.Background()
	f := newCachedFixture(t)
	set := func(ws merchant.WebhookSecrets) {
		t.Helper()
		if err := f.admin.PutSecrets(ctx, "demo", ws); err != nil {
			t.Fatal(err)
		}
	}
	set(merchant.WebhookSecrets{"stripe": {"whsec_old"}})
	steps := []struct {
		name    string
		change  merchant.WebhookSecrets // written first, when not nil
		advance time.Duration           // then the clock moves
		want    map[string]int          // status by signing secret
	}{
		{"before the rotation", nil, 0, map[string]int{"whsec_old": 200, "whsec_new": 401}},
		{"new one added, cache still warm", merchant.WebhookSecrets{"stripe": {"whsec_old", "whsec_new"}}, 30 * time.Second,
			map[string]int{"whsec_old": 200, "whsec_new": 401}},
		{"new one added, a minute on: both accepted", nil, 31 * time.Second, map[string]int{"whsec_old": 200, "whsec_new": 200}},
		{"old one removed, cache still warm", merchant.WebhookSecrets{"stripe": {"whsec_new"}}, 59 * time.Second,
			map[string]int{"whsec_old": 200, "whsec_new": 200}},
		{"old one removed, a minute on: refused", nil, 2 * time.Second, map[string]int{"whsec_old": 401, "whsec_new": 200}},
	}
	for _, s := range steps {
		if s.change != nil {
			set(s.change)
		}
		f.clock.Advance(s.advance)
		for _, secret := range []string{"whsec_old", "whsec_new"} {
			if got := f.post(t, secret); got != s.want[secret] {
				t.Errorf("%s: signed with %s = %d; want %d", s.name, secret, got, s.want[secret])
			}
		}
	}
}

// TestSecretsUnavailable: when Secrets Manager fails, the sender is told to retry (503), and
// nothing is cached, so the retry reads again.
func TestSecretsUnavailable(t *testing.T) {
	f := newCachedFixture(t)
	f.secrets.FailFn = func() error {
		return errs.Wrap(errs.Transient, errors.New("throttled"), "read the webhook secrets of demo")
	}
	if got := f.post(t, "whsec_old"); got != 503 {
		t.Errorf("with Secrets Manager down = %d; want 503", got)
	}
	f.secrets.FailFn = nil
	if got := f.post(t, "whsec_old"); got != 200 || f.secrets.count() != 2 {
		t.Errorf("the retry = %d after %d reads; want 200 after 2", got, f.secrets.count())
	}
}

// TestSecretsWaiterLeaves: a request that gives up while the secrets are being read leaves
// the read to the others, who get its answer.
func TestSecretsWaiterLeaves(t *testing.T) {
	f := newCachedFixture(t)
	release := make(chan struct{})
	entered := make(chan struct{}, 2)
	f.secrets.FailFn = func() error { entered <- struct{}{}; <-release; return nil }
	body := fixtureFile(t, "stripe", "charge.failed.json")
	ctx, cancel := context.WithCancel(context.Background())
	leaver := make(chan int)
	go func() {
		r := httptest.NewRequest("POST", "/webhooks/demo/stripe", bytes.NewReader(body)).WithContext(ctx)
		r.Header.Set("Stripe-Signature", stripe.Sign(body, "whsec_old", now))
		w := httptest.NewRecorder()
		f.h.ServeHTTP(w, r)
		leaver <- w.Code
	}()
	<-entered
	stayer := make(chan int)
	go func() { stayer <- f.post(t, "whsec_old") }()
	cancel()
	if got := <-leaver; got == 200 {
		t.Errorf("the request that gave up = %d; want a failure", got)
	}
	close(release)
	if got := <-stayer; got != 200 || f.secrets.count() != 1 {
		t.Errorf("the request that waited = %d after %d reads; want 200 after 1", got, f.secrets.count())
	}
}
