package inbound

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// orderRef finds a candidate order number in one of three shapes: introduced by an order word
// in one of the shop's languages (group 1 prefix, group 2 digits), after a "#" (groups 3, 4),
// or carrying a shop's own order prefix such as "SO-10482" (groups 5, 6). A bare number is
// never an order: phone numbers, dates, prices, postcodes and tracking numbers look just the
// same, and a wrong order pulls a stranger's context into the ticket.
var orderRef = regexp.MustCompile(`(?i:` +
	// the order word
	`(?:order|bestellung|bestellnummer|bestell-?nr|auftrag(?:snummer)?|commande|pedido|orden|ordine|encomenda|` +
	`bestelling|ordernummer|zam[oó]wieni[ea]|заказ[а]?|ご注文番号|注文番号|ご注文|注文|订单编号|订单号|订单|訂單編號|訂單號|訂單|주문번호|주문)` +
	// what may stand between it and the number: "No.", "n°", "number", "#", ":", "is", "は"…
	`(?:[\s:：#№°º.\-]|number|nummer|num[eé]ro|número|nr|no|n|id|ref|is|ist|est|es|は|为|是|는|은)*?` +
	`)` +
	`(?:([A-Za-z]{1,4})-)?(\d{4,12})` +
	`|#\s?(?:([A-Za-z]{1,4})-)?(\d{4,12})` +
	`|\b(SO|ORD|PO)-(\d{4,12})`)

// notOrderBeforeHash are words after which a "#" numbers something else than an order.
var notOrderBeforeHash = regexp.MustCompile(`(?i)(?:tracking|track|sendung|sendungsnummer|suivi|seguimiento|invoice|rechnung|facture|factura|ticket|case|phone|tel|telefon|fax|room|apt|suite|unit|postcode|zip|plz)\s*$`)

// OrderNumbers finds order numbers a customer names in a subject or text: "#10482",
// "order 10482", "Order No. 10482", "Bestellung 10482", "commande n° 10482", "pedido 10482",
// "注文番号 10482", "订单号：10482", "주문번호 10482"… (digits, 4–12 long, optionally with a
// leading # or a shop prefix like "SO-10482"); in order of appearance, without repeats.
// A number keeps its shop prefix, upper-cased ("SO-10482"); "#" is dropped ("10482").
// Phone numbers, dates, prices, postcodes and tracking numbers are not orders unless an order
// word or "#" introduces them.
func OrderNumbers(texts ...string) []string {
	var out []string
	seen := map[string]bool{}
	for _, text := range texts {
		for pos := 0; pos < len(text); {
			loc := orderRef.FindStringSubmatchIndex(text[pos:])
			if loc == nil {
				break
			}
			for i := range loc {
				if loc[i] >= 0 {
					loc[i] += pos
				}
			}
			if n, ok := orderAt(text, loc); ok {
				if !seen[n] {
					seen[n] = true
					out = append(out, n)
				}
				pos = loc[1]
				continue
			}
			// Not an order here; look again one character on, so "order" inside a longer
			// match that failed is still seen.
			_, size := utf8.DecodeRuneInString(text[loc[0]:])
			pos = loc[0] + size
		}
	}
	return out
}

// orderAt checks one match of orderRef for the boundaries RE2 cannot express and returns the
// order number it names.
func orderAt(text string, loc []int) (string, bool) {
	start, end := loc[0], loc[1]
	var prefix, digits string
	switch {
	case loc[4] >= 0: // order word
		if first, _ := utf8.DecodeRuneInString(text[start:]); isWordRune(first) && !isCJK(first) {
			if prev, _ := utf8.DecodeLastRuneInString(text[:start]); isWordRune(prev) {
				return "", false // "reorder", "Nachbestellung"
			}
		}
		if loc[2] >= 0 {
			prefix = text[loc[2]:loc[3]]
		}
		digits = text[loc[4]:loc[5]]
	case loc[8] >= 0: // "#"
		prev, _ := utf8.DecodeLastRuneInString(text[:start])
		if isWordRune(prev) || prev == '&' {
			return "", false // "C#1234", "&#10482;"
		}
		if prev == '[' {
			return "", false // "[#T-1042]", "[#1042]": a helpdesk's ticket tag in a subject
		}
		if notOrderBeforeHash.MatchString(text[:start]) {
			return "", false // "tracking #123456789"
		}
		if loc[6] >= 0 {
			prefix = text[loc[6]:loc[7]]
		}
		digits = text[loc[8]:loc[9]]
	default: // "SO-10482"
		prefix, digits = text[loc[10]:loc[11]], text[loc[12]:loc[13]]
	}
	// The number must end where it ends: not the start of a longer number, a date
	// ("2026-12-01"), a decimal price ("10482.50") or a tracking code ("1234ABC").
	rest := text[end:]
	if next, size := utf8.DecodeRuneInString(rest); next != utf8.RuneError || size != 0 {
		if isWordRune(next) && !isCJK(next) {
			return "", false
		}
		if strings.ContainsRune(".,/:-", next) {
			if after, _ := utf8.DecodeRuneInString(rest[size:]); unicode.IsDigit(after) {
				return "", false
			}
		}
	}
	if prefix != "" {
		return strings.ToUpper(prefix) + "-" + digits, true
	}
	return digits, true
}

func isWordRune(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)
}

// isCJK reports whether r is from a script written without spaces between words, where a
// number may follow a word directly ("注文番号10482です").
func isCJK(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul)
}
