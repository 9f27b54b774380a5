package dynamo_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/borderdesk/borderdesk/events"
	"github.com/borderdesk/borderdesk/shared/outbox"
)

func TestPendingAndDeleteOutbox(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	// 30 events of two merchants, written newest first, one minute apart.
	var want []string
	for i := 29; i >= 0; i-- {
		merchant := []string{"demo", "acme"}[i%2]
		ev, _ := events.New(events.TicketOpened, fmt.Sprintf("ev_%02d", i), merchant, "borderdesk", "tk", t0, events.Ticket{TicketID: "tk"})
		if err := s.PutOutbox(ctx, events.SourceTicketing, ev, t0.Add(time.Duration(i)*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 30 {
		want = append(want, fmt.Sprintf("ev_%02d", i))
	}
	ids := func(recs []outbox.Record) []string {
		var out []string
		for _, r := range recs {
			out = append(out, r.Event.ID)
		}
		return out
	}
	tests := []struct {
		name   string
		before time.Time
		limit  int
		want   []string
	}{
		{"all, oldest first", time.Time{}, 100, want},
		{"bounded", time.Time{}, 5, want[:5]},
		{"written before", t0.Add(10 * time.Minute), 100, want[:10]},
		{"nothing", time.Time{}, 0, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.PendingOutbox(ctx, tc.before, tc.limit)
			if err != nil || fmt.Sprint(ids(got)) != fmt.Sprint(tc.want) {
				t.Errorf("PendingOutbox(%v, %d) = %v, %v; want %v", tc.before, tc.limit, ids(got), err, tc.want)
			}
		})
	}
	first, _ := s.PendingOutbox(ctx, time.Time{}, 1)
	if len(first) != 1 || first[0].Source != events.SourceTicketing || first[0].Event.MerchantID != "demo" {
		t.Fatalf("PendingOutbox first = %+v; want ev_00 of demo from %s", first, events.SourceTicketing)
	}
	// Delete 27 (more than one batch), one of them twice: gone once, still not an error.
	recs, _ := s.PendingOutbox(ctx, time.Time{}, 27)
	if err := s.DeleteOutbox(ctx, append(recs, recs[0])); err != nil {
		t.Fatalf("DeleteOutbox(27) = %v; want nil", err)
	}
	if err := s.DeleteOutbox(ctx, recs[:1]); err != nil {
		t.Errorf("DeleteOutbox(already deleted) = %v; want nil", err)
	}
	left, err := s.PendingOutbox(ctx, time.Time{}, 100)
	if err != nil || fmt.Sprint(ids(left)) != fmt.Sprint(want[27:]) {
		t.Errorf("PendingOutbox after delete = %v, %v; want %v", ids(left), err, want[27:])
	}
}
