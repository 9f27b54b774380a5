// Package stripe is Borderdesk's adapter for Stripe webhooks: it verifies the
// Stripe-Signature header against a merchant's signing secrets and maps the payment events
// support agents care about (failed payments, disputes, refunds) to catalog events.
package stripe

import (
	"crypto/hmac"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/stripe/stripe-go/v84/webhook"

	"github.com/borderdesk/borderdesk/shared/errs"
)

// Name is the provider's name in webhook URLs and in catalog events.
const Name = "stripe"

// SignatureHeader is the header Stripe signs its webhooks with.
const SignatureHeader = "Stripe-Signature"

// Provider verifies and parses Stripe webhooks.
type Provider struct {
	// Tolerance is how far the signature's timestamp may be from now before the webhook is
	// refused as a possible replay. Zero means webhook.DefaultTolerance (300 s).
	Tolerance time.Duration
}

// New returns a Provider with Stripe's recommended 300 s tolerance.
func New() *Provider {
	return &Provider{Tolerance: webhook.DefaultTolerance}
}

// Name returns "stripe".
func (p *Provider) Name() string { return Name }

// Verify checks the Stripe-Signature header of body against every one of the merchant's
// secrets, so a merchant can roll its signing secret without dropping webhooks. Failures are
// errs.Unauthorized with a message fit for the 401 body.
//
// stripe-go's webhook.ValidatePayload reads the clock itself (time.Since), so Verify follows
// the same documented scheme with the injected now: the header is
// "t=<unix>,v1=<hex>[,v1=<hex>…]", each v1 an HMAC-SHA256 of "<t>.<body>" computed by
// webhook.ComputeSignature and compared in constant time. Unlike stripe-go, a timestamp too
// far in the future is refused as well: Stripe signs at send time, so either direction
// beyond the tolerance means a replay or a broken clock.
func (p *Provider) Verify(h http.Header, body []byte, secrets []string, now time.Time) error {
	// A list header may arrive split into several values (API Gateway's Lambda adapter splits
	// on commas); HTTP makes that equivalent to one comma-joined value.
	value := strings.Join(h.Values(SignatureHeader), ",")
	if value == "" {
		return errs.E(errs.Unauthorized, "missing %s header", SignatureHeader)
	}
	at, signatures, err := parseSignatureHeader(value)
	if err != nil {
		return err
	}
	if !anySecretSigned(at, body, secrets, signatures) {
		return errs.E(errs.Unauthorized, "signature does not match")
	}
	// Checked after the signature so a forged request learns nothing about the window and a
	// genuine but replayed one is told why it was refused.
	tolerance := p.Tolerance
	if tolerance <= 0 {
		tolerance = webhook.DefaultTolerance
	}
	if age := now.Sub(at); age > tolerance || age < -tolerance {
		return errs.E(errs.Unauthorized, "signature timestamp is outside the %d s tolerance", int64(tolerance/time.Second))
	}
	return nil
}

// parseSignatureHeader reads "t=1700000000,v1=…,v1=…,v0=…". Unknown schemes and v1 values
// that are not hex are skipped, as stripe-go does.
func parseSignatureHeader(value string) (time.Time, [][]byte, error) {
	var (
		at         time.Time
		signatures [][]byte
	)
	for pair := range strings.SplitSeq(value, ",") {
		key, val, ok := strings.Cut(strings.TrimSpace(pair), "=")
		if !ok {
			return time.Time{}, nil, errs.E(errs.Unauthorized, "malformed %s header", SignatureHeader)
		}
		switch key {
		case "t":
			unix, err := strconv.ParseInt(val, 10, 64)
			if err != nil {
				return time.Time{}, nil, errs.E(errs.Unauthorized, "malformed %s header: bad timestamp", SignatureHeader)
			}
			at = time.Unix(unix, 0)
		case "v1":
			if sig, err := hex.DecodeString(val); err == nil {
				signatures = append(signatures, sig)
			}
		}
	}
	if at.IsZero() {
		return time.Time{}, nil, errs.E(errs.Unauthorized, "malformed %s header: no timestamp", SignatureHeader)
	}
	if len(signatures) == 0 {
		return time.Time{}, nil, errs.E(errs.Unauthorized, "%s header has no v1 signature", SignatureHeader)
	}
	return at, signatures, nil
}

func anySecretSigned(at time.Time, body []byte, secrets []string, signatures [][]byte) bool {
	for _, secret := range secrets {
		// An empty key is a misconfiguration, and anyone could sign with it.
		if secret == "" {
			continue
		}
		want := webhook.ComputeSignature(at, body, secret)
		for _, sig := range signatures {
			if hmac.Equal(want, sig) {
				return true
			}
		}
	}
	return false
}

// Sign returns the Stripe-Signature header value Stripe would send for body signed with
// secret at the given time. It is for tests, the demo sender and benchmarks; at must not be
// zero (stripe-go would read the clock).
func Sign(body []byte, secret string, at time.Time) string {
	return webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{
		Payload: body, Secret: secret, Timestamp: at,
	}).Header
}
