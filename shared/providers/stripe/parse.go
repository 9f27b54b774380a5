package stripe

import (
	"bytes"
	"encoding/json"
	"time"

	"github.com/borderdesk/borderdesk/events"
	"github.com/borderdesk/borderdesk/shared/errs"
	"github.com/borderdesk/borderdesk/shared/providers/provider"
)

// Parse decodes a verified Stripe event. A body that is not a Stripe event, or whose object
// does not decode, is errs.Invalid; an event type Borderdesk does not handle yields no
// catalog events and no error.
//
// The payload is decoded into the few fields mapped here rather than into stripe-go's types:
// a merchant's endpoint may be on any API version, and stripe-go's types follow one.
//
// In the data of every event, Payment.Amount and Payment.Status are those of the object the
// event is about: the payment intent, the charge, the dispute or the refund.
func (p *Provider) Parse(merchantID string, body []byte) (provider.Parsed, error) {
	var e event
	if err := json.Unmarshal(body, &e); err != nil {
		return provider.Parsed{}, errs.Wrap(errs.Invalid, err, "malformed Stripe event JSON")
	}
	if err := provider.CheckIDs("Stripe event", "id", e.ID); err != nil {
		return provider.Parsed{}, err
	}
	switch {
	case e.ID == "":
		return provider.Parsed{}, errs.E(errs.Invalid, "Stripe event has no id")
	case e.Type == "":
		return provider.Parsed{}, errs.E(errs.Invalid, "Stripe event %s has no type", e.ID)
	case e.Created == 0:
		return provider.Parsed{}, errs.E(errs.Invalid, "Stripe event %s has no created time", e.ID)
	}
	created, ok := provider.UnixTime(e.Created)
	if !ok {
		return provider.Parsed{}, errs.E(errs.Invalid, "Stripe event %s has created %d, outside 1970 to 9999", e.ID, e.Created)
	}
	parsed := provider.Parsed{EventID: e.ID, Type: e.Type, OccurredAt: created}

	detailType, data, err := mapEvent(e)
	if err != nil {
		return provider.Parsed{}, err
	}
	if detailType == "" {
		return parsed, nil
	}
	if err := checkIDs(e.ID, data); err != nil {
		return provider.Parsed{}, err
	}
	ev, err := events.New(detailType, provider.EventID(Name, e.ID, 0), merchantID, Name, e.ID, parsed.OccurredAt, data)
	if err != nil {
		return provider.Parsed{}, errs.Wrap(errs.Internal, err, "build %s event", detailType)
	}
	parsed.Events = []events.Event{ev}
	return parsed, nil
}

// checkIDs refuses a payment whose references could not be table keys.
func checkIDs(eventID string, p events.Payment) error {
	ids := []string{"payment id", p.PaymentID, "charge id", p.ChargeID, "order id", p.OrderID, "customer email", p.Customer.Email}
	if p.Dispute != nil {
		ids = append(ids, "dispute id", p.Dispute.ID)
	}
	if p.Refund != nil {
		ids = append(ids, "refund id", p.Refund.ID)
	}
	return provider.CheckIDs("Stripe event "+eventID, ids...)
}

// mapEvent returns the catalog type and data of e, or "" for a type not handled.
func mapEvent(e event) (events.DetailType, events.Payment, error) {
	switch e.Type {
	case "payment_intent.payment_failed":
		var pi paymentIntent
		if err := e.decodeObject(&pi); err != nil {
			return "", events.Payment{}, err
		}
		return events.PaymentFailed, pi.payment(), nil
	case "payment_intent.succeeded":
		var pi paymentIntent
		if err := e.decodeObject(&pi); err != nil {
			return "", events.Payment{}, err
		}
		return events.PaymentSucceeded, pi.payment(), nil
	case "charge.failed":
		var ch charge
		if err := e.decodeObject(&ch); err != nil {
			return "", events.Payment{}, err
		}
		return events.PaymentFailed, ch.failedPayment(), nil
	case "charge.dispute.created", "charge.dispute.closed":
		var d dispute
		if err := e.decodeObject(&d); err != nil {
			return "", events.Payment{}, err
		}
		t := events.PaymentDisputeOpened
		if e.Type == "charge.dispute.closed" {
			t = events.PaymentDisputeClosed
		}
		return t, d.payment(), nil
	case "charge.refunded":
		var ch charge
		if err := e.decodeObject(&ch); err != nil {
			return "", events.Payment{}, err
		}
		return events.PaymentRefunded, ch.refundedPayment(), nil
	case "refund.updated":
		var r refund
		if err := e.decodeObject(&r); err != nil {
			return "", events.Payment{}, err
		}
		return events.PaymentRefundUpdated, r.payment(), nil
	}
	return "", events.Payment{}, nil
}

// event is the Stripe event envelope.
type event struct {
	ID      string `json:"id"`
	Type    string `json:"type"`
	Created int64  `json:"created"`
	Data    struct {
		Object json.RawMessage `json:"object"`
	} `json:"data"`
}

// decodeObject reads data.object into v, which must then carry an id.
func (e event) decodeObject(v interface{ objectID() string }) error {
	if len(e.Data.Object) == 0 || bytes.Equal(e.Data.Object, []byte("null")) {
		return errs.E(errs.Invalid, "Stripe event %s has no data.object", e.ID)
	}
	if err := json.Unmarshal(e.Data.Object, v); err != nil {
		return errs.Wrap(errs.Invalid, err, "malformed data.object in Stripe event %s (%s)", e.ID, e.Type)
	}
	if v.objectID() == "" {
		return errs.E(errs.Invalid, "data.object of Stripe event %s has no id", e.ID)
	}
	return nil
}

// expandable is a reference Stripe sends either as an id or, when expanded, as the object.
// Webhooks send ids, but a value that is an object still yields its id.
type expandable string

func (x *expandable) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		*x = ""
		return nil
	}
	if len(b) > 0 && b[0] == '{' {
		var obj struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(b, &obj); err != nil {
			return err
		}
		*x = expandable(obj.ID)
		return nil
	}
	var id string
	if err := json.Unmarshal(b, &id); err != nil {
		return err
	}
	*x = expandable(id)
	return nil
}

type address struct {
	Country string `json:"country"`
}

type billingDetails struct {
	Email   string  `json:"email"`
	Name    string  `json:"name"`
	Address address `json:"address"`
}

type shipping struct {
	Name    string  `json:"name"`
	Address address `json:"address"`
}

type paymentIntent struct {
	ID               string            `json:"id"`
	Amount           int64             `json:"amount"`
	Currency         string            `json:"currency"`
	Status           string            `json:"status"`
	LatestCharge     expandable        `json:"latest_charge"`
	ReceiptEmail     string            `json:"receipt_email"`
	Metadata         map[string]string `json:"metadata"`
	Shipping         *shipping         `json:"shipping"`
	LastPaymentError *struct {
		Charge        string `json:"charge"`
		Code          string `json:"code"`
		DeclineCode   string `json:"decline_code"`
		Message       string `json:"message"`
		PaymentMethod *struct {
			BillingDetails billingDetails `json:"billing_details"`
		} `json:"payment_method"`
	} `json:"last_payment_error"`
}

func (pi paymentIntent) objectID() string { return pi.ID }

func (pi paymentIntent) payment() events.Payment {
	p := events.Payment{
		PaymentID: pi.ID,
		ChargeID:  string(pi.LatestCharge),
		OrderID:   orderID(pi.Metadata),
		Amount:    events.Money{Amount: pi.Amount, Currency: pi.Currency},
		Status:    pi.Status,
	}
	var billing billingDetails
	if lpe := pi.LastPaymentError; lpe != nil {
		p.ChargeID = first(p.ChargeID, lpe.Charge)
		p.DeclineCode = first(lpe.DeclineCode, lpe.Code)
		p.FailureMessage = lpe.Message
		if lpe.PaymentMethod != nil {
			billing = lpe.PaymentMethod.BillingDetails
		}
	}
	p.Customer = customer(first(pi.ReceiptEmail, billing.Email), billing, pi.Shipping)
	return p
}

type refund struct {
	ID            string            `json:"id"`
	Amount        int64             `json:"amount"`
	Currency      string            `json:"currency"`
	Status        string            `json:"status"`
	Reason        string            `json:"reason"`
	FailureReason string            `json:"failure_reason"`
	Charge        expandable        `json:"charge"`
	PaymentIntent expandable        `json:"payment_intent"`
	Metadata      map[string]string `json:"metadata"`
}

func (r refund) objectID() string { return r.ID }

func (r refund) payment() events.Payment {
	amount := events.Money{Amount: r.Amount, Currency: r.Currency}
	return events.Payment{
		PaymentID: first(string(r.PaymentIntent), string(r.Charge)),
		ChargeID:  string(r.Charge),
		OrderID:   orderID(r.Metadata),
		Amount:    amount,
		Status:    r.Status,
		// Why a refund failed (e.g. "expired_or_canceled_card"); the catalog's Refund has no
		// field of its own for it.
		FailureMessage: r.FailureReason,
		Refund:         &events.Refund{ID: r.ID, Status: r.Status, Amount: amount, Reason: r.Reason},
	}
}

type charge struct {
	ID             string            `json:"id"`
	Amount         int64             `json:"amount"`
	AmountRefunded int64             `json:"amount_refunded"`
	Currency       string            `json:"currency"`
	Status         string            `json:"status"`
	Refunded       bool              `json:"refunded"`
	FailureCode    string            `json:"failure_code"`
	FailureMessage string            `json:"failure_message"`
	PaymentIntent  expandable        `json:"payment_intent"`
	ReceiptEmail   string            `json:"receipt_email"`
	BillingDetails billingDetails    `json:"billing_details"`
	Shipping       *shipping         `json:"shipping"`
	Metadata       map[string]string `json:"metadata"`
	Outcome        *struct {
		Reason        string `json:"reason"`
		SellerMessage string `json:"seller_message"`
	} `json:"outcome"`
	// Refunds is listed only by API versions before 2022-11-15, newest first.
	Refunds *struct {
		Data []refund `json:"data"`
	} `json:"refunds"`
}

func (ch charge) objectID() string { return ch.ID }

func (ch charge) basePayment() events.Payment {
	return events.Payment{
		PaymentID: first(string(ch.PaymentIntent), ch.ID),
		ChargeID:  ch.ID,
		OrderID:   orderID(ch.Metadata),
		Customer:  customer(first(ch.BillingDetails.Email, ch.ReceiptEmail), ch.BillingDetails, ch.Shipping),
		Amount:    events.Money{Amount: ch.Amount, Currency: ch.Currency},
		Status:    ch.Status,
	}
}

func (ch charge) failedPayment() events.Payment {
	p := ch.basePayment()
	// outcome.reason carries the issuer's decline code ("insufficient_funds") or Radar's
	// reason; failure_code is the coarser "card_declined".
	p.DeclineCode = ch.FailureCode
	p.FailureMessage = ch.FailureMessage
	if o := ch.Outcome; o != nil {
		p.DeclineCode = first(o.Reason, p.DeclineCode)
		p.FailureMessage = first(p.FailureMessage, o.SellerMessage)
	}
	return p
}

// refundedPayment describes the charge's refunds as a whole: Refund.Amount is the total
// refunded so far and Refund.Status is "refunded" or "partially_refunded", because recent API
// versions no longer list the refunds on the charge. When they are listed, the newest one
// gives Refund.ID and Refund.Reason.
func (ch charge) refundedPayment() events.Payment {
	p := ch.basePayment()
	r := &events.Refund{
		Status: "partially_refunded",
		Amount: events.Money{Amount: ch.AmountRefunded, Currency: ch.Currency},
	}
	if ch.Refunded {
		r.Status = "refunded"
	}
	if ch.Refunds != nil && len(ch.Refunds.Data) > 0 {
		r.ID, r.Reason = ch.Refunds.Data[0].ID, ch.Refunds.Data[0].Reason
	}
	p.Refund = r
	return p
}

type dispute struct {
	ID              string            `json:"id"`
	Amount          int64             `json:"amount"`
	Currency        string            `json:"currency"`
	Reason          string            `json:"reason"`
	Status          string            `json:"status"`
	Charge          expandable        `json:"charge"`
	PaymentIntent   expandable        `json:"payment_intent"`
	Metadata        map[string]string `json:"metadata"`
	EvidenceDetails *struct {
		DueBy int64 `json:"due_by"`
	} `json:"evidence_details"`
	Evidence *struct {
		CustomerEmailAddress string `json:"customer_email_address"`
		CustomerName         string `json:"customer_name"`
	} `json:"evidence"`
}

func (d dispute) objectID() string { return d.ID }

func (d dispute) payment() events.Payment {
	amount := events.Money{Amount: d.Amount, Currency: d.Currency}
	p := events.Payment{
		PaymentID: first(string(d.PaymentIntent), string(d.Charge)),
		ChargeID:  string(d.Charge),
		OrderID:   orderID(d.Metadata),
		Amount:    amount,
		Status:    d.Status,
		Dispute:   &events.Dispute{ID: d.ID, Reason: d.Reason, Status: d.Status, Amount: amount},
	}
	if d.EvidenceDetails != nil {
		// A due date outside RFC 3339's years is no date a consumer could read; leave it out.
		if due, ok := provider.UnixTime(d.EvidenceDetails.DueBy); ok {
			p.Dispute.EvidenceDueBy = due.Format(time.RFC3339)
		}
	}
	// A dispute carries no billing details; the evidence is the merchant's own draft and is
	// often empty when the dispute opens.
	if ev := d.Evidence; ev != nil {
		p.Customer = events.Customer{Email: ev.CustomerEmailAddress, Name: ev.CustomerName}
	}
	return p
}

func customer(email string, billing billingDetails, ship *shipping) events.Customer {
	c := events.Customer{Email: email, Name: billing.Name, Country: billing.Address.Country}
	if ship != nil {
		c.Name = first(c.Name, ship.Name)
		c.Country = first(c.Country, ship.Address.Country)
	}
	return c
}

// orderID reads the merchant's order reference from Stripe metadata.
func orderID(metadata map[string]string) string {
	return first(metadata["order_id"], metadata["order_number"])
}

// first returns the first non-empty string.
func first(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
