package api

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/borderdesk/borderdesk/shared/dynamo"
	"github.com/borderdesk/borderdesk/shared/errs"
	"github.com/borderdesk/borderdesk/shared/httpjson"
	"github.com/borderdesk/borderdesk/shared/ticket"
)

// Stale is the error of a 412 answer: the change was made from a view of the ticket that
// news has overtaken.
const Stale = "stale"

// etag is the strong entity tag of t as GET and PATCH answer it: "<ticket id>.<version>". The
// id is in it because a merged ticket answers its survivor, whose version may well equal the
// one a view from before the merge saw. A client that reads bodies, not headers, builds it
// from the body's id and version.
func etag(t ticket.Ticket) string {
	return `"` + t.ID + "." + strconv.FormatInt(t.Version, 10) + `"`
}

// ifMatch reads a request's If-Match: nil when there is none or it is "*" (any version),
// else the ticket as the caller saw it. Anything but one strong tag of ours is refused: a
// malformed precondition must not pass for none.
func ifMatch(r *http.Request) (*dynamo.Seen, error) {
	vals := r.Header.Values("If-Match")
	if len(vals) == 0 {
		return nil, nil
	}
	v := strings.TrimSpace(strings.Join(vals, ","))
	if v == "*" {
		return nil, nil
	}
	bad := errs.E(errs.Invalid, `If-Match must be "*" or the one ETag GET answered for the ticket, "<ticket id>.<version>" in quotes`)
	if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
		return nil, bad // unquoted, a weak W/ tag, or a list
	}
	tag := v[1 : len(v)-1]
	dot := strings.LastIndex(tag, ".") // the version is the last part; an id may hold dots
	if dot < 1 || strings.ContainsAny(tag, `", `) {
		return nil, bad
	}
	id, version := tag[:dot], tag[dot+1:]
	n, err := strconv.ParseInt(version, 10, 64)
	if err != nil || n < 1 || version != strconv.FormatInt(n, 10) {
		return nil, bad
	}
	return &dynamo.Seen{TicketID: id, Version: n}, nil
}

// failStale answers err when it is a change refused as stale (412, with the ticket's ETag as
// it now is), and reports whether it was.
func failStale(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) bool {
	var stale *dynamo.StaleError
	if !errors.As(err, &stale) {
		return false
	}
	log.Info("request failed", "kind", Stale, "ticket_id", stale.Ticket.ID, "seen", fmt.Sprintf("%s.%d", stale.Seen.TicketID, stale.Seen.Version),
		"version", stale.Ticket.Version, "err", err.Error())
	w.Header().Set("ETag", etag(stale.Ticket))
	httpjson.Write(w, http.StatusPreconditionFailed, httpjson.Error{Error: Stale, Message: staleMessage(stale)})
	return true
}

// staleMessage says what changed since the caller's view, as far as the versions tell: each
// write to a ticket is one version.
func staleMessage(e *dynamo.StaleError) string {
	t := e.Ticket
	var news string
	switch n := t.Version - e.Seen.Version; {
	case t.ID != e.Seen.TicketID:
		news = fmt.Sprintf("merged into ticket %s", t.ID)
	case n == 1:
		news = "1 change"
	case n > 1:
		news = fmt.Sprintf("%d changes", n)
	default:
		news = fmt.Sprintf("it is at version %d", t.Version)
	}
	return fmt.Sprintf("The ticket changed since you loaded it (new: %s; it is now %s, %s priority). Review it and try again.", news, t.Status, t.Priority)
}
