// Package money owns how Borderdesk reads and writes amounts: integer minor units of an
// ISO 4217 currency, never floats. It knows each currency's minor-unit exponent (KWD has
// three decimals, JPY none) and renders amounts exactly for logs and timeline lines.
//
// The exponents here are ISO 4217's. Payment providers do not always agree: Stripe, for
// one, keeps its own list of zero-decimal and special-cased currencies, and the amounts it
// sends and accepts follow that list. Code that builds provider requests (refunds) must use
// the provider's table, kept with the provider's adapter, not this one.
package money

import (
	"strconv"
	"strings"
)

// exponents lists every currency whose minor unit is not hundredths.
var exponents = map[string]int{
	// No minor unit in use.
	"BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0,
	"PYG": 0, "RWF": 0, "UGX": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
	// Thousandths.
	"BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
	// Units of account with four decimals.
	"CLF": 4, "UYW": 4,
}

// Exponent is the number of decimals of currency's minor unit (2 for EUR, 0 for JPY, 3 for
// KWD). currency may be in either case; unknown codes get 2, the most common exponent, so a
// new currency is shown plausibly rather than refused.
func Exponent(currency string) int {
	if e, ok := exponents[strings.ToUpper(strings.TrimSpace(currency))]; ok {
		return e
	}
	return 2
}

// Format renders amount minor units of currency as a plain decimal and the upper-case code,
// for logs and timeline lines: Format(1234, "kwd") is "1.234 KWD", Format(4990, "JPY") is
// "4990 JPY", Format(-4990, "eur") is "-49.90 EUR". An empty currency gives the number alone.
// Consoles format for the reader's locale themselves.
func Format(amount int64, currency string) string {
	code := strings.ToUpper(strings.TrimSpace(currency))
	n := decimal(amount, Exponent(code))
	if code == "" {
		return n
	}
	return n + " " + code
}

// decimal writes amount with exp digits after the point, in integer arithmetic only.
func decimal(amount int64, exp int) string {
	sign := ""
	// The magnitude as uint64, so the most negative int64 has one too.
	mag := uint64(amount)
	if amount < 0 {
		sign, mag = "-", -mag
	}
	digits := strconv.FormatUint(mag, 10)
	if exp == 0 {
		return sign + digits
	}
	if len(digits) <= exp {
		digits = strings.Repeat("0", exp-len(digits)+1) + digits
	}
	cut := len(digits) - exp
	return sign + digits[:cut] + "." + digits[cut:]
}
