// Package demo owns Borderdesk's sample traffic: realistic, correctly signed provider
// webhooks and customer messages for one merchant, and the sender that posts them to a
// running Borderdesk (`make demo`, the end-to-end test, the benchmarks).
package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/borderdesk/borderdesk/functions/intake"
	"github.com/borderdesk/borderdesk/shared/merchant"
	"github.com/borderdesk/borderdesk/shared/providers/aftership"
	"github.com/borderdesk/borderdesk/shared/providers/stripe"
)

// The orders of the sample traffic.
const (
	orderPaymentFailed = "10482" // Stripe payment failure, then the customer writes about it
	orderDisputed      = "10475" // paid, then a Stripe dispute (which names only the payment) joins the order
	orderHeldInCustoms = "10479" // AfterShip exception: DHL parcel held by Swiss customs
	orderLate          = "10497" // AfterShip: GLS parcel two days late
)

// Secrets are what it takes to send a merchant's traffic.
type Secrets struct {
	Stripe         string // Stripe webhook signing secret
	AfterShip      string // AfterShip webhook secret
	PublishableKey string // the shop's key for customer messages (X-Borderdesk-Key)
}

// SecretsOf returns the secrets providers sign m's webhooks with, given its webhook secrets
// ws: the first of each provider's secrets, the one a rotation keeps current.
func SecretsOf(m merchant.Merchant, ws merchant.WebhookSecrets) Secrets {
	first := func(s []string) string {
		if len(s) == 0 {
			return ""
		}
		return s[0]
	}
	return Secrets{
		Stripe:         first(ws.For(stripe.Name)),
		AfterShip:      first(ws.For(aftership.Name)),
		PublishableKey: m.PublishableKey,
	}
}

// Request is one piece of sample traffic, signed and ready to post.
type Request struct {
	Name   string // what it is, for people: "stripe payment_intent.payment_failed (order 10482)"
	Path   string // from the base URL: "/webhooks/demo/stripe"
	Header http.Header
	Body   []byte
}

// Traffic is a merchant's sample traffic, in the order a day might bring it: a failed
// payment, a payment that went through and its chargeback, a parcel stuck in customs, a late parcel, then two customer
// messages — one in German about the failed payment's order, one in English about no order.
// Webhooks are signed with s at now; ids come from seed (see the builders).
func Traffic(merchantID string, s Secrets, now time.Time, seed string) []Request {
	webhook := func(provider, name string, body []byte) Request {
		h := http.Header{"Content-Type": {"application/json"}, "User-Agent": {provider + "-demo/1.0"}}
		switch provider {
		case stripe.Name:
			h.Set(stripe.SignatureHeader, stripe.Sign(body, s.Stripe, now))
		case aftership.Name:
			h.Set(aftership.SignatureHeader, aftership.Sign(body, s.AfterShip))
		}
		return Request{Name: provider + " " + name, Path: "/webhooks/" + merchantID + "/" + provider, Header: h, Body: body}
	}
	message := func(name string, m intake.MessageRequest) Request {
		h := http.Header{
			"Content-Type":     {"application/json"},
			"X-Borderdesk-Key": {s.PublishableKey},
			// A retried Send with the same inputs posts each message once.
			"Idempotency-Key": {newIDs(seed).uuid("message/" + name)},
		}
		return Request{Name: "message " + name, Path: "/inbound/" + merchantID + "/messages", Header: h, Body: encodeMessage(m)}
	}
	return []Request{
		webhook(stripe.Name, "payment_intent.payment_failed (order "+orderPaymentFailed+")",
			PaymentFailed(seed+"/payment_failed", now, orderPaymentFailed)),
		webhook(stripe.Name, "payment_intent.succeeded (order "+orderDisputed+")",
			PaymentSucceeded(seed+"/payment_succeeded", now, orderDisputed)),
		webhook(stripe.Name, "charge.dispute.created (order "+orderDisputed+")",
			DisputeOpened(seed+"/dispute", now, orderDisputed)),
		webhook(aftership.Name, "tracking_update Exception (order "+orderHeldInCustoms+", DHL customs)",
			TrackingException(seed+"/exception", now, orderHeldInCustoms)),
		webhook(aftership.Name, "tracking_update InTransit, past due (order "+orderLate+")",
			TrackingDelayed(seed+"/delayed", now, orderLate)),
		message("in German (order "+orderPaymentFailed+")", intake.MessageRequest{
			Email: "lena.fischer@example.de", Name: "Lena Fischer", OrderNumber: orderPaymentFailed,
			Subject: "Zahlung für Bestellung " + orderPaymentFailed + " abgelehnt",
			Text: "Hallo, meine Zahlung für die Bestellung " + orderPaymentFailed + " wurde abgelehnt, obwohl genug " +
				"Geld auf dem Konto ist. Können Sie die Bestellung bitte bis morgen reservieren? Dann versuche ich es " +
				"mit einer anderen Karte.\n\nViele Grüße\nLena Fischer",
		}),
		message("in English (no order)", intake.MessageRequest{
			Email: "tom.harris@example.co.uk", Name: "Tom Harris", Subject: "Do you ship to Norway?",
			Text: "Hi! I'd like to order the walnut desk organiser as a gift for my sister in Oslo. Do you ship " +
				"to Norway, and will she have to pay import VAT on delivery?\n\nThanks,\nTom",
		}),
	}
}

func encodeMessage(m intake.MessageRequest) []byte {
	b, err := json.Marshal(m)
	if err != nil {
		panic(fmt.Sprintf("demo: encode message: %v", err)) // strings only: cannot fail
	}
	return b
}

// Report is what Send posted and how Borderdesk answered.
type Report struct {
	Sent []Sent
}

// Sent is one posted request and its answer.
type Sent struct {
	Name   string
	Status int    // HTTP status; 0 when the request got no answer
	Answer string // the response body, trimmed
}

// maxAnswer bounds how much of a response body is kept.
const maxAnswer = 4 << 10

// Send posts merchantID's sample traffic (Traffic, with a seed derived from merchantID and
// now) to baseURL and reports every answer. A non-2xx answer is an error naming the request
// and quoting the body; the rest of the traffic is still sent. A request that gets no answer
// at all (server down, ctx ended) stops the run.
func Send(ctx context.Context, client *http.Client, baseURL, merchantID string, s Secrets, now time.Time) (Report, error) {
	seed := merchantID + "/" + now.UTC().Format(time.RFC3339Nano)
	var (
		report Report
		errs   []error
	)
	for _, req := range Traffic(merchantID, s, now, seed) {
		sent, err := post(ctx, client, strings.TrimSuffix(baseURL, "/"), req)
		if sent.Status == 0 {
			return report, errors.Join(append(errs, err)...)
		}
		report.Sent = append(report.Sent, sent)
		if err != nil {
			errs = append(errs, err)
		}
	}
	return report, errors.Join(errs...)
}

func post(ctx context.Context, client *http.Client, baseURL string, req Request) (Sent, error) {
	sent := Sent{Name: req.Name}
	r, err := http.NewRequestWithContext(ctx, http.MethodPost, baseURL+req.Path, bytes.NewReader(req.Body))
	if err != nil {
		return sent, fmt.Errorf("%s: %w", req.Name, err)
	}
	r.Header = req.Header.Clone()
	resp, err := client.Do(r)
	if err != nil {
		return sent, fmt.Errorf("%s: %w", req.Name, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	sent.Status, sent.Answer = resp.StatusCode, strings.TrimSpace(string(body))
	if err != nil {
		return sent, fmt.Errorf("%s: read answer: %w", req.Name, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return sent, fmt.Errorf("%s: %s: %s", req.Name, resp.Status, sent.Answer)
	}
	return sent, nil
}
