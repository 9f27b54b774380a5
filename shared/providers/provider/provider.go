// Package provider holds what the webhook adapters (stripe, aftership) have in common: the
// result of parsing a verified webhook and the rule that makes catalog event IDs
// deterministic, so a redelivered webhook always yields the same events.
package provider

import (
	"strconv"
	"time"

	"github.com/borderdesk/borderdesk/events"
	"github.com/borderdesk/borderdesk/shared/errs"
)

// Parsed is a verified provider webhook, decoded.
type Parsed struct {
	// EventID is the provider's own event id, used for dedupe (Stripe "evt_…", AfterShip
	// "event_id").
	EventID string
	// Type is the provider's event type, e.g. "charge.dispute.created", "tracking_update".
	Type string
	// OccurredAt is when the provider says the event happened, in UTC.
	OccurredAt time.Time
	// Events are the catalog events the webhook maps to; empty for types Borderdesk does not
	// handle, which intake archives and acknowledges.
	Events []events.Event
}

// MaxIDBytes bounds every id and reference a webhook carries: event, order, payment, charge,
// dispute and refund ids, tracking numbers and emails. Real ones are well under 100 bytes;
// the bound keeps every table key built from them far below DynamoDB's limits (2,048 bytes
// for a partition key, 1,024 for a sort key), which would otherwise fail the write after the
// webhook verified — on every delivery.
const MaxIDBytes = 255

// CheckIDs returns errs.Invalid naming the first id over MaxIDBytes. named alternates a
// field's name and its value: CheckIDs("Stripe event", "id", id, "order id", orderID). The
// value is never quoted back: it may be a megabyte long.
func CheckIDs(what string, named ...string) error {
	for i := 0; i+1 < len(named); i += 2 {
		if len(named[i+1]) > MaxIDBytes {
			return errs.E(errs.Invalid, "%s: %s is over %d bytes", what, named[i], MaxIDBytes)
		}
	}
	return nil
}

// Times a provider event may carry: after the Unix epoch and before year 10000. RFC 3339, and
// so JSON's encoding of time.Time, has four-digit years; a time outside them would verify and
// be stored, then fail to reach the bus on every delivery.
var (
	earliest = time.Unix(1, 0).UTC()
	latest   = time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)
)

// UnixTime returns the Unix time sec in UTC, and false when it is outside the times an event
// may carry (zero and negative times included).
func UnixTime(sec int64) (time.Time, bool) {
	if sec < earliest.Unix() || sec > latest.Unix() {
		return time.Time{}, false
	}
	return time.Unix(sec, 0).UTC(), true
}

// EventID returns the ID of the n-th (from 0) catalog event built from one provider event:
// "ev_<provider>_<providerEventID>", with "_<n>" appended for n >= 1. It depends on nothing
// but its arguments, so every redelivery of a webhook maps to the same IDs.
func EventID(provider, providerEventID string, n int) string {
	id := "ev_" + provider + "_" + providerEventID
	if n > 0 {
		id += "_" + strconv.Itoa(n)
	}
	return id
}
