package intake

import "testing"

func TestCustomerLanguage(t *testing.T) {
	tests := []struct {
		said, acceptLanguage string
		want                 string
	}{
		{"", "de-CH;q=0.9, en;q=0.8", "de-CH"},
		{"", "de-DE,de;q=0.9,en;q=0.8", "de-DE"},
		{"", "en;q=0.5, fr", "fr"}, // by preference, not by position
		{"", "*", ""},
		{"", "*;q=0.5, pt-BR", "pt-BR"},
		{"", "zh-cn", "zh-CN"},
		{"", "", ""},
		{"", "german!", ""},
		{"", "de;q=0", ""}, // q=0 means "not this one"
		{"fr", "de-DE,de;q=0.9", "fr"},
		{"zh-cn", "", "zh-CN"},
		{"und", "it", "it"},
		{"x-private", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.said+"|"+tt.acceptLanguage, func(t *testing.T) {
			if got := customerLanguage(tt.said, tt.acceptLanguage); got != tt.want {
				t.Errorf("customerLanguage(%q, %q) = %q; want %q", tt.said, tt.acceptLanguage, got, tt.want)
			}
		})
	}
}

func TestValidLanguage(t *testing.T) {
	tests := []struct {
		tag  string
		want bool
	}{
		{"de", true},
		{"zh-CN", true},
		{"sr-Latn-RS", true},
		{"de-DE-1996", true},
		{"german!", false},
		{"de_DE!", false},
		{"12", false},
		{"en-" + "abcdefgh-abcdefgh-abcdefgh-abcdefgh", false}, // over 35 characters
	}
	for _, tt := range tests {
		t.Run(tt.tag, func(t *testing.T) {
			if got := validLanguage(tt.tag); got != tt.want {
				t.Errorf("validLanguage(%q) = %v; want %v", tt.tag, got, tt.want)
			}
		})
	}
}
