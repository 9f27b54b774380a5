package dynamo_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/borderdesk/borderdesk/shared/dynamo"
	"github.com/borderdesk/borderdesk/shared/dynamo/embedded"
	"github.com/borderdesk/borderdesk/shared/errs"
)

// TestRecordReceipt: one conditional write dedupes and archives; a fingerprinted receipt
// tells a duplicate from a key reused for other content, before and after publishing.
func TestRecordReceipt(t *testing.T) {
	ctx := context.Background()
	db, err := embedded.Start(ctx, "127.0.0.1:0", "receipts")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	store := dynamo.New(db.Client, "receipts")
	at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	receipt := func(id, fingerprint string) dynamo.Receipt {
		return dynamo.Receipt{MerchantID: "demo", Provider: "inbound", EventID: id, Type: "message.received",
			Body: []byte(`{"text":"Hallo"}`), ReceivedAt: at, Events: 1, Retain: time.Hour, Fingerprint: fingerprint}
	}
	type step struct {
		r       dynamo.Receipt
		publish bool // mark published after a successful record
		want    errs.Kind
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"same content after publishing is a duplicate", []step{
			{receipt("k1", "sha256:a"), true, ""}, {receipt("k1", "sha256:a"), false, errs.Conflict}}},
		{"other content after publishing is refused", []step{
			{receipt("k2", "sha256:a"), true, ""}, {receipt("k2", "sha256:b"), false, errs.Unprocessable}}},
		{"same content before publishing completes it", []step{
			{receipt("k3", "sha256:a"), false, ""}, {receipt("k3", "sha256:a"), true, ""}, {receipt("k3", "sha256:a"), false, errs.Conflict}}},
		{"other content before publishing is refused", []step{
			{receipt("k4", "sha256:a"), false, ""}, {receipt("k4", "sha256:b"), false, errs.Unprocessable}}},
		{"webhooks: the provider's event id decides", []step{
			{receipt("k5", ""), true, ""}, {receipt("k5", ""), false, errs.Conflict}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for i, s := range tc.steps {
				err := store.RecordReceipt(ctx, s.r)
				if got := errs.KindOf(err); got != s.want {
					t.Fatalf("step %d: RecordReceipt(%s, %q) = %v; want kind %q", i+1, s.r.EventID, s.r.Fingerprint, err, s.want)
				}
				if err == nil && s.publish {
					if err := store.MarkPublished(ctx, "demo", "inbound", s.r.EventID, at); err != nil {
						t.Fatal(err)
					}
				}
			}
			got, _, err := store.GetReceipt(ctx, "demo", "inbound", tc.steps[0].r.EventID)
			if err != nil || got.Fingerprint != tc.steps[0].r.Fingerprint {
				t.Errorf("GetReceipt = %+v, %v; want the first fingerprint %q kept", got, err, tc.steps[0].r.Fingerprint)
			}
		})
	}
}

// TestReceiptPointsAtBody: a receipt whose body lives in S3 holds the pointer, not the body.
func TestReceiptPointsAtBody(t *testing.T) {
	ctx := context.Background()
	db, err := embedded.Start(ctx, "127.0.0.1:0", "receipts")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	store := dynamo.New(db.Client, "receipts")
	at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		r    dynamo.Receipt
	}{
		{"inline", dynamo.Receipt{MerchantID: "demo", Provider: "stripe", EventID: "evt_1", Body: []byte(`{"id":"evt_1"}`), ReceivedAt: at}},
		{"in the bucket", dynamo.Receipt{MerchantID: "demo", Provider: "aftership", EventID: "e1", BodyBucket: "raw", BodyKey: "demo/aftership/ZTE/ab", ReceivedAt: at}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := store.RecordReceipt(ctx, tc.r); err != nil {
				t.Fatal(err)
			}
			got, _, err := store.GetReceipt(ctx, tc.r.MerchantID, tc.r.Provider, tc.r.EventID)
			if err != nil || !bytes.Equal(got.Body, tc.r.Body) || got.BodyBucket != tc.r.BodyBucket || got.BodyKey != tc.r.BodyKey {
				t.Errorf("GetReceipt(%s) = body %q at %q/%q, %v; want %q at %q/%q", tc.r.EventID, got.Body, got.BodyBucket, got.BodyKey, err, tc.r.Body, tc.r.BodyBucket, tc.r.BodyKey)
			}
		})
	}
}
