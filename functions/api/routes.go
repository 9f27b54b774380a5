package api

func (s *Server) routes() {
	s.mux.Handle("GET /api/v1/me", s.authed(s.me))
	s.mux.Handle("GET /api/v1/tickets", s.authed(s.listTickets))
	s.mux.Handle("GET /api/v1/tickets/{ticketId}", s.authed(s.getTicket))
	s.mux.Handle("PATCH /api/v1/tickets/{ticketId}", s.authed(s.patchTicket))
	s.mux.Handle("POST /api/v1/tickets/{ticketId}/messages", s.authed(s.addMessage))
}
