package s3_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/borderdesk/borderdesk/shared/errs"
	"github.com/borderdesk/borderdesk/shared/s3/embedded"
)

// TestBodies stores and reads bodies through the real S3 client against the embedded server.
func TestBodies(t *testing.T) {
	ctx := context.Background()
	srv, err := embedded.Start(ctx, "127.0.0.1:0", "raw")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	bodies := srv.Bodies()
	tests := []struct {
		name string
		key  string
		body []byte
	}{
		{"small", "demo/stripe/ZXZ0XzE/abc", []byte(`{"id":"evt_1"}`)},
		{"a megabyte", "demo/aftership/ZTE/def", bytes.Repeat([]byte("checkpoint "), 100_000)},
		{"empty", "demo/stripe/ZW1wdHk/0", []byte{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			bucket, err := bodies.PutBody(ctx, tc.key, tc.body)
			if err != nil || bucket != "raw" {
				t.Fatalf("PutBody(%q) = %q, %v; want raw, nil", tc.key, bucket, err)
			}
			got, err := bodies.Body(ctx, tc.key)
			if err != nil || !bytes.Equal(got, tc.body) {
				t.Errorf("Body(%q) = %d bytes, %v; want the %d bytes put", tc.key, len(got), err, len(tc.body))
			}
		})
	}
	if _, err := bodies.Body(ctx, "demo/stripe/none"); !errs.Is(err, errs.NotFound) {
		t.Errorf("Body(missing) error = %v; want kind %s", err, errs.NotFound)
	}
}
