package dynamo_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/borderdesk/borderdesk/events"
	"github.com/borderdesk/borderdesk/shared/dynamo"
	"github.com/borderdesk/borderdesk/shared/errs"
	"github.com/borderdesk/borderdesk/shared/ticket"
)

// tk is a ticket of demo's inbox, active at t0 plus hours, findable by its order and email.
func tk(id string, hours int, st ticket.Status, cat ticket.Category, prio ticket.Priority, order, email string) ticket.Ticket {
	t := ticket.Ticket{
		ID: id, MerchantID: "demo", Status: st, Category: cat, Priority: prio, OrderID: order,
		Customer:  events.Customer{Email: email},
		CreatedAt: t0, UpdatedAt: t0.Add(time.Duration(hours) * time.Hour), Version: 1,
	}
	if order != "" {
		t.References = []string{"order:" + order}
	}
	return t
}

func put(t *testing.T, s *dynamo.Store, tickets ...ticket.Ticket) {
	t.Helper()
	for _, tc := range tickets {
		if err := s.PutTicket(context.Background(), tc); err != nil {
			t.Fatalf("PutTicket(%s) = %v", tc.ID, err)
		}
	}
}

// inbox seeds demo with: tk_001 payment failed (DE, order 5001), tk_002 chargeback (urgent,
// order 5002), tk_003 shipping exception (high, FR, assigned to anna), each an hour apart,
// and acme with one ticket.
func inbox(t *testing.T) *dynamo.Store {
	t.Helper()
	s := newStore(t)
	t1 := tk("tk_001", 0, ticket.StatusOpen, ticket.CategoryPaymentFailed, ticket.PriorityNormal, "5001", "anna@example.de")
	t1.Language = "de"
	t2 := tk("tk_002", 1, ticket.StatusOpen, ticket.CategoryChargeback, ticket.PriorityUrgent, "5002", "lee@example.com")
	t3 := tk("tk_003", 2, ticket.StatusOpen, ticket.CategoryShippingException, ticket.PriorityHigh, "", "c@example.fr")
	t3.Language, t3.Assignee = "fr", "ag_anna"
	a := tk("tk_100", 3, ticket.StatusOpen, ticket.CategoryPaymentFailed, ticket.PriorityNormal, "5001", "anna@example.de")
	a.MerchantID = "acme"
	put(t, s, t1, t2, t3, a)
	return s
}

func ticketIDs(ts []ticket.Ticket) string {
	out := []string{}
	for _, t := range ts {
		out = append(out, t.ID)
	}
	return fmt.Sprint(out)
}

// all reads every page of f (list, or search for q), checking each page's size.
func all(t *testing.T, s *dynamo.Store, merchant, q string, f ticket.Filter) (ids []string, pages int) {
	t.Helper()
	ctx := context.Background()
	for pages = 1; pages < 200; pages++ {
		var (
			page ticket.Page
			err  error
		)
		if q != "" {
			page, err = s.SearchTickets(ctx, merchant, q, f)
		} else {
			page, err = s.ListTickets(ctx, merchant, f)
		}
		if err != nil {
			t.Fatalf("page %d of %+v: %v", pages, f, err)
		}
		if n := f.Normalized().Limit; len(page.Tickets) > n {
			t.Fatalf("page %d has %d tickets; want at most %d", pages, len(page.Tickets), n)
		}
		for _, tk := range page.Tickets {
			ids = append(ids, tk.ID)
		}
		if page.Next == "" {
			return ids, pages
		}
		f.Cursor = page.Next
	}
	t.Fatalf("%+v: no last page after 200 pages", f)
	return nil, 0
}

func TestListSortsAndFilters(t *testing.T) {
	s := inbox(t)
	anna := "ag_anna"
	tests := []struct {
		f    ticket.Filter
		want string
	}{
		{ticket.Filter{}, "[tk_003 tk_002 tk_001]"},
		{ticket.Filter{Sort: ticket.SortOldest}, "[tk_001 tk_002 tk_003]"},
		{ticket.Filter{Sort: ticket.SortPriority}, "[tk_002 tk_003 tk_001]"},
		{ticket.Filter{Sort: ticket.SortPriority, Assignee: anna}, "[tk_003]"},
		{ticket.Filter{Assignee: anna}, "[tk_003]"},
		{ticket.Filter{Assignee: anna, Status: ticket.StatusOpen, Language: "fr"}, "[tk_003]"},
		{ticket.Filter{Assignee: anna, Status: ticket.StatusPending}, "[]"},
		{ticket.Filter{Assignee: "ag_li"}, "[]"},
		{ticket.Filter{Assignee: ticket.Unassigned}, "[tk_002 tk_001]"},
		{ticket.Filter{Language: "de"}, "[tk_001]"},
		{ticket.Filter{Language: "fr", Status: ticket.StatusOpen}, "[tk_003]"},
		{ticket.Filter{Status: ticket.StatusOpen, Category: ticket.CategoryChargeback, Priority: ticket.PriorityUrgent}, "[tk_002]"},
		{ticket.Filter{Category: ticket.CategoryRefund}, "[]"},
		{ticket.Filter{Status: ticket.StatusClosed}, "[]"},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%+v", tc.f), func(t *testing.T) {
			page, err := s.ListTickets(context.Background(), "demo", tc.f)
			if err != nil {
				t.Fatal(err)
			}
			if got := ticketIDs(page.Tickets); got != tc.want || page.Next != "" {
				t.Errorf("ListTickets(%+v) = %s next %q; want %s, last page", tc.f, got, page.Next, tc.want)
			}
		})
	}
}

func TestListPositions(t *testing.T) {
	s := inbox(t)
	ctx := context.Background()
	page, err := s.ListTickets(ctx, "demo", ticket.Filter{Sort: ticket.SortPriority, Limit: 1})
	if err != nil || page.Next == "" {
		t.Fatalf("first priority page = %s next %q, %v", ticketIDs(page.Tickets), page.Next, err)
	}
	next, err := s.ListTickets(ctx, "demo", ticket.Filter{Sort: ticket.SortPriority, Limit: 1, Cursor: page.Next})
	if err != nil || ticketIDs(next.Tickets) != "[tk_003]" {
		t.Errorf("second priority page = %s, %v; want [tk_003]", ticketIDs(next.Tickets), err)
	}
	mine, _ := s.ListTickets(ctx, "demo", ticket.Filter{Assignee: "ag_anna", Limit: 1})
	tests := []struct {
		name string
		f    ticket.Filter
	}{
		{"priority position on the updated order", ticket.Filter{Cursor: page.Next}},
		{"priority position for another merchant", ticket.Filter{Sort: ticket.SortPriority, Cursor: page.Next}},
		{"another index's keys", ticket.Filter{Cursor: `{"ix":"inbox","pk":"x","sk":"y","gsi2pk":"M#demo#TICKETS","gsi2sk":"z"}`}},
		{"not JSON", ticket.Filter{Cursor: "abc"}},
	}
	if mine.Next != "" {
		tests = append(tests, struct {
			name string
			f    ticket.Filter
		}{"anna's queue position for li's queue", ticket.Filter{Assignee: "ag_li", Cursor: mine.Next}})
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			merchant := "demo"
			if strings.Contains(tc.name, "another merchant") {
				merchant = "acme"
			}
			if _, err := s.ListTickets(ctx, merchant, tc.f); !errs.Is(err, errs.Invalid) {
				t.Errorf("ListTickets(%s, %+v) = %v; want invalid", merchant, tc.f, err)
			}
		})
	}
}

// TestListBudget: a rare filter no longer walks the whole partition in one request. Each
// request evaluates at most its budget and answers what it found — maybe nothing — with a
// cursor; following the cursors finds every match exactly once, in order.
func TestListBudget(t *testing.T) {
	s := newStore(t)
	var want []string
	for i := range 40 {
		cat := ticket.CategoryShipment
		if i%9 == 4 { // rare: 4, 13, 22, 31
			cat = ticket.CategoryRefund
		}
		x := tk(fmt.Sprintf("tk_%03d", i), i, ticket.StatusOpen, cat, ticket.PriorityLow, "", "")
		put(t, s, x)
		if cat == ticket.CategoryRefund {
			want = append([]string{x.ID}, want...)
		}
	}
	tests := []struct {
		name      string
		f         ticket.Filter
		minPages  int
		wantFirst string // the first page
	}{
		{"a small budget answers short pages", ticket.Filter{Category: ticket.CategoryRefund, Limit: 2, Budget: 5}, 8, "[]"},
		{"the oldest first", ticket.Filter{Category: ticket.CategoryRefund, Sort: ticket.SortOldest, Limit: 3, Budget: 7}, 4, "[tk_004]"},
		{"by priority", ticket.Filter{Category: ticket.CategoryRefund, Sort: ticket.SortPriority, Limit: 2, Budget: 10}, 4, "[tk_031]"},
		{"by status", ticket.Filter{Category: ticket.CategoryRefund, Status: ticket.StatusOpen, Limit: 10, Budget: 12}, 3, "[tk_031]"},
		{"the default budget reads it all", ticket.Filter{Category: ticket.CategoryRefund, Limit: 10}, 1, "[tk_031 tk_022 tk_013 tk_004]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			first, err := s.ListTickets(context.Background(), "demo", tc.f)
			if err != nil {
				t.Fatal(err)
			}
			if got := ticketIDs(first.Tickets); got != tc.wantFirst {
				t.Errorf("ListTickets(%+v) = %s; want %s", tc.f, got, tc.wantFirst)
			}
			got, pages := all(t, s, "demo", "", tc.f)
			w := slices.Clone(want)
			if tc.f.Sort == ticket.SortOldest {
				slices.Reverse(w)
			}
			if fmt.Sprint(got) != fmt.Sprint(w) || pages < tc.minPages {
				t.Errorf("every page of %+v = %v in %d pages; want %v in at least %d", tc.f, got, pages, w, tc.minPages)
			}
		})
	}
}

// TestAgentQueue: an agent's tickets come from their own index, in activity order, and
// follow reassignment and new activity.
func TestAgentQueue(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	anna, li := "ag_anna", "ag_li"
	var tickets []ticket.Ticket
	for i := range 6 {
		x := tk(fmt.Sprintf("tk_%03d", i), i, ticket.StatusOpen, ticket.CategoryShipment, ticket.PriorityLow, "", "")
		if i%2 == 0 {
			x.Assignee = anna
		}
		tickets = append(tickets, x)
	}
	// A flood of newer unassigned tickets: anna's queue must not read through them.
	for i := range 30 {
		tickets = append(tickets, tk(fmt.Sprintf("tk_1%02d", i), 10+i, ticket.StatusOpen, ticket.CategoryShipment, ticket.PriorityLow, "", ""))
	}
	put(t, s, tickets...)
	check := func(step string, f ticket.Filter, want string) {
		t.Helper()
		page, err := s.ListTickets(ctx, "demo", f)
		if err != nil || ticketIDs(page.Tickets) != want {
			t.Errorf("%s: ListTickets(%+v) = %s, %v; want %s", step, f, ticketIDs(page.Tickets), err, want)
		}
	}
	// A budget of 3 is enough: the queue is read, not the inbox filtered.
	check("anna's queue", ticket.Filter{Assignee: anna, Budget: 3}, "[tk_004 tk_002 tk_000]")
	check("longest waiting first", ticket.Filter{Assignee: anna, Sort: ticket.SortOldest, Budget: 3}, "[tk_000 tk_002 tk_004]")
	moved := tickets[0]
	moved.UpdatedAt, moved.Version = t0.Add(50*time.Hour), 2
	put(t, s, moved)
	check("new activity moves up", ticket.Filter{Assignee: anna, Budget: 3}, "[tk_000 tk_004 tk_002]")
	given := tickets[2]
	given.Assignee, given.Version = li, 2
	put(t, s, given)
	check("reassigned: gone from anna's", ticket.Filter{Assignee: anna}, "[tk_000 tk_004]")
	check("reassigned: in li's", ticket.Filter{Assignee: li}, "[tk_002]")
	got, _ := all(t, s, "demo", "", ticket.Filter{Assignee: anna, Limit: 1})
	if fmt.Sprint(got) != "[tk_000 tk_004]" {
		t.Errorf("anna's queue page by page = %v; want [tk_000 tk_004]", got)
	}
}

// TestMergedTicketLeavesEveryView: a ticket merged into another is in no inbox view and is
// never a search answer; search finds its survivor, once.
func TestMergedTicketLeavesEveryView(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	anna := "ag_anna"
	survivor := tk("tk_001", 0, ticket.StatusOpen, ticket.CategoryChargeback, ticket.PriorityUrgent, "7001", "bo@example.com")
	survivor.References = append(survivor.References, "payment:pi_7")
	survivor.Absorbed = []string{"tk_002"}
	before := tk("tk_002", 1, ticket.StatusOpen, ticket.CategoryPaymentFailed, ticket.PriorityNormal, "", "bo@example.com")
	before.References, before.Assignee = []string{"payment:pi_7"}, anna
	merged := before
	merged.Status, merged.MergedInto, merged.Version = ticket.StatusMerged, "tk_001", 2
	other := tk("tk_003", 2, ticket.StatusOpen, ticket.CategoryShipment, ticket.PriorityLow, "7003", "cy@example.com")
	put(t, s, survivor, merged, other)
	// A search item left from before the merge, as if the merge had not reached the index:
	// and one the survivor does not hold.
	if err := s.PutSearchItem(ctx, before, "pi_7"); err != nil {
		t.Fatal(err)
	}
	if err := s.PutSearchItem(ctx, before, "old@example.com"); err != nil {
		t.Fatal(err)
	}

	item, err := s.TicketItem(ctx, "demo", "tk_002")
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []string{"gsi1pk", "gsi2pk", "gsi3pk", "agpk"} {
		if _, ok := item[a]; ok {
			t.Errorf("merged ticket item has %s; want no index attribute", a)
		}
	}
	views := []ticket.Filter{
		{}, {Sort: ticket.SortOldest}, {Sort: ticket.SortPriority}, {Status: ticket.StatusOpen},
		{Status: ticket.StatusMerged}, {Assignee: anna}, {Assignee: ticket.Unassigned}, {Category: ticket.CategoryPaymentFailed},
	}
	for _, f := range views {
		page, err := s.ListTickets(ctx, "demo", f)
		if err != nil {
			t.Fatal(err)
		}
		if slices.ContainsFunc(page.Tickets, func(x ticket.Ticket) bool { return x.ID == "tk_002" }) {
			t.Errorf("ListTickets(%+v) = %s; want no merged tk_002", f, ticketIDs(page.Tickets))
		}
	}
	for _, tc := range []struct{ q, want string }{
		{"pi_7", "[tk_001]"},
		{"bo@example.com", "[tk_001]"},
		{"old@example.com", "[tk_001]"},
		{"7003", "[tk_003]"},
	} {
		page, err := s.SearchTickets(ctx, "demo", tc.q, ticket.Filter{})
		if err != nil || ticketIDs(page.Tickets) != tc.want {
			t.Errorf("SearchTickets(%q) = %s, %v; want %s", tc.q, ticketIDs(page.Tickets), err, tc.want)
		}
	}
}

func TestSearchTickets(t *testing.T) {
	s := inbox(t)
	ctx := context.Background()
	tests := []struct {
		merchant, q string
		f           ticket.Filter
		want        string
	}{
		{"demo", "5001", ticket.Filter{}, "[tk_001]"},
		{"demo", "#5002", ticket.Filter{}, "[tk_002]"},
		{"demo", "Lee@Example.COM", ticket.Filter{}, "[tk_002]"},
		{"demo", "c@example.fr", ticket.Filter{Assignee: "ag_anna"}, "[tk_003]"},
		{"demo", "c@example.fr", ticket.Filter{Assignee: ticket.Unassigned}, "[]"},
		{"demo", "5001", ticket.Filter{Priority: ticket.PriorityUrgent}, "[]"},
		{"demo", "nothing", ticket.Filter{}, "[]"},
		{"acme", "5001", ticket.Filter{}, "[tk_100]"},
		{"acme", "5002", ticket.Filter{}, "[]"},
	}
	for _, tc := range tests {
		t.Run(tc.merchant+" "+tc.q, func(t *testing.T) {
			page, err := s.SearchTickets(ctx, tc.merchant, tc.q, tc.f)
			if err != nil || ticketIDs(page.Tickets) != tc.want || page.Next != "" {
				t.Errorf("SearchTickets(%s, %q, %+v) = %s next %q, %v; want %s", tc.merchant, tc.q, tc.f, ticketIDs(page.Tickets), page.Next, err, tc.want)
			}
		})
	}
	if _, err := s.SearchTickets(ctx, "demo", " # ", ticket.Filter{}); !errs.Is(err, errs.Invalid) {
		t.Errorf("SearchTickets(empty) = %v; want invalid", err)
	}
}

// TestSearchNewestFirstPages: search answers the most recent activity first and pages on —
// it used to answer the oldest 50 of a customer's tickets and stop.
func TestSearchNewestFirstPages(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	var newest []string
	for i := range 60 {
		// Activity out of id order: ids 0..59, active at hour (i*7)%60.
		x := tk(fmt.Sprintf("tk_%03d", i), (i*7)%60, ticket.StatusOpen, ticket.CategoryCustomerMessage, ticket.PriorityNormal, "", "repeat@example.com")
		put(t, s, x)
	}
	for h := 59; h >= 0; h-- {
		for i := range 60 {
			if (i*7)%60 == h {
				newest = append(newest, fmt.Sprintf("tk_%03d", i))
			}
		}
	}
	first, err := s.SearchTickets(ctx, "demo", "repeat@example.com", ticket.Filter{Limit: 5})
	if err != nil || ticketIDs(first.Tickets) != fmt.Sprint(newest[:5]) || first.Next == "" {
		t.Errorf("first search page = %s next %q, %v; want %v and more", ticketIDs(first.Tickets), first.Next, err, newest[:5])
	}
	got, _ := all(t, s, "demo", "repeat@example.com", ticket.Filter{Limit: 7})
	if fmt.Sprint(got) != fmt.Sprint(newest) {
		t.Errorf("every search page = %v; want all 60 newest first %v", got, newest)
	}
	oldest := slices.Clone(newest)
	slices.Reverse(oldest)
	if got, _ := all(t, s, "demo", "repeat@example.com", ticket.Filter{Limit: 25, Sort: ticket.SortOldest}); fmt.Sprint(got) != fmt.Sprint(oldest) {
		t.Errorf("every search page oldest first = %v; want %v", got, oldest)
	}
	// New activity moves a ticket to the top of the search too.
	moved := tk("tk_000", 100, ticket.StatusOpen, ticket.CategoryCustomerMessage, ticket.PriorityNormal, "", "repeat@example.com")
	moved.Version = 2
	put(t, s, moved)
	if page, _ := s.SearchTickets(ctx, "demo", "repeat@example.com", ticket.Filter{Limit: 2}); ticketIDs(page.Tickets) != fmt.Sprint([]string{"tk_000", newest[0]}) {
		t.Errorf("after new activity on tk_000 search = %s; want tk_000 first", ticketIDs(page.Tickets))
	}
	if got, _ := all(t, s, "demo", "repeat@example.com", ticket.Filter{Limit: 9, Budget: 4}); len(got) != 60 {
		t.Errorf("search with a small budget found %d tickets; want all 60 once", len(got))
	}
}

func TestUnread(t *testing.T) {
	s := inbox(t)
	ctx := context.Background()
	page, _ := s.ListTickets(ctx, "demo", ticket.Filter{})
	tk2, _, _ := s.GetTicket(ctx, "demo", "tk_002")
	if err := s.MarkRead(ctx, "demo", "ag_anna", "tk_002", tk2.UpdatedAt); err != nil {
		t.Fatal(err)
	}
	unread, err := s.Unread(ctx, "demo", "ag_anna", page.Tickets)
	if err != nil || fmt.Sprint(unread) != "map[tk_001:true tk_003:true]" {
		t.Errorf("Unread = %v, %v; want tk_001 and tk_003", unread, err)
	}
	// New activity makes it unread again; other agents are unaffected.
	if _, _, err := s.ChangeTicket(ctx, "demo", "tk_002", dynamo.Change{Entry: ticket.Entry{ID: "n1", Kind: ticket.EntryNote, At: t0.Add(5 * time.Hour), Body: "x"}}); err != nil {
		t.Fatal(err)
	}
	page, _ = s.ListTickets(ctx, "demo", ticket.Filter{})
	if unread, _ := s.Unread(ctx, "demo", "ag_anna", page.Tickets); !unread["tk_002"] {
		t.Errorf("after new activity Unread = %v; want tk_002 unread", unread)
	}
}

func TestChangeTicketWritesOnlyChanges(t *testing.T) {
	s := inbox(t)
	ctx := context.Background()
	tags := []string{"vip"}
	at := t0.Add(4 * time.Hour)
	first, _, err := s.ChangeTicket(ctx, "demo", "tk_001", dynamo.Change{Tags: &tags, Entry: ticket.Entry{ID: "c1", Kind: ticket.EntryStatus, At: at}})
	if err != nil || fmt.Sprint(first.Tags) != "[vip]" {
		t.Fatalf("tagging = %v, %v", first.Tags, err)
	}
	again, _, err := s.ChangeTicket(ctx, "demo", "tk_001", dynamo.Change{Tags: &tags, Status: ticket.StatusOpen, Entry: ticket.Entry{ID: "c2", Kind: ticket.EntryStatus, At: at.Add(time.Minute)}})
	if err != nil || again.Version != first.Version {
		t.Errorf("repeating the change: version %d → %d, %v; want no write", first.Version, again.Version, err)
	}
	// The seeded ticket has no timeline of its own: one entry is the one change.
	if _, entries, _ := s.GetTicket(ctx, "demo", "tk_001"); len(entries) != 1 {
		t.Errorf("timeline = %d entries; want 1 (the one change)", len(entries))
	}
	// The change moved it in every view it is in, and search with it.
	if page, _ := s.ListTickets(ctx, "demo", ticket.Filter{Limit: 1}); ticketIDs(page.Tickets) != "[tk_001]" {
		t.Errorf("inbox after the change = %s; want tk_001 first", ticketIDs(page.Tickets))
	}
	if page, _ := s.SearchTickets(ctx, "demo", "5001", ticket.Filter{}); len(page.Tickets) != 1 || !page.Tickets[0].UpdatedAt.Equal(at) {
		t.Errorf("search after the change = %+v; want tk_001 as changed", page.Tickets)
	}
}
