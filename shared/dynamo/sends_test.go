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
	if err := store.ReleaseSend(ctx, "demo", "en_1", "not sent yet: refused (Throttling); retrying", at); err != nil {
		t.Fatalf("ReleaseSend = %v", err)
	}
	if d, err := store.Delivery(ctx, "demo", "en_1"); d.State != dynamo.SendFailed || d.Reason != "not sent yet: refused (Throttling); retrying" || err != nil {
		t.Fatalf("Delivery after a release = %+v, %v; want failed with the reason", d, err)
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
	if err := store.ReleaseSend(ctx, "demo", "en_1", "x", at); !errs.Is(err, errs.Conflict) {
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

func TestDeliveryMoves(t *testing.T) {
	store := newStore(t)
	ctx := context.Background()
	at := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	// A failure recorded before any send: readable, and no obstacle to a later claim.
	if err := store.FailSend(ctx, "demo", "en_1", "not sent: no sender address", at); err != nil {
		t.Fatalf("FailSend = %v", err)
	}
	if d, err := store.Delivery(ctx, "demo", "en_1"); err != nil || d.State != dynamo.SendFailed || d.Reason != "not sent: no sender address" {
		t.Fatalf("Delivery = %+v, %v; want failed with its reason", d, err)
	}
	if err := store.FailSend(ctx, "demo", "en_1", "not sent: again", at); err != nil {
		t.Errorf("FailSend over an unsent failure = %v; want it replaced", err)
	}
	if err := store.ClaimSend(ctx, "demo", "en_1", at); err != nil {
		t.Fatalf("ClaimSend over an unsent failure = %v; want a claim", err)
	}
	if err := store.FailSend(ctx, "demo", "en_1", "x", at); !errs.Is(err, errs.Conflict) {
		t.Errorf("FailSend over a claim = %v; want a conflict", err)
	}
	// SES reports the delivery before the send call returned: MarkSent keeps "delivered".
	del := dynamo.Delivery{State: dynamo.SendDelivered, At: at.Add(2 * time.Second), ProviderID: "ses-1"}
	if err := store.SetDelivery(ctx, "demo", "en_1", dynamo.SendClaimed, del); err != nil {
		t.Fatalf("SetDelivery(sending → delivered) = %v", err)
	}
	if err := store.MarkSent(ctx, "demo", "en_1", "ses-1", at.Add(time.Second)); err != nil {
		t.Fatalf("MarkSent after delivery = %v", err)
	}
	if d, _ := store.Delivery(ctx, "demo", "en_1"); d.State != dynamo.SendDelivered || d.ProviderID != "ses-1" || !d.At.Equal(del.At) {
		t.Errorf("Delivery after MarkSent = %+v; want still delivered at %v", d, del.At)
	}
	if err := store.SetDelivery(ctx, "demo", "en_1", dynamo.SendClaimed, dynamo.Delivery{State: dynamo.SendBounced, At: at}); !errs.Is(err, errs.Conflict) {
		t.Errorf("SetDelivery from a stale state = %v; want a conflict", err)
	}
	bounced := dynamo.Delivery{State: dynamo.SendBounced, Reason: "not delivered: mailbox does not exist", At: at.Add(time.Minute)}
	if err := store.SetDelivery(ctx, "demo", "en_1", dynamo.SendDelivered, bounced); err != nil {
		t.Fatalf("SetDelivery(delivered → bounced) = %v", err)
	}
	if d, _ := store.Delivery(ctx, "demo", "en_1"); d.State != dynamo.SendBounced || d.Reason != bounced.Reason || d.ProviderID != "ses-1" {
		t.Errorf("Delivery = %+v; want bounced with its reason, the provider id kept", d)
	}
	// An SES failure has a provider id: it is no unsent failure, so nothing may claim it.
	if err := store.SetDelivery(ctx, "demo", "en_1", dynamo.SendBounced, dynamo.Delivery{State: dynamo.SendFailed, At: at}); err != nil {
		t.Fatalf("SetDelivery(bounced → failed) = %v", err)
	}
	if err := store.ClaimSend(ctx, "demo", "en_1", at); !errs.Is(err, errs.Conflict) {
		t.Errorf("ClaimSend over a failure SES reported = %v; want a conflict (it was sent)", err)
	}
	if err := store.SetDelivery(ctx, "demo", "en_none", dynamo.SendClaimed, del); !errs.Is(err, errs.NotFound) {
		t.Errorf("SetDelivery of no marker = %v; want not found (never creates one)", err)
	}
	if err := store.SetDelivery(ctx, "acme", "en_1", dynamo.SendBounced, del); !errs.Is(err, errs.NotFound) {
		t.Errorf("SetDelivery of another merchant's entry = %v; want not found", err)
	}
}
