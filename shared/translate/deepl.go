package translate

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/borderdesk/borderdesk/shared/errs"
)

// DeepL base URLs: keys of the free plan end in ":fx" and only work on the free host.
const (
	deeplFreeURL = "https://api-free.deepl.com"
	deeplProURL  = "https://api.deepl.com"
)

// DeepL speaks the DeepL API v2 (JSON bodies, "DeepL-Auth-Key" authorization). Glossaries are
// created per language pair from a Glossary the first time they are needed and their ids
// cached by Glossary.ID, which changes with every glossary version; do-not-translate terms go
// in <keep> tags that DeepL is told to ignore.
type DeepL struct {
	key, base string
	hc        *http.Client

	mu         sync.Mutex
	glossaries map[string]string // Glossary.ID + "|" + source + "|" + target → glossary_id
}

var _ Translator = (*DeepL)(nil)

// NewDeepL returns a client with key; baseURL "" picks the free or pro host from the key.
func NewDeepL(key, baseURL string, hc *http.Client) *DeepL {
	if baseURL == "" {
		baseURL = deeplProURL
		if strings.HasSuffix(key, ":fx") {
			baseURL = deeplFreeURL
		}
	}
	if hc == nil {
		hc = http.DefaultClient
	}
	return &DeepL{key: key, base: strings.TrimRight(baseURL, "/"), hc: hc, glossaries: map[string]string{}}
}

type deeplRequest struct {
	Text        []string `json:"text"`
	SourceLang  string   `json:"source_lang,omitempty"`
	TargetLang  string   `json:"target_lang"`
	GlossaryID  string   `json:"glossary_id,omitempty"`
	TagHandling string   `json:"tag_handling,omitempty"`
	IgnoreTags  []string `json:"ignore_tags,omitempty"`
}

type deeplResponse struct {
	Translations []struct {
		DetectedSourceLanguage string `json:"detected_source_language"`
		Text                   string `json:"text"`
	} `json:"translations"`
}

var keepTag = regexp.MustCompile(`<keep>(.*?)</keep>`)

// Translate implements Translator.
func (d *DeepL) Translate(ctx context.Context, r Request) (Result, error) {
	if r.Target == "" {
		return Result{}, errs.E(errs.Invalid, "no target language")
	}
	isHTML := r.Format == "html"
	in := deeplRequest{Text: []string{r.Text}, SourceLang: deeplSource(r.Source), TargetLang: deeplTarget(r.Target)}
	if isHTML {
		in.TagHandling = "html"
	}
	if keep := keepTerms(r.Glossary, r.Text); len(keep) > 0 {
		esc := html.EscapeString
		if isHTML {
			esc = identity
		} else {
			in.TagHandling = "xml"
		}
		in.IgnoreTags = []string{"keep"}
		in.Text[0] = replaceTerms(r.Text, keep, func(_ int, orig string) string { return "<keep>" + esc(orig) + "</keep>" }, esc)
	}
	// A DeepL glossary is for one language pair, so it needs a known source.
	if r.Glossary != nil && r.Source != "" && len(r.Glossary.Terms) > 0 {
		id, err := d.glossary(ctx, *r.Glossary, r.Source, r.Target)
		if err != nil {
			return Result{}, err
		}
		in.GlossaryID = id
	}
	var out deeplResponse
	if err := d.do(ctx, http.MethodPost, "/v2/translate", in, &out); err != nil {
		return Result{}, err
	}
	if len(out.Translations) != 1 {
		return Result{}, errs.E(errs.Transient, "deepl returned %d translations for 1 text", len(out.Translations))
	}
	text := out.Translations[0].Text
	if len(in.IgnoreTags) > 0 {
		text = keepTag.ReplaceAllString(text, "$1")
		if in.TagHandling == "xml" {
			text = html.UnescapeString(text)
		}
	}
	return Result{Text: text, DetectedSource: strings.ToLower(out.Translations[0].DetectedSourceLanguage), Provider: "deepl", Characters: utf8.RuneCountInString(r.Text)}, nil
}

// glossary returns the DeepL glossary id for g on source→target, creating it on first use.
// A glossary with no entry for the pair, or a pair DeepL refuses, returns "" and no glossary
// is sent.
func (d *DeepL) glossary(ctx context.Context, g Glossary, source, target string) (string, error) {
	src, tgt := primary(source), primary(target)
	key := g.ID + "|" + src + "|" + tgt
	d.mu.Lock()
	id, ok := d.glossaries[key]
	d.mu.Unlock()
	if ok {
		return id, nil
	}
	var tsv strings.Builder
	for _, t := range g.Terms {
		s, t := formFor(t, source), formFor(t, target)
		if s == "" || t == "" || strings.ContainsAny(s+t, "\t\n\r") {
			continue
		}
		fmt.Fprintf(&tsv, "%s\t%s\n", s, t)
	}
	if tsv.Len() > 0 {
		var out struct {
			GlossaryID string `json:"glossary_id"`
		}
		in := map[string]string{"name": "borderdesk-" + g.ID + "-" + src + "-" + tgt, "source_lang": src, "target_lang": tgt, "entries": tsv.String(), "entries_format": "tsv"}
		err := d.do(ctx, http.MethodPost, "/v2/glossaries", in, &out)
		switch {
		case errs.Is(err, errs.Invalid):
			// DeepL refuses glossaries for pairs it does not support; translating without one
			// beats not translating, and CheckTerms still warns about the terms.
			out.GlossaryID = ""
		case err != nil:
			return "", fmt.Errorf("create deepl glossary %s %s→%s: %w", g.ID, src, tgt, err)
		}
		id = out.GlossaryID
	}
	d.mu.Lock()
	d.glossaries[key] = id
	d.mu.Unlock()
	return id, nil
}

func (d *DeepL) do(ctx context.Context, method, path string, in, out any) error {
	b, err := json.Marshal(in)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, method, d.base+path, bytes.NewReader(b))
	if err != nil {
		return errs.Wrap(errs.Invalid, err, "bad DeepL URL")
	}
	req.Header.Set("Authorization", "DeepL-Auth-Key "+d.key)
	req.Header.Set("Content-Type", "application/json")
	res, err := d.hc.Do(req)
	if err != nil {
		return errs.Wrap(errs.Transient, err, "deepl unreachable")
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, 4<<20))
	if err != nil {
		return errs.Wrap(errs.Transient, err, "deepl response cut off")
	}
	switch {
	case res.StatusCode == 456: // DeepL's "Quota exceeded": the character limit is reached
		return quotaError("deepl", fmt.Errorf("HTTP 456: %s", strings.TrimSpace(string(body))))
	case res.StatusCode/100 != 2:
		var e struct {
			Message string `json:"message"`
		}
		_ = json.Unmarshal(body, &e)
		if e.Message == "" {
			e.Message = string(body)
		}
		return httpError("deepl", res.StatusCode, e.Message)
	}
	if err := json.Unmarshal(body, out); err != nil {
		return errs.Wrap(errs.Transient, fmt.Errorf("decode %s: %w", path, err), "deepl sent an unreadable response")
	}
	return nil
}

// primary is the lower-case primary language subtag: "zh-CN" → "zh".
func primary(tag string) string {
	p, _, _ := strings.Cut(strings.ToLower(tag), "-")
	return p
}

// formFor is the term's form for tag, trying the full tag before its primary subtag.
func formFor(t Term, tag string) string {
	for k, v := range t.Forms {
		if strings.EqualFold(k, tag) {
			return v
		}
	}
	for k, v := range t.Forms {
		if primary(k) == primary(tag) {
			return v
		}
	}
	return ""
}

// deeplSource maps a tag to DeepL's source codes, which have no regional variants.
func deeplSource(tag string) string { return strings.ToUpper(primary(tag)) }

// deeplTarget maps a tag to DeepL's target codes: English and Portuguese need a variant
// (plain EN and PT are deprecated as targets), Chinese a script.
func deeplTarget(tag string) string {
	switch t := strings.ToLower(tag); {
	case t == "en-gb" || t == "en-uk":
		return "EN-GB"
	case primary(t) == "en":
		return "EN-US"
	case t == "pt-br":
		return "PT-BR"
	case primary(t) == "pt":
		return "PT-PT"
	case t == "zh-tw" || t == "zh-hk" || t == "zh-hant":
		return "ZH-HANT"
	case primary(t) == "zh":
		return "ZH-HANS"
	default:
		return strings.ToUpper(primary(t))
	}
}
