package api

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/borderdesk/borderdesk/shared/ticket"
)

// CursorKeyEnv names the Secrets Manager secret that signs the inbox's cursors (the CDK
// stack's cursorKeyEnv).
const CursorKeyEnv = "CURSOR_KEY_ARN"

// SecretReader is the part of *secretsmanager.Client CursorKey calls.
type SecretReader interface {
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, opts ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
}

// CursorKey reads the cursor key from the secret arn names. The Lambda reads it once at
// init: every instance signs and verifies with the same key, so a cursor from one is good on
// any other, and a request never waits on Secrets Manager. The error never shows the secret.
func CursorKey(ctx context.Context, sm SecretReader, arn string) (ticket.Cursors, error) {
	if arn == "" {
		return ticket.Cursors{}, fmt.Errorf("%s is not set", CursorKeyEnv)
	}
	out, err := sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(arn)})
	if err != nil {
		return ticket.Cursors{}, fmt.Errorf("read the cursor key: %w", err)
	}
	c, err := ticket.NewCursors([]byte(aws.ToString(out.SecretString)))
	if err != nil {
		return ticket.Cursors{}, fmt.Errorf("cursor key %s: %w", arn, err)
	}
	return c, nil
}
