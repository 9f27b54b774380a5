package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/borderdesk/borderdesk/events"
	"github.com/borderdesk/borderdesk/functions/api"
	"github.com/borderdesk/borderdesk/shared/auth"
	"github.com/borderdesk/borderdesk/shared/dynamo"
	"github.com/borderdesk/borderdesk/shared/dynamo/embedded"
	"github.com/borderdesk/borderdesk/shared/merchant"
	"github.com/borderdesk/borderdesk/shared/s3"
	s3embedded "github.com/borderdesk/borderdesk/shared/s3/embedded"
)

// mailBucket is an embedded S3 mail bucket holding the seeded attachments' bytes, and the
// links the API signs into it at clock's time.
func mailBucket(t *testing.T, clock func() time.Time) (*s3embedded.S3, *s3.Links) {
	t.Helper()
	ctx := context.Background()
	srv, err := s3embedded.Start(ctx, "127.0.0.1:0", "mail")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	for key, body := range attachmentBytes {
		_, err := srv.Client.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String(srv.Bucket), Key: aws.String(key), Body: bytes.NewReader(body)})
		if err != nil {
			t.Fatal(err)
		}
	}
	return srv, s3.NewLinks(srv.Client, srv.Bucket, clock)
}

// countingStore counts the store's delivery reads.
type countingStore struct {
	*dynamo.Store
	deliveryReads int
	asked         [][]string
}

func (s *countingStore) Deliveries(ctx context.Context, merchantID string, ids []string) (map[string]dynamo.Delivery, error) {
	s.deliveryReads++
	s.asked = append(s.asked, ids)
	return s.Store.Deliveries(ctx, merchantID, ids)
}

// emailServer is the API on the seeded table with the mail bucket, its store counting
// delivery reads, and li's and sam's tokens.
func emailServer(t *testing.T, clock func() time.Time, opts ...api.Option) (*httptest.Server, *countingStore, map[string]string) {
	t.Helper()
	db, err := embedded.Start(context.Background(), "127.0.0.1:0", "email")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	store := &countingStore{Store: dynamo.New(db.Client, "email")}
	seed(t, store.Store)
	hmac := auth.NewHMAC([]byte("email test secret"), time.Hour, clock)
	tokens := map[string]string{}
	for name, a := range map[string]merchant.Agent{
		"li":  {ID: "sub-li", Email: "li@demo.test", MerchantID: "demo", Role: merchant.RoleSupervisor},
		"sam": {ID: "sub-sam", Email: "sam@acme.test", MerchantID: "acme", Role: merchant.RoleAgent},
	} {
		if tokens[name], err = hmac.Issue(a); err != nil {
			t.Fatal(err)
		}
	}
	n := 0
	srv := httptest.NewServer(api.New(store, hmac, clock, func() string { n++; return fmt.Sprintf("en_%03d", n) }, slog.New(slog.DiscardHandler), opts...))
	t.Cleanup(srv.Close)
	return srv, store, tokens
}

func getJSON(t *testing.T, srv *httptest.Server, token, path string, v any) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest("GET", srv.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if v != nil && resp.StatusCode == 200 {
		if err := json.Unmarshal(raw, v); err != nil {
			t.Fatalf("GET %s: %v in %s", path, err, raw)
		}
	}
	return resp.StatusCode, raw
}

// TestEmailEntries: the ticket shows each mail's channel, folded quote, HTML, attachments
// (never where they are stored) and verdicts, the subject on the mail that gave the ticket
// its topic, and every reply's delivery state — read in one batch for the whole timeline.
func TestEmailEntries(t *testing.T) {
	clock := func() time.Time { return t0.Add(9 * time.Hour) }
	_, links := mailBucket(t, clock)
	srv, store, tokens := emailServer(t, clock, api.Attachments(links))

	var d api.TicketDetail
	code, raw := getJSON(t, srv, tokens["li"], "/api/v1/tickets/tk_008", &d)
	if code != 200 {
		t.Fatalf("GET tk_008 = %d %s", code, raw)
	}
	if store.deliveryReads != 1 || len(store.asked[0]) != len(replyStates) {
		t.Errorf("GET tk_008 read deliveries %d times (asking %v); want once for the %d replies", store.deliveryReads, store.asked, len(replyStates))
	}
	for _, leak := range []string{`"key"`, "attachments/demo", "message_id", "<m1@mail.example.de>", "in_reply_to", "ses-rp_"} {
		if bytes.Contains(raw, []byte(leak)) {
			t.Errorf("GET tk_008 shows %s; the storage key, threading headers and provider ids stay inside", leak)
		}
	}
	byID := map[string]api.EntryView{}
	for _, e := range d.Timeline {
		byID[e.ID] = e
	}
	first, second := byID["ev_11"], byID["ev_12"]
	if first.Channel != "email" || first.Email == nil || second.Email == nil {
		t.Fatalf("ev_11 channel %q email %+v, ev_12 email %+v; want email entries", first.Channel, first.Email, second.Email)
	}
	if first.Email.Subject != "Wo ist mein Paket?" || second.Email.Subject != "" {
		t.Errorf("subjects = %q, %q; want the topic's mail to carry it, the other none", first.Email.Subject, second.Email.Subject)
	}
	if first.Email.Quoted != "-- \nLena Fischer" || first.Email.HTML != "<p>Hallo, mein Paket ist noch nicht da. Foto anbei.</p>" {
		t.Errorf("ev_11 quoted %q html %q; want the stored ones", first.Email.Quoted, first.Email.HTML)
	}
	wantTrust := events.Trust{Spam: "PASS", Virus: "PASS", SPF: "FAIL", DKIM: "PASS", DMARC: "FAIL", Suspicious: true}
	if first.Email.Trust != wantTrust || second.Email.Trust != (events.Trust{}) {
		t.Errorf("trust = %+v, %+v; want %+v and {}", first.Email.Trust, second.Email.Trust, wantTrust)
	}
	wantAtt := []api.AttachmentView{
		{ID: "ev_11.1", Filename: "foto.jpg", ContentType: "image/jpeg", Size: 12},
		{ID: "ev_11.2", Filename: "big.mov", ContentType: "video/quicktime", Size: 31457280, Refused: "over the 10 MiB limit"},
	}
	if fmt.Sprint(first.Email.Attachments) != fmt.Sprint(wantAtt) {
		t.Errorf("ev_11 attachments = %+v; want %+v", first.Email.Attachments, wantAtt)
	}
	if !bytes.Contains(raw, []byte(`"trust":{}`)) {
		t.Errorf("GET tk_008 has no empty trust object for the unchecked mail: %s", raw)
	}
	for id, want := range replyStates {
		e := byID[id]
		if e.Delivery == nil {
			t.Errorf("reply %s has no delivery; want %s", id, want.State)
			continue
		}
		if e.Delivery.State != want.State || e.Delivery.Reason != want.Reason {
			t.Errorf("reply %s delivery = %s %q; want %s %q", id, e.Delivery.State, e.Delivery.Reason, want.State, want.Reason)
		}
		wantAt := e.At.Add(time.Minute)
		if want.State == "queued" {
			if e.Delivery.At != nil {
				t.Errorf("queued reply %s delivery at = %v; want none", id, e.Delivery.At)
			}
		} else if e.Delivery.At == nil || !e.Delivery.At.Equal(wantAt) {
			t.Errorf("reply %s delivery at = %v; want %v", id, e.Delivery.At, wantAt)
		}
	}
	for _, e := range d.Timeline {
		if (e.Delivery != nil) != (e.Kind == "reply") {
			t.Errorf("entry %s (%s) delivery = %+v; want one exactly on replies", e.ID, e.Kind, e.Delivery)
		}
		if (e.Email != nil || e.Channel != "") && e.Kind != "customer" {
			t.Errorf("entry %s (%s) has channel %q email %+v; want them on customer entries only", e.ID, e.Kind, e.Channel, e.Email)
		}
	}

	// A web message has its channel and no email; a ticket without replies reads no deliveries.
	store.deliveryReads = 0
	var web api.TicketDetail
	if code, raw := getJSON(t, srv, tokens["li"], "/api/v1/tickets/tk_004", &web); code != 200 || len(web.Messages) != 1 || web.Messages[0].Channel != "web" || web.Messages[0].Email != nil {
		t.Errorf("GET tk_004 = %d %s; want one web message without email", code, raw)
	}
	if store.deliveryReads != 0 {
		t.Errorf("GET tk_004 (no replies) read deliveries %d times; want 0", store.deliveryReads)
	}
}

// TestAttachmentDownload follows the links the API signs to the embedded S3, as the
// console's browser would: the bytes, a download named by the customer's (hostile) filename,
// a type that cannot run; and another merchant's ticket, another merchant's attachment and
// a refused one are all missing.
func TestAttachmentDownload(t *testing.T) {
	now := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	_, links := mailBucket(t, clock)
	srv, _, tokens := emailServer(t, clock, api.Attachments(links))
	tests := []struct {
		name, as, path       string
		want                 int
		wantBody             []byte
		wantType, wantSaveAs string
		wantMessage          string // of a 404: another merchant's ticket reads as a missing one
	}{
		{"photo", "li", "/api/v1/tickets/tk_008/attachments/ev_11.1", 200, attachmentBytes["attachments/demo/ev_11/1"], "image/jpeg", "foto.jpg", ""},
		{"html saved, not shown", "li", "/api/v1/tickets/tk_008/attachments/ev_12.1", 200, attachmentBytes["attachments/demo/ev_12/1"], "application/octet-stream", "Rechnung \"März\";.html", ""},
		{"acme's own", "sam", "/api/v1/tickets/tk_009/attachments/ev_13.1", 200, attachmentBytes["attachments/acme/ev_13/1"], "image/png", "mug.png", ""},
		{"refused", "li", "/api/v1/tickets/tk_008/attachments/ev_11.2", 404, nil, "", "", "ticket tk_008 has no attachment ev_11.2"},
		{"another merchant's ticket", "li", "/api/v1/tickets/tk_009/attachments/ev_13.1", 404, nil, "", "", "ticket tk_009 not found"},
		{"another merchant's attachment on my ticket", "li", "/api/v1/tickets/tk_008/attachments/ev_13.1", 404, nil, "", "", "ticket tk_008 has no attachment ev_13.1"},
		{"my attachment, asked by another merchant", "sam", "/api/v1/tickets/tk_008/attachments/ev_11.1", 404, nil, "", "", "ticket tk_008 not found"},
		{"acme's ticket with demo's attachment id", "sam", "/api/v1/tickets/tk_009/attachments/ev_11.1", 404, nil, "", "", "ticket tk_009 has no attachment ev_11.1"},
		{"unknown", "li", "/api/v1/tickets/tk_008/attachments/ev_11.7", 404, nil, "", "", "ticket tk_008 has no attachment ev_11.7"},
		{"unknown ticket", "li", "/api/v1/tickets/tk_999/attachments/ev_11.1", 404, nil, "", "", "ticket tk_999 not found"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var link api.AttachmentLink
			code, raw := getJSON(t, srv, tokens[tc.as], tc.path, &link)
			if code != tc.want {
				t.Fatalf("GET %s as %s = %d %s; want %d", tc.path, tc.as, code, raw, tc.want)
			}
			if code != 200 {
				var e struct{ Error, Message string }
				if err := json.Unmarshal(raw, &e); err != nil || e.Error != "not_found" || e.Message != tc.wantMessage {
					t.Errorf("GET %s as %s = %s; want not_found %q", tc.path, tc.as, raw, tc.wantMessage)
				}
				return
			}
			if !link.ExpiresAt.Equal(now.Add(5*time.Minute)) || link.Size != int64(len(tc.wantBody)) {
				t.Errorf("link expires %v size %d; want %v, %d", link.ExpiresAt, link.Size, now.Add(5*time.Minute), len(tc.wantBody))
			}
			resp, err := http.Get(link.URL)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != 200 || !bytes.Equal(body, tc.wantBody) {
				t.Fatalf("GET the link = %d %q; want 200 %q", resp.StatusCode, body, tc.wantBody)
			}
			if got := resp.Header.Get("Content-Type"); got != tc.wantType {
				t.Errorf("link Content-Type = %q; want %q", got, tc.wantType)
			}
			cd := resp.Header.Get("Content-Disposition")
			disp, params, err := mime.ParseMediaType(cd)
			if err != nil || disp != "attachment" || params["filename"] != tc.wantSaveAs || strings.ContainsAny(cd, "\r\n") {
				t.Errorf("link Content-Disposition = %q; want attachment saved as %q", cd, tc.wantSaveAs)
			}
		})
	}
}

// TestAttachmentWithoutBucket: a deployment that forgot the mail bucket answers a real
// attachment with a 500, not a 404 that would blame the attachment.
func TestAttachmentWithoutBucket(t *testing.T) {
	srv, _, tokens := emailServer(t, func() time.Time { return t0.Add(9 * time.Hour) })
	if code, raw := getJSON(t, srv, tokens["li"], "/api/v1/tickets/tk_008/attachments/ev_11.1", nil); code != 500 {
		t.Errorf("GET attachment without api.Attachments = %d %s; want 500", code, raw)
	}
	if code, _ := getJSON(t, srv, tokens["li"], "/api/v1/tickets/tk_008/attachments/ev_11.2", nil); code != 404 {
		t.Errorf("GET refused attachment without api.Attachments = %d; want 404", code)
	}
}
