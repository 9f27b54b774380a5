package cors_test

import (
	"net/http/httptest"
	"testing"
	"time"

	"github.com/borderdesk/borderdesk/shared/cors"
)

func TestPreflight(t *testing.T) {
	p := cors.Policy{Methods: []string{"POST"}, Headers: []string{"Content-Type", "X-Borderdesk-Key"}, MaxAge: time.Hour}
	origins := []string{"https://shop.example"}
	tests := []struct {
		origin     string
		wantStatus int
		wantACAO   string
	}{
		{"https://shop.example", 204, "https://shop.example"},
		{"https://evil.example", 403, ""},
		{"", 403, ""},
	}
	for _, tc := range tests {
		r := httptest.NewRequest("OPTIONS", "/inbound/demo/messages", nil)
		if tc.origin != "" {
			r.Header.Set("Origin", tc.origin)
		}
		w := httptest.NewRecorder()
		p.Preflight(w, r, cors.Allowed(tc.origin, origins))
		if w.Code != tc.wantStatus || w.Header().Get("Access-Control-Allow-Origin") != tc.wantACAO {
			t.Errorf("Preflight(%q) = %d ACAO %q; want %d %q", tc.origin, w.Code, w.Header().Get("Access-Control-Allow-Origin"), tc.wantStatus, tc.wantACAO)
		}
		if tc.wantStatus == 204 && (w.Header().Get("Access-Control-Allow-Headers") != "Content-Type, X-Borderdesk-Key" || w.Header().Get("Access-Control-Max-Age") != "3600") {
			t.Errorf("Preflight(%q) headers = %v; want the policy's", tc.origin, w.Header())
		}
	}
}
