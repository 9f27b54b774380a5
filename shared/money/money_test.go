package money_test

import (
	"math"
	"testing"

	"github.com/borderdesk/borderdesk/shared/money"
)

func TestExponent(t *testing.T) {
	tests := []struct {
		currency string
		want     int
	}{
		{"EUR", 2}, {"usd", 2}, {"GBP", 2}, {"CNY", 2},
		{"JPY", 0}, {"krw", 0}, {"VND", 0}, {"CLP", 0}, {"ISK", 0}, {"UGX", 0},
		{"XAF", 0}, {"XOF", 0}, {"PYG", 0}, {"RWF", 0}, {"KMF", 0}, {"GNF", 0},
		{"VUV", 0}, {"XPF", 0}, {"BIF", 0}, {"DJF", 0},
		{"BHD", 3}, {"IQD", 3}, {"JOD", 3}, {"kwd", 3}, {"LYD", 3}, {"OMR", 3}, {"TND", 3},
		{"CLF", 4},
		{" kwd ", 3}, {"", 2}, {"XYZ", 2},
	}
	for _, tc := range tests {
		if got := money.Exponent(tc.currency); got != tc.want {
			t.Errorf("Exponent(%q) = %d; want %d", tc.currency, got, tc.want)
		}
	}
}

func TestFormat(t *testing.T) {
	tests := []struct {
		name     string
		amount   int64
		currency string
		want     string
	}{
		{"two decimals", 4990, "EUR", "49.90 EUR"},
		{"lower case code", 8990, "eur", "89.90 EUR"},
		{"under one unit", 5, "usd", "0.05 USD"},
		{"zero", 0, "usd", "0.00 USD"},
		{"negative", -1250, "gbp", "-12.50 GBP"},
		{"negative under one unit", -7, "eur", "-0.07 EUR"},
		{"zero decimals", 4990, "JPY", "4990 JPY"},
		{"zero decimals lower case", 4500, "jpy", "4500 JPY"},
		{"zero decimals negative", -300, "krw", "-300 KRW"},
		{"three decimals", 1234, "KWD", "1.234 KWD"},
		{"three decimals lower case", 1234, "kwd", "1.234 KWD"},
		{"three decimals under one unit", 5, "bhd", "0.005 BHD"},
		{"three decimals negative", -10500, "OMR", "-10.500 OMR"},
		{"three decimals zero", 0, "TND", "0.000 TND"},
		{"four decimals", 12345, "CLF", "1.2345 CLF"},
		{"unknown code", 199, "xyz", "1.99 XYZ"},
		{"no currency", 199, "", "1.99"},
		{"largest", math.MaxInt64, "EUR", "92233720368547758.07 EUR"},
		{"most negative", math.MinInt64, "EUR", "-92233720368547758.08 EUR"},
		{"most negative, three decimals", math.MinInt64, "KWD", "-9223372036854775.808 KWD"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := money.Format(tc.amount, tc.currency); got != tc.want {
				t.Errorf("Format(%d, %q) = %q; want %q", tc.amount, tc.currency, got, tc.want)
			}
		})
	}
}
