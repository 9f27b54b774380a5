package aftership

import "testing"

func TestAlpha2(t *testing.T) {
	tests := []struct{ iso3, want string }{
		{"DEU", "DE"},
		{"USA", "US"},
		{"GBR", "GB"},
		{"CHE", "CH"},
		{"HKG", "HK"},
		{"KOR", "KR"},
		{"ARE", "AE"},
		{"ISL", "IS"}, // and every country, not a table of common ones
		{"MNG", "MN"},
		{"deu", "DE"},
		{"DE", ""},  // alpha-2 already: not what AfterShip sends here
		{"276", ""}, // UN M.49 numeric for Germany
		{"EUR", ""},
		{"ZZZ", ""},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.iso3, func(t *testing.T) {
			if got := alpha2(tt.iso3); got != tt.want {
				t.Errorf("alpha2(%q) = %q; want %q", tt.iso3, got, tt.want)
			}
		})
	}
}
