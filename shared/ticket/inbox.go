package ticket

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"slices"
	"strings"

	"github.com/borderdesk/borderdesk/shared/errs"
)

// Sort orders of the inbox.
const (
	SortUpdated  = "updated"  // most recent activity first (default)
	SortOldest   = "oldest"   // least recent activity first: who has waited longest
	SortPriority = "priority" // most urgent first, then most recent activity
)

// Sorts lists every sort order, for validation.
var Sorts = []string{SortUpdated, SortOldest, SortPriority}

// Unassigned, as Filter.Assignee, selects tickets nobody is assigned to.
const Unassigned = "none"

// Inbox page limits.
const (
	DefaultLimit = 25
	MaxLimit     = 100
	// DefaultBudget is how many tickets one request may evaluate against a filter before it
	// answers what it found and a cursor that continues: a rare filter costs several short
	// pages, never one request that walks a merchant's whole history.
	DefaultBudget = 200
)

// Filter selects tickets for the inbox.
type Filter struct {
	Status   Status
	Category Category
	Priority Priority
	Assignee string // an agent's id (merchant.Agent.ID), Unassigned, or "" for any
	Language string
	Sort     string // one of Sorts; "" is SortUpdated
	Limit    int    // 1 to MaxLimit; other values are DefaultLimit
	// Budget bounds the tickets one request evaluates; 0 is DefaultBudget. It is not part of
	// the query a cursor is bound to: a smaller budget only means more, shorter pages.
	Budget int
	// Cursor is where to continue: the Next of the previous page of the same query.
	Cursor Position
}

// Position is where a listing stopped, in the store's own terms. It is opaque here and
// carries no authority: callers outside the process see it only inside a Cursor, which
// binds it to the query and signs it.
type Position string

// Page is one page of tickets. A page may hold fewer than Limit tickets — even none — while
// Next is set: the request spent its budget before it found Limit matches.
type Page struct {
	Tickets []Ticket
	Next    Position // "" on the last page
}

// Normalized returns f with its defaults filled in: the sort, the limit and the budget.
func (f Filter) Normalized() Filter {
	if f.Sort == "" {
		f.Sort = SortUpdated
	}
	if f.Limit <= 0 || f.Limit > MaxLimit {
		f.Limit = DefaultLimit
	}
	if f.Budget <= 0 {
		f.Budget = DefaultBudget
	}
	return f
}

// Check reports the first way f is not a query the inbox answers.
func (f Filter) Check() error {
	switch {
	case f.Status != "" && !f.Status.Valid():
		return errs.E(errs.Invalid, "status must be one of open, pending, solved, closed")
	case f.Priority != "" && f.Priority.Rank() == 0:
		return errs.E(errs.Invalid, "priority must be one of low, normal, high, urgent")
	case f.Category != "" && !f.Category.Valid():
		return errs.E(errs.Invalid, "unknown category %q", f.Category)
	case f.Sort != "" && !slices.Contains(Sorts, f.Sort):
		return errs.E(errs.Invalid, "sort must be one of updated, oldest, priority")
	}
	return nil
}

// Valid reports whether c is a category some rule gives tickets.
func (c Category) Valid() bool {
	for _, r := range Rules {
		if r.Category == c {
			return true
		}
	}
	return false
}

// Match reports whether t passes f's filters (not its sort, limit or cursor). A merged
// ticket matches nothing: every view shows its survivor instead.
func (f Filter) Match(t Ticket) bool {
	switch {
	case t.MergedInto != "" || t.Status == StatusMerged,
		f.Status != "" && t.Status != f.Status,
		f.Category != "" && t.Category != f.Category,
		f.Priority != "" && t.Priority != f.Priority,
		f.Language != "" && t.Language != f.Language,
		f.Assignee == Unassigned && t.Assignee != "",
		f.Assignee != "" && f.Assignee != Unassigned && t.Assignee != f.Assignee:
		return false
	}
	return true
}

// Query is everything a cursor is bound to: whose tickets, which of them, in which order,
// found how. A cursor continues exactly the query that issued it.
type Query struct {
	MerchantID string
	Filter     Filter
	Search     string // the normalised search term; "" for the inbox
}

// bound is the query as a cursor's signature covers it: every filter and the sort, not the
// limit, the budget or the position itself.
func (q Query) bound() []byte {
	f := q.Filter.Normalized()
	b, _ := json.Marshal([]string{
		"v1", q.MerchantID, NormalizeRef(q.Search), f.Sort,
		string(f.Status), string(f.Category), string(f.Priority), f.Assignee, f.Language,
	})
	return b
}

// MinCursorKey is the shortest key Cursors accepts: HMAC-SHA256 is as strong as its key.
const MinCursorKey = 32

// Cursors seals store positions into cursors a client may hold and hand back: bound to the
// query that issued them and signed, so a forged, altered or foreign cursor is refused.
type Cursors struct {
	key []byte
}

// NewCursors returns Cursors signing with key (at least MinCursorKey bytes).
func NewCursors(key []byte) (Cursors, error) {
	if len(key) < MinCursorKey {
		return Cursors{}, errs.E(errs.Internal, "cursor key is %d bytes; want at least %d", len(key), MinCursorKey)
	}
	return Cursors{key: slices.Clone(key)}, nil
}

// RandomCursorKey returns a fresh key: right for one process (the local runtime), wrong for
// a fleet, where every instance must verify what any other signed.
func RandomCursorKey() []byte {
	k := make([]byte, MinCursorKey)
	_, _ = rand.Read(k)
	return k
}

// NewRandomCursors returns Cursors with a fresh random key (see RandomCursorKey).
func NewRandomCursors() Cursors { return Cursors{key: RandomCursorKey()} }

func (c Cursors) mac(q Query, payload string) []byte {
	m := hmac.New(sha256.New, c.key)
	m.Write(q.bound())
	m.Write([]byte{0})
	m.Write([]byte(payload))
	return m.Sum(nil)
}

// Seal returns the cursor for continuing q at p; "" when p is "" (the last page).
func (c Cursors) Seal(q Query, p Position) string {
	if p == "" {
		return ""
	}
	payload := base64.RawURLEncoding.EncodeToString([]byte(p))
	return payload + "." + base64.RawURLEncoding.EncodeToString(c.mac(q, payload))
}

// Open returns the position cursor s continues q at: "" for "", an invalid error for a
// cursor this key did not sign for this very query.
func (c Cursors) Open(q Query, s string) (Position, error) {
	if s == "" {
		return "", nil
	}
	bad := errs.E(errs.Invalid, "cursor is not valid for this list: start again without it")
	payload, sig, ok := strings.Cut(s, ".")
	if !ok || len(c.key) == 0 {
		return "", bad
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, c.mac(q, payload)) {
		return "", bad
	}
	p, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil || len(p) == 0 {
		return "", bad
	}
	return Position(p), nil
}
