// Package embedded is an in-process Secrets Manager: it speaks the service's JSON 1.1 wire
// protocol (X-Amz-Target secretsmanager.CreateSecret, DescribeSecret, GetSecretValue,
// PutSecretValue) with the payloads and error shapes AWS documents, so the real
// aws-sdk-go-v2 client reaches it exactly as a Lambda reaches Secrets Manager. The local
// runtime keeps the demo merchants' webhook secrets in it, and the tests use it as their
// peer. It keeps string secrets only, and versions as AWSCURRENT and AWSPREVIOUS (no
// custom stages, rotation lambdas, deletion or resource policies).
package embedded

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// Region and Account are the ones ARNs name.
const (
	Region  = "us-east-1"
	Account = "123456789012"
)

// Server is the protocol, as an http.Handler.
type Server struct {
	now     func() time.Time
	mu      sync.Mutex
	secrets map[string]*secret // by name
	// Requests counts requests by operation ("GetSecretValue"), for tests that bound reads.
	requests map[string]int
}

type secret struct {
	name, arn, description string
	created, changed       time.Time
	values                 map[string]string // by version id
	current, previous      string            // version ids
}

// New returns an empty Secrets Manager that dates versions by now (time.Now when nil).
func New(now func() time.Time) *Server {
	if now == nil {
		now = time.Now
	}
	return &Server{now: now, secrets: map[string]*secret{}, requests: map[string]int{}}
}

// Requests is how many requests of operation op were answered.
func (s *Server) Requests(op string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[op]
}

// SecretsManager is a Server listening on loopback.
type SecretsManager struct {
	*Server
	URL    string
	Client *secretsmanager.Client
	srv    *http.Server
}

// Start serves a new Server on addr ("127.0.0.1:0" picks a free port).
func Start(addr string) (*SecretsManager, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("embedded secrets manager: listen %s: %w", addr, err)
	}
	sm := &SecretsManager{Server: New(nil), URL: "http://" + ln.Addr().String()}
	sm.srv = &http.Server{Handler: sm.Server, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = sm.srv.Serve(ln) }()
	sm.Client = Client(sm.URL)
	return sm, nil
}

// Close stops the server.
func (sm *SecretsManager) Close() error { return sm.srv.Close() }

// Client is a real Secrets Manager client for the server at url.
func Client(url string) *secretsmanager.Client {
	return secretsmanager.New(secretsmanager.Options{
		Region: Region, BaseEndpoint: aws.String(url), Credentials: aws.AnonymousCredentials{},
	})
}

// apiError is the JSON 1.1 error body: the SDK reads the type from __type.
type apiError struct {
	Type    string `json:"__type"`
	Message string `json:"Message"`
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-RequestId", rand.Text())
	target, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), "secretsmanager.")
	if r.Method != http.MethodPost || !ok {
		fail(w, http.StatusBadRequest, "UnknownOperationException", "")
		return
	}
	var in request
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		fail(w, http.StatusBadRequest, "SerializationException", "Start of structure or map found where not expected.")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests[target]++
	var out any
	var err *apiError
	switch target {
	case "CreateSecret":
		out, err = s.create(in)
	case "DescribeSecret":
		out, err = s.describe(in)
	case "GetSecretValue":
		out, err = s.get(in)
	case "PutSecretValue":
		out, err = s.put(in)
	default:
		err = &apiError{Type: "UnknownOperationException"}
	}
	if err != nil {
		fail(w, http.StatusBadRequest, err.Type, err.Message)
		return
	}
	_ = json.NewEncoder(w).Encode(out)
}

func fail(w http.ResponseWriter, status int, typ, msg string) {
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(apiError{Type: typ, Message: msg})
}

// request is the fields of the four operations' requests this server reads.
type request struct {
	Name               string
	SecretID           string `json:"SecretId"`
	SecretString       *string
	Description        string
	ClientRequestToken string
	VersionID          string `json:"VersionId"`
	VersionStage       string
}

var errNotFound = &apiError{Type: "ResourceNotFoundException", Message: "Secrets Manager can't find the specified secret."}

// find resolves a SecretId, which is a name or an ARN.
func (s *Server) find(id string) (*secret, *apiError) {
	if sec, ok := s.secrets[id]; ok {
		return sec, nil
	}
	for _, sec := range s.secrets {
		if sec.arn == id {
			return sec, nil
		}
	}
	return nil, errNotFound
}

// epoch is a timestamp as the JSON protocol writes it: seconds since 1970, with fractions.
func epoch(t time.Time) float64 { return float64(t.UnixMilli()) / 1000 }

func (s *Server) create(in request) (any, *apiError) {
	if in.Name == "" {
		return nil, &apiError{Type: "InvalidParameterException", Message: "You must provide a name for the secret."}
	}
	if _, ok := s.secrets[in.Name]; ok {
		return nil, &apiError{Type: "ResourceExistsException", Message: fmt.Sprintf("The operation failed because the secret %s already exists.", in.Name)}
	}
	now := s.now()
	// A secret's ARN ends in a dash and six random characters, so a new secret of an old
	// name is not the old secret.
	sec := &secret{name: in.Name, description: in.Description, created: now, changed: now, values: map[string]string{},
		arn: fmt.Sprintf("arn:aws:secretsmanager:%s:%s:secret:%s-%s", Region, Account, in.Name, rand.Text()[:6])}
	s.secrets[in.Name] = sec
	out := map[string]any{"ARN": sec.arn, "Name": sec.name}
	if in.SecretString != nil {
		out["VersionId"] = sec.version(in.ClientRequestToken, *in.SecretString, now)
	}
	return out, nil
}

// version stores value as the AWSCURRENT version; the current one becomes AWSPREVIOUS.
func (sec *secret) version(token, value string, now time.Time) string {
	if token == "" {
		token = rand.Text()
	}
	if _, ok := sec.values[token]; ok { // the same request again: idempotent
		return token
	}
	if sec.previous != "" {
		delete(sec.values, sec.previous)
	}
	sec.values[token] = value
	sec.previous, sec.current, sec.changed = sec.current, token, now
	return token
}

func (s *Server) put(in request) (any, *apiError) {
	sec, err := s.find(in.SecretID)
	if err != nil {
		return nil, err
	}
	if in.SecretString == nil {
		return nil, &apiError{Type: "InvalidParameterException", Message: "You must provide either SecretString or SecretBinary."}
	}
	v := sec.version(in.ClientRequestToken, *in.SecretString, s.now())
	return map[string]any{"ARN": sec.arn, "Name": sec.name, "VersionId": v, "VersionStages": []string{"AWSCURRENT"}}, nil
}

func (s *Server) get(in request) (any, *apiError) {
	sec, err := s.find(in.SecretID)
	if err != nil {
		return nil, err
	}
	id, stage := sec.current, "AWSCURRENT"
	switch {
	case in.VersionID != "":
		id = in.VersionID
	case in.VersionStage == "AWSPREVIOUS":
		id, stage = sec.previous, "AWSPREVIOUS"
	case in.VersionStage != "" && in.VersionStage != "AWSCURRENT":
		id = ""
	}
	v, ok := sec.values[id]
	if !ok {
		return nil, &apiError{Type: "ResourceNotFoundException", Message: "Secrets Manager can't find the specified secret value for staging label: " + stage}
	}
	return map[string]any{
		"ARN": sec.arn, "Name": sec.name, "VersionId": id, "SecretString": v,
		"VersionStages": []string{stage}, "CreatedDate": epoch(sec.changed),
	}, nil
}

func (s *Server) describe(in request) (any, *apiError) {
	sec, err := s.find(in.SecretID)
	if err != nil {
		return nil, err
	}
	stages := map[string][]string{}
	if sec.current != "" {
		stages[sec.current] = []string{"AWSCURRENT"}
	}
	if sec.previous != "" {
		stages[sec.previous] = []string{"AWSPREVIOUS"}
	}
	out := map[string]any{
		"ARN": sec.arn, "Name": sec.name, "CreatedDate": epoch(sec.created),
		"LastChangedDate": epoch(sec.changed), "VersionIdsToStages": stages,
	}
	if sec.description != "" {
		out["Description"] = sec.description
	}
	return out, nil
}
