package aftership_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/borderdesk/borderdesk/shared/errs"
	"github.com/borderdesk/borderdesk/shared/providers/aftership"
	"github.com/borderdesk/borderdesk/shared/providers/provider"
)

// The intake function declares this interface; this pins the fit.
var _ interface {
	Name() string
	Verify(h http.Header, body []byte, secrets []string, now time.Time) error
	Parse(merchantID string, body []byte) (provider.Parsed, error)
} = (*aftership.Provider)(nil)

const (
	oldSecret   = "as_whk_4f9c2e7b1a8d3c6e5f0a9b2c7d1e8f3a"
	newSecret   = "as_whk_b81d6e3f0c9a4b7e2d5f8a1c6b3e9d0f"
	otherSecret = "as_whk_other_merchant_0c9a4b7e2d5f8a1c"
)

func TestVerify(t *testing.T) {
	body, err := os.ReadFile("testdata/tracking_update.in_transit.json")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1718600005, 0)
	secrets := []string{oldSecret, newSecret}

	// documented computes the header as AfterShip documents it, without Sign.
	mac := hmac.New(sha256.New, []byte(oldSecret))
	mac.Write(body)
	documented := base64.StdEncoding.EncodeToString(mac.Sum(nil))

	tampered := append([]byte(nil), body...)
	tampered[len(tampered)-3] = '9'

	tests := []struct {
		name    string
		header  string // "" sends no aftership-hmac-sha256 header
		body    []byte
		secrets []string
		want    string // the 401 message; "" means verified
	}{
		{"good", aftership.Sign(body, oldSecret), body, secrets, ""},
		{"documented scheme", documented, body, secrets, ""},
		{"rotated secret", aftership.Sign(body, newSecret), body, secrets, ""},
		{"tampered body", aftership.Sign(body, oldSecret), tampered, secrets, "signature does not match"},
		{"missing header", "", body, secrets, "missing aftership-hmac-sha256 header"},
		{"wrong merchant's secret", aftership.Sign(body, otherSecret), body, secrets, "signature does not match"},
		{"no secrets", aftership.Sign(body, oldSecret), body, nil, "signature does not match"},
		{"empty secret never verifies", aftership.Sign(body, ""), body, []string{""}, "signature does not match"},
		{"not base64", "sha256=" + documented, body, secrets, "malformed aftership-hmac-sha256 header"},
	}
	p := aftership.New()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			if tt.header != "" {
				h.Set("aftership-hmac-sha256", tt.header)
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

// TestVerifyIgnoresTime: AfterShip signs no timestamp, so an old delivery still verifies.
func TestVerifyIgnoresTime(t *testing.T) {
	body := []byte(`{"event":"tracking_update","event_id":"e1","ts":1700000000,"msg":{}}`)
	header := aftership.Sign(body, oldSecret)
	h := http.Header{"Aftership-Hmac-Sha256": {header}}
	for _, now := range []time.Time{time.Unix(1700000000, 0), time.Unix(1700000000, 0).AddDate(1, 0, 0)} {
		if err := aftership.New().Verify(h, body, []string{oldSecret}, now); err != nil {
			t.Errorf("Verify(%q) at %v = %v; want nil", header, now, err)
		}
	}
}
