package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/borderdesk/borderdesk/events"
	"github.com/borderdesk/borderdesk/functions/api"
	"github.com/borderdesk/borderdesk/shared/auth"
	"github.com/borderdesk/borderdesk/shared/dynamo"
	"github.com/borderdesk/borderdesk/shared/dynamo/embedded"
	"github.com/borderdesk/borderdesk/shared/merchant"
)

// sampleRequests is, for each route of the route table, a request that succeeds for a
// caller the route admits, on the tickets seed writes. A route added to the table without
// one here fails TestEveryRouteChecksRole.
var sampleRequests = map[string]struct{ path, body string }{
	"GET /api/v1/me":                                            {"/api/v1/me", ""},
	"GET /api/v1/agents":                                        {"/api/v1/agents", ""},
	"GET /api/v1/tickets":                                       {"/api/v1/tickets", ""},
	"GET /api/v1/tickets/{ticketId}":                            {"/api/v1/tickets/tk_001", ""},
	"PATCH /api/v1/tickets/{ticketId}":                          {"/api/v1/tickets/tk_001", `{"tags":["vip"]}`},
	"POST /api/v1/tickets/{ticketId}/messages":                  {"/api/v1/tickets/tk_001/messages", `{"kind":"note","body":"Checked the order."}`},
	"GET /api/v1/tickets/{ticketId}/attachments/{attachmentId}": {"/api/v1/tickets/tk_008/attachments/ev_11.1", ""},
}

// TestEveryRouteChecksRole walks every route of the API's route table with a token of every
// role, of no role and of a role Borderdesk does not know, and with no token: a caller whose
// role reaches the route's gets the route's answer, any other a 403 naming the role needed,
// and no token a 401.
func TestEveryRouteChecksRole(t *testing.T) {
	ctx := context.Background()
	db, err := embedded.Start(ctx, "127.0.0.1:0", "roles")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	store := dynamo.New(db.Client, "roles")
	seed(t, store)
	clock := func() time.Time { return t0.Add(4 * time.Hour) }
	hmac := auth.NewHMAC([]byte("roles test secret"), time.Hour, clock)
	n := 0
	_, links := mailBucket(t, clock)
	srv := api.New(store, hmac, clock, func() string { n++; return fmt.Sprintf("en_%03d", n) }, slog.New(slog.DiscardHandler),
		api.Attachments(links))

	// The seeded supervisor li, signed in with each role her token could carry.
	li := merchant.Agent{ID: "sub-li", Email: "li@demo.test", MerchantID: "demo"}
	roles := append(slices.Clone(auth.Roles), "", "boss")
	for _, rt := range api.Routes() {
		sample, ok := sampleRequests[rt.Pattern]
		if !ok {
			t.Errorf("route %s has no sample request in sampleRequests", rt.Pattern)
			continue
		}
		if !slices.Contains(auth.Roles, rt.Role) {
			t.Errorf("route %s needs role %q, which is not one of %v", rt.Pattern, rt.Role, auth.Roles)
		}
		method, _, _ := strings.Cut(rt.Pattern, " ")
		do := func(token string) (int, map[string]string) {
			r := httptest.NewRequest(method, sample.path, strings.NewReader(sample.body))
			if token != "" {
				r.Header.Set("Authorization", "Bearer "+token)
			}
			w := httptest.NewRecorder()
			srv.ServeHTTP(w, r)
			var body map[string]string
			_ = json.Unmarshal(w.Body.Bytes(), &body) // success bodies are not all strings
			return w.Code, body
		}
		for _, role := range roles {
			t.Run(fmt.Sprintf("%s as %q", rt.Pattern, role), func(t *testing.T) {
				a := li
				a.Role = merchant.Role(role)
				token, err := hmac.Issue(a)
				if err != nil {
					t.Fatal(err)
				}
				got, body := do(token)
				if !auth.Allows(a.Role, rt.Role) {
					if got != http.StatusForbidden || body["error"] != "forbidden" || !strings.Contains(body["message"], "the "+string(rt.Role)+" role") {
						t.Errorf("Route(%q) as %q = %d %v; want 403 forbidden naming the %s role", rt.Pattern, role, got, body, rt.Role)
					}
					return
				}
				if got < 200 || got > 299 {
					t.Errorf("Route(%q) as %q = %d %v; want 2xx", rt.Pattern, role, got, body)
				}
			})
		}
		t.Run(rt.Pattern+" without a token", func(t *testing.T) {
			if got, body := do(""); got != http.StatusUnauthorized || body["error"] != "unauthorized" {
				t.Errorf("Route(%q) without a token = %d %v; want %d unauthorized", rt.Pattern, got, body, http.StatusUnauthorized)
			}
		})
	}
}

// TestAllows holds the order of roles: each role may do what the ones below it may.
func TestAllows(t *testing.T) {
	tests := []struct {
		have, need merchant.Role
		want       bool
	}{
		{merchant.RoleAgent, merchant.RoleAgent, true},
		{merchant.RoleSupervisor, merchant.RoleAgent, true},
		{merchant.RoleAdmin, merchant.RoleAgent, true},
		{merchant.RoleAgent, merchant.RoleSupervisor, false},
		{merchant.RoleSupervisor, merchant.RoleSupervisor, true},
		{merchant.RoleAdmin, merchant.RoleSupervisor, true},
		{merchant.RoleAgent, merchant.RoleAdmin, false},
		{merchant.RoleSupervisor, merchant.RoleAdmin, false},
		{merchant.RoleAdmin, merchant.RoleAdmin, true},
		{"", merchant.RoleAgent, false},
		{"boss", merchant.RoleAgent, false},
		{"", "", false},
	}
	for _, tc := range tests {
		if got := auth.Allows(tc.have, tc.need); got != tc.want {
			t.Errorf("Allows(%q, %q) = %v; want %v", tc.have, tc.need, got, tc.want)
		}
	}
}

// TestRouteTableMatchesTopologyAndDocument: the route table has exactly the authenticated
// routes the topology deploys for the API, and openapi.json documents each one's role
// (x-borderdesk-role) and its 403.
func TestRouteTableMatchesTopologyAndDocument(t *testing.T) {
	fn, ok := events.Lookup(events.API)
	if !ok {
		t.Fatalf("events.Lookup(%q) found nothing", events.API)
	}
	table := map[string]merchant.Role{}
	for _, rt := range api.Routes() {
		if _, dup := table[rt.Pattern]; dup {
			t.Errorf("route %s is in the route table twice", rt.Pattern)
		}
		table[rt.Pattern] = rt.Role
	}
	for _, r := range fn.Routes {
		if _, ok := table[r.Pattern()]; ok != r.Auth {
			t.Errorf("topology route %s (Auth %v) in the route table = %v; want %v", r.Pattern(), r.Auth, ok, r.Auth)
		}
	}
	for pattern := range table {
		if !slices.ContainsFunc(fn.Routes, func(r events.Route) bool { return r.Pattern() == pattern && r.Auth }) {
			t.Errorf("route table's %s is not an authenticated route of the %s function in events.Topology", pattern, fn.Name)
		}
	}
	ops := operations(loadDocument(t))
	for pattern, role := range table {
		o, ok := ops[pattern]
		if !ok {
			continue // TestOpenAPIDocumentMatchesTopology reports it
		}
		if got, _ := o.op.Extensions["x-borderdesk-role"].(string); got != string(role) {
			t.Errorf("openapi.json %s x-borderdesk-role = %q; want %q (the route table)", pattern, got, role)
		}
		if !o.documents(http.StatusForbidden) {
			t.Errorf("openapi.json %s does not document its 403", pattern)
		}
	}
}
