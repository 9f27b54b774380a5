package eventbridge_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awseventbridge "github.com/aws/aws-sdk-go-v2/service/eventbridge"

	"github.com/borderdesk/borderdesk/events"
	"github.com/borderdesk/borderdesk/shared/errs"
	"github.com/borderdesk/borderdesk/shared/eventbridge"
	"github.com/borderdesk/borderdesk/shared/xray"
)

// fakeEventBridge speaks EventBridge's AWS JSON 1.1 PutEvents: X-Amz-Target
// AWSEvents.PutEvents, {"Entries": [...]} in, {"FailedEntryCount", "Entries"} out.
type fakeEventBridge struct {
	mu      sync.Mutex
	calls   [][]map[string]any
	failIdx int // entry index to reject in every call; -1 for none
}

func (f *fakeEventBridge) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("X-Amz-Target") != "AWSEvents.PutEvents" {
		http.Error(w, `{"__type":"UnknownOperationException"}`, 400)
		return
	}
	var in struct{ Entries []map[string]any }
	b, _ := io.ReadAll(r.Body)
	if err := json.Unmarshal(b, &in); err != nil {
		http.Error(w, `{"__type":"SerializationException"}`, 400)
		return
	}
	f.mu.Lock()
	f.calls = append(f.calls, in.Entries)
	f.mu.Unlock()
	out := map[string]any{"FailedEntryCount": 0}
	var entries []map[string]any
	for i := range in.Entries {
		if i == f.failIdx {
			entries = append(entries, map[string]any{"ErrorCode": "InternalFailure", "ErrorMessage": "try again"})
			out["FailedEntryCount"] = 1
			continue
		}
		entries = append(entries, map[string]any{"EventId": "eb-" + string(rune('a'+i))})
	}
	out["Entries"] = entries
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	_ = json.NewEncoder(w).Encode(out)
}

func TestPublish(t *testing.T) {
	at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	var evs []events.Event
	for i := range 12 {
		ev, _ := events.New(events.PaymentFailed, "ev_"+string(rune('a'+i)), "demo", "stripe", "evt", at, events.Payment{PaymentID: "pi_1"})
		evs = append(evs, ev)
	}
	tests := []struct {
		name      string
		failIdx   int
		wantCalls []int // entries per call
		wantKind  errs.Kind
	}{
		{"twelve events in two calls of at most ten", -1, []int{10, 2}, ""},
		{"a rejected entry fails the publish", 3, []int{10}, errs.Transient},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fake := &fakeEventBridge{failIdx: tc.failIdx}
			srv := httptest.NewServer(fake)
			defer srv.Close()
			client := awseventbridge.New(awseventbridge.Options{
				Region: "eu-central-1", BaseEndpoint: aws.String(srv.URL),
				Credentials: aws.NewCredentialsCache(credentials{}),
			})
			err := eventbridge.New(client, "borderdesk", events.SourceIntake).Publish(context.Background(), evs...)
			if errs.KindOf(err) != tc.wantKind {
				t.Fatalf("Publish = %v; want kind %q", err, tc.wantKind)
			}
			var got []int
			for _, c := range fake.calls {
				got = append(got, len(c))
			}
			if len(got) != len(tc.wantCalls) || got[0] != tc.wantCalls[0] {
				t.Fatalf("calls = %v; want %v", got, tc.wantCalls)
			}
			first := fake.calls[0][0]
			var detail events.Event
			if err := json.Unmarshal([]byte(first["Detail"].(string)), &detail); err != nil || detail.ID != "ev_a" ||
				first["DetailType"] != "payment.failed" || first["Source"] != events.SourceIntake || first["EventBusName"] != "borderdesk" {
				t.Errorf("first entry = %v; want payment.failed from %s on borderdesk with the event as detail", first, events.SourceIntake)
			}
		})
	}
}

type credentials struct{}

func (credentials) Retrieve(context.Context) (aws.Credentials, error) {
	return aws.Credentials{AccessKeyID: "AKIDLOCAL", SecretAccessKey: "local", Source: "test"}, nil
}

// The relay publishes each outbox event as the function that wrote it, and every detail
// carries the event's FIFO group.
func TestPublishAs(t *testing.T) {
	fake := &fakeEventBridge{failIdx: -1}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	client := awseventbridge.New(awseventbridge.Options{
		Region: "eu-central-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: aws.NewCredentialsCache(credentials{}),
	})
	at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	ev, _ := events.New(events.TicketOpened, "ev_t", "demo", "borderdesk", "tk_1", at, events.Ticket{TicketID: "tk_1", OrderID: "10482"})
	intake := eventbridge.New(client, "borderdesk", events.SourceIntake)
	for _, tc := range []struct {
		name    string
		publish func() error
		want    string
	}{
		{"As", func() error { return intake.As(events.SourceTicketing).Publish(t.Context(), ev) }, events.SourceTicketing},
		{"PublishAs", func() error { return intake.PublishAs(t.Context(), events.SourceAPI, ev) }, events.SourceAPI},
		{"the original keeps its source", func() error { return intake.Publish(t.Context(), ev) }, events.SourceIntake},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake.mu.Lock()
			fake.calls = nil
			fake.mu.Unlock()
			if err := tc.publish(); err != nil {
				t.Fatalf("publish = %v; want nil", err)
			}
			entry := fake.calls[0][0]
			var detail map[string]any
			_ = json.Unmarshal([]byte(entry["Detail"].(string)), &detail)
			if entry["Source"] != tc.want || detail[events.GroupField] != events.GroupID(ev) {
				t.Errorf("entry source %v, detail group %v; want %s, %q", entry["Source"], detail[events.GroupField], tc.want, events.GroupID(ev))
			}
		})
	}
}

// Inside a traced Lambda invocation every entry carries the invocation's X-Ray trace header,
// which EventBridge hands on to the consumer's queue; outside one, none is sent.
func TestPublishTraceHeader(t *testing.T) {
	fake := &fakeEventBridge{failIdx: -1}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	client := awseventbridge.New(awseventbridge.Options{
		Region: "eu-central-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: aws.NewCredentialsCache(credentials{}),
	})
	at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	var evs []events.Event
	for i := range 11 { // two PutEvents calls
		ev, _ := events.New(events.PaymentFailed, "ev_"+string(rune('a'+i)), "demo", "stripe", "evt", at, events.Payment{PaymentID: "pi_1"})
		evs = append(evs, ev)
	}
	const header = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
	for _, tc := range []struct {
		name string
		ctx  context.Context
		want any
	}{
		{"traced invocation", xray.WithHeader(t.Context(), header), header},
		{"no invocation", t.Context(), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake.mu.Lock()
			fake.calls = nil
			fake.mu.Unlock()
			if err := eventbridge.New(client, "borderdesk", events.SourceIntake).Publish(tc.ctx, evs...); err != nil {
				t.Fatalf("Publish = %v; want nil", err)
			}
			n := 0
			for _, call := range fake.calls {
				for _, entry := range call {
					n++
					if got := entry["TraceHeader"]; got != tc.want {
						t.Errorf("entry %v TraceHeader = %v; want %v", entry["Detail"], got, tc.want)
					}
				}
			}
			if n != len(evs) {
				t.Errorf("entries = %d; want %d", n, len(evs))
			}
		})
	}
}
