package translate

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSplit(t *testing.T) {
	para := strings.Repeat("Das ist ein Satz. ", 30) // 540 bytes
	tests := []struct {
		name  string
		text  string
		limit int
		first string // expected first chunk, "" to skip
	}{
		{"short", "Hallo", 100, "Hallo"},
		{"paragraphs", "eins zwei\n\ndrei vier", 15, "eins zwei\n\n"},
		{"sentences", "Eins. Zwei. Drei.", 13, "Eins. Zwei. "},
		{"cjk sentences", "第一句。第二句。第三句。", 20, "第一句。"},
		{"words", "aaa bbb ccc", 9, "aaa bbb "},
		{"no break keeps runes whole", strings.Repeat("奶", 10), 10, "奶奶奶"},
		{"long", strings.Repeat(para+"\n\n", 40), 10000, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := split(tt.text, tt.limit)
			if j := strings.Join(got, ""); j != tt.text {
				t.Fatalf("join(split(%q)) = %q", tt.text, j)
			}
			for _, c := range got {
				if len(c) > tt.limit || !utf8.ValidString(c) {
					t.Errorf("split(%d) chunk of %d bytes, valid %v", tt.limit, len(c), utf8.ValidString(c))
				}
			}
			if tt.first != "" && got[0] != tt.first {
				t.Errorf("split(%q, %d)[0] = %q; want %q", tt.text, tt.limit, got[0], tt.first)
			}
		})
	}
}

func TestProtectRestore(t *testing.T) {
	text := "Aptamil und aptamil Pre von BorderBox"
	p, kept := protect(text, keepTerms(&milk, text))
	if strings.Contains(strings.ToLower(p), "aptamil") || strings.Contains(p, "BorderBox") {
		t.Fatalf("protect(%q) = %q; terms still visible", text, p)
	}
	// Translation engines sometimes add spaces inside the brackets.
	translated := strings.ReplaceAll(strings.ReplaceAll(p, "⟦", "⟦ "), "und", "and")
	if got, want := restore(translated, kept), "Aptamil and aptamil Pre von BorderBox"; got != want {
		t.Errorf("restore(%q) = %q; want %q", translated, got, want)
	}
}

func TestWrapNoTranslate(t *testing.T) {
	text := `Aptamil <1 & "2"`
	w := wrapNoTranslate(text, []string{"Aptamil"}, false)
	if want := `<span translate="no">Aptamil</span> &lt;1 &amp; &#34;2&#34;`; w != want {
		t.Errorf("wrapNoTranslate(%q) = %q; want %q", text, w, want)
	}
	if got := unwrapNoTranslate(w, false); got != text {
		t.Errorf("unwrapNoTranslate(%q) = %q; want %q", w, got, text)
	}
}
