package s3_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/borderdesk/borderdesk/shared/errs"
	"github.com/borderdesk/borderdesk/shared/s3"
	"github.com/borderdesk/borderdesk/shared/s3/embedded"
)

// TestObjects stores files with their content type and reads both back, through the real S3
// client against the embedded server.
func TestObjects(t *testing.T) {
	ctx := context.Background()
	srv, err := embedded.Start(ctx, "127.0.0.1:0", "mail")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	objects := s3.NewObjects(srv.Client, srv.Bucket)
	if objects.Bucket() != "mail" {
		t.Errorf("Bucket() = %q; want mail", objects.Bucket())
	}
	tests := []struct {
		name, key, contentType, wantType string
		data                             []byte
	}{
		{"pdf", "attachments/demo/ev_1/1", "application/pdf", "application/pdf", []byte("%PDF-1.4 …")},
		{"image, a megabyte", "attachments/demo/ev_1/2", "image/jpeg", "image/jpeg", bytes.Repeat([]byte{0xff, 0xd8}, 512<<10)},
		{"no type", "attachments/acme/ev_2/1", "", "application/octet-stream", []byte("?")},
		{"empty", "attachments/acme/ev_2/2", "text/plain", "text/plain", []byte{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := objects.PutObject(ctx, tc.key, tc.contentType, tc.data); err != nil {
				t.Fatalf("PutObject(%q) = %v", tc.key, err)
			}
			got, err := objects.GetObject(ctx, tc.key)
			if err != nil || !bytes.Equal(got.Data, tc.data) || got.ContentType != tc.wantType {
				t.Errorf("GetObject(%q) = %d bytes of %q, %v; want the %d bytes put, %q", tc.key, len(got.Data), got.ContentType, err, len(tc.data), tc.wantType)
			}
		})
	}
	// Putting a key again replaces it: a retried mail rewrites its attachments.
	if err := objects.PutObject(ctx, "attachments/demo/ev_1/1", "application/pdf", []byte("v2")); err != nil {
		t.Fatal(err)
	}
	if got, _ := objects.GetObject(ctx, "attachments/demo/ev_1/1"); string(got.Data) != "v2" {
		t.Errorf("after a second put, GetObject = %q; want v2", got.Data)
	}
	if _, err := objects.GetObject(ctx, "attachments/demo/none"); !errs.Is(err, errs.NotFound) {
		t.Errorf("GetObject(missing) error = %v; want kind %s", err, errs.NotFound)
	}
}
