// Package secretsmanager is the AWS Secrets Manager adapter for merchants' webhook secrets:
// one secret per merchant, named <prefix><merchant id>/webhooks, whose value is the JSON of
// merchant.WebhookSecrets ({"stripe": ["whsec_new", "whsec_old"], "aftership": [...]}).
// The admin command writes them; intake reads them.
package secretsmanager

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssm "github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/smithy-go"

	"github.com/borderdesk/borderdesk/shared/errs"
	"github.com/borderdesk/borderdesk/shared/merchant"
)

// DefaultPrefix starts the name of every merchant's secret. The cloud stack grants intake
// GetSecretValue on the secrets under it, and nothing else.
const DefaultPrefix = "borderdesk/merchants/"

// Store reads and writes merchants' webhook secrets.
type Store struct {
	client *awssm.Client
	prefix string
}

// New returns a Store of the secrets named under prefix (DefaultPrefix when "").
func New(client *awssm.Client, prefix string) *Store {
	if prefix == "" {
		prefix = DefaultPrefix
	}
	return &Store{client: client, prefix: prefix}
}

// Name is the name of merchantID's secret.
func (s *Store) Name(merchantID string) string { return s.prefix + merchantID + "/webhooks" }

// Secrets reads merchantID's webhook secrets: the secret's current version. A merchant
// without a secret is errs.NotFound.
func (s *Store) Secrets(ctx context.Context, merchantID string) (merchant.WebhookSecrets, error) {
	name := s.Name(merchantID)
	out, err := s.client.GetSecretValue(ctx, &awssm.GetSecretValueInput{SecretId: aws.String(name)})
	if err != nil {
		return nil, classify(err, "read the webhook secrets of %s", merchantID)
	}
	return decode(name, aws.ToString(out.SecretString))
}

// decode parses a secret's value. Its errors never quote the value: JSON's syntax errors
// name the character they stopped at, which would be a piece of a secret.
func decode(name, value string) (merchant.WebhookSecrets, error) {
	var ws merchant.WebhookSecrets
	if err := json.Unmarshal([]byte(value), &ws); err != nil || ws == nil {
		return nil, errs.E(errs.Internal, "secret %s is not a JSON object of providers' lists of secrets", name)
	}
	for p, list := range ws {
		for _, v := range list {
			if v == "" {
				return nil, errs.E(errs.Internal, "secret %s has an empty %s secret", name, p)
			}
		}
	}
	return ws, nil
}

// PutSecrets makes ws merchantID's webhook secrets: a new current version of its secret,
// which is created when the merchant has none yet.
func (s *Store) PutSecrets(ctx context.Context, merchantID string, ws merchant.WebhookSecrets) error {
	if ws == nil {
		ws = merchant.WebhookSecrets{}
	}
	value, err := json.Marshal(ws)
	if err != nil {
		return errs.Wrap(errs.Internal, err, "encode webhook secrets")
	}
	name := s.Name(merchantID)
	put := func() error {
		_, err := s.client.PutSecretValue(ctx, &awssm.PutSecretValueInput{SecretId: aws.String(name), SecretString: aws.String(string(value))})
		return err
	}
	err = put()
	var missing *types.ResourceNotFoundException
	if !errors.As(err, &missing) {
		return classify(err, "write the webhook secrets of %s", merchantID)
	}
	_, err = s.client.CreateSecret(ctx, &awssm.CreateSecretInput{
		Name:         aws.String(name),
		Description:  aws.String(fmt.Sprintf("Borderdesk: webhook signing secrets of merchant %s (intake reads them)", merchantID)),
		SecretString: aws.String(string(value)),
	})
	var exists *types.ResourceExistsException
	if errors.As(err, &exists) { // another writer created it first: ours is the newer value
		err = put()
	}
	return classify(err, "create the webhook secrets of %s", merchantID)
}

// Changed is when merchantID's secrets last changed: a change is in effect everywhere once
// intake's cache has expired after it.
func (s *Store) Changed(ctx context.Context, merchantID string) (time.Time, error) {
	out, err := s.client.DescribeSecret(ctx, &awssm.DescribeSecretInput{SecretId: aws.String(s.Name(merchantID))})
	if err != nil {
		return time.Time{}, classify(err, "describe the webhook secrets of %s", merchantID)
	}
	return aws.ToTime(out.LastChangedDate).UTC(), nil
}

// classify turns Secrets Manager's errors into the error vocabulary: a missing secret is
// not-found; what no retry mends (access denied, a key that cannot decrypt, a secret
// scheduled for deletion) is internal; the rest (throttling the SDK's retries did not
// absorb, a network failure) is transient.
func classify(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	var missing *types.ResourceNotFoundException
	if errors.As(err, &missing) {
		return errs.Wrap(errs.NotFound, err, format+": no such secret", args...)
	}
	var api smithy.APIError
	if errors.As(err, &api) {
		switch api.ErrorCode() {
		case "AccessDeniedException", "DecryptionFailure", "InvalidRequestException", "InvalidParameterException":
			return errs.Wrap(errs.Internal, err, format, args...)
		}
	}
	return errs.Wrap(errs.Transient, err, format, args...)
}
