package httpjson_test

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/borderdesk/borderdesk/shared/httpjson"
)

func TestNoRouteAndCanonical(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	mux := http.NewServeMux()
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	mux.Handle("GET /things/{id}", ok)
	mux.Handle("PATCH /things/{id}", ok)
	mux.Handle("OPTIONS /{path...}", ok)
	mux.Handle("GET /", ok) // a console for every other GET
	mux.Handle("/", httpjson.NoRoute(mux, log, "GET /"))
	h := httpjson.Canonical(mux, log)
	tests := []struct {
		method, path string
		want         int
		wantError    string
		wantAllow    string
	}{
		{"GET", "/things/1", 204, "", ""},
		{"PATCH", "/things/1", 204, "", ""},
		{"DELETE", "/things/1", 405, "method_not_allowed", "GET, HEAD, PATCH"},
		{"POST", "/nothing", 404, "not_found", ""},
		{"GET", "/nothing", 204, "", ""},
		{"OPTIONS", "/nothing", 204, "", ""},
		{"GET", "//things/1", 404, "not_found", ""},
		{"GET", "/things/../things/1", 404, "not_found", ""},
		{"GET", "/things//1", 404, "not_found", ""},
	}
	for _, tc := range tests {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			r := httptest.NewRequest(tc.method, "http://x"+tc.path, nil)
			r.URL.Path = tc.path // as sent: NewRequest would not clean it, but be explicit
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			var body httpjson.Error
			_ = json.Unmarshal(w.Body.Bytes(), &body)
			if w.Code != tc.want || body.Error != tc.wantError || w.Header().Get("Allow") != tc.wantAllow {
				t.Errorf("%s %s = %d %q Allow %q; want %d %q Allow %q", tc.method, tc.path, w.Code, body.Error, w.Header().Get("Allow"), tc.want, tc.wantError, tc.wantAllow)
			}
			if tc.wantError != "" && w.Header().Get("Content-Type") != "application/json" {
				t.Errorf("%s %s Content-Type = %q; want application/json", tc.method, tc.path, w.Header().Get("Content-Type"))
			}
		})
	}
}
