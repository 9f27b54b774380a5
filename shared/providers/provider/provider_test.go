package provider_test

import (
	"encoding/json"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/borderdesk/borderdesk/shared/providers/provider"
)

func TestEventID(t *testing.T) {
	tests := []struct {
		provider, eventID string
		n                 int
		want              string
	}{
		{"stripe", "evt_1PQxYz2eZvKYlo2C", 0, "ev_stripe_evt_1PQxYz2eZvKYlo2C"},
		{"stripe", "evt_1PQxYz2eZvKYlo2C", 1, "ev_stripe_evt_1PQxYz2eZvKYlo2C_1"},
		{"aftership", "6f3c9a52-1d7e-4b8a-9c11-2f4e8d0b7a65", 0, "ev_aftership_6f3c9a52-1d7e-4b8a-9c11-2f4e8d0b7a65"},
		{"aftership", "6f3c9a52-1d7e-4b8a-9c11-2f4e8d0b7a65", 12, "ev_aftership_6f3c9a52-1d7e-4b8a-9c11-2f4e8d0b7a65_12"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := provider.EventID(tt.provider, tt.eventID, tt.n); got != tt.want {
				t.Errorf("EventID(%q, %q, %d) = %q; want %q", tt.provider, tt.eventID, tt.n, got, tt.want)
			}
		})
	}
}

func TestUnixTime(t *testing.T) {
	tests := []struct {
		sec  int64
		want string // RFC 3339, or "" for refused
	}{
		{1718031245, "2024-06-10T14:54:05Z"},
		{1, "1970-01-01T00:00:01Z"},
		{253402300799, "9999-12-31T23:59:59Z"},
		{0, ""},
		{-1, ""},
		{-62167219201, ""}, // before year 0
		{253402300800, ""}, // year 10000
		{math.MaxInt64, ""},
		{math.MinInt64, ""},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.sec), func(t *testing.T) {
			got, ok := provider.UnixTime(tt.sec)
			if ok != (tt.want != "") || (ok && got.Format(time.RFC3339) != tt.want) {
				t.Errorf("UnixTime(%d) = %v, %v; want %q", tt.sec, got, ok, tt.want)
			}
			// What it accepts, the bus can carry.
			if _, err := json.Marshal(got); ok && err != nil {
				t.Errorf("json.Marshal(UnixTime(%d)) error = %v; want nil", tt.sec, err)
			}
		})
	}
}
