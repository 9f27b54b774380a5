package api

import (
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/borderdesk/borderdesk/shared/auth"
	"github.com/borderdesk/borderdesk/shared/dynamo"
	"github.com/borderdesk/borderdesk/shared/errs"
	"github.com/borderdesk/borderdesk/shared/httpjson"
	"github.com/borderdesk/borderdesk/shared/ticket"
)

// Limits.
const (
	maxBodyBytes = 64 << 10
	maxTextChars = 10_000
)

type handlerFunc func(w http.ResponseWriter, r *http.Request, c auth.Claims, log *slog.Logger) error

// authed authenticates the caller, then runs h; errors h returns become answers.
func (s *Server) authed(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		log := s.log.With("path", r.URL.Path, "method", r.Method, "request_id", r.Header.Get("X-Request-Id"))
		c, err := s.authn.Authenticate(r)
		if err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="borderdesk"`)
			httpjson.Fail(w, r, log, err)
			return
		}
		log = log.With("merchant_id", c.MerchantID, "agent", c.Email)
		r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
		if err := h(w, r.WithContext(auth.With(r.Context(), c)), c, log); err != nil {
			httpjson.Fail(w, r, log, err)
		}
	})
}

func (s *Server) me(w http.ResponseWriter, r *http.Request, c auth.Claims, _ *slog.Logger) error {
	m, err := s.store.GetMerchant(r.Context(), c.MerchantID)
	if err != nil {
		return err
	}
	out := Me{Email: c.Email, Role: string(c.Role), Merchant: MerchantView{ID: m.ID, Name: m.Name, TimeZone: m.TimeZone}}
	if a, err := s.store.GetAgent(r.Context(), c.MerchantID, c.Email); err == nil {
		out.Name, out.Language = a.Name, a.Language
	} else if !errs.Is(err, errs.NotFound) {
		return err
	}
	httpjson.Write(w, http.StatusOK, out)
	return nil
}

func (s *Server) listTickets(w http.ResponseWriter, r *http.Request, c auth.Claims, _ *slog.Logger) error {
	q := r.URL.Query()
	f := dynamo.Filter{
		Status: ticket.Status(q.Get("status")), Category: ticket.Category(q.Get("category")),
		Priority: ticket.Priority(q.Get("priority")), Cursor: q.Get("cursor"), Limit: 25,
	}
	if f.Status != "" && !f.Status.Valid() {
		return errs.E(errs.Invalid, "status must be one of open, pending, solved, closed")
	}
	if f.Priority != "" && f.Priority.Rank() == 0 {
		return errs.E(errs.Invalid, "priority must be one of low, normal, high, urgent")
	}
	if f.Category != "" && !validCategory(f.Category) {
		return errs.E(errs.Invalid, "unknown category %q", f.Category)
	}
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 100 {
			return errs.E(errs.Invalid, "limit must be a number from 1 to 100")
		}
		f.Limit = n
	}
	page, err := s.store.ListTickets(r.Context(), c.MerchantID, f)
	if err != nil {
		return err
	}
	out := TicketList{Tickets: make([]TicketSummary, 0, len(page.Tickets)), NextCursor: page.Next}
	for _, t := range page.Tickets {
		out.Tickets = append(out.Tickets, summary(t))
	}
	httpjson.Write(w, http.StatusOK, out)
	return nil
}

func validCategory(c ticket.Category) bool {
	for _, r := range ticket.Rules {
		if r.Category == c {
			return true
		}
	}
	return false
}

func (s *Server) getTicket(w http.ResponseWriter, r *http.Request, c auth.Claims, _ *slog.Logger) error {
	t, entries, err := s.store.GetTicket(r.Context(), c.MerchantID, r.PathValue("ticketId"))
	if err != nil {
		return err
	}
	httpjson.Write(w, http.StatusOK, detail(t, entries))
	return nil
}

// StatusChange is the body of PATCH /tickets/{id}.
type StatusChange struct {
	Status ticket.Status `json:"status"`
}

func (s *Server) patchTicket(w http.ResponseWriter, r *http.Request, c auth.Claims, log *slog.Logger) error {
	var req StatusChange
	if err := httpjson.Decode(r.Body, &req); err != nil {
		return err
	}
	if !req.Status.Valid() {
		return errs.E(errs.Invalid, "status must be one of open, pending, solved, closed")
	}
	id := r.PathValue("ticketId")
	t, err := s.store.ChangeTicket(r.Context(), c.MerchantID, id, dynamo.Change{
		Status: req.Status,
		Entry: ticket.Entry{ID: s.newID(), Kind: ticket.EntryStatus, At: s.now(), Author: c.Email,
			Body: "Status changed to " + string(req.Status)},
	})
	if err != nil {
		return err
	}
	log.Info("ticket status changed", "ticket_id", id, "status", string(req.Status))
	httpjson.Write(w, http.StatusOK, summary(t))
	return nil
}

// NewMessage is the body of POST /tickets/{id}/messages.
type NewMessage struct {
	Kind string `json:"kind"` // reply or note
	Body string `json:"body"`
}

func (s *Server) addMessage(w http.ResponseWriter, r *http.Request, c auth.Claims, log *slog.Logger) error {
	var req NewMessage
	if err := httpjson.Decode(r.Body, &req); err != nil {
		return err
	}
	kind := ticket.EntryKind(req.Kind)
	switch {
	case kind != ticket.EntryReply && kind != ticket.EntryNote:
		return errs.E(errs.Invalid, "kind must be reply or note")
	case strings.TrimSpace(req.Body) == "":
		return errs.E(errs.Invalid, "body must not be empty")
	case utf8.RuneCountInString(req.Body) > maxTextChars:
		return errs.E(errs.Invalid, "body is over %d characters", maxTextChars)
	}
	id := r.PathValue("ticketId")
	e := ticket.Entry{ID: s.newID(), Kind: kind, At: s.now(), Author: c.Email, Body: req.Body}
	if _, err := s.store.ChangeTicket(r.Context(), c.MerchantID, id, dynamo.Change{Entry: e}); err != nil {
		return err
	}
	log.Info("ticket "+req.Kind+" added", "ticket_id", id, "entry_id", e.ID)
	httpjson.Write(w, http.StatusCreated, entryView(e))
	return nil
}
