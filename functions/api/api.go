// Package api is the console's API under /api/v1. Every call is scoped to the merchant in
// the caller's token: a ticket of another merchant is indistinguishable from a missing one.
package api

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/borderdesk/borderdesk/events"
	"github.com/borderdesk/borderdesk/shared/auth"
	"github.com/borderdesk/borderdesk/shared/cors"
	"github.com/borderdesk/borderdesk/shared/dynamo"
	"github.com/borderdesk/borderdesk/shared/httpjson"
	"github.com/borderdesk/borderdesk/shared/merchant"
	"github.com/borderdesk/borderdesk/shared/metrics"
	"github.com/borderdesk/borderdesk/shared/s3"
	"github.com/borderdesk/borderdesk/shared/ticket"
)

// Store is what the API needs of the table.
type Store interface {
	GetMerchant(ctx context.Context, id string) (merchant.Merchant, error)
	GetAgent(ctx context.Context, merchantID, id string) (merchant.Agent, error)
	ListAgents(ctx context.Context, merchantID string) ([]merchant.Agent, error)
	ListTickets(ctx context.Context, merchantID string, f ticket.Filter) (ticket.Page, error)
	SearchTickets(ctx context.Context, merchantID, q string, f ticket.Filter) (ticket.Page, error)
	GetTicket(ctx context.Context, merchantID, id string) (ticket.Ticket, []ticket.Entry, error)
	ChangeTicket(ctx context.Context, merchantID, id string, c dynamo.Change) (ticket.Ticket, ticket.Entry, error)
	// MarkRead and Unread keep read markers per agent id (the caller's sub).
	MarkRead(ctx context.Context, merchantID, agent, id string, at time.Time) error
	Unread(ctx context.Context, merchantID, agent string, tickets []ticket.Ticket) (map[string]bool, error)
	// Deliveries reads the send markers of a ticket's replies in one batch.
	Deliveries(ctx context.Context, merchantID string, entryIDs []string) (map[string]dynamo.Delivery, error)
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

// Linker signs short-lived download links to objects in the mail bucket.
type Linker interface {
	Download(ctx context.Context, key, filename, contentType string) (s3.Link, error)
}

var _ Linker = (*s3.Links)(nil)

// Server is the API's http.Handler.
type Server struct {
	store         Store
	authn         Authenticator
	now           func() time.Time
	newID         func() string
	log           *slog.Logger
	consoleOrigin string
	cursors       ticket.Cursors
	metrics       metrics.Recorder
	links         Linker
	mux           *http.ServeMux
}

// Option configures a Server.
type Option func(*Server)

// ConsoleOrigin lets the console, served from origin ("https://d123.cloudfront.net"), call
// the API from the browser. Without it (the local runtime serves both from one origin) no
// cross-origin call is allowed.
func ConsoleOrigin(origin string) Option { return func(s *Server) { s.consoleOrigin = origin } }

// Cursors signs the inbox's cursors. Every instance of the API that may see another's
// cursors needs the same key (in the cloud, from Secrets Manager); without this option a
// Server signs with a random key of its own, which is right for one process only.
func Cursors(c ticket.Cursors) Option { return func(s *Server) { s.cursors = c } }

// Metrics counts every answer towards the API's 5xx rate (metrics.HTTP); without this option
// nothing is counted.
func Metrics(rec metrics.Recorder) Option { return func(s *Server) { s.metrics = metrics.Or(rec) } }

// Attachments lets agents download the attachments of customers' emails through links l
// signs (s3.NewLinks on the mail bucket). Without this option the attachment route still
// finds the attachment, and then answers 500: the deployment forgot the bucket.
func Attachments(l Linker) Option { return func(s *Server) { s.links = l } }

// New returns the API. newID names agents' timeline entries.
func New(store Store, authn Authenticator, now func() time.Time, newID func() string, log *slog.Logger, opts ...Option) *Server {
	s := &Server{store: store, authn: authn, now: now, newID: newID, log: log, metrics: metrics.Discard, mux: http.NewServeMux()}
	s.cursors = ticket.NewRandomCursors()
	for _, o := range opts {
		o(s)
	}
	s.routes()
	return s
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.consoleOrigin != "" && r.Header.Get("Origin") == s.consoleOrigin {
		cors.Allow(w, r)
	}
	// A path that is not clean ("//api/v1/tickets") is a JSON 404, not ServeMux's redirect.
	metrics.HTTP(s.metrics, events.API, httpjson.Canonical(s.mux, s.log)).ServeHTTP(w, r)
}

// consoleCORS is what the console may do cross-origin.
var consoleCORS = cors.Policy{
	Methods: []string{"GET", "POST", "PATCH"},
	Headers: []string{"Authorization", "Content-Type", "Idempotency-Key", "If-Match"},
	MaxAge:  time.Hour,
}

func (s *Server) preflight(w http.ResponseWriter, r *http.Request) {
	consoleCORS.Preflight(w, r, s.consoleOrigin != "" && r.Header.Get("Origin") == s.consoleOrigin)
}
