package translate

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/borderdesk/borderdesk/shared/errs"
)

type deeplPeer struct {
	translations []deeplRequest
	glossaries   []map[string]string
	auth         []string
}

// deeplServer speaks DeepL API v2's /v2/translate and /v2/glossaries with JSON bodies. It
// applies a created glossary's entries (so a missing glossary_id shows in the output), keeps
// <keep> content, and answers with DeepL's documented status codes for the keys it knows.
func deeplServer(t *testing.T, p *deeplPeer) *httptest.Server {
	t.Helper()
	entries := map[string]string{} // glossary_id → TSV
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Get("Authorization")
		p.auth = append(p.auth, auth)
		w.Header().Set("Content-Type", "application/json")
		switch auth {
		case "DeepL-Auth-Key good:fx":
		case "DeepL-Auth-Key spent:fx":
			w.WriteHeader(456)
			_, _ = w.Write([]byte(`{"message":"Quota Exceeded"}`))
			return
		case "DeepL-Auth-Key busy:fx":
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = w.Write([]byte(`{"message":"Too many requests"}`))
			return
		default:
			w.WriteHeader(http.StatusForbidden)
			_, _ = w.Write([]byte(`{"message":"Authorization failure, check auth_key"}`))
			return
		}
		switch r.URL.Path {
		case "/v2/glossaries":
			var in map[string]string
			_ = json.NewDecoder(r.Body).Decode(&in)
			p.glossaries = append(p.glossaries, in)
			if in["target_lang"] == "fr" {
				w.WriteHeader(http.StatusBadRequest)
				_, _ = w.Write([]byte(`{"message":"Unsupported glossary language pair"}`))
				return
			}
			id := "def3a26b-3e84-45b3-84ae-0c0aaf3525f7"
			entries[id] = in["entries"]
			w.WriteHeader(http.StatusCreated)
			_, _ = w.Write([]byte(`{"glossary_id":"` + id + `","name":"` + in["name"] + `","ready":true,"source_lang":"` + in["source_lang"] + `","target_lang":"` + in["target_lang"] + `","creation_time":"2026-12-02T14:16:18.329Z","entry_count":2}`))
		case "/v2/translate":
			var in deeplRequest
			_ = json.NewDecoder(r.Body).Decode(&in)
			p.translations = append(p.translations, in)
			out := in.Text[0]
			for _, line := range strings.Split(strings.TrimSpace(entries[in.GlossaryID]), "\n") {
				if s, d, ok := strings.Cut(line, "\t"); ok {
					out = strings.ReplaceAll(out, s, d)
				}
			}
			out = strings.NewReplacer("Wo ist mein", "我的", "Paket", "包裹", "mit", "和").Replace(out)
			b, _ := json.Marshal(map[string]any{"translations": []map[string]string{{"detected_source_language": "DE", "text": out}}})
			_, _ = w.Write(b)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestDeepLTranslate(t *testing.T) {
	var p deeplPeer
	srv := deeplServer(t, &p)
	d := NewDeepL("good:fx", srv.URL, srv.Client())
	ctx := context.Background()
	req := Request{Text: "Wo ist mein Milchpulver mit Aptamil & Co?", Source: "de", Target: "zh-CN", Glossary: &milk}
	for range 2 {
		res, err := d.Translate(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		want := Result{Text: "我的 奶粉 和 Aptamil & Co?", DetectedSource: "de", Provider: "deepl", Characters: 41}
		if res != want {
			t.Errorf("Translate = %+v; want %+v", res, want)
		}
	}
	if len(p.glossaries) != 1 {
		t.Fatalf("created %d glossaries; want 1, then the cached id", len(p.glossaries))
	}
	g := p.glossaries[0]
	if g["source_lang"] != "de" || g["target_lang"] != "zh" || g["entries_format"] != "tsv" || g["entries"] != "Milchpulver\t奶粉\nRückerstattung\t退款\n" || g["name"] != "borderdesk-demo-v3-de-zh" {
		t.Errorf("glossary request = %q", g)
	}
	tr := p.translations[1]
	if tr.GlossaryID != "def3a26b-3e84-45b3-84ae-0c0aaf3525f7" || tr.SourceLang != "DE" || tr.TargetLang != "ZH-HANS" || tr.TagHandling != "xml" ||
		len(tr.IgnoreTags) != 1 || tr.IgnoreTags[0] != "keep" || tr.Text[0] != "Wo ist mein Milchpulver mit <keep>Aptamil</keep> &amp; Co?" {
		t.Errorf("translate request = %+v", tr)
	}
	for _, a := range p.auth {
		if a != "DeepL-Auth-Key good:fx" {
			t.Errorf("Authorization = %q", a)
		}
	}

	// Without a known source there is no pair, so no glossary; without kept terms, no tags.
	if _, err := d.Translate(ctx, Request{Text: "Paket", Target: "en", Glossary: &milk}); err != nil {
		t.Fatal(err)
	}
	if tr := p.translations[2]; tr.GlossaryID != "" || tr.SourceLang != "" || tr.TargetLang != "EN-US" || tr.TagHandling != "" {
		t.Errorf("auto-detect request = %+v", tr)
	}

	// A pair DeepL refuses a glossary for still translates, without one, and is asked once.
	for range 2 {
		if _, err := d.Translate(ctx, Request{Text: "Rückerstattung", Source: "de", Target: "fr", Glossary: &milk}); err != nil {
			t.Fatal(err)
		}
	}
	if len(p.glossaries) != 2 || p.translations[3].GlossaryID != "" || p.translations[4].GlossaryID != "" {
		t.Errorf("refused pair: %d glossary requests, ids %q %q; want 2 in all, no id", len(p.glossaries), p.translations[3].GlossaryID, p.translations[4].GlossaryID)
	}

	// HTML keeps its markup as it is: tag_handling html, kept terms in <keep>, nothing escaped.
	res, err := d.Translate(ctx, Request{Text: "<p>Paket mit Aptamil &amp; mehr</p>", Target: "zh", Format: "html", Glossary: &Glossary{ID: "dnt", DoNotTranslate: []string{"Aptamil"}}})
	if err != nil {
		t.Fatal(err)
	}
	if tr := p.translations[5]; tr.TagHandling != "html" || tr.Text[0] != "<p>Paket mit <keep>Aptamil</keep> &amp; mehr</p>" || res.Text != "<p>包裹 和 Aptamil &amp; mehr</p>" {
		t.Errorf("html: request %+v, result %q", tr, res.Text)
	}
}

func TestDeepLErrors(t *testing.T) {
	var p deeplPeer
	srv := deeplServer(t, &p)
	tests := []struct {
		key   string
		kind  errs.Kind
		quota bool
	}{
		{"spent:fx", errs.Forbidden, true},
		{"busy:fx", errs.Transient, false},
		{"wrong", errs.Unauthorized, false},
	}
	for _, tt := range tests {
		_, err := NewDeepL(tt.key, srv.URL, srv.Client()).Translate(context.Background(), Request{Text: "x", Target: "de"})
		if errs.KindOf(err) != tt.kind || errors.Is(err, ErrQuotaExhausted) != tt.quota {
			t.Errorf("Translate with key %q: %v; want kind %s, quota %v", tt.key, err, tt.kind, tt.quota)
		}
	}
}

func TestDeepLCodes(t *testing.T) {
	if d := NewDeepL("k:fx", "", nil); d.base != deeplFreeURL {
		t.Errorf("free key base = %q", d.base)
	}
	if d := NewDeepL("k", "", nil); d.base != deeplProURL {
		t.Errorf("pro key base = %q", d.base)
	}
	for in, want := range map[string]string{"en": "EN-US", "en-GB": "EN-GB", "pt": "PT-PT", "pt-BR": "PT-BR", "zh": "ZH-HANS", "zh-TW": "ZH-HANT", "de-AT": "DE", "ja": "JA"} {
		if got := deeplTarget(in); got != want {
			t.Errorf("deeplTarget(%q) = %q; want %q", in, got, want)
		}
	}
}
