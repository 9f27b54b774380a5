package local_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// TestUnknownRoutesAnswerJSON: the runtime's own mux answers what it has no route for in
// JSON, like the API and intake behind it — and "//api/v1/tickets" is a JSON 404 rather
// than ServeMux's redirect (which a client would follow, bearer token and all).
func TestUnknownRoutesAnswerJSON(t *testing.T) {
	e := start(t)
	token := map[string]string{"Authorization": "Bearer " + e.token("anna@demo.test")}
	tests := []struct {
		method, path string
		header       map[string]string
		want         int
		wantError    string
		wantAllow    string
	}{
		{"GET", "//api/v1/tickets", token, 404, "not_found", ""},
		{"GET", "/api/v1//tickets", token, 404, "not_found", ""},
		{"GET", "/api/../api/v1/tickets", token, 404, "not_found", ""},
		{"GET", "/api/v1/nothing", token, 404, "not_found", ""},
		{"DELETE", "/api/v1/tickets", token, 405, "method_not_allowed", "GET, HEAD"},
		{"POST", "/nothing", nil, 404, "not_found", ""},
		{"DELETE", "/webhooks/demo/stripe", nil, 405, "method_not_allowed", "POST"},
		{"PUT", "/dev/login", nil, 405, "method_not_allowed", "POST"},
		{"GET", "/api/v1/tickets", token, 200, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			req, err := http.NewRequest(tc.method, e.url+tc.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range tc.header {
				req.Header.Set(k, v)
			}
			client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body struct{ Error string }
			decodeErr := json.NewDecoder(resp.Body).Decode(&body)
			if resp.StatusCode != tc.want || body.Error != tc.wantError || resp.Header.Get("Allow") != tc.wantAllow ||
				decodeErr != nil || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
				t.Errorf("%s %s = %d %q Allow %q (%s, %v); want %d %q Allow %q, JSON", tc.method, tc.path, resp.StatusCode, body.Error,
					resp.Header.Get("Allow"), resp.Header.Get("Content-Type"), decodeErr, tc.want, tc.wantError, tc.wantAllow)
			}
		})
	}
}
