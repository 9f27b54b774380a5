package httpjson

import (
	"log/slog"
	"net/http"
	"path"
	"slices"
	"strings"

	"github.com/borderdesk/borderdesk/shared/errs"
)

// MethodNotAllowed is the error of a 405 answer.
const MethodNotAllowed = "method_not_allowed"

// probed are the methods NoRoute tries when it looks for routes of a path. OPTIONS is left
// out: preflight answers for every path are CORS plumbing, not routes.
var probed = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

// NoRoute answers, in JSON, the requests mux has no route for — what ServeMux would answer
// in plain text: 405 with an Allow header when the path has routes for other methods, else
// 404. Register it as mux's catch-all ("/", or a prefix such as "/webhooks/"). Only patterns
// that name a method count as routes, and not those in ignore (a console served for every
// GET, say).
func NoRoute(mux *http.ServeMux, log *slog.Logger, ignore ...string) http.Handler {
	log = orDiscard(log)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var allow []string
		for _, m := range probed {
			probe := r.Clone(r.Context())
			probe.Method = m
			if _, p := mux.Handler(probe); strings.Contains(p, " ") && !slices.Contains(ignore, p) {
				allow = append(allow, m)
			}
		}
		if len(allow) > 0 {
			// Not a kind of errs: no domain error is one; only a router can say it.
			w.Header().Set("Allow", strings.Join(allow, ", "))
			log.Log(r.Context(), slog.LevelInfo, "request failed", "kind", MethodNotAllowed, "method", r.Method, "path", r.URL.Path)
			Write(w, http.StatusMethodNotAllowed, Error{Error: MethodNotAllowed,
				Message: r.Method + " is not allowed on " + r.URL.Path + "; use " + strings.Join(allow, ", ")})
			return
		}
		Fail(w, r, log, errs.E(errs.NotFound, "no such route: %s %s", r.Method, r.URL.Path))
	})
}

// Canonical answers a JSON 404 for a path that is not in clean form ("//api/v1/tickets",
// "/a/../b") instead of passing it to next — a ServeMux would redirect it, and a redirect
// is no answer for an API client holding a bearer token.
func Canonical(next http.Handler, log *slog.Logger) http.Handler {
	log = orDiscard(log)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p := r.URL.Path; r.Method != http.MethodConnect && p != cleanPath(p) {
			Fail(w, r, log, errs.E(errs.NotFound, "no such route: %s is not a clean path (try %s)", p, cleanPath(p)))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// cleanPath is the path ServeMux would redirect p to: rooted, without "." or ".." elements or
// repeated slashes, keeping a trailing slash.
func cleanPath(p string) string {
	if p == "" {
		return "/"
	}
	if p[0] != '/' {
		p = "/" + p
	}
	np := path.Clean(p)
	if p[len(p)-1] == '/' && np != "/" {
		np += "/"
	}
	return np
}

func orDiscard(log *slog.Logger) *slog.Logger {
	if log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return log
}
