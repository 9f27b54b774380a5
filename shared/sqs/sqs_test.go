package sqs

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/borderdesk/borderdesk/shared/errs"
)

// fakeSQS speaks SQS's JSON protocol (awsJson1_0) for ChangeMessageVisibility: POST / with
// X-Amz-Target: AmazonSQS.ChangeMessageVisibility and a JSON body {QueueUrl, ReceiptHandle,
// VisibilityTimeout}; an empty JSON object back, or an error whose __type names it.
type fakeSQS struct {
	t        *testing.T
	errType  string
	status   int
	received []map[string]any
}

func (f *fakeSQS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.Header.Get("X-Amz-Target") != "AmazonSQS.ChangeMessageVisibility" ||
		!strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-amz-json-1.0") {
		f.t.Errorf("request %s %s target %q type %q; want the JSON protocol's ChangeMessageVisibility",
			r.Method, r.URL.Path, r.Header.Get("X-Amz-Target"), r.Header.Get("Content-Type"))
	}
	if !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 ") {
		f.t.Errorf("request not SigV4-signed")
	}
	var body map[string]any
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		f.t.Errorf("decode body: %v", err)
	}
	f.received = append(f.received, body)
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	if f.errType != "" {
		w.WriteHeader(f.status)
		fmt.Fprintf(w, `{"__type":"com.amazonaws.sqs#%s","message":"no"}`, f.errType)
		return
	}
	_, _ = w.Write([]byte(`{}`))
}

func client(url string) *sqs.Client {
	return sqs.New(sqs.Options{
		BaseEndpoint: aws.String(url), Region: "eu-central-1", RetryMaxAttempts: 1,
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "AKIDLOCAL", SecretAccessKey: "local"}, nil
		}),
	})
}

const queueARN = "arn:aws:sqs:eu-central-1:123456789012:borderdesk-notify"

func TestChangeVisibility(t *testing.T) {
	fake := &fakeSQS{t: t}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	v := New(client(srv.URL))
	for _, d := range []time.Duration{2 * time.Minute, 1500 * time.Millisecond, 48 * time.Hour} {
		if err := v.ChangeVisibility(context.Background(), queueARN, "rh-1", d); err != nil {
			t.Fatalf("ChangeVisibility(%v) = %v", d, err)
		}
	}
	want := []string{
		"https://sqs.eu-central-1.amazonaws.com/123456789012/borderdesk-notify rh-1 120",
		"https://sqs.eu-central-1.amazonaws.com/123456789012/borderdesk-notify rh-1 2",     // rounded up
		"https://sqs.eu-central-1.amazonaws.com/123456789012/borderdesk-notify rh-1 43200", // SQS's maximum
	}
	for i, body := range fake.received {
		if got := fmt.Sprint(body["QueueUrl"], " ", body["ReceiptHandle"], " ", body["VisibilityTimeout"]); got != want[i] {
			t.Errorf("request %d = %s; want %s", i, got, want[i])
		}
	}
}

func TestChangeVisibilityErrors(t *testing.T) {
	tests := []struct {
		errType string
		status  int
		kind    errs.Kind
	}{
		{"ReceiptHandleIsInvalid", http.StatusBadRequest, errs.Conflict},
		{"MessageNotInflight", http.StatusBadRequest, errs.Conflict},
		{"RequestThrottled", http.StatusBadRequest, errs.Transient},
		{"AccessDenied", http.StatusForbidden, errs.Internal},
	}
	for _, tc := range tests {
		t.Run(tc.errType, func(t *testing.T) {
			srv := httptest.NewServer(&fakeSQS{t: t, errType: tc.errType, status: tc.status})
			defer srv.Close()
			if err := New(client(srv.URL)).ChangeVisibility(context.Background(), queueARN, "rh", time.Minute); !errs.Is(err, tc.kind) {
				t.Errorf("ChangeVisibility = %v (kind %s); want kind %s", err, errs.KindOf(err), tc.kind)
			}
		})
	}
}

func TestQueueURL(t *testing.T) {
	tests := []struct{ arn, want string }{
		{queueARN, "https://sqs.eu-central-1.amazonaws.com/123456789012/borderdesk-notify"},
		{"arn:aws:sqs:us-east-1:123456789012:refunds.fifo", "https://sqs.us-east-1.amazonaws.com/123456789012/refunds.fifo"},
		{"arn:aws-cn:sqs:cn-north-1:123456789012:q", "https://sqs.cn-north-1.amazonaws.com.cn/123456789012/q"},
		{"arn:aws:sns:eu-central-1:123456789012:topic", ""},
		{"not an arn", ""},
	}
	for _, tc := range tests {
		got, err := QueueURL(tc.arn)
		if got != tc.want || (tc.want == "") != (err != nil) {
			t.Errorf("QueueURL(%q) = %q, %v; want %q", tc.arn, got, err, tc.want)
		}
	}
}
