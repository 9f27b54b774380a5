package events

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
)

// GroupField is the detail field that carries GroupID(e) on the bus. EventBridge rules cannot
// compute a FIFO message group (an SQS target takes only a static MessageGroupId), so the
// publisher writes the group into the detail and the cloud's path to a FIFO queue reads it
// from there ($.detail.group); the local bus groups by the same function.
const GroupField = "group"

// maxGroupID is SQS's limit on a MessageGroupId.
const maxGroupID = 128

// GroupID is the FIFO message group of e: events in one group are processed in order, groups
// in parallel. A payment's events share a group (a refund must see the dispute before it),
// else an order's, else the merchant's. Every group starts with the merchant, so tenants never
// share one. "" when e has no merchant, which a FIFO queue refuses.
func GroupID(e Event) string {
	if e.MerchantID == "" {
		return ""
	}
	var refs struct {
		PaymentID string `json:"payment_id"`
		OrderID   string `json:"order_id"`
	}
	_ = json.Unmarshal(e.Data, &refs) // data without these fields groups by merchant
	g := e.MerchantID
	switch {
	case e.Type.Domain() == "payment" && refs.PaymentID != "":
		g += "#payment#" + refs.PaymentID
	case refs.OrderID != "":
		g += "#order#" + refs.OrderID
	}
	if len(g) > maxGroupID || !groupChars(g) {
		// Same events, same group: a digest keeps long or exotic ids grouped together.
		sum := sha256.Sum256([]byte(g))
		g = "h#" + hex.EncodeToString(sum[:])
	}
	return g
}

// groupChars reports whether s uses only what SQS allows in a MessageGroupId: alphanumerics
// and ASCII punctuation.
func groupChars(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c > '~' {
			return false
		}
	}
	return true
}

// Detail is the EventBridge detail of e: the event itself plus its GroupField. Every
// publisher, cloud and local, puts this on the bus; consumers decode it as an Event and
// ignore the group.
func Detail(e Event) ([]byte, error) {
	b, err := json.Marshal(struct {
		Event
		Group string `json:"group"`
	}{e, GroupID(e)})
	if err != nil {
		return nil, fmt.Errorf("encode %s detail %s: %w", e.Type, e.ID, err)
	}
	return b, nil
}
