package langdetect

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/abadojack/whatlanggo"
)

// detectFunc is the shape every detector is measured in: the message and the customer's
// country ("" when unknown) in, an ISO 639-1 code out ("" for no answer, which counts as
// wrong).
type detectFunc func(text, country string) string

// score is how a detector did on a set.
type score struct {
	Correct, Total int
	PerLang        map[string]*langScore
}

type langScore struct {
	Correct, Total int
	Wrong          map[string]int // what the language was mistaken for, and how often
}

func (s score) percent() float64 { return pct(s.Correct, s.Total) }

func pct(n, of int) float64 {
	if of == 0 {
		return 0
	}
	return 100 * float64(n) / float64(of)
}

// accuracy runs detect over set and counts, overall and per labelled language, how often it
// gave the label.
func accuracy(detect detectFunc, set []labelled) score {
	s := score{PerLang: map[string]*langScore{}}
	for _, m := range set {
		ls := s.PerLang[m.Lang]
		if ls == nil {
			ls = &langScore{Wrong: map[string]int{}}
			s.PerLang[m.Lang] = ls
		}
		got := detect(m.Text, m.Country)
		s.Total++
		ls.Total++
		if got == m.Lang {
			s.Correct++
			ls.Correct++
		} else {
			if got == "" {
				got = "?"
			}
			ls.Wrong[got]++
		}
	}
	return s
}

// table renders s one language a line, worst first, with what each was mistaken for.
func (s score) table() string {
	langs := make([]string, 0, len(s.PerLang))
	for l := range s.PerLang {
		langs = append(langs, l)
	}
	slices.SortFunc(langs, func(a, b string) int {
		pa, pb := pct(s.PerLang[a].Correct, s.PerLang[a].Total), pct(s.PerLang[b].Correct, s.PerLang[b].Total)
		switch {
		case pa < pb:
			return -1
		case pa > pb:
			return 1
		}
		return strings.Compare(a, b)
	})
	var b strings.Builder
	fmt.Fprintf(&b, "overall %.1f%% (%d/%d)\n", s.percent(), s.Correct, s.Total)
	for _, l := range langs {
		ls := s.PerLang[l]
		wrong := make([]string, 0, len(ls.Wrong))
		for w, n := range ls.Wrong {
			wrong = append(wrong, fmt.Sprintf("%s×%d", w, n))
		}
		slices.Sort(wrong)
		fmt.Fprintf(&b, "%-3s %5.1f%% %3d/%-3d %s\n", l, pct(ls.Correct, ls.Total), ls.Correct, ls.Total, strings.Join(wrong, " "))
	}
	return b.String()
}

// whatlanggoISO maps whatlanggo's answer to the set's ISO 639-1 codes. Its own Iso6391 is
// right for most languages; the exceptions are Norwegian, which it splits into Bokmål and
// Nynorsk (both count as "no" here, the macrolanguage the set labels), and Mandarin and
// Persian, for which it returns "" because their ISO 639-3 codes (cmn, pes) have no 639-1 twin.
func whatlanggoISO(l whatlanggo.Lang) string {
	switch l {
	case whatlanggo.Nob, whatlanggo.Nno:
		return "no"
	case whatlanggo.Cmn:
		return "zh"
	case whatlanggo.Pes:
		return "fa"
	}
	return l.Iso6391()
}

// whatlanggoDetect is whatlanggo as a detectFunc. whatlanggo has no notion of a prior, so
// the country is ignored.
func whatlanggoDetect(text, _ string) string {
	return whatlanggoISO(whatlanggo.DetectLang(text))
}

func TestAccuracy(t *testing.T) {
	set := []labelled{
		{Lang: "en", Text: "refund please"},
		{Lang: "en", Country: "CN", Text: "where is my parcel"},
		{Lang: "de", Country: "DE", Text: "danke"},
		{Lang: "da", Text: "tak"},
	}
	tests := []struct {
		name    string
		detect  detectFunc
		correct int
		wrong   map[string]map[string]int
	}{
		{"always en", func(string, string) string { return "en" }, 2,
			map[string]map[string]int{"de": {"en": 1}, "da": {"en": 1}}},
		{"no answer", func(string, string) string { return "" }, 0,
			map[string]map[string]int{"en": {"?": 2}, "de": {"?": 1}, "da": {"?": 1}}},
		{"country decides", func(_, country string) string {
			return map[string]string{"CN": "zh", "DE": "de"}[country]
		}, 1, map[string]map[string]int{"en": {"?": 1, "zh": 1}, "da": {"?": 1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := accuracy(tt.detect, set)
			if s.Correct != tt.correct || s.Total != len(set) {
				t.Errorf("accuracy(%s) = %d/%d; want %d/%d", tt.name, s.Correct, s.Total, tt.correct, len(set))
			}
			for lang, ls := range s.PerLang {
				want := tt.wrong[lang]
				if len(ls.Wrong) != len(want) {
					t.Errorf("accuracy(%s): %s mistaken for %v; want %v", tt.name, lang, ls.Wrong, want)
					continue
				}
				for w, n := range want {
					if ls.Wrong[w] != n {
						t.Errorf("accuracy(%s): %s mistaken for %v; want %v", tt.name, lang, ls.Wrong, want)
					}
				}
			}
		})
	}
}

func TestWhatlanggoISO(t *testing.T) {
	tests := []struct {
		lang whatlanggo.Lang
		want string
	}{
		{whatlanggo.Eng, "en"}, {whatlanggo.Nob, "no"}, {whatlanggo.Nno, "no"},
		{whatlanggo.Cmn, "zh"}, {whatlanggo.Pes, "fa"}, {whatlanggo.Ukr, "uk"},
		{whatlanggo.Jpn, "ja"}, {whatlanggo.Heb, "he"},
	}
	for _, tt := range tests {
		if got := whatlanggoISO(tt.lang); got != tt.want {
			t.Errorf("whatlanggoISO(%v) = %q; want %q", tt.lang, got, tt.want)
		}
	}
}

// BenchmarkAccuracyWhatlanggo is the baseline: whatlanggo v1.0.1 over the labelled set.
// accuracy_% is the figure BENCHMARKS.md records; the log lists each language, worst first,
// with what it was mistaken for. ns/op is one pass over the whole set.
func BenchmarkAccuracyWhatlanggo(b *testing.B) {
	benchmarkAccuracy(b, whatlanggoDetect)
}

// benchmarkAccuracy is the body every detector's benchmark shares, so their figures come
// from the same set, the same counting and the same report.
func benchmarkAccuracy(b *testing.B, detect detectFunc) {
	set, err := loadSet(setPath)
	if err != nil {
		b.Fatal(err)
	}
	var s score
	for b.Loop() {
		s = accuracy(detect, set)
	}
	b.ReportMetric(s.percent(), "accuracy_%")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(set)), "ns/msg")
	b.Log("\n" + s.table())
}
