package translate

import (
	"reflect"
	"testing"
)

var milk = Glossary{
	ID: "demo-v3",
	Terms: []Term{
		{Forms: map[string]string{"de": "Milchpulver", "zh": "奶粉", "en": "infant formula milk powder", "ru": "Сухое молоко", "ja": "粉ミルク"}},
		{Forms: map[string]string{"de": "Rückerstattung", "en": "refund", "zh": "退款", "fr": "remboursement"}},
	},
	DoNotTranslate: []string{"Aptamil", "BorderBox"},
}

func TestCheckTerms(t *testing.T) {
	tests := []struct {
		name                   string
		source, srcLang        string
		translated, targetLang string
		want                   []Miss
	}{
		{"de→zh term kept", "Wo ist mein Milchpulver?", "de", "我的奶粉在哪里？", "zh-CN", nil},
		{"de→zh term lost", "Wo ist mein Milchpulver?", "de", "我的牛奶在哪里？", "zh-CN", []Miss{{Source: "Milchpulver", Want: "奶粉"}}},
		{"zh→de case-insensitive", "奶粉什么时候到？", "zh", "Wann kommt das MILCHPULVER?", "de", nil},
		{"zh→en whole phrase", "我要退款", "zh", "I want a refund.", "en", nil},
		{"en whole word: refunded is not refund", "I want a refund", "en", "Je veux être remboursée", "fr", []Miss{{Source: "refund", Want: "remboursement"}}},
		{"de source substring is not a term", "Milchpulverdose kaputt", "de", "奶粉罐坏了", "zh", nil},
		{"cyrillic folds case", "сухое молоко не пришло", "ru", "Milchpulver ist nicht angekommen", "de", nil},
		{"ja substring", "粉ミルクが届きません", "ja", "My infant formula milk powder has not arrived", "en", nil},
		{"ja substring missing", "粉ミルクが届きません", "ja", "My milk has not arrived", "en", []Miss{{Source: "粉ミルク", Want: "infant formula milk powder"}}},
		{"term absent from source", "Hallo", "de", "你好", "zh", nil},
		{"no form for target", "Milchpulver", "de", "lait", "it", nil},
		{"dnt verbatim", "Aptamil kam kaputt an", "de", "Aptamil 到货时坏了", "zh", nil},
		{"dnt changed case", "Aptamil kam kaputt an", "de", "APTAMIL 到货时坏了", "zh", []Miss{{Source: "Aptamil", Want: "Aptamil", DoNotTranslate: true}}},
		{"dnt translated away", "BorderBox ist leer", "de", "边境盒是空的", "zh", []Miss{{Source: "BorderBox", Want: "BorderBox", DoNotTranslate: true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := CheckTerms(milk, tt.source, tt.srcLang, tt.translated, tt.targetLang)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("CheckTerms(%q, %q) = %+v; want %+v", tt.source, tt.translated, got, tt.want)
			}
		})
	}
}
