package dynamo_test

import (
	"context"
	"testing"
	"time"

	"github.com/borderdesk/borderdesk/shared/dynamo"
	"github.com/borderdesk/borderdesk/shared/errs"
)

func TestSuppression(t *testing.T) {
	store := newStore(t)
	ctx := context.Background()
	at := time.Date(2026, 12, 2, 9, 0, 2, 0, time.UTC)
	if _, err := store.Suppressed(ctx, "demo", "jonas@example.de"); !errs.Is(err, errs.NotFound) {
		t.Fatalf("Suppressed before any bounce = %v; want not found", err)
	}
	sup := dynamo.Suppression{Address: "Jonas@Example.de", Why: dynamo.SuppressBounced, Detail: "mailbox does not exist", At: at, EntryID: "en_1"}
	if err := store.Suppress(ctx, "demo", sup); err != nil {
		t.Fatalf("Suppress = %v", err)
	}
	got, err := store.Suppressed(ctx, "demo", "jonas@example.DE")
	if err != nil || got != sup {
		t.Errorf("Suppressed (other case) = %+v, %v; want %+v", got, err, sup)
	}
	if _, err := store.Suppressed(ctx, "acme", "jonas@example.de"); !errs.Is(err, errs.NotFound) {
		t.Errorf("Suppressed for another merchant = %v; want not found (suppression is per merchant)", err)
	}
	later := sup
	later.Why, later.Detail, later.At = dynamo.SuppressComplained, "marked a reply as spam", at.Add(time.Hour)
	if err := store.Suppress(ctx, "demo", later); err != nil {
		t.Fatalf("Suppress again = %v", err)
	}
	if got, _ := store.Suppressed(ctx, "demo", "jonas@example.de"); got != later {
		t.Errorf("Suppressed after a complaint = %+v; want the complaint %+v", got, later)
	}
}
