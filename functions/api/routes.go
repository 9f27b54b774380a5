package api

import (
	"log/slog"
	"net/http"

	"github.com/borderdesk/borderdesk/shared/auth"
	"github.com/borderdesk/borderdesk/shared/httpjson"
	"github.com/borderdesk/borderdesk/shared/merchant"
)

// route is one operation of the API: its ServeMux pattern, the least role that may call it,
// and its handler.
type route struct {
	pattern string
	role    merchant.Role
	handle  func(s *Server, w http.ResponseWriter, r *http.Request, c auth.Claims, log *slog.Logger) error
}

// routeTable is every authenticated route of the API and the least role each needs — the one
// place a role is declared. A route cannot be registered without one: Server.routes puts each
// behind the role check, and the tests walk this table with every role. A supervisor's or an
// admin's feature is one line here with merchant.RoleSupervisor or merchant.RoleAdmin.
//
// The roles live here rather than in events.Topology: the topology is what the cloud and the
// local runtime deploy (API Gateway's routes and its JWT authorizer, which can check a token
// but not a Cognito group per route), while the check runs in this handler, beside the
// handlers it guards.
var routeTable = []route{
	{"GET /api/v1/me", merchant.RoleAgent, (*Server).me},
	{"GET /api/v1/agents", merchant.RoleAgent, (*Server).listAgents},
	{"GET /api/v1/tickets", merchant.RoleAgent, (*Server).listTickets},
	{"GET /api/v1/tickets/{ticketId}", merchant.RoleAgent, (*Server).getTicket},
	{"PATCH /api/v1/tickets/{ticketId}", merchant.RoleAgent, (*Server).patchTicket},
	{"POST /api/v1/tickets/{ticketId}/messages", merchant.RoleAgent, (*Server).addMessage},
	{"GET /api/v1/tickets/{ticketId}/attachments/{attachmentId}", merchant.RoleAgent, (*Server).getAttachment},
}

// Route is a route of the API as its route table declares it.
type Route struct {
	Pattern string        // "PATCH /api/v1/tickets/{ticketId}"
	Role    merchant.Role // the least role that may call it
}

// Routes returns the API's authenticated routes and the least role each needs.
func Routes() []Route {
	out := make([]Route, 0, len(routeTable))
	for _, rt := range routeTable {
		out = append(out, Route{Pattern: rt.pattern, Role: rt.role})
	}
	return out
}

func (s *Server) routes() {
	for _, rt := range routeTable {
		s.mux.Handle(rt.pattern, s.authed(rt.role, func(w http.ResponseWriter, r *http.Request, c auth.Claims, log *slog.Logger) error {
			return rt.handle(s, w, r, c, log)
		}))
	}
	s.mux.HandleFunc("OPTIONS /api/v1/{path...}", s.preflight)
	// Anything else answers in the API's own JSON, not ServeMux's text: 405 with Allow for a
	// route's other methods, else 404.
	s.mux.Handle("/", httpjson.NoRoute(s.mux, s.log))
}
