package intake

import (
	"context"
	"encoding/json"
	"strings"

	lambdaevents "github.com/aws/aws-lambda-go/events"

	"github.com/borderdesk/borderdesk/events"
	"github.com/borderdesk/borderdesk/shared/errs"
)

// sesEventSource is what SES receiving's Lambda action puts in each record.
const sesEventSource = "aws:ses"

// HandleSES files the mails of one SES receiving invocation. The receipt rule's S3 action
// has stored each raw mail in the mail bucket at events.InboundMailPrefix + its SES message
// id before the Lambda action runs; the record carries only the headers, so the mail is read
// from there. Recipients are the receipt's (the envelope's, only ours), not the To header.
// A record that can never be filed (not a mail, no recipient a merchant owns) is logged and
// skipped; anything else fails the invocation, so Lambda retries it, and what was filed
// before is deduplicated on the retry.
func (h *Handler) HandleSES(ctx context.Context, ev lambdaevents.SimpleEmailEvent) error {
	if h.cfg.Mail == nil {
		return errs.E(errs.Internal, "intake has no mail bucket")
	}
	for _, r := range ev.Records {
		id := r.SES.Mail.MessageID
		log := h.cfg.Log.With("provider", MailProvider, "ses_message_id", id)
		if r.EventSource != sesEventSource || id == "" || strings.ContainsAny(id, "/\\") {
			log.Warn("ses record skipped: not an SES receipt of a stored mail", "event_source", r.EventSource)
			continue
		}
		key := events.InboundMailPrefix + id
		obj, err := h.cfg.Mail.GetObject(ctx, key)
		if err != nil {
			return err // not found too: S3's write may not be visible yet, and a retry will see it
		}
		rcpt := r.SES.Receipt
		at := rcpt.Timestamp
		if at.IsZero() {
			at = r.SES.Mail.Timestamp
		}
		err = h.ReceiveMail(ctx, InboundMail{
			Recipients: rcpt.Recipients, Raw: obj.Data, Key: key, ReceivedAt: at.UTC(),
			Trust: events.Trust{
				Spam: rcpt.SpamVerdict.Status, Virus: rcpt.VirusVerdict.Status, SPF: rcpt.SPFVerdict.Status,
				DKIM: rcpt.DKIMVerdict.Status, DMARC: rcpt.DMARCVerdict.Status,
			},
		})
		switch {
		case errs.Is(err, errs.Invalid), errs.Is(err, errs.NotFound):
			log.Warn("ses mail not filed", "key", key, "reason", errs.Message(err))
		case err != nil:
			return err
		}
	}
	return nil
}

// APIProxy is the HTTP side of the Lambda: the API Gateway adapter around the Handler.
type APIProxy func(context.Context, lambdaevents.APIGatewayV2HTTPRequest) (lambdaevents.APIGatewayV2HTTPResponse, error)

// Invoke is the one intake Lambda's entry point for both of its triggers: API Gateway HTTP
// events go to proxy, SES receiving invocations (Records[0].eventSource "aws:ses") to
// HandleSES. It tells them apart by the payload's shape, the only thing an invocation says.
func (h *Handler) Invoke(proxy APIProxy) func(context.Context, json.RawMessage) (any, error) {
	return func(ctx context.Context, payload json.RawMessage) (any, error) {
		var probe struct {
			Records []struct {
				EventSource string `json:"eventSource"`
			} `json:"Records"`
		}
		if json.Unmarshal(payload, &probe) == nil && len(probe.Records) > 0 && probe.Records[0].EventSource == sesEventSource {
			var ev lambdaevents.SimpleEmailEvent
			if err := json.Unmarshal(payload, &ev); err != nil {
				return nil, errs.Wrap(errs.Invalid, err, "decode SES receipt event")
			}
			// SES's Lambda action invoked asynchronously ignores the result; invoked
			// synchronously, no disposition means CONTINUE.
			return nil, h.HandleSES(ctx, ev)
		}
		var req lambdaevents.APIGatewayV2HTTPRequest
		if err := json.Unmarshal(payload, &req); err != nil {
			return nil, errs.Wrap(errs.Invalid, err, "decode API Gateway event")
		}
		return proxy(ctx, req)
	}
}
