package api

import "github.com/borderdesk/borderdesk/shared/httpjson"

func (s *Server) routes() {
	s.mux.Handle("GET /api/v1/me", s.authed(s.me))
	s.mux.Handle("GET /api/v1/agents", s.authed(s.listAgents))
	s.mux.Handle("GET /api/v1/tickets", s.authed(s.listTickets))
	s.mux.Handle("GET /api/v1/tickets/{ticketId}", s.authed(s.getTicket))
	s.mux.Handle("PATCH /api/v1/tickets/{ticketId}", s.authed(s.patchTicket))
	s.mux.Handle("POST /api/v1/tickets/{ticketId}/messages", s.authed(s.addMessage))
	s.mux.HandleFunc("OPTIONS /api/v1/{path...}", s.preflight)
	// Anything else answers in the API's own JSON, not ServeMux's text: 405 with Allow for a
	// route's other methods, else 404.
	s.mux.Handle("/", httpjson.NoRoute(s.mux, s.log))
}
