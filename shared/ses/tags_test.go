package ses

import (
	"strings"
	"testing"

	"github.com/borderdesk/borderdesk/shared/errs"
)

func TestTagRoundTrip(t *testing.T) {
	tests := []struct {
		id, want string // want: the tag value, or a prefix of it ending in "…"
	}{
		{"tk_01HZX3-abc", "tk_01HZX3-abc"},
		{"demo", "demo"},
		{"en:1", "b32-…"},
		{"shop.example", "b32-…"},
		{"müller", "b32-…"},
		{"a b", "b32-…"},
		{"b32-looks-encoded", "b32-…"}, // would otherwise decode as base32
		{"", "b32-"},
	}
	for _, tc := range tests {
		v := EncodeTag(tc.id)
		if want, ok := strings.CutSuffix(tc.want, "…"); (ok && !strings.HasPrefix(v, want)) || (!ok && v != tc.want) {
			t.Errorf("EncodeTag(%q) = %q; want %q", tc.id, v, tc.want)
		}
		if strings.Trim(v, tagChars) != "" || len(v) > maxTagValue {
			t.Errorf("EncodeTag(%q) = %q: not a valid SES tag value", tc.id, v)
		}
		if got, err := DecodeTag(v); got != tc.id || err != nil {
			t.Errorf("DecodeTag(%q) = %q, %v; want %q", v, got, err, tc.id)
		}
	}
	if _, err := DecodeTag("b32-!!"); !errs.Is(err, errs.Invalid) {
		t.Errorf("DecodeTag(b32-!!) = %v; want invalid", err)
	}
}

func TestRefTags(t *testing.T) {
	if _, err := (Ref{MerchantID: "demo", TicketID: "tk", EntryID: strings.Repeat("x", 300)}).Tags(); !errs.Is(err, errs.Invalid) {
		t.Errorf("Tags of a 300-character entry id = %v; want invalid", err)
	}
	if _, err := RefFromTags(map[string][]string{"merchant": {"demo"}}); !errs.Is(err, errs.Invalid) {
		t.Errorf("RefFromTags without an entry = %v; want invalid", err)
	}
	if _, err := RefFromTags(map[string][]string{"ses:configuration-set": {"borderdesk"}}); !errs.Is(err, errs.Invalid) {
		t.Errorf("RefFromTags of a mail not ours = %v; want invalid", err)
	}
}
