// Package ses sends outbound mail through Amazon SES (API v2), as raw RFC 5322 messages so
// the threading headers shared/mail renders reach the customer as they are, and reads the
// delivery events SES publishes about them (event.go).
//
// Every send is tagged with the reply it carries (Ref: merchant, ticket, entry) and, when one
// is configured, sent through a configuration set whose event destination is EventBridge:
// SES then copies the tags into each of the message's events, which is how an event finds
// its reply's send marker, and its tenant, without a lookup by SES's message id.
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
	api       API
	configSet string
}

// Option configures a Sender.
type Option func(*Sender)

// ConfigurationSet sends through the configuration set name ("" for none: SES then publishes
// no delivery events for the sends).
func ConfigurationSet(name string) Option { return func(s *Sender) { s.configSet = name } }

// New returns a Sender on api.
func New(api API, opts ...Option) *Sender {
	s := &Sender{api: api}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Send renders m and sends it raw to m.To alone (the envelope names the recipient, so no
// header can add one), tagged with ref, returning SES's message id. An error SES answered is
// mail.ErrRefused: the message was not sent. Throttling and SES's own failures are transient.
func (s *Sender) Send(ctx context.Context, m mail.Message, ref Ref) (string, error) {
	raw, err := m.Render()
	if err != nil {
		return "", errs.Wrap(errs.Internal, err, "render %s", m.MessageID)
	}
	tags, err := ref.Tags()
	if err != nil {
		return "", fmt.Errorf("%w: %w", mail.ErrRefused, err) // nothing was sent
	}
	in := &sesv2.SendEmailInput{
		FromEmailAddress: aws.String(m.From.Address),
		Destination:      &types.Destination{ToAddresses: []string{m.To.Address}},
		Content:          &types.EmailContent{Raw: &types.RawMessage{Data: raw}},
		EmailTags:        tags,
	}
	if s.configSet != "" {
		in.ConfigurationSetName = aws.String(s.configSet)
	}
	out, err := s.api.SendEmail(ctx, in)
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
