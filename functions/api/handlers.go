package api

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/borderdesk/borderdesk/events"
	"github.com/borderdesk/borderdesk/shared/auth"
	"github.com/borderdesk/borderdesk/shared/dynamo"
	"github.com/borderdesk/borderdesk/shared/errs"
	"github.com/borderdesk/borderdesk/shared/httpjson"
	"github.com/borderdesk/borderdesk/shared/merchant"
	"github.com/borderdesk/borderdesk/shared/ticket"
)

// Limits.
const (
	maxBodyBytes = 64 << 10
	maxTextChars = 10_000
)

type handlerFunc func(w http.ResponseWriter, r *http.Request, c auth.Claims, log *slog.Logger) error

// authed authenticates the caller and checks they hold at least role, then runs h; errors h
// returns become answers. A caller without a token is a 401; one whose role falls short, or
// who has no role Borderdesk knows, a 403.
func (s *Server) authed(role merchant.Role, h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		log := s.log.With("path", r.URL.Path, "method", r.Method, "request_id", httpjson.RequestID(r))
		c, err := s.authn.Authenticate(r)
		if err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="borderdesk"`)
			httpjson.Fail(w, r, log, err)
			return
		}
		log = log.With("merchant_id", c.MerchantID, "agent_id", c.Subject)
		if !auth.Allows(c.Role, role) {
			httpjson.Fail(w, r, log, forbidden(role, c.Role), "role", string(c.Role))
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
		if err := h(w, r, c, log); err != nil && !failStale(w, r, log, err) {
			httpjson.Fail(w, r, log, err)
		}
	})
}

// forbidden is the answer to a caller with role have on a route that needs need.
func forbidden(need, have merchant.Role) error {
	if have == "" {
		return errs.E(errs.Forbidden, "this needs the %s role; your sign-in has no Borderdesk role (agent, supervisor or admin): ask your admin to add you to one", need)
	}
	return errs.E(errs.Forbidden, "this needs the %s role or a higher one; your role is %s", need, have)
}

func (s *Server) me(w http.ResponseWriter, r *http.Request, c auth.Claims, _ *slog.Logger) error {
	m, err := s.store.GetMerchant(r.Context(), c.MerchantID)
	if err != nil {
		return err
	}
	// The caller is their sub; the agent record, when there is one, says how to show them.
	out := Me{ID: c.Subject, Email: c.Email, Role: string(c.Role), Merchant: MerchantView{ID: m.ID, Name: m.Name, TimeZone: m.TimeZone}}
	if a, err := s.store.GetAgent(r.Context(), c.MerchantID, c.Subject); err == nil {
		out.Email, out.Name, out.Language = a.Email, a.Name, a.Language
	} else if !errs.Is(err, errs.NotFound) {
		return err
	}
	httpjson.Write(w, http.StatusOK, out)
	return nil
}

func (s *Server) listAgents(w http.ResponseWriter, r *http.Request, c auth.Claims, _ *slog.Logger) error {
	agents, err := s.store.ListAgents(r.Context(), c.MerchantID)
	if err != nil {
		return err
	}
	slices.SortFunc(agents, func(a, b merchant.Agent) int {
		return cmp.Or(strings.Compare(a.Name, b.Name), strings.Compare(a.Email, b.Email), strings.Compare(a.ID, b.ID))
	})
	out := AgentList{Agents: make([]AgentView, 0, len(agents))}
	for _, a := range agents {
		out.Agents = append(out.Agents, AgentView{ID: a.ID, Email: a.Email, Name: a.Name, Role: string(a.Role), Language: a.Language})
	}
	httpjson.Write(w, http.StatusOK, out)
	return nil
}

// listTickets is the inbox: filtered, sorted and paged from an index, or a search by order
// number, customer email, tracking number or payment id (q), paged the same way. A page may
// be short, even empty, with a next_cursor: the request spent its read budget first.
func (s *Server) listTickets(w http.ResponseWriter, r *http.Request, c auth.Claims, log *slog.Logger) error {
	f, search, err := inboxQuery(r, c)
	if err != nil {
		return err
	}
	// The cursor is bound to this very query: merchant, filters, sort and search term.
	q := ticket.Query{MerchantID: c.MerchantID, Filter: f, Search: search}
	if f.Cursor, err = s.cursors.Open(q, r.URL.Query().Get("cursor")); err != nil {
		return err
	}
	var page ticket.Page
	if search != "" {
		page, err = s.store.SearchTickets(r.Context(), c.MerchantID, search, f)
	} else {
		page, err = s.store.ListTickets(r.Context(), c.MerchantID, f)
	}
	if err != nil {
		return err
	}
	unread, err := s.store.Unread(r.Context(), c.MerchantID, c.Subject, page.Tickets)
	if err != nil {
		return err
	}
	dir := s.directory(r, c, log)
	out := TicketList{Tickets: make([]TicketSummary, 0, len(page.Tickets)), NextCursor: s.cursors.Seal(q, page.Next)}
	for _, t := range page.Tickets {
		sum := summary(t, dir)
		sum.Unread = unread[t.ID]
		out.Tickets = append(out.Tickets, sum)
	}
	httpjson.Write(w, http.StatusOK, out)
	return nil
}

// inboxQuery reads and checks the inbox's query parameters (all but the cursor).
func inboxQuery(r *http.Request, c auth.Claims) (ticket.Filter, string, error) {
	q := r.URL.Query()
	f := ticket.Filter{
		Status: ticket.Status(q.Get("status")), Category: ticket.Category(q.Get("category")),
		Priority: ticket.Priority(q.Get("priority")), Language: q.Get("language"), Assignee: q.Get("assignee"),
		Sort: q.Get("sort"), Limit: ticket.DefaultLimit,
	}
	search := strings.TrimSpace(q.Get("q"))
	if err := f.Check(); err != nil {
		return f, "", err
	}
	if len(f.Language) > 35 || len(search) > 200 || len(f.Assignee) > 254 {
		return f, "", errs.E(errs.Invalid, "language, assignee or q is too long")
	}
	if f.Assignee == "me" {
		f.Assignee = c.Subject
	}
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > ticket.MaxLimit {
			return f, "", errs.E(errs.Invalid, "limit must be a number from 1 to %d", ticket.MaxLimit)
		}
		f.Limit = n
	}
	return f, search, nil
}

func (s *Server) getTicket(w http.ResponseWriter, r *http.Request, c auth.Claims, log *slog.Logger) error {
	t, entries, err := s.store.GetTicket(r.Context(), c.MerchantID, r.PathValue("ticketId"))
	if err != nil {
		return err
	}
	s.markRead(r, c, t, log)
	dir := s.directory(r, c, log)
	w.Header().Set("ETag", etag(t))
	httpjson.Write(w, http.StatusOK, detail(t, entries, dir, s.deliveries(r, c, entries, log)))
	return nil
}

// deliveries reads the send markers of entries' replies, all in one batch. Failing to is not
// worth failing the ticket over: nil, and the replies show no delivery state.
func (s *Server) deliveries(r *http.Request, c auth.Claims, entries []ticket.Entry, log *slog.Logger) map[string]dynamo.Delivery {
	var replies []string
	for _, e := range entries {
		if e.Kind == ticket.EntryReply {
			replies = append(replies, e.ID)
		}
	}
	if len(replies) == 0 {
		return map[string]dynamo.Delivery{}
	}
	d, err := s.store.Deliveries(r.Context(), c.MerchantID, replies)
	if err != nil {
		log.Warn("read deliveries failed", "err", err.Error())
		return nil
	}
	return d
}

// getAttachment answers a short-lived link that downloads one attachment of a customer's
// email on the ticket. The bytes never pass through here: the browser fetches them from S3,
// saved as a file, never shown in S3's origin. An attachment that was refused (not kept) is
// as missing as one that never was, and so is another merchant's.
func (s *Server) getAttachment(w http.ResponseWriter, r *http.Request, c auth.Claims, log *slog.Logger) error {
	t, entries, err := s.store.GetTicket(r.Context(), c.MerchantID, r.PathValue("ticketId"))
	if err != nil {
		return err
	}
	id := r.PathValue("attachmentId")
	a, ok := findAttachment(entries, id)
	if !ok {
		return errs.E(errs.NotFound, "ticket %s has no attachment %s", t.ID, id)
	}
	if s.links == nil {
		return errs.E(errs.Internal, "no mail bucket to sign attachment links in (api.Attachments is not set)")
	}
	link, err := s.links.Download(r.Context(), a.Key, a.Filename, a.ContentType)
	if err != nil {
		return err
	}
	log.Info("attachment link signed", "ticket_id", t.ID, "attachment_id", a.ID)
	httpjson.Write(w, http.StatusOK, AttachmentLink{
		URL: link.URL, ExpiresAt: link.ExpiresAt, Filename: a.Filename, ContentType: a.ContentType, Size: a.Size,
	})
	return nil
}

// findAttachment is the kept attachment that AttachmentView id (attachmentID) names among
// the customer's emails in entries.
func findAttachment(entries []ticket.Entry, id string) (events.Attachment, bool) {
	for _, e := range entries {
		if e.Kind != ticket.EntryCustomer || e.Email == nil {
			continue
		}
		for _, a := range e.Email.Attachments {
			if attachmentID(e.ID, a.ID) == id {
				return a, a.Key != "" && a.Refused == ""
			}
		}
	}
	return events.Attachment{}, false
}

// directory is the caller's merchant's agents by id: how views show the agents that
// assignees and authors name. Failing to read it is not worth failing the request over
// (after a write, least of all): the views show the ids alone.
func (s *Server) directory(r *http.Request, c auth.Claims, log *slog.Logger) agentDirectory {
	agents, err := s.store.ListAgents(r.Context(), c.MerchantID)
	if err != nil {
		log.Warn("list agents for names failed", "err", err.Error())
		return nil
	}
	dir := make(agentDirectory, len(agents))
	for _, a := range agents {
		dir[a.ID] = a
	}
	return dir
}

// markRead records that the caller has seen t. Failing to is not worth failing the request
// over: the ticket just stays marked unread.
func (s *Server) markRead(r *http.Request, c auth.Claims, t ticket.Ticket, log *slog.Logger) {
	if err := s.store.MarkRead(r.Context(), c.MerchantID, c.Subject, t.ID, t.UpdatedAt); err != nil {
		log.Warn("mark read failed", "ticket_id", t.ID, "err", err.Error())
	}
}

// TicketUpdate is the body of PATCH /tickets/{id}; absent fields are left as they are.
type TicketUpdate struct {
	Status   *ticket.Status `json:"status,omitempty"`
	Assignee *string        `json:"assignee,omitempty"` // an agent's id; "" unassigns
	Tags     *[]string      `json:"tags,omitempty"`     // replaces the tags
}

// Tag limits.
const (
	maxTags   = 10
	maxTagLen = 32
)

// patchTicket changes a ticket's status, assignee or tags. With If-Match (the ETag GET
// answered) it changes the ticket only as the caller saw it: an agent solving from a view
// that a chargeback or a customer's answer has overtaken gets 412 and changes nothing, so
// the news does not leave the open inbox unseen. Without If-Match (API clients other than
// the console) it changes the ticket as it is.
func (s *Server) patchTicket(w http.ResponseWriter, r *http.Request, c auth.Claims, log *slog.Logger) error {
	seen, err := ifMatch(r)
	if err != nil {
		return err
	}
	var req TicketUpdate
	if err := httpjson.Decode(r.Body, &req); err != nil {
		return err
	}
	change := dynamo.Change{IfSeen: seen}
	var said []string
	params := map[string]string{}
	if req.Status != nil {
		if !req.Status.Valid() {
			return errs.E(errs.Invalid, "status must be one of open, pending, solved, closed")
		}
		change.Status = *req.Status
		said = append(said, "status "+string(*req.Status))
		params["status"] = string(*req.Status)
	}
	if req.Assignee != nil {
		// An agent id, not an email: the console and the API ship together, so no client
		// still sends emails, and an email is not who an agent is.
		id := strings.TrimSpace(*req.Assignee)
		if id != "" {
			if strings.Contains(id, "@") {
				return errs.E(errs.Invalid, "assignee is an agent's id (see GET /api/v1/agents), not an email")
			}
			a, err := s.store.GetAgent(r.Context(), c.MerchantID, id)
			if errs.Is(err, errs.NotFound) {
				return errs.E(errs.Invalid, "no agent with id %q works for this merchant (see GET /api/v1/agents)", id)
			} else if err != nil {
				return err
			}
			said = append(said, "assigned to "+a.Email)
		} else {
			said = append(said, "unassigned")
		}
		change.Assignee = &id
		params["assignee"] = id // an agent id; "" records an unassignment
	}
	if req.Tags != nil {
		tags, err := cleanTags(*req.Tags)
		if err != nil {
			return err
		}
		change.Tags = &tags
		said = append(said, "tags: "+strings.Join(tags, ", "))
		params["tags"] = strings.Join(tags, ",")
	}
	if len(said) == 0 {
		return errs.E(errs.Invalid, "nothing to change: give status, assignee or tags")
	}
	id := r.PathValue("ticketId")
	change.Entry = ticket.Entry{ID: s.newID(), Kind: ticket.EntryStatus, At: s.now(), Author: c.Subject, Body: strings.Join(said, "; "), Params: params}
	t, _, err := s.store.ChangeTicket(r.Context(), c.MerchantID, id, change)
	if err != nil {
		return err
	}
	s.markRead(r, c, t, log)
	log.Info("ticket changed", "ticket_id", id, "change", change.Entry.Body)
	dir := s.directory(r, c, log)
	w.Header().Set("ETag", etag(t))
	httpjson.Write(w, http.StatusOK, summary(t, dir))
	return nil
}

// cleanTags lower-cases, trims, sorts and de-duplicates tags, refusing odd ones.
func cleanTags(in []string) ([]string, error) {
	out := []string{}
	for _, t := range in {
		t = strings.ToLower(strings.TrimSpace(t))
		if t == "" || utf8.RuneCountInString(t) > maxTagLen || strings.ContainsAny(t, ",;<>\"\n") {
			return nil, errs.E(errs.Invalid, "a tag must be 1 to %d characters without , ; < > or quotes", maxTagLen)
		}
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	if len(out) > maxTags {
		return nil, errs.E(errs.Invalid, "at most %d tags", maxTags)
	}
	slices.Sort(out)
	return out, nil
}

// NewMessage is the body of POST /tickets/{id}/messages.
type NewMessage struct {
	Kind string `json:"kind"` // reply or note
	Body string `json:"body"`
}

// addMessage adds a reply or a note. It takes no If-Match: both are additive, and an agent's
// answer must not be refused because news arrived while they wrote it — the news stays on
// the timeline and in the inbox either way, and nothing is solved away.
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
	change := dynamo.Change{Entry: ticket.Entry{ID: s.newID(), Kind: kind, At: s.now(), Author: c.Subject, Body: req.Body}}
	// The console sends one Idempotency-Key per reply, so a retried request stores and
	// sends it once; the same key with another body is refused.
	if k := r.Header.Get("Idempotency-Key"); k != "" {
		if len(k) > 100 {
			return errs.E(errs.Invalid, "Idempotency-Key is over 100 characters")
		}
		sum := sha256.Sum256([]byte(req.Kind + "\x00" + req.Body))
		change.Idempotency = &dynamo.Idempotency{Key: c.Subject + "#" + k, Fingerprint: hex.EncodeToString(sum[:])}
	}
	if kind == ticket.EntryReply {
		// message.replied names the agent by email, to sign and address the reply with: their
		// agent record's, the token's only for an agent without one.
		from := c.Email
		if a, err := s.store.GetAgent(r.Context(), c.MerchantID, c.Subject); err == nil {
			from = a.Email
		} else if !errs.Is(err, errs.NotFound) {
			return err
		}
		change.Source = events.SourceAPI
		change.Announce = func(t ticket.Ticket, e ticket.Entry) ([]events.Event, error) {
			ev, err := ticket.Replied(t, e, from)
			ev.CorrelationID = httpjson.RequestID(r) // notify's logs lead back to this request
			return []events.Event{ev}, err
		}
	}
	t, e, err := s.store.ChangeTicket(r.Context(), c.MerchantID, id, change)
	if err != nil {
		return err
	}
	s.markRead(r, c, t, log)
	log.Info("ticket "+req.Kind+" added", "ticket_id", t.ID, "entry_id", e.ID)
	dir := s.directory(r, c, log)
	httpjson.Write(w, http.StatusCreated, entryView(e, dir))
	return nil
}
