package inbound

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// OrderNumbers looks at each run of digits and asks what stands right before it, rather than
// searching the text for "order … digits": the run is found by a plain scan and the words
// before it are a short window, so a 25 MB text costs one pass and no pattern ever runs over
// the whole of it.

// orderIntro matches the end of the window before a number when an order word in one of the
// shop's customers' languages introduces it, with what may stand between ("No.", "n°",
// "number", ":", "is", "は"…). Words in Latin and Cyrillic script need a word boundary before
// them ("reorder" is not "order"); Chinese, Japanese and Korean ones do not, as those scripts
// put no space between words.
var orderIntro = regexp.MustCompile(`(?i)(?:` +
	`(?:^|[^\p{L}\p{N}_])(?:order|bestellung|bestellnummer|bestell-?nr|auftrag|auftragsnummer|commande|pedido|orden|ordine|` +
	`encomenda|bestelling|ordernummer|zam[oó]wieni[ea]|заказ|заказа)` +
	`|(?:ご注文番号|注文番号|ご注文|注文|订单编号|订单号|订单|訂單編號|訂單號|訂單|주문번호|주문)` +
	`)(?:[\s:：#№°º.\-]|number|nummer|num[eé]ro|número|nr|no|n|id|ref|is|ist|est|es|は|为|是|는|은)*$`)

// hashIntro matches a window that ends in "#" (and perhaps one space) that is not part of a
// word ("C#"), an HTML entity ("&#10482;") or a helpdesk's ticket tag ("[#1042]").
var hashIntro = regexp.MustCompile(`(?:^|[^\p{L}\p{N}_&\[])#\s?$`)

// notOrderBeforeHash are words after which a "#" numbers something else than an order.
var notOrderBeforeHash = regexp.MustCompile(`(?i)(?:tracking|track|sendung|sendungsnummer|suivi|seguimiento|invoice|rechnung|facture|factura|ticket|case|phone|tel|telefon|fax|room|apt|suite|unit|postcode|zip|plz)\s*#\s?$`)

// shopPrefixes are order-number prefixes that name an order on their own ("SO-10482").
var shopPrefixes = map[string]bool{"SO": true, "ORD": true, "PO": true}

const (
	orderWindow        = 64   // bytes before a number that may introduce it
	maxOrderCandidates = 2000 // digit runs looked at per text: a pasted table is not a question about 2,001 orders
)

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
		candidates := 0
		for i := 0; i < len(text); {
			if !isASCIIDigit(text[i]) {
				i++
				continue
			}
			j := i
			for j < len(text) && isASCIIDigit(text[j]) {
				j++
			}
			candidates++
			if candidates > maxOrderCandidates {
				break
			}
			if n, ok := orderAt(text, i, j); ok && !seen[n] {
				seen[n] = true
				out = append(out, n)
			}
			i = j
		}
	}
	return out
}

// orderAt decides whether the digit run text[i:j] is an order number, and returns it.
func orderAt(text string, i, j int) (string, bool) {
	if j-i < 4 || j-i > 12 {
		return "", false
	}
	// The number must end where it ends: not a date ("2026-12-01"), a decimal price
	// ("10482.50"), a time or a tracking code ("10482ABC").
	if next, size := utf8.DecodeRuneInString(text[j:]); size > 0 {
		if isWordRune(next) && !isCJK(next) {
			return "", false
		}
		if strings.ContainsRune(".,/:-", next) && j+size < len(text) && isASCIIDigit(text[j+size]) {
			return "", false
		}
	}
	digits := text[i:j]
	// A shop prefix: "SO-10482", "so-10482" after "#".
	head, prefix := i, ""
	if i >= 2 && text[i-1] == '-' {
		k := i - 1
		for k > 0 && k > i-6 && isASCIILetter(text[k-1]) {
			k--
		}
		if n := i - 1 - k; n >= 1 && n <= 4 {
			if prev, _ := utf8.DecodeLastRuneInString(text[:k]); !isWordRune(prev) {
				head, prefix = k, strings.ToUpper(text[k:i-1])
			}
		}
	}
	if prev, _ := utf8.DecodeLastRuneInString(text[:head]); head > 0 && isWordRune(prev) && !isCJK(prev) {
		return "", false // "A10482", "x-10482"
	} else if head > 0 && prev == '-' && prefix == "" {
		return "", false // "2026-10482", "+49-30-12345"
	}
	name := digits
	if prefix != "" {
		name = prefix + "-" + digits
	}
	window := text[max(0, head-orderWindow):head]
	for len(window) > 0 && !utf8.RuneStart(window[0]) {
		window = window[1:]
	}
	switch {
	case hashIntro.MatchString(window):
		if notOrderBeforeHash.MatchString(window) {
			return "", false
		}
		return name, true
	case orderIntro.MatchString(window):
		return name, true
	case shopPrefixes[prefix] && text[head] >= 'A' && text[head] <= 'Z':
		return name, true
	}
	return "", false
}

func isASCIIDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isASCIILetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func isWordRune(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)
}

// isCJK reports whether r is from a script written without spaces between words, where a
// number may follow a word directly ("注文番号10482です").
func isCJK(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul)
}
