// Package api is the console's API under /api/v1. Every call is scoped to the merchant in
// the caller's token: a ticket of another merchant is indistinguishable from a missing one.
package api

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/borderdesk/borderdesk/shared/auth"
	"github.com/borderdesk/borderdesk/shared/dynamo"
	"github.com/borderdesk/borderdesk/shared/merchant"
	"github.com/borderdesk/borderdesk/shared/ticket"
)

// Store is what the API needs of the table.
type Store interface {
	GetMerchant(ctx context.Context, id string) (merchant.Merchant, error)
	GetAgent(ctx context.Context, merchantID, email string) (merchant.Agent, error)
	ListAgents(ctx context.Context, merchantID string) ([]merchant.Agent, error)
	ListTickets(ctx context.Context, merchantID string, f dynamo.Filter) (dynamo.Page, error)
	SearchTickets(ctx context.Context, merchantID, q string) ([]ticket.Ticket, error)
	GetTicket(ctx context.Context, merchantID, id string) (ticket.Ticket, []ticket.Entry, error)
	ChangeTicket(ctx context.Context, merchantID, id string, c dynamo.Change) (ticket.Ticket, error)
	MarkRead(ctx context.Context, merchantID, agent, id string, at time.Time) error
	Unread(ctx context.Context, merchantID, agent string, tickets []ticket.Ticket) (map[string]bool, error)
}

var _ Store = (*dynamo.Store)(nil)

// Authenticator establishes who is calling.
type Authenticator interface {
	Authenticate(r *http.Request) (auth.Claims, error)
}

var (
	_ Authenticator = (*auth.HMAC)(nil)
	_ Authenticator = auth.Authorizer{}
)

// Server is the API's http.Handler.
type Server struct {
	store Store
	authn Authenticator
	now   func() time.Time
	newID func() string
	log   *slog.Logger
	mux   *http.ServeMux
}

// New returns the API. newID names agents' timeline entries.
func New(store Store, authn Authenticator, now func() time.Time, newID func() string, log *slog.Logger) *Server {
	s := &Server{store: store, authn: authn, now: now, newID: newID, log: log, mux: http.NewServeMux()}
	s.routes()
	return s
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }
