package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/borderdesk/borderdesk/functions/api"
)

// TestCursorKey reads the key through the real client from a peer speaking Secrets
// Manager's JSON protocol: a good secret gives Cursors, anything else fails init.
func TestCursorKey(t *testing.T) {
	secrets := map[string]string{"arn:good": strings.Repeat("k", 64), "arn:short": "too-short"}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in struct{ SecretId string }
		_ = json.NewDecoder(r.Body).Decode(&in)
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		v, ok := secrets[in.SecretId]
		if r.Header.Get("X-Amz-Target") != "secretsmanager.GetSecretValue" || !ok {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"__type":"ResourceNotFoundException","message":"Secrets Manager can't find the specified secret."}`))
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]string{"ARN": in.SecretId, "SecretString": v})
	}))
	defer srv.Close()
	sm := secretsmanager.New(secretsmanager.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), Credentials: aws.AnonymousCredentials{}})
	tests := []struct {
		arn     string
		wantErr bool
	}{
		{"arn:good", false},
		{"arn:short", true},
		{"arn:missing", true},
		{"", true},
	}
	for _, tc := range tests {
		t.Run(tc.arn, func(t *testing.T) {
			_, err := api.CursorKey(context.Background(), sm, tc.arn)
			if (err != nil) != tc.wantErr {
				t.Errorf("CursorKey(%q) = %v; want error %v", tc.arn, err, tc.wantErr)
			}
			if err != nil && strings.Contains(err.Error(), "too-short") {
				t.Errorf("CursorKey(%q) = %v; the error shows the secret", tc.arn, err)
			}
		})
	}
}
