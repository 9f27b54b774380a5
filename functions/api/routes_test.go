package api_test

import (
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/borderdesk/borderdesk/functions/api"
	"github.com/borderdesk/borderdesk/shared/auth"
)

// TestUnknownRoutesAnswerJSON: what the API has no route for is answered in its JSON error
// shape — 404, or 405 with Allow for a route's other methods — and a path that is not clean
// is a 404, not ServeMux's 301 redirect to the clean one.
func TestUnknownRoutesAnswerJSON(t *testing.T) {
	doc := loadDocument(t)
	now := func() time.Time { return t0 }
	srv := api.New(nil, auth.NewHMAC([]byte("s"), time.Hour, now), now, func() string { return "e1" }, slog.New(slog.DiscardHandler))
	tests := []struct {
		method, path string
		want         int
		wantError    string
		wantAllow    string
	}{
		{"GET", "/api/v1/nothing", 404, "not_found", ""},
		{"GET", "/api/v2/tickets", 404, "not_found", ""},
		{"DELETE", "/api/v1/tickets/tk_1", 405, "method_not_allowed", "GET, HEAD, PATCH"},
		{"POST", "/api/v1/tickets", 405, "method_not_allowed", "GET, HEAD"},
		{"GET", "/api/v1/tickets/tk_1/messages", 405, "method_not_allowed", "POST"},
		{"GET", "//api/v1/tickets", 404, "not_found", ""},
		{"GET", "/api/v1/tickets/../me", 404, "not_found", ""},
		{"GET", "/api/v1//me", 404, "not_found", ""},
	}
	for _, tc := range tests {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			r := httptest.NewRequest(tc.method, "/", nil)
			r.URL.Path = tc.path
			w := httptest.NewRecorder()
			srv.ServeHTTP(w, r)
			var body any
			if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
				t.Fatalf("%s %s = %d %q; want JSON", tc.method, tc.path, w.Code, w.Body)
			}
			got, _ := body.(map[string]any)["error"].(string)
			if w.Code != tc.want || got != tc.wantError || w.Header().Get("Allow") != tc.wantAllow || w.Header().Get("Content-Type") != "application/json" {
				t.Errorf("%s %s = %d %q Allow %q (%s); want %d %q Allow %q, JSON", tc.method, tc.path, w.Code, got, w.Header().Get("Allow"), w.Header().Get("Content-Type"), tc.want, tc.wantError, tc.wantAllow)
			}
			if err := doc.Components.Schemas["Error"].Value.VisitJSON(body); err != nil {
				t.Errorf("%s %s body breaks the Error schema: %v", tc.method, tc.path, err)
			}
		})
	}
}
