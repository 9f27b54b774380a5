// Package aftership is Borderdesk's adapter for AfterShip tracking webhooks: it verifies the
// aftership-hmac-sha256 header against a merchant's webhook secrets and maps tracking
// updates to shipment events (exception, delayed, updated).
package aftership

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strings"
	"time"

	"github.com/borderdesk/borderdesk/shared/errs"
)

// Name is the provider's name in webhook URLs and in catalog events.
const Name = "aftership"

// SignatureHeader is the header AfterShip signs its tracking webhooks with.
const SignatureHeader = "aftership-hmac-sha256"

// Provider verifies and parses AfterShip tracking webhooks.
type Provider struct{}

// New returns a Provider.
func New() *Provider { return &Provider{} }

// Name returns "aftership".
func (p *Provider) Name() string { return Name }

// Verify checks the aftership-hmac-sha256 header, base64(HMAC-SHA256(body, secret)), against
// every one of the merchant's secrets, so a secret can be rotated without dropping webhooks.
// Failures are errs.Unauthorized with a message fit for the 401 body.
//
// AfterShip signs the body only, with no timestamp, so there is no staleness window to check
// and the time argument is unused: a captured request stays valid for as long as its secret
// does. Intake's dedupe on the event_id is what keeps a replay from producing events twice.
func (p *Provider) Verify(h http.Header, body []byte, secrets []string, _ time.Time) error {
	value := strings.TrimSpace(h.Get(SignatureHeader))
	if value == "" {
		return errs.E(errs.Unauthorized, "missing %s header", SignatureHeader)
	}
	got, err := base64.StdEncoding.DecodeString(value)
	if err != nil {
		return errs.E(errs.Unauthorized, "malformed %s header", SignatureHeader)
	}
	for _, secret := range secrets {
		// An empty key is a misconfiguration, and anyone could sign with it.
		if secret == "" {
			continue
		}
		if hmac.Equal(signature(body, secret), got) {
			return nil
		}
	}
	return errs.E(errs.Unauthorized, "signature does not match")
}

// Sign returns the aftership-hmac-sha256 header value AfterShip would send for body signed
// with secret. It is for tests, the demo sender and benchmarks.
func Sign(body []byte, secret string) string {
	return base64.StdEncoding.EncodeToString(signature(body, secret))
}

func signature(body []byte, secret string) []byte {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return mac.Sum(nil)
}
