package translate

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/borderdesk/borderdesk/shared/errs"
)

// Libre speaks the LibreTranslate API (POST /translate, POST /detect) of a self-hosted or
// hosted server. LibreTranslate has no glossaries: do-not-translate terms are protected with
// placeholders and put back afterwards, while glossary terms are only checked (CheckTerms)
// after the fact, not enforced.
type Libre struct {
	base, key string
	hc        *http.Client
}

var _ Translator = (*Libre)(nil)

// NewLibre returns a client for the server at baseURL; key may be empty. hc nil means
// http.DefaultClient.
func NewLibre(baseURL, key string, hc *http.Client) *Libre {
	if hc == nil {
		hc = http.DefaultClient
	}
	return &Libre{base: strings.TrimRight(baseURL, "/"), key: key, hc: hc}
}

type libreRequest struct {
	Q      string `json:"q"`
	Source string `json:"source"`
	Target string `json:"target"`
	Format string `json:"format"`
	APIKey string `json:"api_key,omitempty"`
}

type libreResponse struct {
	TranslatedText   string `json:"translatedText"`
	DetectedLanguage *struct {
		Confidence float64 `json:"confidence"`
		Language   string  `json:"language"`
	} `json:"detectedLanguage"`
	Error string `json:"error"`
}

// Translate implements Translator.
func (l *Libre) Translate(ctx context.Context, r Request) (Result, error) {
	if r.Target == "" {
		return Result{}, errs.E(errs.Invalid, "no target language")
	}
	src := libreLang(r.Source)
	if src == "" {
		src = "auto"
	}
	format := "text"
	if r.Format == "html" {
		format = "html"
	}
	text, kept := protect(r.Text, keepTerms(r.Glossary, r.Text))
	var resp libreResponse
	if err := l.post(ctx, "/translate", libreRequest{Q: text, Source: src, Target: libreLang(r.Target), Format: format, APIKey: l.key}, &resp); err != nil {
		return Result{}, err
	}
	detected := r.Source
	if resp.DetectedLanguage != nil {
		detected = resp.DetectedLanguage.Language
	}
	return Result{Text: restore(resp.TranslatedText, kept), DetectedSource: detected, Provider: "libretranslate", Characters: utf8.RuneCountInString(r.Text)}, nil
}

// Detect asks the server for the most likely language of text.
func (l *Libre) Detect(ctx context.Context, text string) (lang string, confidence float64, err error) {
	var resp []struct {
		Confidence float64 `json:"confidence"`
		Language   string  `json:"language"`
	}
	body := map[string]string{"q": text}
	if l.key != "" {
		body["api_key"] = l.key
	}
	if err := l.post(ctx, "/detect", body, &resp); err != nil {
		return "", 0, err
	}
	if len(resp) == 0 {
		return "", 0, errs.E(errs.Unprocessable, "libretranslate detected no language")
	}
	return resp[0].Language, resp[0].Confidence, nil
}

func (l *Libre) post(ctx context.Context, path string, in, out any) error {
	b, err := json.Marshal(in)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, l.base+path, bytes.NewReader(b))
	if err != nil {
		return errs.Wrap(errs.Invalid, err, "bad LibreTranslate URL")
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := l.hc.Do(req)
	if err != nil {
		return errs.Wrap(errs.Transient, err, "libretranslate unreachable")
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, 4<<20))
	if err != nil {
		return errs.Wrap(errs.Transient, err, "libretranslate response cut off")
	}
	if res.StatusCode != http.StatusOK {
		var e libreResponse
		_ = json.Unmarshal(body, &e)
		if e.Error == "" {
			e.Error = string(body)
		}
		return httpError("libretranslate", res.StatusCode, e.Error)
	}
	if err := json.Unmarshal(body, out); err != nil {
		return errs.Wrap(errs.Transient, fmt.Errorf("decode %s: %w", path, err), "libretranslate sent an unreadable response")
	}
	return nil
}

// libreLang maps our BCP 47 codes to LibreTranslate's (Argos) codes: the primary subtag,
// except Traditional Chinese, which servers since 1.6 name zh-Hant ("zh" stays Simplified).
func libreLang(tag string) string {
	switch strings.ToLower(tag) {
	case "":
		return ""
	case "zh-tw", "zh-hant", "zh-hk":
		return "zh-Hant"
	}
	p, _, _ := strings.Cut(tag, "-")
	return strings.ToLower(p)
}
