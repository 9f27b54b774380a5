package dynamo_test

import (
	"context"
	"fmt"
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

func TestDeliveries(t *testing.T) {
	store := newStore(t)
	ctx := context.Background()
	at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	// More entries than one BatchGetItem takes, every third one sent, one twice in the list.
	var ids []string
	for i := range 230 {
		id := fmt.Sprintf("en_%03d", i)
		ids = append(ids, id)
		if i%3 == 0 {
			if err := store.ClaimSend(ctx, "demo", id, at); err != nil {
				t.Fatalf("ClaimSend(%s) = %v", id, err)
			}
		}
	}
	ids = append(ids, "en_000")
	if err := store.MarkSent(ctx, "demo", "en_003", "ses-3", at.Add(time.Second)); err != nil {
		t.Fatalf("MarkSent = %v", err)
	}
	if err := store.ClaimSend(ctx, "acme", "en_001", at); err != nil { // another tenant's marker
		t.Fatalf("ClaimSend = %v", err)
	}
	got, err := store.Deliveries(ctx, "demo", ids)
	if err != nil {
		t.Fatalf("Deliveries = %v", err)
	}
	if len(got) != 77 {
		t.Errorf("Deliveries has %d entries; want 77 (every third of 230)", len(got))
	}
	if d, ok := got["en_001"]; ok {
		t.Errorf("Deliveries[en_001] = %+v; want absent (only acme's entry has a marker)", d)
	}
	if d := got["en_000"]; d.State != dynamo.SendClaimed || !d.At.Equal(at) {
		t.Errorf("Deliveries[en_000] = %+v; want sending at %v", d, at)
	}
	if d := got["en_003"]; d.State != dynamo.SendDone || d.ProviderID != "ses-3" || !d.At.Equal(at.Add(time.Second)) {
		t.Errorf("Deliveries[en_003] = %+v; want sent as ses-3 a second later", d)
	}
	if d, ok := got["en_228"]; !ok || d.State != dynamo.SendClaimed {
		t.Errorf("Deliveries[en_228] = %+v, %v; want sending (third chunk)", d, ok)
	}
	if empty, err := store.Deliveries(ctx, "demo", nil); err != nil || len(empty) != 0 {
		t.Errorf("Deliveries(nil) = %v, %v; want none", empty, err)
	}
}
