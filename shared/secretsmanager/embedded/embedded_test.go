package embedded_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/borderdesk/borderdesk/shared/secretsmanager/embedded"
)

// TestProtocol drives the server with the real client, as the adapter and the admin command
// do, and holds its answers to what Secrets Manager documents: ARNs with a random suffix,
// AWSCURRENT and AWSPREVIOUS versions, dates, and its exceptions by type.
func TestProtocol(t *testing.T) {
	ctx := context.Background()
	sm, err := embedded.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer sm.Close()
	c := sm.Client
	name := aws.String("borderdesk/merchants/acme/webhooks")

	_, err = c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: name})
	var missing *types.ResourceNotFoundException
	if !errors.As(err, &missing) {
		t.Fatalf("GetSecretValue before CreateSecret = %v; want ResourceNotFoundException", err)
	}
	created, err := c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: name, SecretString: aws.String("v1")})
	if err != nil || !strings.HasPrefix(aws.ToString(created.ARN), "arn:aws:secretsmanager:us-east-1:123456789012:secret:borderdesk/merchants/acme/webhooks-") ||
		len(aws.ToString(created.ARN)) != len("arn:aws:secretsmanager:us-east-1:123456789012:secret:borderdesk/merchants/acme/webhooks-")+6 {
		t.Fatalf("CreateSecret = %+v, %v; want an ARN of the name, a dash and six characters", created, err)
	}
	var exists *types.ResourceExistsException
	if _, err := c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: name, SecretString: aws.String("again")}); !errors.As(err, &exists) {
		t.Errorf("CreateSecret of an existing name = %v; want ResourceExistsException", err)
	}
	put, err := c.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: created.ARN, SecretString: aws.String("v2")})
	if err != nil || len(put.VersionStages) != 1 || put.VersionStages[0] != "AWSCURRENT" {
		t.Fatalf("PutSecretValue by ARN = %+v, %v; want the AWSCURRENT version", put, err)
	}
	tests := []struct {
		stage, want string
	}{
		{"", "v2"},
		{"AWSCURRENT", "v2"},
		{"AWSPREVIOUS", "v1"},
		{"AWSPENDING", ""}, // no such version: not found
	}
	for _, tc := range tests {
		in := &secretsmanager.GetSecretValueInput{SecretId: name}
		if tc.stage != "" {
			in.VersionStage = aws.String(tc.stage)
		}
		out, err := c.GetSecretValue(ctx, in)
		if tc.want == "" {
			if !errors.As(err, &missing) {
				t.Errorf("GetSecretValue(%s) = %v; want ResourceNotFoundException", tc.stage, err)
			}
			continue
		}
		if err != nil || aws.ToString(out.SecretString) != tc.want || aws.ToString(out.ARN) != aws.ToString(created.ARN) || out.CreatedDate == nil {
			t.Errorf("GetSecretValue(%q) = %+v, %v; want %q with the ARN and a date", tc.stage, out, err, tc.want)
		}
	}
	d, err := c.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: name})
	if err != nil || len(d.VersionIdsToStages) != 2 || d.LastChangedDate == nil || time.Since(*d.LastChangedDate) > time.Minute {
		t.Errorf("DescribeSecret = %+v, %v; want two versions (current, previous) and a recent LastChangedDate", d, err)
	}
	if n := sm.Requests("GetSecretValue"); n != 5 {
		t.Errorf("Requests(GetSecretValue) = %d; want 5", n)
	}
}
