package translate

import (
	"html"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// split cuts text into chunks of at most limit bytes, preferring paragraph breaks, then
// sentence ends, then spaces, and never cutting a UTF-8 sequence. Joining the chunks gives
// the text back exactly, so translations of the chunks join the same way.
func split(text string, limit int) []string {
	var out []string
	for len(text) > limit {
		cut := lastBreak(text, limit)
		out = append(out, text[:cut])
		text = text[cut:]
	}
	if text != "" || len(out) == 0 {
		out = append(out, text)
	}
	return out
}

// lastBreak returns where to end a chunk of text within limit bytes: after the last paragraph
// break, else after the last sentence end, else after the last space, else at the last rune
// boundary (looked for in text itself, since text[:limit] may end inside a rune).
func lastBreak(text string, limit int) int {
	s := text[:limit]
	if i := strings.LastIndex(s, "\n\n"); i > 0 {
		return i + 2
	}
	best := -1
	for _, end := range []string{". ", "! ", "? ", ".\n", "。", "！", "？", "\n"} {
		if i := strings.LastIndex(s, end); i >= 0 && i+len(end) > best {
			best = i + len(end)
		}
	}
	if best > 0 {
		return best
	}
	if i := strings.LastIndex(s, " "); i > 0 {
		return i + 1
	}
	cut := limit
	for cut > 0 && !utf8.RuneStart(text[cut]) {
		cut--
	}
	if cut == 0 { // limit is smaller than one rune: never loop without progress
		_, n := utf8.DecodeRuneInString(text)
		return n
	}
	return cut
}

// keepTerms returns the do-not-translate terms found in text, longest first, so a term that
// contains another is protected whole.
func keepTerms(g *Glossary, text string) []string {
	if g == nil {
		return nil
	}
	var found []string
	low := strings.ToLower(text)
	for _, t := range g.DoNotTranslate {
		if t != "" && strings.Contains(low, strings.ToLower(t)) {
			found = append(found, t)
		}
	}
	sort.Slice(found, func(i, j int) bool { return len(found[i]) > len(found[j]) })
	return found
}

// replaceTerms replaces each case-insensitive occurrence of the terms in text by mark(i,
// original); the rest of the text goes through rest.
func replaceTerms(text string, terms []string, mark func(i int, orig string) string, rest func(string) string) string {
	if len(terms) == 0 {
		return rest(text)
	}
	quoted := make([]string, len(terms))
	for i, t := range terms {
		quoted[i] = regexp.QuoteMeta(t)
	}
	re := regexp.MustCompile(`(?i)` + strings.Join(quoted, "|"))
	var b strings.Builder
	last := 0
	for _, m := range re.FindAllStringIndex(text, -1) {
		b.WriteString(rest(text[last:m[0]]))
		orig := text[m[0]:m[1]]
		idx := 0
		for i, t := range terms {
			if strings.EqualFold(t, orig) {
				idx = i
				break
			}
		}
		b.WriteString(mark(idx, orig))
		last = m[1]
	}
	b.WriteString(rest(text[last:]))
	return b.String()
}

func identity(s string) string { return s }

// wrapNoTranslate marks do-not-translate terms with <span translate="no">, which Amazon
// Translate honours in HTML content. Plain text is escaped so it survives as HTML; unwrap
// reverses both.
func wrapNoTranslate(text string, terms []string, isHTML bool) string {
	esc := html.EscapeString
	if isHTML {
		esc = identity
	}
	return replaceTerms(text, terms, func(_ int, orig string) string {
		return `<span translate="no">` + esc(orig) + `</span>`
	}, esc)
}

var noTranslateSpan = regexp.MustCompile(`<span translate="no">(.*?)</span>`)

func unwrapNoTranslate(out string, isHTML bool) string {
	out = noTranslateSpan.ReplaceAllString(out, "$1")
	if !isHTML {
		out = html.UnescapeString(out)
	}
	return out
}

// Placeholders for servers without markup support: a digit-only token in brackets, which
// machine translation keeps as it is, and which cannot occur in customer text by accident
// because the sentinel is unusual.
func placeholder(i int) string { return "⟦" + strconv.Itoa(i) + "⟧" }

var placeholderRE = regexp.MustCompile(`⟦\s*(\d+)\s*⟧`)

func protect(text string, terms []string) (string, []string) {
	var kept []string
	out := replaceTerms(text, terms, func(_ int, orig string) string {
		kept = append(kept, orig)
		return placeholder(len(kept) - 1)
	}, identity)
	return out, kept
}

func restore(out string, kept []string) string {
	return placeholderRE.ReplaceAllStringFunc(out, func(m string) string {
		i, err := strconv.Atoi(placeholderRE.FindStringSubmatch(m)[1])
		if err != nil || i >= len(kept) {
			return m
		}
		return kept[i]
	})
}
