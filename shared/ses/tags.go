package ses

import (
	"encoding/base32"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"

	"github.com/borderdesk/borderdesk/shared/errs"
)

// Ref names the reply a message carries: the tenant, the ticket and the reply's entry (whose
// send marker the message's delivery events update).
type Ref struct {
	MerchantID, TicketID, EntryID string
}

// The message tags a Ref travels in.
const (
	TagMerchant = "merchant"
	TagTicket   = "ticket"
	TagEntry    = "entry"
)

// SES allows tag values of up to 256 characters from [A-Za-z0-9_-]. An id made of those
// travels as it is; any other id, and any id that begins with encodedPrefix itself, travels
// as encodedPrefix and its unpadded base32, which uses only upper-case letters and digits.
// Decoding is thus unambiguous and every id survives the round trip.
const (
	encodedPrefix = "b32-"
	maxTagValue   = 256
)

var tagBase32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// EncodeTag returns v as an SES tag value.
func EncodeTag(v string) string {
	if v != "" && !strings.HasPrefix(v, encodedPrefix) && strings.Trim(v, tagChars) == "" {
		return v
	}
	return encodedPrefix + tagBase32.EncodeToString([]byte(v))
}

// DecodeTag reverses EncodeTag.
func DecodeTag(v string) (string, error) {
	enc, ok := strings.CutPrefix(v, encodedPrefix)
	if !ok {
		return v, nil
	}
	b, err := tagBase32.DecodeString(enc)
	if err != nil {
		return "", errs.Wrap(errs.Invalid, err, "tag value %q is not encoded", v)
	}
	return string(b), nil
}

const tagChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"

// Tags are ref's message tags. An id too long for a tag is invalid.
func (r Ref) Tags() ([]types.MessageTag, error) {
	var out []types.MessageTag
	for _, t := range []struct{ name, value string }{{TagMerchant, r.MerchantID}, {TagTicket, r.TicketID}, {TagEntry, r.EntryID}} {
		v := EncodeTag(t.value)
		if len(v) > maxTagValue {
			return nil, errs.E(errs.Invalid, "%s id of %d bytes is too long for an SES tag", t.name, len(t.value))
		}
		out = append(out, types.MessageTag{Name: aws.String(t.name), Value: aws.String(v)})
	}
	return out, nil
}

// RefFromTags reads a Ref from the tags of an SES event's mail object. A merchant and an
// entry are required; the ticket is informative.
func RefFromTags(tags map[string][]string) (Ref, error) {
	var r Ref
	for name, dst := range map[string]*string{TagMerchant: &r.MerchantID, TagTicket: &r.TicketID, TagEntry: &r.EntryID} {
		if len(tags[name]) == 0 {
			continue
		}
		v, err := DecodeTag(tags[name][0])
		if err != nil {
			return Ref{}, fmt.Errorf("tag %s: %w", name, err)
		}
		*dst = v
	}
	if r.MerchantID == "" || r.EntryID == "" {
		return Ref{}, errs.E(errs.Invalid, "mail not tagged with a merchant and an entry")
	}
	return r, nil
}
