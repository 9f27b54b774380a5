package dynamo_test

import (
	"context"
	"testing"
	"time"

	"github.com/borderdesk/borderdesk/shared/dynamo"
	"github.com/borderdesk/borderdesk/shared/errs"
)

func TestSendMarker(t *testing.T) {
	store := newStore(t)
	ctx := context.Background()
	at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	if _, _, err := store.SendState(ctx, "demo", "en_1"); !errs.Is(err, errs.NotFound) {
		t.Fatalf("SendState before a claim = %v; want not found", err)
	}
	if err := store.ClaimSend(ctx, "demo", "en_1", at); err != nil {
		t.Fatalf("ClaimSend = %v", err)
	}
	if err := store.ClaimSend(ctx, "demo", "en_1", at); !errs.Is(err, errs.Conflict) {
		t.Fatalf("second ClaimSend = %v; want a conflict", err)
	}
	if err := store.ClaimSend(ctx, "acme", "en_1", at); err != nil {
		t.Fatalf("ClaimSend of another merchant's entry = %v; want its own marker", err)
	}
	if st, _, err := store.SendState(ctx, "demo", "en_1"); st != dynamo.SendClaimed || err != nil {
		t.Fatalf("SendState = %q, %v; want %q", st, err, dynamo.SendClaimed)
	}
	if err := store.ReleaseSend(ctx, "demo", "en_1"); err != nil {
		t.Fatalf("ReleaseSend = %v", err)
	}
	if err := store.ClaimSend(ctx, "demo", "en_1", at); err != nil {
		t.Fatalf("ClaimSend after a release = %v", err)
	}
	if err := store.MarkSent(ctx, "demo", "en_1", "ses-1", at); err != nil {
		t.Fatalf("MarkSent = %v", err)
	}
	if st, id, err := store.SendState(ctx, "demo", "en_1"); st != dynamo.SendDone || id != "ses-1" || err != nil {
		t.Fatalf("SendState = %q, %q, %v; want sent as ses-1", st, id, err)
	}
	if err := store.ReleaseSend(ctx, "demo", "en_1"); !errs.Is(err, errs.Conflict) {
		t.Errorf("ReleaseSend of a sent marker = %v; want a conflict (it stays)", err)
	}
	if err := store.MarkSent(ctx, "demo", "en_never", "x", at); !errs.Is(err, errs.Conflict) {
		t.Errorf("MarkSent without a claim = %v; want a conflict", err)
	}
}
