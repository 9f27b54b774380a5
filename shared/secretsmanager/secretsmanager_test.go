package secretsmanager_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssm "github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/borderdesk/borderdesk/shared/errs"
	"github.com/borderdesk/borderdesk/shared/merchant"
	"github.com/borderdesk/borderdesk/shared/secretsmanager"
	"github.com/borderdesk/borderdesk/shared/secretsmanager/embedded"
)

var at = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

// peer is Secrets Manager on an httptest server: the embedded protocol, behind a log of the
// requests as they crossed the wire and an optional override (Fn) of any answer.
type peer struct {
	sm    *embedded.Server
	mu    sync.Mutex
	calls []call
	Fn    func(w http.ResponseWriter, target string, body []byte) bool // true: answered
}

type call struct {
	target, contentType string
	body                map[string]any
}

func (p *peer) targets() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for _, c := range p.calls {
		out = append(out, c.target)
	}
	return out
}

func newPeer(t *testing.T) (*peer, *secretsmanager.Store) {
	t.Helper()
	p := &peer{sm: embedded.New(func() time.Time { return at })}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		target := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "secretsmanager.")
		var fields map[string]any
		_ = json.Unmarshal(body, &fields)
		p.mu.Lock()
		p.calls = append(p.calls, call{target: target, contentType: r.Header.Get("Content-Type"), body: fields})
		fn := p.Fn
		p.mu.Unlock()
		if fn != nil && fn(w, target, body) {
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		p.sm.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	client := awssm.New(awssm.Options{
		Region: "eu-central-1", BaseEndpoint: aws.String(srv.URL), Credentials: aws.AnonymousCredentials{},
		RetryMaxAttempts: 1, // a failure answer is seen as it is, not retried into a timeout
	})
	return p, secretsmanager.New(client, "")
}

// TestRotationThroughSecretsManager: the first write creates the merchant's secret, later
// writes are new versions, and a read sees the current one — over the wire protocol.
func TestRotationThroughSecretsManager(t *testing.T) {
	ctx := context.Background()
	p, store := newPeer(t)
	if _, err := store.Secrets(ctx, "acme"); !errs.Is(err, errs.NotFound) {
		t.Fatalf("Secrets(acme) before any write = %v; want not found", err)
	}
	steps := []merchant.WebhookSecrets{
		{"stripe": {"whsec_old"}},
		{"stripe": {"whsec_old", "whsec_new"}, "aftership": {"as_1"}},
		{"stripe": {"whsec_new"}, "aftership": {"as_1"}},
	}
	for i, ws := range steps {
		if err := store.PutSecrets(ctx, "acme", ws); err != nil {
			t.Fatalf("PutSecrets(%v) = %v", ws, err)
		}
		got, err := store.Secrets(ctx, "acme")
		if err != nil || !reflect.DeepEqual(got, ws) {
			t.Errorf("step %d: Secrets(acme) = %v, %v; want %v", i, got, err, ws)
		}
	}
	want := []string{"GetSecretValue", "PutSecretValue", "CreateSecret", "GetSecretValue", "PutSecretValue", "GetSecretValue", "PutSecretValue", "GetSecretValue"}
	if got := p.targets(); !slices.Equal(got, want) {
		t.Errorf("operations = %v; want %v", got, want)
	}
	for _, c := range p.calls {
		if c.contentType != "application/x-amz-json-1.1" {
			t.Errorf("%s Content-Type = %q; want application/x-amz-json-1.1", c.target, c.contentType)
		}
		id := c.body["SecretId"]
		if c.target == "CreateSecret" {
			id = c.body["Name"]
		}
		if id != "borderdesk/merchants/acme/webhooks" {
			t.Errorf("%s names secret %v; want borderdesk/merchants/acme/webhooks", c.target, id)
		}
	}
	changed, err := store.Changed(ctx, "acme")
	if err != nil || !changed.Equal(at) {
		t.Errorf("Changed(acme) = %v, %v; want %v", changed, err, at)
	}
}

// TestSecretsFailures: what Secrets Manager answers becomes the error vocabulary, and no
// error quotes a secret.
func TestSecretsFailures(t *testing.T) {
	answer := func(status int, body string) func(http.ResponseWriter, string, []byte) bool {
		return func(w http.ResponseWriter, target string, _ []byte) bool {
			w.Header().Set("Content-Type", "application/x-amz-json-1.1")
			w.WriteHeader(status)
			_, _ = io.WriteString(w, body)
			return true
		}
	}
	value := func(v string) string {
		b, _ := json.Marshal(map[string]any{"ARN": "arn:aws:secretsmanager:eu-central-1:123456789012:secret:borderdesk/merchants/acme/webhooks-a1B2c3",
			"Name": "borderdesk/merchants/acme/webhooks", "VersionId": "EXAMPLE1-90ab-cdef-fedc-ba987SECRET1", "SecretString": v,
			"VersionStages": []string{"AWSCURRENT"}, "CreatedDate": 1.523477145713e9})
		return string(b)
	}
	tests := []struct {
		name     string
		fn       func(http.ResponseWriter, string, []byte) bool
		wantKind errs.Kind
	}{
		{"missing", answer(400, `{"__type":"ResourceNotFoundException","Message":"Secrets Manager can't find the specified secret."}`), errs.NotFound},
		{"access denied", answer(400, `{"__type":"AccessDeniedException","Message":"User is not authorized to perform secretsmanager:GetSecretValue"}`), errs.Internal},
		{"scheduled for deletion", answer(400, `{"__type":"InvalidRequestException","Message":"You can't perform this operation on the secret because it was marked for deletion."}`), errs.Internal},
		{"service failure", answer(500, `{"__type":"InternalServiceError","Message":"An error occurred on the server side."}`), errs.Transient},
		{"not JSON", answer(200, value("whsec_plain_secret")), errs.Internal},
		{"not a map of lists", answer(200, value(`{"stripe":"whsec_plain_secret"}`)), errs.Internal},
		{"an empty secret", answer(200, value(`{"stripe":["whsec_plain_secret",""]}`)), errs.Internal},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, store := newPeer(t)
			p.Fn = tc.fn
			_, err := store.Secrets(context.Background(), "acme")
			if errs.KindOf(err) != tc.wantKind {
				t.Errorf("Secrets(acme) = %v; want kind %s", err, tc.wantKind)
			}
			if err != nil && (strings.Contains(err.Error(), "plain_secret") || strings.Contains(err.Error(), "'w'")) {
				t.Errorf("Secrets(acme) = %v; the error shows the secret", err)
			}
		})
	}
	t.Run("real-shaped answer", func(t *testing.T) {
		p, store := newPeer(t)
		p.Fn = answer(200, value(`{"stripe":["whsec_new","whsec_old"],"aftership":["as_1"]}`))
		got, err := store.Secrets(context.Background(), "acme")
		if want := (merchant.WebhookSecrets{"stripe": {"whsec_new", "whsec_old"}, "aftership": {"as_1"}}); err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("Secrets(acme) = %v, %v; want %v", got, err, want)
		}
	})
}

// TestPutSecretsRace: when another writer creates the secret between our PutSecretValue
// and CreateSecret, ours is written as its next version, not lost.
func TestPutSecretsRace(t *testing.T) {
	ctx := context.Background()
	p, store := newPeer(t)
	raced := false
	p.Fn = func(w http.ResponseWriter, target string, body []byte) bool {
		if target == "CreateSecret" && !raced {
			raced = true
			r := httptest.NewRequest("POST", "/", strings.NewReader(`{"Name":"borderdesk/merchants/acme/webhooks","SecretString":"{\"stripe\":[\"whsec_theirs\"]}"}`))
			r.Header.Set("X-Amz-Target", "secretsmanager.CreateSecret")
			p.sm.ServeHTTP(httptest.NewRecorder(), r)
		}
		return false
	}
	want := merchant.WebhookSecrets{"stripe": {"whsec_ours"}}
	if err := store.PutSecrets(ctx, "acme", want); err != nil {
		t.Fatalf("PutSecrets = %v; want nil", err)
	}
	if got, err := store.Secrets(ctx, "acme"); err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("Secrets(acme) = %v, %v; want %v", got, err, want)
	}
	if got, want := p.targets(), []string{"PutSecretValue", "CreateSecret", "PutSecretValue", "GetSecretValue"}; !slices.Equal(got, want) {
		t.Errorf("operations = %v; want %v", got, want)
	}
}
