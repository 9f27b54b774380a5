package translate

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Miss is a glossary term the translation did not carry over.
type Miss struct {
	Source         string // the term as found in the source text
	Want           string // the form the translation should contain
	DoNotTranslate bool
}

// CheckTerms confirms that every glossary term present in source (in sourceLang) appears in
// translated (in targetLang) in its glossary form, and every do-not-translate term verbatim.
// Matching folds case where the script has it; terms in Latin, Greek and Cyrillic match whole
// words only, others (CJK and Thai have no spaces, Korean and Arabic attach particles and
// articles) as substrings. It is the only
// glossary enforcement LibreTranslate gets, and a safety net for the others.
func CheckTerms(g Glossary, source, sourceLang, translated, targetLang string) []Miss {
	var misses []Miss
	for _, t := range g.Terms {
		from, to := formFor(t, sourceLang), formFor(t, targetLang)
		if from == "" || to == "" || !contains(source, from) {
			continue
		}
		if !contains(translated, to) {
			misses = append(misses, Miss{Source: from, Want: to})
		}
	}
	for _, k := range g.DoNotTranslate {
		if k != "" && contains(source, k) && !containsExact(translated, k) {
			misses = append(misses, Miss{Source: k, Want: k, DoNotTranslate: true})
		}
	}
	return misses
}

// contains reports whether term occurs in text, folding case, as a whole word where the term
// starts or ends in a letter of a spaced script.
func contains(text, term string) bool {
	return find(strings.ToLower(text), strings.ToLower(term))
}

// containsExact is contains without case folding: a brand name must come out as written.
func containsExact(text, term string) bool { return find(text, term) }

func find(text, term string) bool {
	if term == "" {
		return false
	}
	first, _ := utf8.DecodeRuneInString(term)
	last, _ := utf8.DecodeLastRuneInString(term)
	for off := 0; off <= len(text); {
		i := strings.Index(text[off:], term)
		if i < 0 {
			return false
		}
		i += off
		before, _ := utf8.DecodeLastRuneInString(text[:i])
		after, _ := utf8.DecodeRuneInString(text[i+len(term):])
		okBefore := !spaced(first) || i == 0 || !wordRune(before)
		okAfter := !spaced(last) || i+len(term) == len(text) || !wordRune(after)
		if okBefore && okAfter {
			return true
		}
		_, n := utf8.DecodeRuneInString(text[i:])
		off = i + n
	}
	return false
}

// spaced reports whether r is a letter or digit of a script whose words stand between
// spaces, where a term must match whole words ("Milch" is not found in "Milchpulver").
func spaced(r rune) bool {
	return unicode.IsDigit(r) || unicode.In(r, unicode.Latin, unicode.Greek, unicode.Cyrillic)
}

func wordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}
