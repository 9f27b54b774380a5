package api_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/borderdesk/borderdesk/events"
	"github.com/borderdesk/borderdesk/functions/api"
	"github.com/borderdesk/borderdesk/shared/auth"
	"github.com/borderdesk/borderdesk/shared/errs"
	"github.com/borderdesk/borderdesk/shared/metrics"
)

// authnFunc authenticates with a function.
type authnFunc func(r *http.Request) (auth.Claims, error)

func (f authnFunc) Authenticate(r *http.Request) (auth.Claims, error) { return f(r) }

// Every answer of the API counts towards its 5xx rate: Requests always, ServerErrors for a 5xx.
func TestMetricsCountServerErrors(t *testing.T) {
	rec := &metrics.Memory{}
	failing := authnFunc(func(r *http.Request) (auth.Claims, error) {
		if r.Header.Get("Authorization") == "" {
			return auth.Claims{}, errs.E(errs.Unauthorized, "no token")
		}
		return auth.Claims{}, errs.E(errs.Internal, "the key set is unreachable")
	})
	srv := api.New(nil, failing, time.Now, func() string { return "e1" }, slog.New(slog.DiscardHandler), api.Metrics(rec))
	fn := metrics.Dim(metrics.Function, events.API)
	tests := []struct {
		name       string
		token      string
		wantStatus int
		wantErrors float64
	}{
		{"no token", "", 401, 0},
		{"the authenticator fails", "Bearer x", 500, 1},
		{"again", "Bearer x", 500, 2},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/api/v1/me", nil)
			if tc.token != "" {
				r.Header.Set("Authorization", tc.token)
			}
			w := httptest.NewRecorder()
			srv.ServeHTTP(w, r)
			if w.Code != tc.wantStatus {
				t.Fatalf("GET /api/v1/me = %d; want %d", w.Code, tc.wantStatus)
			}
			if got := rec.Sum(metrics.Requests, fn); got != float64(i+1) {
				t.Errorf("Requests = %v; want %v", got, i+1)
			}
			if got := rec.Sum(metrics.ServerErrors, fn); got != tc.wantErrors {
				t.Errorf("ServerErrors = %v; want %v", got, tc.wantErrors)
			}
		})
	}
}
