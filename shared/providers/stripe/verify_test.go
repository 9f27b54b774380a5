package stripe_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v84/webhook"

	"github.com/borderdesk/borderdesk/shared/errs"
	"github.com/borderdesk/borderdesk/shared/providers/provider"
	"github.com/borderdesk/borderdesk/shared/providers/stripe"
)

// The intake function declares this interface; this pins the fit.
var _ interface {
	Name() string
	Verify(h http.Header, body []byte, secrets []string, now time.Time) error
	Parse(merchantID string, body []byte) (provider.Parsed, error)
} = (*stripe.Provider)(nil)

const (
	oldSecret   = "whsec_9kQ2vR7nXb0aZtLmK3pW8dE1fH6sJ4uY"
	newSecret   = "whsec_T5cB2nQmH3vL8kP1rW6xZ9aD4fG7jS0e"
	otherSecret = "whsec_otherMerchant0aZtLmK3pW8dE1fH6"
)

func TestVerify(t *testing.T) {
	body, err := os.ReadFile("testdata/payment_intent.payment_failed.json")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1718031300, 0)
	secrets := []string{oldSecret, newSecret}

	// handSigned builds the header from Stripe's documented scheme without stripe-go.
	handSigned := func(secret string, at time.Time) string {
		mac := hmac.New(sha256.New, []byte(secret))
		fmt.Fprintf(mac, "%d.%s", at.Unix(), body)
		return fmt.Sprintf("t=%d,v1=%s", at.Unix(), hex.EncodeToString(mac.Sum(nil)))
	}
	tampered := append([]byte(nil), body...)
	tampered[len(tampered)-3] = 'X'

	tests := []struct {
		name    string
		header  string // "" sends no Stripe-Signature header
		body    []byte
		secrets []string
		want    string // the 401 message; "" means verified
	}{
		{"good", stripe.Sign(body, oldSecret, now.Add(-5*time.Second)), body, secrets, ""},
		{"documented scheme", handSigned(oldSecret, now), body, secrets, ""},
		{"rotated secret", stripe.Sign(body, newSecret, now), body, secrets, ""},
		{"several v1 while Stripe rolls the secret",
			fmt.Sprintf("t=%d,v1=%s,v1=%s,v0=6ffbb59b2300aae63f272406069a9788598b792a944a07aba816edb039989a39", now.Unix(),
				hex.EncodeToString(webhook.ComputeSignature(now, body, otherSecret)),
				hex.EncodeToString(webhook.ComputeSignature(now, body, newSecret))),
			body, secrets, ""},
		{"at the edge of the tolerance", stripe.Sign(body, oldSecret, now.Add(-300*time.Second)), body, secrets, ""},
		{"tampered body", stripe.Sign(body, oldSecret, now), tampered, secrets, "signature does not match"},
		{"stale timestamp", stripe.Sign(body, oldSecret, now.Add(-301*time.Second)), body, secrets, "signature timestamp is outside the 300 s tolerance"},
		{"timestamp from the future", stripe.Sign(body, oldSecret, now.Add(10*time.Minute)), body, secrets, "signature timestamp is outside the 300 s tolerance"},
		{"missing header", "", body, secrets, "missing Stripe-Signature header"},
		{"wrong merchant's secret", stripe.Sign(body, otherSecret, now), body, secrets, "signature does not match"},
		{"no secrets", stripe.Sign(body, oldSecret, now), body, nil, "signature does not match"},
		{"empty secret never verifies", stripe.Sign(body, "", now), body, []string{""}, "signature does not match"},
		{"not a signature header", "Bearer whsec", body, secrets, "malformed Stripe-Signature header"},
		{"bad timestamp", "t=yesterday,v1=00", body, secrets, "malformed Stripe-Signature header: bad timestamp"},
		{"no timestamp", "v1=" + hex.EncodeToString(webhook.ComputeSignature(now, body, oldSecret)), body, secrets, "malformed Stripe-Signature header: no timestamp"},
		{"only v0", fmt.Sprintf("t=%d,v0=00ff", now.Unix()), body, secrets, "Stripe-Signature header has no v1 signature"},
	}
	p := stripe.New()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			if tt.header != "" {
				h.Set("Stripe-Signature", tt.header)
			}
			err := p.Verify(h, tt.body, tt.secrets, now)
			if tt.want == "" {
				if err != nil {
					t.Errorf("Verify(%q) = %v; want nil", tt.header, err)
				}
				return
			}
			if !errs.Is(err, errs.Unauthorized) || errs.Message(err) != tt.want {
				t.Errorf("Verify(%q) = %v; want %s: %s", tt.header, err, errs.Unauthorized, tt.want)
			}
		})
	}
}

func TestVerifyTolerance(t *testing.T) {
	body := []byte(`{"id":"evt_1","object":"event"}`)
	now := time.Unix(1718031300, 0)
	header := stripe.Sign(body, oldSecret, now.Add(-90*time.Second))
	h := http.Header{"Stripe-Signature": {header}}

	tests := []struct {
		tolerance time.Duration
		want      string
	}{
		{0, ""}, // zero means the default 300 s
		{2 * time.Minute, ""},
		{time.Minute, "signature timestamp is outside the 60 s tolerance"},
	}
	for _, tt := range tests {
		t.Run(tt.tolerance.String(), func(t *testing.T) {
			p := &stripe.Provider{Tolerance: tt.tolerance}
			err := p.Verify(h, body, []string{oldSecret}, now)
			if got := messageOf(err); got != tt.want {
				t.Errorf("Verify(%q) with tolerance %v = %v; want %q", header, tt.tolerance, err, tt.want)
			}
		})
	}
}

// TestSignMatchesStripeGo proves Sign's headers are what stripe-go itself accepts.
func TestSignMatchesStripeGo(t *testing.T) {
	body := []byte(`{"id":"evt_1","object":"event"}`)
	at := time.Unix(1718031300, 0)
	header := stripe.Sign(body, newSecret, at)
	if want := fmt.Sprintf("t=%d,v1=%s", at.Unix(), hex.EncodeToString(webhook.ComputeSignature(at, body, newSecret))); header != want {
		t.Errorf("Sign(%q, secret, %v) = %q; want %q", body, at, header, want)
	}
	if err := webhook.ValidatePayloadIgnoringTolerance(body, header, newSecret); err != nil {
		t.Errorf("webhook.ValidatePayloadIgnoringTolerance(%q) = %v; want nil", header, err)
	}
}

func messageOf(err error) string {
	if err == nil {
		return ""
	}
	return errs.Message(err)
}
