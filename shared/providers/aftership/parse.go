package aftership

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/borderdesk/borderdesk/events"
	"github.com/borderdesk/borderdesk/shared/errs"
	"github.com/borderdesk/borderdesk/shared/providers/provider"
)

// maxCheckpoints is how many of the latest carrier scans an event carries.
const maxCheckpoints = 10

// Parse decodes a verified AfterShip webhook. A body that is not an AfterShip webhook is
// errs.Invalid; events other than tracking_update (edd_revise, tracking_pending_time, …)
// yield no catalog events and no error.
//
// A tracking update maps to shipment.exception when the tag is Exception, FailedAttempt or
// Expired; to shipment.delayed when the shipment is past its expected delivery (see late);
// otherwise to shipment.updated.
//
// Both AfterShip webhook shapes are read: the legacy one (emails, customer_name,
// destination_country_iso3, expected_delivery) and the one of API versions from 2024 on
// (customers, destination_country_region, latest_estimated_delivery).
func (p *Provider) Parse(merchantID string, body []byte) (provider.Parsed, error) {
	var w webhook
	if err := json.Unmarshal(body, &w); err != nil {
		return provider.Parsed{}, errs.Wrap(errs.Invalid, err, "malformed AfterShip webhook JSON")
	}
	if err := provider.CheckIDs("AfterShip webhook", "event_id", w.EventID); err != nil {
		return provider.Parsed{}, err
	}
	switch {
	case w.EventID == "":
		return provider.Parsed{}, errs.E(errs.Invalid, "AfterShip webhook has no event_id")
	case w.Event == "":
		return provider.Parsed{}, errs.E(errs.Invalid, "AfterShip webhook %s has no event", w.EventID)
	case w.TS == 0:
		return provider.Parsed{}, errs.E(errs.Invalid, "AfterShip webhook %s has no ts", w.EventID)
	}
	ts, ok := provider.UnixTime(w.TS)
	if !ok {
		return provider.Parsed{}, errs.E(errs.Invalid, "AfterShip webhook %s has ts %d, outside 1970 to 9999", w.EventID, w.TS)
	}
	parsed := provider.Parsed{EventID: w.EventID, Type: w.Event, OccurredAt: ts}
	if w.Event != "tracking_update" {
		return parsed, nil
	}

	if len(w.Msg) == 0 || bytes.Equal(w.Msg, []byte("null")) {
		return provider.Parsed{}, errs.E(errs.Invalid, "AfterShip webhook %s has no msg", w.EventID)
	}
	var tr tracking
	if err := json.Unmarshal(w.Msg, &tr); err != nil {
		return provider.Parsed{}, errs.Wrap(errs.Invalid, err, "malformed tracking in AfterShip webhook %s", w.EventID)
	}
	if tr.TrackingNumber == "" {
		return provider.Parsed{}, errs.E(errs.Invalid, "tracking in AfterShip webhook %s has no tracking_number", w.EventID)
	}

	sh := tr.shipment()
	if err := provider.CheckIDs("AfterShip webhook "+w.EventID,
		"tracking_number", sh.TrackingNumber, "order id", sh.OrderID, "customer email", sh.Customer.Email); err != nil {
		return provider.Parsed{}, err
	}

	t := events.ShipmentUpdated
	switch {
	case tr.Tag == "Exception" || tr.Tag == "FailedAttempt" || tr.Tag == "Expired":
		t = events.ShipmentException
	case tr.late(parsed.OccurredAt):
		t = events.ShipmentDelayed
	}
	ev, err := events.New(t, provider.EventID(Name, w.EventID, 0), merchantID, Name, w.EventID, parsed.OccurredAt, sh)
	if err != nil {
		return provider.Parsed{}, errs.Wrap(errs.Internal, err, "build %s event", t)
	}
	parsed.Events = []events.Event{ev}
	return parsed, nil
}

// webhook is the AfterShip webhook envelope.
type webhook struct {
	Event   string          `json:"event"`
	EventID string          `json:"event_id"`
	TS      int64           `json:"ts"`
	Msg     json.RawMessage `json:"msg"`
}

// tracking is the part of AfterShip's tracking object Borderdesk reads. Real payloads send
// null for most absent fields, which leaves these at their zero values.
type tracking struct {
	TrackingNumber string `json:"tracking_number"`
	Slug           string `json:"slug"`
	Tag            string `json:"tag"`
	Subtag         string `json:"subtag"`
	SubtagMessage  string `json:"subtag_message"`
	OrderID        string `json:"order_id"`
	OrderNumber    string `json:"order_number"`

	// Legacy customer fields, and their replacement.
	Emails       []string `json:"emails"`
	CustomerName string   `json:"customer_name"`
	Customers    []struct {
		Name  string `json:"name"`
		Email string `json:"email"`
	} `json:"customers"`

	// ISO 3166-1 alpha-3, under legacy names and current ones.
	DestinationCountryISO3          string `json:"destination_country_iso3"`
	DestinationCountryRegion        string `json:"destination_country_region"`
	CourierDestinationCountryISO3   string `json:"courier_destination_country_iso3"`
	CourierDestinationCountryRegion string `json:"courier_destination_country_region"`

	// Dates in the recipient's time zone: "2024-06-20", "2024-06-20T18:00:00" or with an offset.
	ExpectedDelivery        string `json:"expected_delivery"`
	LatestEstimatedDelivery *struct {
		Datetime    string `json:"datetime"`
		DatetimeMax string `json:"datetime_max"`
	} `json:"latest_estimated_delivery"`
	ShipmentDeliveryDate string `json:"shipment_delivery_date"`

	Checkpoints []checkpoint `json:"checkpoints"`
}

type checkpoint struct {
	CheckpointTime string `json:"checkpoint_time"` // in the checkpoint's time zone
	Location       string `json:"location"`
	City           string `json:"city"`
	State          string `json:"state"`
	CountryName    string `json:"country_name"`
	Message        string `json:"message"`
	Tag            string `json:"tag"`
}

func (tr tracking) shipment() events.Shipment {
	iso3 := first(tr.DestinationCountryISO3, tr.DestinationCountryRegion,
		tr.CourierDestinationCountryISO3, tr.CourierDestinationCountryRegion)
	c := events.Customer{Name: tr.CustomerName, Country: alpha2(iso3)}
	if len(tr.Emails) > 0 {
		c.Email = tr.Emails[0]
	}
	for _, cu := range tr.Customers {
		c.Email, c.Name = first(c.Email, cu.Email), first(c.Name, cu.Name)
	}
	return events.Shipment{
		TrackingNumber:     tr.TrackingNumber,
		Carrier:            tr.Slug,
		OrderID:            first(tr.OrderID, tr.OrderNumber),
		Customer:           c,
		Status:             tr.Tag,
		SubStatus:          tr.Subtag,
		SubStatusMessage:   tr.SubtagMessage,
		ExpectedDelivery:   tr.expectedDelivery(),
		DestinationCountry: iso3,
		Checkpoints:        tr.latestCheckpoints(),
	}
}

// expectedDelivery is the legacy expected_delivery, else the latest estimate; for a range,
// its end, since the shipment is late only after the whole range.
func (tr tracking) expectedDelivery() string {
	if tr.ExpectedDelivery != "" {
		return tr.ExpectedDelivery
	}
	if e := tr.LatestEstimatedDelivery; e != nil {
		return first(e.Datetime, e.DatetimeMax)
	}
	return ""
}

// late reports whether a shipment missed its expected delivery: an undelivered one whose
// expected delivery is before the webhook's time, or a delivered one delivered after it.
//
// AfterShip gives both dates in the recipient's time zone without naming it, so they are
// compared as wall clocks; against the webhook's UTC time the verdict can be off by the
// recipient's UTC offset.
func (tr tracking) late(at time.Time) bool {
	expected := tr.expectedDelivery()
	if expected == "" {
		return false
	}
	if tr.Tag != "Delivered" {
		return pastDue(at, expected)
	}
	delivered, _, ok := parseWallClock(tr.deliveredAt())
	return ok && pastDue(delivered, expected)
}

// deliveredAt is shipment_delivery_date, else the time of the last Delivered checkpoint.
func (tr tracking) deliveredAt() string {
	if tr.ShipmentDeliveryDate != "" {
		return tr.ShipmentDeliveryDate
	}
	for _, cp := range slices.Backward(tr.Checkpoints) {
		if cp.Tag == "Delivered" {
			return cp.CheckpointTime
		}
	}
	return ""
}

// latestCheckpoints returns the last maxCheckpoints scans, oldest first. AfterShip sends them
// oldest first; they are sorted by time anyway when every time parses, and otherwise kept in
// the order sent.
func (tr tracking) latestCheckpoints() []events.Checkpoint {
	cps := slices.Clone(tr.Checkpoints)
	unparsed := func(cp checkpoint) bool { _, ok := parseInstant(cp.CheckpointTime); return !ok }
	if !slices.ContainsFunc(cps, unparsed) {
		slices.SortStableFunc(cps, func(a, b checkpoint) int {
			ta, _ := parseInstant(a.CheckpointTime)
			tb, _ := parseInstant(b.CheckpointTime)
			return ta.Compare(tb)
		})
	}
	if len(cps) > maxCheckpoints {
		cps = cps[len(cps)-maxCheckpoints:]
	}
	var out []events.Checkpoint
	for _, cp := range cps {
		location := cp.Location
		if location == "" {
			location = join(cp.City, cp.State, cp.CountryName)
		}
		out = append(out, events.Checkpoint{
			At:       cp.CheckpointTime, // as AfterShip sends it, in the checkpoint's zone
			Location: location,
			Message:  cp.Message,
			Status:   cp.Tag,
		})
	}
	return out
}

// pastDue reports whether the wall clock t is later than expected; a date allows its whole
// day.
func pastDue(t time.Time, expected string) bool {
	due, dateOnly, ok := parseWallClock(expected)
	switch {
	case !ok:
		return false
	case dateOnly:
		return !t.Before(due.AddDate(0, 0, 1))
	default:
		return t.After(due)
	}
}

// parseWallClock reads an AfterShip date or date-time as its wall clock, in UTC.
func parseWallClock(s string) (t time.Time, dateOnly bool, ok bool) {
	if d, err := time.Parse(time.DateOnly, s); err == nil {
		return d, true, true
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC), false, true
		}
	}
	return time.Time{}, false, false
}

// parseInstant reads an AfterShip date-time; one without an offset is taken as UTC.
func parseInstant(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05", time.DateOnly} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

func join(parts ...string) string {
	return strings.Join(slices.DeleteFunc(parts, func(s string) bool { return s == "" }), ", ")
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
