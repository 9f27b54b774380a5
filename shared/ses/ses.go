// Package ses sends outbound mail through Amazon SES (API v2), as raw RFC 5322 messages so
// the threading headers shared/mail renders reach the customer as they are.
package ses

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/aws/smithy-go"

	"github.com/borderdesk/borderdesk/shared/errs"
	"github.com/borderdesk/borderdesk/shared/mail"
)

// API is the part of *sesv2.Client the sender calls.
type API interface {
	SendEmail(ctx context.Context, in *sesv2.SendEmailInput, opts ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error)
}

var _ API = (*sesv2.Client)(nil)

// Sender sends mail.Messages through SES.
type Sender struct {
	api API
}

// New returns a Sender on api.
func New(api API) *Sender { return &Sender{api: api} }

// Send renders m and sends it raw to m.To alone (the envelope names the recipient, so no
// header can add one), returning SES's message id. An error SES answered is mail.ErrRefused:
// the message was not sent. Throttling and SES's own failures are transient.
func (s *Sender) Send(ctx context.Context, m mail.Message) (string, error) {
	raw, err := m.Render()
	if err != nil {
		return "", errs.Wrap(errs.Internal, err, "render %s", m.MessageID)
	}
	out, err := s.api.SendEmail(ctx, &sesv2.SendEmailInput{
		FromEmailAddress: aws.String(m.From.Address),
		Destination:      &types.Destination{ToAddresses: []string{m.To.Address}},
		Content:          &types.EmailContent{Raw: &types.RawMessage{Data: raw}},
	})
	if err != nil {
		var api smithy.APIError
		if errors.As(err, &api) {
			kind := errs.Invalid
			if transient(api.ErrorCode()) {
				kind = errs.Transient
			}
			return "", errs.Wrap(kind, fmt.Errorf("%w: %w", mail.ErrRefused, err), "ses send %s: %s", m.MessageID, api.ErrorCode())
		}
		return "", errs.Wrap(errs.Transient, err, "ses send %s: outcome unknown", m.MessageID)
	}
	return aws.ToString(out.MessageId), nil
}

func transient(code string) bool {
	switch code {
	case "TooManyRequestsException", "ThrottlingException", "LimitExceededException", "SendingPausedException",
		"InternalFailure", "ServiceUnavailable", "InternalServerError":
		return true
	}
	return false
}
