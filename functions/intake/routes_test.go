package intake_test

import (
	"encoding/json"
	"net/http/httptest"
	"testing"

	"github.com/borderdesk/borderdesk/functions/intake"
	"github.com/borderdesk/borderdesk/shared/dynamo"
)

// TestUnknownRoutesAnswerJSON: a path or method intake has no route for is answered in the
// same JSON as every other refusal — it used to be ServeMux's text/plain 404 and 405.
func TestUnknownRoutesAnswerJSON(t *testing.T) {
	h := intake.New(intake.Config{Providers: intake.Providers(), Store: dynamo.New(nil, "unused")}) // no request reaches the table
	tests := []struct {
		method, path string
		want         int
		wantError    string
		wantAllow    string
	}{
		{"GET", "/nothing", 404, "not_found", ""},
		{"POST", "/webhooks/demo", 404, "not_found", ""},
		{"GET", "/webhooks/demo/stripe", 405, "method_not_allowed", "POST"},
		{"DELETE", "/inbound/demo/messages", 405, "method_not_allowed", "POST"},
		{"POST", "//webhooks/demo/stripe", 404, "not_found", ""},
		{"POST", "/webhooks/demo/../demo/stripe", 404, "not_found", ""},
	}
	for _, tc := range tests {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest(tc.method, tc.path, nil))
			var body struct{ Error string }
			err := json.Unmarshal(w.Body.Bytes(), &body)
			if w.Code != tc.want || err != nil || body.Error != tc.wantError || w.Header().Get("Allow") != tc.wantAllow {
				t.Errorf("%s %s = %d %q (%v) Allow %q; want %d %q Allow %q", tc.method, tc.path, w.Code, w.Body, err, w.Header().Get("Allow"), tc.want, tc.wantError, tc.wantAllow)
			}
			if ct := w.Header().Get("Content-Type"); ct != "application/json" {
				t.Errorf("%s %s Content-Type = %q; want application/json", tc.method, tc.path, ct)
			}
		})
	}
}
