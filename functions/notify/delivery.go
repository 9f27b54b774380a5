package notify

// SES's delivery events onto the reply's send marker.
//
// SES publishes the events of each message it sent through the configuration set (Send,
// Delivery, DeliveryDelay, Bounce, Complaint, Reject, Rendering Failure) to EventBridge, whose
// rule puts them on notify's queue; the message's tags (shared/ses.Ref) name the merchant and
// the reply's entry, so the tenant comes from the tag and the marker is read by its key. An
// event whose marker does not exist, or names another SES message than the marker's, is
// logged and dropped: it never creates a marker.
//
// Events arrive at least once and in any order, so a marker only moves forward. The states
// rank
//
//	sending < sent < delayed < delivered < bounced = failed < complained
//
// and an event moves the marker only to a state of higher rank: a delivery after a bounce
// keeps "bounced"; a bounce after a delivery becomes "bounced" (SES reports an asynchronous
// bounce, a mail the receiving server accepted and then returned, that way); a delay after
// the delivery is old news; a complaint is the last word, as it can only follow a delivery.
// Bounced and failed share a rank: whichever SES reported first stays. A repeated event
// changes nothing. The move itself is a compare-and-set on the state read, retried when
// another event moved the marker in between.
//
// A permanent bounce or a complaint also puts the recipient on the merchant's suppression
// list, whatever the marker's state: later replies to that address are not sent (notify.go).
// A transient bounce (SES gave up after retrying) or an undetermined one does not.

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"time"

	lambdaevents "github.com/aws/aws-lambda-go/events"

	"github.com/borderdesk/borderdesk/shared/dynamo"
	"github.com/borderdesk/borderdesk/shared/errs"
	"github.com/borderdesk/borderdesk/shared/ses"
)

// rank orders the marker states; an unknown state ranks below all.
func rank(state string) int {
	switch state {
	case dynamo.SendClaimed:
		return 1
	case dynamo.SendDone:
		return 2
	case dynamo.SendDelayed:
		return 3
	case dynamo.SendDelivered:
		return 4
	case dynamo.SendBounced, dynamo.SendFailed:
		return 5
	case dynamo.SendComplained:
		return 6
	}
	return 0
}

// Next is the marker cur after SES event ev, and whether ev moves it at all. It is the
// whole ordering rule, a pure function of the two.
func Next(cur dynamo.Delivery, ev ses.Event) (dynamo.Delivery, bool) {
	d, ok := outcome(ev)
	if !ok || rank(d.State) <= rank(cur.State) {
		return cur, false
	}
	d.At, d.ProviderID = ev.At(), ev.Mail.MessageID
	return d, true
}

// outcome is the state and the reason in plain words that ev reports; false for an event
// notify does not follow.
func outcome(ev ses.Event) (dynamo.Delivery, bool) {
	switch {
	case ev.EventType == ses.EventSend:
		return dynamo.Delivery{State: dynamo.SendDone}, true
	case ev.EventType == ses.EventDelivery:
		return dynamo.Delivery{State: dynamo.SendDelivered}, true
	case ev.EventType == ses.EventDeliveryDelay && ev.DeliveryDelay != nil:
		reason := "delayed: " + delayWords(ev.DeliveryDelay.DelayType)
		if !ev.DeliveryDelay.ExpirationTime.IsZero() {
			reason += "; SES keeps trying until " + ev.DeliveryDelay.ExpirationTime.UTC().Format("2 Jan 15:04 UTC")
		}
		return dynamo.Delivery{State: dynamo.SendDelayed, Reason: reason}, true
	case ev.EventType == ses.EventBounce && ev.Bounce != nil:
		words, codes := bounceWords(*ev.Bounce)
		reason := "not delivered: " + words
		if codes != "" {
			reason += " (" + codes + ")"
		}
		return dynamo.Delivery{State: dynamo.SendBounced, Reason: reason}, true
	case ev.EventType == ses.EventComplaint:
		return dynamo.Delivery{State: dynamo.SendComplained, Reason: "delivered, but the customer marked it as spam"}, true
	case ev.EventType == ses.EventReject:
		reason := "not sent: SES found a virus in it"
		if ev.Reject != nil && ev.Reject.Reason != "" {
			reason += " (" + ev.Reject.Reason + ")"
		}
		return dynamo.Delivery{State: dynamo.SendFailed, Reason: reason}, true
	case ev.EventType == ses.EventRenderingFailure:
		reason := "not sent: SES could not render it"
		if ev.Failure != nil && ev.Failure.ErrorMessage != "" {
			reason += " (" + ev.Failure.ErrorMessage + ")"
		}
		return dynamo.Delivery{State: dynamo.SendFailed, Reason: reason}, true
	}
	return dynamo.Delivery{}, false
}

// smtpCode finds the SMTP reply code in a diagnostic code ("smtp; 550 5.1.1 …").
var smtpCode = regexp.MustCompile(`\b([245][0-9][0-9])[ -]`)

// bounceWords says why a bounce happened, and the codes the receiving server gave
// ("550 5.1.1"), from SES's bounce subtype and the recipient's status.
func bounceWords(b ses.Bounce) (words, codes string) {
	var status, smtp string
	if len(b.BouncedRecipients) > 0 {
		r := b.BouncedRecipients[0]
		status = r.Status
		if m := smtpCode.FindStringSubmatch(r.DiagnosticCode); m != nil {
			smtp = m[1]
		}
	}
	codes = strings.TrimSpace(smtp + " " + status)
	switch b.BounceType + "/" + b.BounceSubType {
	case "Permanent/NoEmail":
		return "the address does not exist", codes
	case "Permanent/Suppressed":
		return "the address is on SES's global suppression list", codes
	case "Permanent/OnAccountSuppressionList":
		return "the address is on the account's suppression list", codes
	case "Transient/MailboxFull":
		return "mailbox full", codes
	case "Transient/MessageTooLarge":
		return "the message is too large for the mailbox", codes
	case "Transient/ContentRejected":
		return "the receiving server rejected its content", codes
	case "Transient/AttachmentRejected":
		return "the receiving server rejected an attachment", codes
	}
	switch {
	case strings.HasPrefix(status, "5.1.1"), strings.HasPrefix(status, "5.1.10"):
		return "mailbox does not exist", codes
	case strings.HasPrefix(status, "5.1.2"):
		return "the domain does not accept mail", codes
	case strings.HasPrefix(status, "5.2.2"), strings.HasPrefix(status, "4.2.2"):
		return "mailbox full", codes
	case strings.HasPrefix(status, "5.7."):
		return "the receiving server refused it by policy", codes
	case b.BounceType == ses.BounceTransient:
		return "the receiving server kept refusing it for now, and SES gave up", codes
	case b.BounceType == ses.BounceUndetermined:
		return "the receiving server gave no reason", codes
	}
	return "the receiving server refused it", codes
}

func delayWords(t string) string {
	switch t {
	case "MailboxFull":
		return "mailbox full"
	case "SpamDetected":
		return "the receiving server suspects spam"
	case "RecipientServerError", "TransientCommunicationFailure", "IPFailure", "BYOIPHostNameLookupUnavailable":
		return "the receiving server is not answering"
	case "InternalFailure", "SendingDeferral":
		return "SES is holding it back for now"
	}
	return "the receiving server has not taken it yet"
}

// suppressedReason says why a reply to a suppressed address was not sent.
func suppressedReason(sup dynamo.Suppression, now time.Time) string {
	layout := "2 Jan"
	if sup.At.Year() != now.Year() {
		layout = "2 Jan 2006"
	}
	on := sup.At.UTC().Format(layout)
	if sup.Why == dynamo.SuppressComplained {
		return fmt.Sprintf("not sent: %s marked an earlier reply as spam on %s", sup.Address, on)
	}
	if sup.Detail == "" {
		return fmt.Sprintf("not sent: %s bounced on %s", sup.Address, on)
	}
	return fmt.Sprintf("not sent: %s bounced on %s (%s)", sup.Address, on, sup.Detail)
}

// suppression is the suppression list entry ev implies, if any: the bounced recipient of a
// permanent bounce, the complaining one of a complaint.
func suppression(ev ses.Event, entryID string) (dynamo.Suppression, bool) {
	switch {
	case ev.Bounce != nil && ev.Bounce.BounceType == ses.BouncePermanent:
		words, _ := bounceWords(*ev.Bounce)
		return dynamo.Suppression{Address: firstAddress(ev.Bounce.BouncedRecipients, ev.Mail.Destination), Why: dynamo.SuppressBounced,
			Detail: words, At: ev.At(), EntryID: entryID}, true
	case ev.Complaint != nil:
		return dynamo.Suppression{Address: firstAddress(ev.Complaint.ComplainedRecipients, ev.Mail.Destination), Why: dynamo.SuppressComplained,
			Detail: "marked a reply as spam", At: ev.At(), EntryID: entryID}, true
	}
	return dynamo.Suppression{}, false
}

func firstAddress(rs []ses.Recipient, destination []string) string {
	if len(rs) > 0 && rs[0].EmailAddress != "" {
		return rs[0].EmailAddress
	}
	if len(destination) > 0 {
		return destination[0]
	}
	return ""
}

// maxMoves bounds the compare-and-set loop; each lost race means another event moved the
// marker, and a later one will settle it.
const maxMoves = 4

// delivery applies one SES event from the queue. A malformed event is poison; one about mail
// that is not ours, or whose marker does not exist, is dropped.
func (h *Handler) delivery(ctx context.Context, env lambdaevents.CloudWatchEvent, log *slog.Logger) error {
	if env.Source != ses.Source {
		log.Error("poison message: notify follows SES's events only")
		return errs.E(errs.Invalid, "unexpected source %s", env.Source)
	}
	ev, err := ses.ParseEvent(env.Detail)
	if err != nil {
		log.Error("poison message: cannot decode SES event", "err", err.Error())
		return err
	}
	log = log.With("event_type", ev.EventType, "provider_message_id", ev.Mail.MessageID)
	ref, err := ev.Ref()
	if err != nil {
		log.Warn("SES event for mail notify did not tag; dropped", "err", err.Error())
		return nil
	}
	log = log.With("merchant_id", ref.MerchantID, "ticket_id", ref.TicketID, "entry_id", ref.EntryID)
	suppressed := false
	for range maxMoves {
		cur, err := h.store.Delivery(ctx, ref.MerchantID, ref.EntryID)
		switch {
		case errs.Is(err, errs.NotFound):
			log.Warn("SES event for a reply with no send marker; dropped")
			return nil
		case err != nil:
			log.Error("read send marker failed; will retry", "err", err.Error())
			return err
		case cur.ProviderID != "" && cur.ProviderID != ev.Mail.MessageID:
			log.Warn("SES event for another message than the reply's; dropped", "marker_provider_message_id", cur.ProviderID)
			return nil
		}
		if !suppressed {
			if err := h.suppress(ctx, log, ref, ev); err != nil {
				return err
			}
			suppressed = true
		}
		next, ok := Next(cur, ev)
		if !ok {
			log.Info("delivery event changes nothing", "state", cur.State)
			return nil
		}
		switch err := h.store.SetDelivery(ctx, ref.MerchantID, ref.EntryID, cur.State, next); {
		case err == nil:
			log.Info("delivery state", "from", cur.State, "state", next.State, "reason", next.Reason)
			return nil
		case errs.Is(err, errs.NotFound):
			log.Warn("send marker gone; event dropped")
			return nil
		case !errs.Is(err, errs.Conflict):
			log.Error("record delivery state failed; will retry", "err", err.Error())
			return err
		}
	}
	log.Warn("send marker kept moving; the event is retried")
	return errs.E(errs.Transient, "send marker of %s kept moving", ref.EntryID)
}

func (h *Handler) suppress(ctx context.Context, log *slog.Logger, ref ses.Ref, ev ses.Event) error {
	sup, ok := suppression(ev, ref.EntryID)
	if !ok || sup.Address == "" {
		return nil
	}
	if err := h.store.Suppress(ctx, ref.MerchantID, sup); err != nil {
		log.Error("suppress address failed; will retry", "err", err.Error())
		return err
	}
	log.Warn("address suppressed: replies to it will not be sent", "why", sup.Why, "detail", sup.Detail)
	return nil
}
