package ticket

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/borderdesk/borderdesk/events"
	"github.com/borderdesk/borderdesk/shared/money"
)

// Describe is the timeline line for a system event, in plain words for the agent.
func Describe(f Fact) string {
	switch p, s := f.Payment, f.Shipment; {
	case f.Event.Type == events.PaymentFailed && p != nil:
		why := DeclineReason(p.DeclineCode)
		if why == "" {
			why = p.FailureMessage
		}
		return strings.TrimSpace(fmt.Sprintf("Payment of %s failed. %s", FormatMoney(p.Amount), why))
	case f.Event.Type == events.PaymentSucceeded && p != nil:
		return fmt.Sprintf("Payment of %s captured.", FormatMoney(p.Amount))
	case f.Event.Type == events.PaymentDisputeOpened && p != nil && p.Dispute != nil:
		return fmt.Sprintf("Chargeback opened for %s (reason: %s). Evidence due by %s.",
			FormatMoney(p.Dispute.Amount), p.Dispute.Reason, orDash(p.Dispute.EvidenceDueBy))
	case f.Event.Type == events.PaymentDisputeClosed && p != nil && p.Dispute != nil:
		return fmt.Sprintf("Chargeback closed: %s.", p.Dispute.Status)
	case (f.Event.Type == events.PaymentRefunded || f.Event.Type == events.PaymentRefundUpdated) && p != nil && p.Refund != nil:
		return fmt.Sprintf("Refund of %s: %s.", FormatMoney(p.Refund.Amount), strings.ReplaceAll(p.Refund.Status, "_", " "))
	case s != nil:
		line := fmt.Sprintf("%s parcel %s: %s", strings.ToUpper(s.Carrier), s.TrackingNumber, s.Status)
		if s.SubStatusMessage != "" {
			line += " — " + strings.TrimRight(s.SubStatusMessage, ". ")
		}
		if n := len(s.Checkpoints); n > 0 {
			line += ". Last scan: " + strings.TrimRight(s.Checkpoints[n-1].Message, ". ")
		}
		if f.Event.Type == events.ShipmentDelayed && s.ExpectedDelivery != "" {
			line += ". Expected " + s.ExpectedDelivery
		}
		return line + "."
	}
	return string(f.Event.Type)
}

// Params are the facts behind an event's timeline line, so a console can word the line in
// the agent's language and format amounts for their locale. Amounts are minor units.
func Params(f Fact) map[string]string {
	out := map[string]string{}
	set := func(k, v string) {
		if v != "" {
			out[k] = v
		}
	}
	if p := f.Payment; p != nil {
		set("amount", strconv.FormatInt(p.Amount.Amount, 10))
		set("currency", p.Amount.Currency)
		set("decline_code", p.DeclineCode)
		set("failure_message", p.FailureMessage)
		if d := p.Dispute; d != nil {
			set("amount", strconv.FormatInt(d.Amount.Amount, 10))
			set("currency", d.Amount.Currency)
			set("dispute_reason", d.Reason)
			set("dispute_status", d.Status)
			set("evidence_due_by", d.EvidenceDueBy)
		}
		if r := p.Refund; r != nil {
			set("amount", strconv.FormatInt(r.Amount.Amount, 10))
			set("currency", r.Amount.Currency)
			set("refund_status", r.Status)
		}
	}
	if s := f.Shipment; s != nil {
		set("carrier", s.Carrier)
		set("tracking_number", s.TrackingNumber)
		set("shipment_status", s.Status)
		set("sub_status_message", s.SubStatusMessage)
		set("expected_delivery", s.ExpectedDelivery)
		if n := len(s.Checkpoints); n > 0 {
			set("last_scan", s.Checkpoints[n-1].Message)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// declineReasons says in plain words what a card issuer's decline code means.
var declineReasons = map[string]string{
	"insufficient_funds":      "The card has insufficient funds.",
	"card_declined":           "The card was declined.",
	"generic_decline":         "The card was declined without a reason from the bank.",
	"expired_card":            "The card has expired.",
	"incorrect_cvc":           "The security code (CVC) was wrong.",
	"incorrect_number":        "The card number was wrong.",
	"lost_card":               "The card was reported lost.",
	"stolen_card":             "The card was reported stolen.",
	"fraudulent":              "The bank suspects fraud.",
	"do_not_honor":            "The bank refused the payment; the customer should call their bank.",
	"authentication_required": "The bank asked for 3-D Secure authentication that was not completed.",
	"processing_error":        "The bank had a processing error; a retry may work.",
	"card_velocity_exceeded":  "The card's spending limit was reached.",
}

// DeclineReason returns a plain-words explanation of code, or "".
func DeclineReason(code string) string { return declineReasons[code] }

// FormatMoney renders m for a log or timeline line ("49.90 EUR", "4500 JPY", "1.234 KWD"),
// with the currency's ISO 4217 decimals. The console formats money for the agent's locale.
func FormatMoney(m events.Money) string {
	return money.Format(m.Amount, m.Currency)
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
