// Package cors answers browsers' cross-origin questions for the two surfaces browsers call
// from elsewhere: the console API (from the console's origin) and the customer-message
// endpoint (from each merchant's own shop origins). The Lambdas answer them, not API
// Gateway, because the allowed origins differ by route and, for messages, by merchant.
package cors

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Policy is what one surface allows.
type Policy struct {
	Methods []string
	Headers []string
	MaxAge  time.Duration
}

// Allowed reports whether origin is in origins. An empty origin (no Origin header: a
// server, not a browser) is not a cross-origin request and is never "allowed" here.
func Allowed(origin string, origins []string) bool {
	return origin != "" && slices.Contains(origins, origin)
}

// Preflight answers an OPTIONS preflight: 204 with the policy when the origin is allowed,
// 403 without CORS headers (so the browser refuses) when it is not.
func (p Policy) Preflight(w http.ResponseWriter, r *http.Request, allowed bool) {
	w.Header().Add("Vary", "Origin")
	if !allowed {
		w.WriteHeader(http.StatusForbidden)
		return
	}
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", r.Header.Get("Origin"))
	h.Set("Access-Control-Allow-Methods", strings.Join(p.Methods, ", "))
	h.Set("Access-Control-Allow-Headers", strings.Join(p.Headers, ", "))
	h.Set("Access-Control-Max-Age", strconv.Itoa(int(p.MaxAge.Seconds())))
	w.WriteHeader(http.StatusNoContent)
}

// Allow marks the response to an actual request readable by the request's origin.
func Allow(w http.ResponseWriter, r *http.Request) {
	w.Header().Add("Vary", "Origin")
	w.Header().Set("Access-Control-Allow-Origin", r.Header.Get("Origin"))
}
