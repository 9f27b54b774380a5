// Package translate owns Borderdesk's port to machine translation: one small Translator
// interface, its adapters (Amazon Translate, DeepL, any LibreTranslate-compatible server), the
// choice among them from the environment, and the glossary term check run before a reply goes
// out. No function is wired to it yet (issue 9, part 2 and the provider half of part 4).
package translate

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/borderdesk/borderdesk/shared/errs"
)

// Request is one text to translate.
type Request struct {
	Text     string
	Source   string    // ISO 639-1 / BCP 47 ("de", "zh-CN"); "" lets the provider detect
	Target   string    // required
	Glossary *Glossary // optional, the merchant's
	Format   string    // "text" (default) or "html"
}

// Result is a translation and what it cost.
type Result struct {
	Text           string
	DetectedSource string // the source language the provider used (detected or given)
	Provider       string // "aws", "deepl", "libretranslate"
	Characters     int    // billed characters, as the provider counts them (runes of the input)
}

// Translator translates one request. Adapters return errors of the shared/errs kinds:
// Transient for throttling and 5xx, Unauthorized for a bad key, and ErrQuotaExhausted (kind
// Forbidden) when the account's quota is spent, so callers can stop automatic translation.
type Translator interface {
	Translate(ctx context.Context, r Request) (Result, error)
}

// Glossary is a merchant's terms. ID is stable per merchant and glossary version, so
// provider-side glossaries derived from it can be cached by it.
type Glossary struct {
	ID             string
	Terms          []Term
	DoNotTranslate []string // brand and product names kept verbatim
}

// Term is one concept in several languages: language → form, e.g.
// {"de": "Milchpulver", "zh": "奶粉", "en": "infant formula milk powder"}.
type Term struct {
	Forms map[string]string
}

// ErrNotConfigured is what None returns: callers show the original with this as a note,
// never a made-up translation.
var ErrNotConfigured = errs.E(errs.Invalid, "no translation provider configured")

// ErrQuotaExhausted marks a provider's spent character quota (DeepL 456, Amazon's
// LimitExceededException). It is distinct from throttling: retrying soon will not help.
var ErrQuotaExhausted = errors.New("translation quota exhausted")

// None is the translator when no provider is configured.
var None Translator = none{}

type none struct{}

func (none) Translate(context.Context, Request) (Result, error) { return Result{}, ErrNotConfigured }

// quotaError wraps ErrQuotaExhausted in the errs vocabulary.
func quotaError(provider string, cause error) error {
	return errs.Wrap(errs.Forbidden, fmt.Errorf("%w: %w", ErrQuotaExhausted, cause), "%s translation quota exhausted", provider)
}

// httpError maps a provider's HTTP status to an errs kind; body is for logs only.
func httpError(provider string, status int, body string) error {
	cause := fmt.Errorf("%s: HTTP %d: %s", provider, status, strings.TrimSpace(body))
	switch {
	case status == http.StatusTooManyRequests || status >= 500:
		return errs.Wrap(errs.Transient, cause, "%s is unavailable or throttling; try again", provider)
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return errs.Wrap(errs.Unauthorized, cause, "%s rejected the API key", provider)
	case status == http.StatusRequestEntityTooLarge:
		return errs.Wrap(errs.TooLarge, cause, "text too large for %s", provider)
	default:
		return errs.Wrap(errs.Invalid, cause, "%s refused the request", provider)
	}
}

// FromEnv picks the provider named by BORDERDESK_TRANSLATE ("aws", "deepl",
// "libretranslate" or "" for None). awsClient builds the Amazon Translate client only when
// asked, so local runs without AWS credentials never load an AWS config.
func FromEnv(getenv func(string) string, awsClient func() (AmazonAPI, error)) (Translator, error) {
	switch p := strings.ToLower(strings.TrimSpace(getenv("BORDERDESK_TRANSLATE"))); p {
	case "":
		return None, nil
	case "aws":
		if awsClient == nil {
			return nil, errs.E(errs.Invalid, "BORDERDESK_TRANSLATE=aws but no AWS client")
		}
		c, err := awsClient()
		if err != nil {
			return nil, fmt.Errorf("amazon translate client: %w", err)
		}
		return NewAmazon(c), nil
	case "deepl":
		key := getenv("DEEPL_API_KEY")
		if key == "" {
			return nil, errs.E(errs.Invalid, "BORDERDESK_TRANSLATE=deepl needs DEEPL_API_KEY")
		}
		return NewDeepL(key, getenv("BORDERDESK_DEEPL_URL"), nil), nil
	case "libretranslate":
		u := getenv("BORDERDESK_LIBRETRANSLATE_URL")
		if u == "" {
			return nil, errs.E(errs.Invalid, "BORDERDESK_TRANSLATE=libretranslate needs BORDERDESK_LIBRETRANSLATE_URL")
		}
		return NewLibre(u, getenv("BORDERDESK_LIBRETRANSLATE_KEY"), nil), nil
	default:
		return nil, errs.E(errs.Invalid, "BORDERDESK_TRANSLATE=%q: want aws, deepl, libretranslate or empty", p)
	}
}
