package s3_test

import (
	"bytes"
	"context"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/borderdesk/borderdesk/shared/s3"
	"github.com/borderdesk/borderdesk/shared/s3/embedded"
)

func TestContentDisposition(t *testing.T) {
	tests := []struct {
		name, filename, want string
		wantName             string // what a browser (mime.ParseMediaType) reads back as the name
	}{
		{"plain", "foto.jpg", "attachment; filename*=UTF-8''foto.jpg", "foto.jpg"},
		{"space", "my photo.jpg", "attachment; filename*=UTF-8''my%20photo.jpg", "my photo.jpg"},
		{"quotes and semicolon", `a"b;c=d.pdf`, "attachment; filename*=UTF-8''a%22b%3Bc%3Dd.pdf", `a"b;c=d.pdf`},
		{"CR LF header injection", "x.txt\r\nSet-Cookie: a=b", "attachment; filename*=UTF-8''x.txtSet-Cookie%3A%20a%3Db", "x.txtSet-Cookie: a=b"},
		{"non-ASCII", "Rechnung März €.pdf", "attachment; filename*=UTF-8''Rechnung%20M%C3%A4rz%20%E2%82%AC.pdf", "Rechnung März €.pdf"},
		{"CJK", "請求書.pdf", "attachment; filename*=UTF-8''%E8%AB%8B%E6%B1%82%E6%9B%B8.pdf", "請求書.pdf"},
		{"unix path", "../../etc/passwd", "attachment; filename*=UTF-8''passwd", "passwd"},
		{"windows path", `C:\Users\anna\invoice.pdf`, "attachment; filename*=UTF-8''invoice.pdf", "invoice.pdf"},
		{"percent stays literal", "100%.txt", "attachment; filename*=UTF-8''100%25.txt", "100%.txt"},
		{"empty", "", "attachment; filename*=UTF-8''attachment", "attachment"},
		{"only dots", "..", "attachment; filename*=UTF-8''attachment", "attachment"},
		{"invalid UTF-8", "a\xffb.txt", "attachment; filename*=UTF-8''a%EF%BF%BDb.txt", "a\uFFFDb.txt"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := s3.ContentDisposition(tc.filename)
			if got != tc.want {
				t.Errorf("ContentDisposition(%q) = %q; want %q", tc.filename, got, tc.want)
			}
			if strings.ContainsAny(got, "\r\n\"") {
				t.Errorf("ContentDisposition(%q) = %q holds a CR, LF or quote", tc.filename, got)
			}
			disp, params, err := mime.ParseMediaType(got)
			if err != nil || disp != "attachment" || params["filename"] != tc.wantName {
				t.Errorf("ParseMediaType(%q) = %q, %q, %v; want attachment, %q", got, disp, params["filename"], err, tc.wantName)
			}
		})
	}
	long := strings.Repeat("ä", 300) // 600 bytes
	if _, params, err := mime.ParseMediaType(s3.ContentDisposition(long)); err != nil || len(params["filename"]) != 200 {
		t.Errorf("ContentDisposition(600 bytes of ä) names %d bytes, %v; want 200, nil (whole runes)", len(params["filename"]), err)
	}
}

func TestSafeContentType(t *testing.T) {
	tests := []struct{ in, want string }{
		{"image/jpeg", "image/jpeg"},
		{"IMAGE/PNG", "image/png"},
		{"image/gif; name=x.gif", "image/gif"},
		{"application/pdf", "application/pdf"},
		{"text/plain; charset=utf-8", "text/plain"},
		{"text/html", "application/octet-stream"},
		{"image/svg+xml", "application/octet-stream"},
		{"application/javascript", "application/octet-stream"},
		{"text/xml", "application/octet-stream"},
		{"video/quicktime", "application/octet-stream"},
		{"", "application/octet-stream"},
		{"not a type", "application/octet-stream"},
	}
	for _, tc := range tests {
		if got := s3.SafeContentType(tc.in); got != tc.want {
			t.Errorf("SafeContentType(%q) = %q; want %q", tc.in, got, tc.want)
		}
	}
}

// TestDownloadLink signs links on the embedded server and follows them with a plain HTTP
// client, as a browser would: the bytes, the disposition and the forced type come back, and
// the link's date and expiry follow the injected clock.
func TestDownloadLink(t *testing.T) {
	ctx := context.Background()
	srv, err := embedded.Start(ctx, "127.0.0.1:0", "mail")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	at := time.Date(2026, 12, 2, 10, 0, 0, 0, time.FixedZone("CET", 3600))
	links := s3.NewLinks(srv.Client, srv.Bucket, func() time.Time { return at })
	tests := []struct {
		name, key, filename, contentType string
		body                             []byte
		wantType, wantName               string
	}{
		{"image", "attachments/demo/a1", "foto.jpg", "image/jpeg", []byte("\xff\xd8\xff\xe0 a jpeg"), "image/jpeg", "foto.jpg"},
		{"html is not served as html", "attachments/demo/a2", "page.html", "text/html", []byte("<script>alert(1)</script>"), "application/octet-stream", "page.html"},
		{"hostile name", "attachments/demo/a3", "Rechnung \"März\";\r\n.pdf", "application/pdf", []byte("%PDF-1.7"), "application/pdf", "Rechnung \"März\";.pdf"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := srv.Client.PutObject(ctx, &awss3.PutObjectInput{
				Bucket: aws.String(srv.Bucket), Key: aws.String(tc.key), Body: bytes.NewReader(tc.body), ContentType: aws.String(tc.contentType),
			})
			if err != nil {
				t.Fatal(err)
			}
			link, err := links.Download(ctx, tc.key, tc.filename, tc.contentType)
			if err != nil {
				t.Fatalf("Download(%q) error = %v", tc.key, err)
			}
			if want := at.Add(5 * time.Minute).UTC(); !link.ExpiresAt.Equal(want) || link.ExpiresAt.Location() != time.UTC {
				t.Errorf("Download(%q).ExpiresAt = %v; want %v in UTC", tc.key, link.ExpiresAt, want)
			}
			u, err := url.Parse(link.URL)
			if err != nil {
				t.Fatal(err)
			}
			q := u.Query()
			if q.Get("X-Amz-Date") != "20261202T090000Z" || q.Get("X-Amz-Expires") != "300" || q.Get("X-Amz-Signature") == "" {
				t.Errorf("link %s: X-Amz-Date %q Expires %q; want 20261202T090000Z, 300, signed", link.URL, q.Get("X-Amz-Date"), q.Get("X-Amz-Expires"))
			}
			resp, err := http.Get(link.URL)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			got, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != 200 || !bytes.Equal(got, tc.body) {
				t.Fatalf("GET link = %d %q; want 200 %q", resp.StatusCode, got, tc.body)
			}
			if ct := resp.Header.Get("Content-Type"); ct != tc.wantType {
				t.Errorf("GET link Content-Type = %q; want %q", ct, tc.wantType)
			}
			disp, params, err := mime.ParseMediaType(resp.Header.Get("Content-Disposition"))
			if err != nil || disp != "attachment" || params["filename"] != tc.wantName {
				t.Errorf("GET link Content-Disposition = %q (%q, %v); want attachment naming %q", resp.Header.Get("Content-Disposition"), params["filename"], err, tc.wantName)
			}
		})
	}
}
