package demo

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"time"
)

// The builders below write provider payloads in the shape Stripe (API version 2024-06-20) and
// AfterShip (legacy tracking webhook) send them, with the fields a real event carries and
// not only the few intake reads, so the demo exercises parsing as production does.
//
// Event ids (and request ids) come from seed, so every run sends new events while a given
// (seed, now) always yields the same bytes. Object ids (payment intent, charge, dispute,
// tracking number) come from the order number alone: a later run describes the same payment
// or parcel again, and its events join the tickets the first run opened.

type object = map[string]any

// PaymentFailed is a Stripe payment_intent.payment_failed event: order orderID, 89.90 EUR,
// paid by card by a customer in Berlin, declined by the issuer for insufficient funds.
func PaymentFailed(seed string, now time.Time, orderID string) []byte {
	event, obj := newIDs(seed), newIDs("order/"+orderID)
	pi, ch, pm := obj.stripe("pi_3", "payment_intent"), obj.stripe("ch_3", "charge"), obj.stripe("pm_1", "payment_method")
	address := object{
		"city": "Berlin", "country": "DE", "line1": "Kastanienallee 12", "line2": nil,
		"postal_code": "10435", "state": nil,
	}
	created := now.Add(-2 * time.Minute).Unix()
	return encode(object{
		"id":          event.stripe("evt_3", "event"),
		"object":      "event",
		"api_version": "2024-06-20",
		"created":     created,
		"data": object{"object": object{
			"id":                        pi,
			"object":                    "payment_intent",
			"amount":                    8990,
			"amount_capturable":         0,
			"amount_received":           0,
			"capture_method":            "automatic_async",
			"client_secret":             pi + "_secret_" + obj.stripe("", "client_secret")[:12],
			"confirmation_method":       "automatic",
			"created":                   created - 5,
			"currency":                  "eur",
			"customer":                  obj.stripe("cus_", "customer")[:18],
			"description":               "Order #" + orderID,
			"latest_charge":             ch,
			"livemode":                  false,
			"metadata":                  object{"order_id": orderID, "shop": "demo-shop-berlin"},
			"payment_method":            nil,
			"payment_method_types":      []string{"card"},
			"receipt_email":             nil,
			"setup_future_usage":        nil,
			"statement_descriptor":      nil,
			"status":                    "requires_payment_method",
			"automatic_payment_methods": object{"allow_redirects": "always", "enabled": true},
			"last_payment_error": object{
				"charge":       ch,
				"code":         "card_declined",
				"decline_code": "insufficient_funds",
				"doc_url":      "https://stripe.com/docs/error-codes/card-declined",
				"message":      "Your card has insufficient funds.",
				"type":         "card_error",
				"payment_method": object{
					"id": pm, "object": "payment_method", "allow_redisplay": "unspecified",
					"billing_details": object{
						"address": address, "email": "lena.fischer@example.de", "name": "Lena Fischer", "phone": nil,
					},
					"card": object{
						"brand": "visa", "country": "DE", "exp_month": 4, "exp_year": 2028,
						"funding": "debit", "last4": "9995", "wallet": nil,
					},
					"created": created - 6, "customer": nil, "livemode": false, "metadata": object{}, "type": "card",
				},
			},
			"shipping": object{
				"address": address, "carrier": nil, "name": "Lena Fischer", "phone": nil, "tracking_number": nil,
			},
		}},
		"livemode":         false,
		"pending_webhooks": 1,
		"request":          object{"id": event.stripe("req_", "request")[:18], "idempotency_key": event.uuid("idempotency_key")},
		"type":             "payment_intent.payment_failed",
	})
}

// PaymentSucceeded is a Stripe payment_intent.succeeded event: order orderID's 129.00 EUR,
// paid by card four days ago by a customer in Milan. It opens no ticket, but it ties the
// payment to the order, so the order's chargeback (DisputeOpened) finds the order's ticket.
func PaymentSucceeded(seed string, now time.Time, orderID string) []byte {
	event, obj := newIDs(seed), newIDs("order/"+orderID)
	pi, ch := obj.stripe("pi_3", "payment_intent"), obj.stripe("ch_3", "charge")
	address := object{
		"city": "Milano", "country": "IT", "line1": "Via Paolo Sarpi 8", "line2": nil,
		"postal_code": "20154", "state": "MI",
	}
	created := now.Add(-96 * time.Hour).Unix()
	return encode(object{
		"id":          event.stripe("evt_3", "event"),
		"object":      "event",
		"api_version": "2024-06-20",
		"created":     created,
		"data": object{"object": object{
			"id":                        pi,
			"object":                    "payment_intent",
			"amount":                    12900,
			"amount_capturable":         0,
			"amount_received":           12900,
			"capture_method":            "automatic_async",
			"client_secret":             pi + "_secret_" + obj.stripe("", "client_secret")[:12],
			"confirmation_method":       "automatic",
			"created":                   created - 4,
			"currency":                  "eur",
			"customer":                  obj.stripe("cus_", "customer")[:18],
			"description":               "Order #" + orderID,
			"last_payment_error":        nil,
			"latest_charge":             ch,
			"livemode":                  false,
			"metadata":                  object{"order_id": orderID, "shop": "demo-shop-berlin"},
			"payment_method":            obj.stripe("pm_1", "payment_method"),
			"payment_method_types":      []string{"card"},
			"receipt_email":             "sofia.rossi@example.it",
			"setup_future_usage":        nil,
			"statement_descriptor":      nil,
			"status":                    "succeeded",
			"automatic_payment_methods": object{"allow_redirects": "always", "enabled": true},
			"shipping": object{
				"address": address, "carrier": "GLS", "name": "Sofia Rossi", "phone": nil, "tracking_number": nil,
			},
		}},
		"livemode":         false,
		"pending_webhooks": 1,
		"request":          object{"id": event.stripe("req_", "request")[:18], "idempotency_key": event.uuid("idempotency_key")},
		"type":             "payment_intent.succeeded",
	})
}

// DisputeOpened is a Stripe charge.dispute.created event: the card holder of order orderID's
// payment (129.00 EUR) says the goods never arrived. Like a real dispute it carries no
// order reference and no customer yet (its metadata and evidence are the merchant's to
// fill): it names the payment intent and the charge, which lead to the order's ticket.
func DisputeOpened(seed string, now time.Time, orderID string) []byte {
	event, obj := newIDs(seed), newIDs("order/"+orderID)
	created := now.Add(-1 * time.Hour).Unix()
	return encode(object{
		"id":          event.stripe("evt_1", "event"),
		"object":      "event",
		"api_version": "2024-06-20",
		"created":     created,
		"data": object{"object": object{
			"id":                  obj.stripe("dp_1", "dispute"),
			"object":              "dispute",
			"amount":              12900,
			"balance_transaction": obj.stripe("txn_1", "balance_transaction"),
			"charge":              obj.stripe("ch_3", "charge"),
			"created":             created - 1,
			"currency":            "eur",
			"evidence": object{
				"customer_email_address": nil, "customer_name": nil, "product_description": nil,
				"shipping_carrier": nil, "shipping_tracking_number": nil, "uncategorized_text": nil,
			},
			"evidence_details": object{
				// Stripe gives the merchant about three weeks, until the end of a day.
				"due_by":           now.AddDate(0, 0, 21).Truncate(24 * time.Hour).Add(24*time.Hour - time.Second).Unix(),
				"has_evidence":     false,
				"past_due":         false,
				"submission_count": 0,
			},
			"is_charge_refundable": false,
			"livemode":             false,
			"metadata":             object{},
			"payment_intent":       obj.stripe("pi_3", "payment_intent"),
			"payment_method_details": object{
				"card": object{"brand": "mastercard", "case_type": "chargeback", "network_reason_code": "4855"},
				"type": "card",
			},
			"reason": "product_not_received",
			"status": "needs_response",
		}},
		"livemode":         false,
		"pending_webhooks": 1,
		"request":          object{"id": nil, "idempotency_key": nil},
		"type":             "charge.dispute.created",
	})
}

// TrackingException is an AfterShip tracking_update: order orderID's DHL Express parcel to
// Zürich, held by Swiss customs because the commercial invoice is missing (tag Exception).
func TrackingException(seed string, now time.Time, orderID string) []byte {
	event, obj := newIDs(seed), newIDs("order/"+orderID)
	cp := func(ago time.Duration, city, country, iso3, tag, subtag, msg string) object {
		return object{
			"slug": "dhl", "city": city, "location": city + ", " + country, "country_name": country,
			"country_iso3": iso3, "message": msg, "tag": tag, "subtag": subtag, "state": nil,
			"checkpoint_time": wallClock(now.Add(-ago)),
		}
	}
	ts := now.Add(-20 * time.Minute)
	return encode(object{
		"event":                 "tracking_update",
		"event_id":              event.uuid("event"),
		"is_tracking_first_tag": true,
		"ts":                    ts.Unix(),
		"msg": object{
			"id":                               obj.aftership("tracking"),
			"created_at":                       wallClock(now.Add(-4 * 24 * time.Hour)),
			"updated_at":                       wallClock(ts),
			"tracking_number":                  obj.digits("dhl", 10),
			"slug":                             "dhl",
			"active":                           true,
			"custom_fields":                    nil,
			"customer_name":                    "Matthias Keller",
			"emails":                           []string{"m.keller@example.ch"},
			"destination_country_iso3":         "CHE",
			"courier_destination_country_iso3": "CHE",
			"origin_country_iso3":              "DEU",
			"expected_delivery":                now.AddDate(0, 0, -1).Format(time.DateOnly),
			"note":                             nil,
			"order_id":                         orderID,
			"order_number":                     "#" + orderID,
			"shipment_delivery_date":           nil,
			"shipment_type":                    "EXPRESS WORLDWIDE",
			"source":                           "api",
			"tag":                              "Exception",
			"subtag":                           "Exception_004",
			"subtag_message":                   "Delayed (Customs clearance)",
			"title":                            "#" + orderID,
			"return_to_sender":                 false,
			"latest_estimated_delivery":        nil,
			"checkpoints": []object{
				cp(4*24*time.Hour, "Berlin", "Germany", "DEU", "InTransit", "InTransit_002", "Shipment picked up"),
				cp(3*24*time.Hour+6*time.Hour, "Leipzig", "Germany", "DEU", "InTransit", "InTransit_007", "Departed Facility in LEIPZIG - GERMANY"),
				cp(2*24*time.Hour, "Zurich", "Switzerland", "CHE", "InTransit", "InTransit_003", "Arrived at Delivery Facility in ZURICH - SWITZERLAND"),
				cp(26*time.Hour, "Zurich", "Switzerland", "CHE", "InTransit", "InTransit_001", "Customs status updated"),
				cp(25*time.Minute, "Zurich", "Switzerland", "CHE", "Exception", "Exception_004",
					"Clearance delay - commercial invoice missing. Shipment on hold pending customs clearance."),
			},
		},
	})
}

// TrackingDelayed is an AfterShip tracking_update for order orderID's GLS parcel to Vienna:
// still in transit two days after its expected delivery date.
func TrackingDelayed(seed string, now time.Time, orderID string) []byte {
	event, obj := newIDs(seed), newIDs("order/"+orderID)
	cp := func(ago time.Duration, location, iso3, tag, subtag, msg string) object {
		return object{
			"slug": "gls", "location": location, "country_iso3": iso3, "city": nil, "state": nil,
			"message": msg, "tag": tag, "subtag": subtag, "checkpoint_time": wallClock(now.Add(-ago)),
		}
	}
	ts := now.Add(-5 * time.Minute)
	return encode(object{
		"event":                 "tracking_update",
		"event_id":              event.uuid("event"),
		"is_tracking_first_tag": false,
		"ts":                    ts.Unix(),
		"msg": object{
			"id":                               obj.aftership("tracking"),
			"created_at":                       wallClock(now.Add(-6 * 24 * time.Hour)),
			"updated_at":                       wallClock(ts),
			"tracking_number":                  obj.digits("gls", 11),
			"slug":                             "gls",
			"active":                           true,
			"custom_fields":                    nil,
			"customer_name":                    "Sophie Gruber",
			"emails":                           []string{"sophie.gruber@example.at"},
			"destination_country_iso3":         "AUT",
			"courier_destination_country_iso3": "AUT",
			"origin_country_iso3":              "DEU",
			"expected_delivery":                now.AddDate(0, 0, -2).Format(time.DateOnly),
			"note":                             nil,
			"order_id":                         orderID,
			"order_number":                     "#" + orderID,
			"shipment_delivery_date":           nil,
			"shipment_type":                    "GLS BusinessParcel",
			"source":                           "api",
			"tag":                              "InTransit",
			"subtag":                           "InTransit_001",
			"subtag_message":                   "In Transit",
			"title":                            "#" + orderID,
			"latest_estimated_delivery":        nil,
			"checkpoints": []object{
				cp(5*24*time.Hour, "Berlin, DE", "DEU", "InfoReceived", "InfoReceived_001", "The parcel data was entered into the GLS IT system."),
				cp(4*24*time.Hour+20*time.Hour, "Berlin, DE", "DEU", "InTransit", "InTransit_002", "The parcel was handed over to GLS."),
				cp(4*24*time.Hour, "Neuenstein, DE", "DEU", "InTransit", "InTransit_007", "The parcel has left the parcel center."),
				cp(3*24*time.Hour+2*time.Hour, "Wien, AT", "AUT", "InTransit", "InTransit_003", "The parcel has reached the parcel center."),
			},
		},
	})
}

// wallClock renders t as AfterShip does, with an offset (here always UTC's).
func wallClock(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05-07:00") }

// encode marshals a payload built from maps, slices, strings, numbers, booleans and nil,
// which cannot fail.
func encode(v object) []byte {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		panic(fmt.Sprintf("demo: encode payload: %v", err))
	}
	return b
}

// ids derives provider-shaped ids from a seed: the same seed and name give the same id.
type ids string

func newIDs(seed string) ids { return ids(seed) }

func (s ids) sum(name string) [sha256.Size]byte {
	return sha256.Sum256([]byte(string(s) + "\x00" + name))
}

const (
	base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	base36 = "0123456789abcdefghijklmnopqrstuvwxyz"
)

// stripe is prefix and 24 base62 characters, as in "evt_3PQ8kLJw4nXb0aZt1Gm2Xc7R".
func (s ids) stripe(prefix, name string) string {
	sum := s.sum(name)
	b := []byte(prefix)
	for _, c := range sum[:24] {
		b = append(b, base62[int(c)%len(base62)])
	}
	return string(b)
}

// aftership is 24 lower-case base36 characters, as AfterShip's tracking ids.
func (s ids) aftership(name string) string {
	sum := s.sum(name)
	b := make([]byte, 24)
	for i, c := range sum[:24] {
		b[i] = base36[int(c)%len(base36)]
	}
	return string(b)
}

// digits is n decimal digits (n ≤ 32), as carriers' tracking numbers.
func (s ids) digits(name string, n int) string {
	sum := s.sum(name)
	b := make([]byte, n)
	for i := range b {
		b[i] = '0' + sum[i]%10
	}
	return string(b)
}

// uuid is a version-4-shaped UUID.
func (s ids) uuid(name string) string {
	u := s.sum(name)
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}
