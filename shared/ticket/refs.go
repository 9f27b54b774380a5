package ticket

import (
	"slices"
	"strings"
)

// Reference kinds: a reference is "<kind>:<normalised value>".
const (
	RefOrder    = "order"
	RefPayment  = "payment" // a payment intent (pi_…)
	RefCharge   = "charge"  // a charge (ch_…, py_…)
	RefDispute  = "dispute"
	RefTracking = "tracking"
	RefEmail    = "email" // only for messages that name no order
)

// MaxRefLen bounds a reference's value; intake refuses longer ids, so a reference can
// always be part of a table key.
const MaxRefLen = 255

// References collects an event's references, normalised and without repeats.
type References []string

// Add adds kind:value unless value is empty.
func (r *References) Add(kind, value string) {
	if v := NormalizeRef(value); v != "" {
		if ref := kind + ":" + v; !slices.Contains(*r, ref) {
			*r = append(*r, ref)
		}
	}
}

// AddPayment adds a Stripe payment id under its kind: a payment intent, or a charge (older
// integrations and some events name the charge where others name the intent).
func (r *References) AddPayment(id string) {
	switch {
	case strings.HasPrefix(id, "pi_"):
		r.Add(RefPayment, id)
	case id != "":
		r.Add(RefCharge, id)
	}
}

// Sorted returns the references in order.
func (r References) Sorted() []string {
	out := slices.Clone(r)
	slices.Sort(out)
	return out
}

// union returns the sorted union of a and b.
func union(a, b []string) []string {
	out := slices.Concat(a, b)
	slices.Sort(out)
	return slices.Compact(out)
}
