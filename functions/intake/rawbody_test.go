package intake_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/borderdesk/borderdesk/functions/intake"
	"github.com/borderdesk/borderdesk/shared/providers/aftership"
)

// bigDelivery is a real-shaped AfterShip tracking update of about size bytes: a long
// cross-border parcel with thousands of checkpoints, as AfterShip sends every one of them.
func bigDelivery(t *testing.T, eventID string, size int) []byte {
	t.Helper()
	type checkpoint struct {
		Slug           string   `json:"slug"`
		City           string   `json:"city"`
		CreatedAt      string   `json:"created_at"`
		Location       string   `json:"location"`
		CountryName    string   `json:"country_name"`
		Message        string   `json:"message"`
		CountryISO3    string   `json:"country_iso3"`
		Tag            string   `json:"tag"`
		Subtag         string   `json:"subtag"`
		SubtagMessage  string   `json:"subtag_message"`
		CheckpointTime string   `json:"checkpoint_time"`
		Coordinates    []string `json:"coordinates"`
		State          *string  `json:"state"`
		Zip            *string  `json:"zip"`
		RawTag         string   `json:"raw_tag"`
	}
	var cps []checkpoint
	start := time.Date(2024, 3, 1, 8, 0, 0, 0, time.UTC)
	msg := map[string]any{
		"id": "5b0d4a7c9e2f41e3b6a1c8d2", "tracking_number": "LX123456789CN", "slug": "china-post",
		"tag": "InTransit", "subtag": "InTransit_001", "subtag_message": "In Transit",
		"order_id": "10482", "emails": []string{"jonas@example.de"}, "customer_name": "Jonas Becker",
		"destination_country_iso3": "DEU", "origin_country_iso3": "CHN", "expected_delivery": "2024-09-30",
	}
	encode := func() []byte {
		msg["checkpoints"] = cps
		b, err := json.Marshal(map[string]any{"event": "tracking_update", "event_id": eventID, "is_tracking_first_tag": false, "ts": now.Unix(), "msg": msg})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	add := func(n int) {
		for range n {
			at := start.Add(time.Duration(len(cps)) * time.Hour)
			cps = append(cps, checkpoint{
				Slug: "china-post", City: "Shenzhen", CreatedAt: at.Format(time.RFC3339),
				Location: "Shenzhen International Mail Processing Centre, Guangdong", CountryName: "China",
				Message: fmt.Sprintf("Item dispatched from sorting centre to next facility (scan %d)", len(cps)), CountryISO3: "CHN",
				Tag: "InTransit", Subtag: "InTransit_002", SubtagMessage: "Acceptance scan",
				CheckpointTime: at.Format("2006-01-02T15:04:05+08:00"), Coordinates: []string{}, RawTag: "EMC",
			})
		}
	}
	empty := len(encode())
	add(10)
	b := encode()
	perCheckpoint := (len(b) - empty) / 10
	for len(b) < size {
		add(max(1, (size-len(b))/perCheckpoint))
		b = encode()
	}
	return b
}

// TestLargeWebhookBodyKeptInS3: a 954 KB AfterShip delivery verifies, is accepted, and its
// raw body is archived in the bucket with the receipt pointing at it — not in the item,
// which DynamoDB (and the embedded table) would refuse on every retry. A small body stays in
// the item.
func TestLargeWebhookBodyKeptInS3(t *testing.T) {
	tests := []struct {
		name     string
		size     int
		inBucket bool
	}{
		{"954 KB, thousands of checkpoints", 954 << 10, true},
		{"just over the inline limit", 101 << 10, true},
		{"a few KB", 4 << 10, false},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			eventID := fmt.Sprintf("b6f0c3d2-7a41-4e5b-9c8d-%012d", i)
			body := bigDelivery(t, eventID, tc.size)
			w := f.post("/webhooks/demo/aftership", body, map[string]string{"aftership-hmac-sha256": aftership.Sign(body, "as_demo")})
			if w.Code != 200 || !bytes.Contains(w.Body.Bytes(), []byte(`"accepted"`)) {
				t.Fatalf("POST a %d-byte delivery = %d %s; want 200 accepted", len(body), w.Code, w.Body)
			}
			rc, published, err := f.store.GetReceipt(context.Background(), "demo", "aftership", eventID)
			if err != nil || !published {
				t.Fatalf("GetReceipt = %+v, %v, %v; want a published receipt", rc, published, err)
			}
			if got := rc.BodyKey != ""; got != tc.inBucket {
				t.Errorf("receipt of %d bytes points at the bucket = %v (bucket %q key %q); want %v", len(body), got, rc.BodyBucket, rc.BodyKey, tc.inBucket)
			}
			stored := rc.Body
			if tc.inBucket {
				if stored, err = f.bodies.Body(context.Background(), rc.BodyKey); err != nil {
					t.Fatalf("Body(%q) error = %v", rc.BodyKey, err)
				}
			}
			if !bytes.Equal(stored, body) {
				t.Errorf("archived body = %d bytes; want the %d bytes delivered", len(stored), len(body))
			}
		})
	}
}

// TestLargeBodyWithoutBodyStore: with nowhere to keep a large body, intake refuses it
// before storing anything, rather than write an item DynamoDB would refuse.
func TestLargeBodyWithoutBodyStore(t *testing.T) {
	base := newFixture(t)
	h := intake.New(intake.Config{
		Providers: intake.Providers(), Store: base.store, Secrets: base.secrets, Bus: base.bus, Now: func() time.Time { return now },
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), NewID: func() string { return "x" },
	})
	body := bigDelivery(t, "e-no-store", intake.MaxInlineBody+1)
	r := httptest.NewRequest("POST", "/webhooks/demo/aftership", bytes.NewReader(body))
	r.Header.Set("aftership-hmac-sha256", aftership.Sign(body, "as_demo"))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != 413 || base.store.receipts != 0 {
		t.Errorf("POST %d bytes without a body store = %d %s, %d receipts; want 413 and none", len(body), w.Code, w.Body, base.store.receipts)
	}
}
