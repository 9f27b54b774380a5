package provider_test

import (
	"testing"

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
