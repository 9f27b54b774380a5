package langdetect

import (
	"bufio"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/language"
	"golang.org/x/text/unicode/norm"
)

// setPath is the labelled set every detector is measured on.
const setPath = "testdata/messages.tsv"

// languages are the ISO 639-1 codes issue 9 requires a detector to cover; the set must hold
// each at least minPerLanguage times.
var languages = []string{
	"en", "de", "fr", "es", "it", "pt", "nl", "pl", "sv", "da", "no", "fi", "cs", "sk", "hu",
	"ro", "bg", "hr", "el", "tr", "ru", "uk", "ar", "he", "fa", "hi", "th", "vi", "id", "ms",
	"ja", "ko", "zh",
}

const (
	minPerLanguage = 12
	minMessages    = 480
	maxRunes       = 60
)

// homes are the countries where each language is what a customer would be expected to
// write. The set is meant to carry misleading countries (a Spanish speaker in the US), and
// this is how the test counts them; it is not a prior for a detector.
var homes = map[string][]string{
	"en": {"US", "GB", "AU", "CA", "IE", "NZ", "IN", "SG"},
	"de": {"DE", "AT"}, "fr": {"FR", "BE", "CA", "MA"},
	"es": {"ES", "MX", "AR", "CO", "CL", "PE"}, "it": {"IT"}, "pt": {"PT", "BR", "AO"},
	"nl": {"NL", "BE"}, "pl": {"PL"}, "sv": {"SE"}, "da": {"DK"}, "no": {"NO"}, "fi": {"FI"},
	"cs": {"CZ"}, "sk": {"SK"}, "hu": {"HU"}, "ro": {"RO", "MD"}, "bg": {"BG"}, "hr": {"HR"},
	"el": {"GR", "CY"}, "tr": {"TR"}, "ru": {"RU", "KZ", "BY"}, "uk": {"UA"},
	"ar": {"SA", "AE", "EG", "MA", "JO", "KW"}, "he": {"IL"}, "fa": {"IR", "AF"},
	"hi": {"IN"}, "th": {"TH"}, "vi": {"VN"}, "id": {"ID"}, "ms": {"MY", "BN"}, "ja": {"JP"},
	"ko": {"KR"}, "zh": {"CN", "TW", "HK"},
}

// labelled is one line of the set.
type labelled struct {
	Line    int
	Lang    string // ISO 639-1
	Country string // ISO 3166-1 alpha-2, or "" when the line says "-"
	Text    string
}

// loadSet reads the set strictly: a line that breaks the format fails the load rather than
// being skipped, so a measurement is never taken on fewer messages than the file holds.
func loadSet(path string) ([]labelled, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var set []labelled
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if !utf8.ValidString(line) {
			return nil, fmt.Errorf("%s:%d: not valid UTF-8", path, n)
		}
		fields := strings.Split(line, "\t")
		if len(fields) != 3 {
			return nil, fmt.Errorf("%s:%d: %d tab-separated fields; want 3 (lang, country or -, text)", path, n, len(fields))
		}
		m := labelled{Line: n, Lang: fields[0], Country: fields[1], Text: fields[2]}
		if m.Country == "-" {
			m.Country = ""
		}
		set = append(set, m)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return set, nil
}

// validCountry reports whether code is an ISO 3166-1 alpha-2 country in its canonical,
// upper-case spelling: "UK" (an alias of GB), "EU" and "419" are not countries a customer
// record carries.
func validCountry(code string) bool {
	if len(code) != 2 || strings.ToUpper(code) != code {
		return false
	}
	r, err := language.ParseRegion(code)
	return err == nil && r.IsCountry() && r.Canonicalize().String() == code
}

func TestLabelledSet(t *testing.T) {
	set, err := loadSet(setPath)
	if err != nil {
		t.Fatal(err)
	}
	if len(set) < minMessages {
		t.Errorf("%s holds %d messages; want at least %d", setPath, len(set), minMessages)
	}
	required := make(map[string]bool, len(languages))
	for _, l := range languages {
		required[l] = true
	}
	perLang := map[string]int{}
	seen := map[string]int{}
	var misleading, missing int
	for _, m := range set {
		at := fmt.Sprintf("%s:%d", setPath, m.Line)
		if !required[m.Lang] {
			t.Errorf("%s: language %q is not one of the set's languages", at, m.Lang)
		}
		perLang[m.Lang]++
		switch {
		case m.Country == "":
			missing++
		case !validCountry(m.Country):
			t.Errorf("%s: country %q is not an ISO 3166-1 alpha-2 code (upper case) or -", at, m.Country)
		case !slices.Contains(homes[m.Lang], m.Country):
			misleading++
		}
		if strings.TrimSpace(m.Text) != m.Text || m.Text == "" {
			t.Errorf("%s: text %q is empty or has surrounding space", at, m.Text)
		}
		if n := utf8.RuneCountInString(m.Text); n > maxRunes {
			t.Errorf("%s: text %q has %d characters; want at most %d", at, m.Text, n, maxRunes)
		}
		if !norm.NFC.IsNormalString(m.Text) {
			t.Errorf("%s: text %q is not NFC", at, m.Text)
		}
		if first, dup := seen[m.Text]; dup {
			t.Errorf("%s: text %q already on line %d", at, m.Text, first)
		}
		seen[m.Text] = m.Line
	}
	for _, l := range languages {
		if perLang[l] < minPerLanguage {
			t.Errorf("language %s: %d messages; want at least %d", l, perLang[l], minPerLanguage)
		}
	}
	// A detector that trusted the country blindly must lose marks on this set.
	if misleading*10 < len(set) {
		t.Errorf("%d of %d messages have a misleading country; want at least 10%%", misleading, len(set))
	}
	if missing == 0 {
		t.Errorf("no message without a country (-); want some")
	}
}

func TestValidCountry(t *testing.T) {
	tests := []struct {
		code string
		want bool
	}{
		{"DE", true}, {"US", true}, {"TW", true}, {"HK", true},
		{"de", false}, {"UK", false}, {"EU", false}, {"419", false}, {"ZZ", false},
		{"XX", false}, {"", false}, {"DEU", false},
	}
	for _, tt := range tests {
		if got := validCountry(tt.code); got != tt.want {
			t.Errorf("validCountry(%q) = %v; want %v", tt.code, got, tt.want)
		}
	}
}
