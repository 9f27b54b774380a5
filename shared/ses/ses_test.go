package ses

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/borderdesk/borderdesk/shared/errs"
	"github.com/borderdesk/borderdesk/shared/mail"
)

// fakeSES speaks the SES v2 REST/JSON wire format for SendEmail: POST
// /v2/email/outbound-emails, a JSON body with the raw message base64-encoded, and either
// {"MessageId": …} or an error named by X-Amzn-ErrorType.
type fakeSES struct {
	t        *testing.T
	errType  string // answer this error instead of sending
	status   int
	received []map[string]any
}

func (f *fakeSES) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/v2/email/outbound-emails" {
		f.t.Errorf("request %s %s; want POST /v2/email/outbound-emails", r.Method, r.URL.Path)
		http.NotFound(w, r)
		return
	}
	if !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 ") {
		f.t.Errorf("request not SigV4-signed: %q", r.Header.Get("Authorization"))
	}
	var body map[string]any
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		f.t.Errorf("decode body: %v", err)
	}
	f.received = append(f.received, body)
	w.Header().Set("Content-Type", "application/json")
	if f.errType != "" {
		w.Header().Set("X-Amzn-ErrorType", f.errType)
		w.WriteHeader(f.status)
		_, _ = w.Write([]byte(`{"message":"Email address is not verified."}`))
		return
	}
	_, _ = w.Write([]byte(`{"MessageId":"0100018c-ses-1"}`))
}

func client(url string) *sesv2.Client {
	return sesv2.New(sesv2.Options{
		BaseEndpoint:     aws.String(url),
		Region:           "eu-central-1",
		RetryMaxAttempts: 1,
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "AKIDLOCAL", SecretAccessKey: "local"}, nil
		}),
	})
}

func message() mail.Message {
	return mail.Message{
		TicketID: "tk_1", From: mail.Address{Name: "Demo Shop", Address: "support@demo.test"},
		To: mail.Address{Name: "Jonas", Address: "jonas@example.de"}, ReplyTo: mail.Address{Address: "support+tk_1@demo.test"},
		Subject: "Re: Hallo", MessageID: "<reply-en_1@demo.test>", InReplyTo: "<ticket-tk_1@demo.test>",
		References: []string{"<ticket-tk_1@demo.test>"}, Date: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC),
		Text: "Hallo", HTML: "<p>Hallo</p>",
	}
}

var ref = Ref{MerchantID: "demo", TicketID: "tk_1", EntryID: "en_1"}

func TestSendRaw(t *testing.T) {
	fake := &fakeSES{t: t}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	id, err := New(client(srv.URL)).Send(context.Background(), message(), ref)
	if err != nil || id != "0100018c-ses-1" {
		t.Fatalf("Send = %q, %v; want the SES message id", id, err)
	}
	if len(fake.received) != 1 {
		t.Fatalf("SES received %d requests; want 1", len(fake.received))
	}
	body := fake.received[0]
	raw, _ := body["Content"].(map[string]any)["Raw"].(map[string]any)["Data"].(string)
	data, err := base64.StdEncoding.DecodeString(raw)
	if err != nil {
		t.Fatalf("Content.Raw.Data %q: %v", raw, err)
	}
	want, _ := message().Render()
	if string(data) != string(want) {
		t.Errorf("raw message =\n%s\nwant\n%s", data, want)
	}
	to := body["Destination"].(map[string]any)["ToAddresses"].([]any)
	if len(to) != 1 || to[0] != "jonas@example.de" || body["FromEmailAddress"] != "support@demo.test" {
		t.Errorf("Destination %v, From %v; want only the customer, from the sender", to, body["FromEmailAddress"])
	}
	if _, ok := body["ConfigurationSetName"]; ok {
		t.Errorf("ConfigurationSetName = %v; want none when none is configured", body["ConfigurationSetName"])
	}
}

// A configured sender names its configuration set and tags each send with its reply, in
// SendEmail's JSON: "ConfigurationSetName" and "EmailTags": [{"Name", "Value"}].
func TestSendTagged(t *testing.T) {
	fake := &fakeSES{t: t}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	r := Ref{MerchantID: "demo", TicketID: "tk_1", EntryID: "en:1/ü"}
	if _, err := New(client(srv.URL), ConfigurationSet("borderdesk")).Send(context.Background(), message(), r); err != nil {
		t.Fatalf("Send = %v", err)
	}
	body := fake.received[0]
	if body["ConfigurationSetName"] != "borderdesk" {
		t.Errorf("ConfigurationSetName = %v; want borderdesk", body["ConfigurationSetName"])
	}
	tags := map[string][]string{}
	for _, tag := range body["EmailTags"].([]any) {
		m := tag.(map[string]any)
		tags[m["Name"].(string)] = []string{m["Value"].(string)}
	}
	if tags["merchant"][0] != "demo" || tags["ticket"][0] != "tk_1" || !strings.HasPrefix(tags["entry"][0], "b32-") {
		t.Errorf("EmailTags = %v; want merchant demo, ticket tk_1 and the entry encoded", tags)
	}
	got, err := RefFromTags(tags)
	if err != nil || got != r {
		t.Errorf("RefFromTags(%v) = %+v, %v; want %+v", tags, got, err, r)
	}
}

func TestSendErrors(t *testing.T) {
	tests := []struct {
		errType string
		status  int
		kind    errs.Kind
	}{
		{"MessageRejected", http.StatusBadRequest, errs.Invalid},
		{"MailFromDomainNotVerifiedException", http.StatusBadRequest, errs.Invalid},
		{"TooManyRequestsException", http.StatusTooManyRequests, errs.Transient},
	}
	for _, tc := range tests {
		t.Run(tc.errType, func(t *testing.T) {
			srv := httptest.NewServer(&fakeSES{t: t, errType: tc.errType, status: tc.status})
			defer srv.Close()
			id, err := New(client(srv.URL)).Send(context.Background(), message(), ref)
			if !errors.Is(err, mail.ErrRefused) || !errs.Is(err, tc.kind) || id != "" {
				t.Errorf("Send = %q, %v (kind %s); want a refusal of kind %s", id, err, errs.KindOf(err), tc.kind)
			}
		})
	}
}

func TestSendUnreachableIsNotARefusal(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close() // nothing listens: the outcome of a send is unknown, not refused
	_, err := New(client(url)).Send(context.Background(), message(), ref)
	if err == nil || errors.Is(err, mail.ErrRefused) || !errs.Is(err, errs.Transient) {
		t.Errorf("Send = %v; want a transient error that is not a refusal", err)
	}
}
