package translate

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/translate"
	"github.com/aws/aws-sdk-go-v2/service/translate/types"
	"github.com/aws/smithy-go"

	"github.com/borderdesk/borderdesk/shared/errs"
)

// Amazon Translate's documented limits: TranslateText takes at most 10,000 bytes of UTF-8;
// TranslateDocument (needed for the translate="no" markup) takes 100 KB.
const (
	amazonTextLimit     = 10000
	amazonDocumentLimit = 100 * 1000
)

// AmazonAPI is the part of *translate.Client the adapter uses.
type AmazonAPI interface {
	TranslateText(context.Context, *translate.TranslateTextInput, ...func(*translate.Options)) (*translate.TranslateTextOutput, error)
	TranslateDocument(context.Context, *translate.TranslateDocumentInput, ...func(*translate.Options)) (*translate.TranslateDocumentOutput, error)
	ImportTerminology(context.Context, *translate.ImportTerminologyInput, ...func(*translate.Options)) (*translate.ImportTerminologyOutput, error)
}

var _ AmazonAPI = (*translate.Client)(nil)

// Amazon is the Amazon Translate adapter, the cloud default. Glossary terms become a custom
// terminology (SyncGlossary imports it, named after Glossary.ID; Translate names it);
// do-not-translate terms are sent as HTML with <span translate="no">, which only
// TranslateDocument accepts, so text with such terms goes through TranslateDocument.
type Amazon struct{ api AmazonAPI }

var _ Translator = (*Amazon)(nil)

// NewAmazon returns the adapter over api (a *translate.Client in production).
func NewAmazon(api AmazonAPI) *Amazon { return &Amazon{api: api} }

// TerminologyName is the custom terminology name for g: Amazon allows letters, digits, '-'
// and '_' up to 256 characters, so anything else in the id becomes '-'.
func TerminologyName(g Glossary) string {
	n := "borderdesk-" + badTerminologyChars.ReplaceAllString(g.ID, "-")
	if len(n) > 256 {
		n = n[:256]
	}
	return n
}

var badTerminologyChars = regexp.MustCompile(`[^A-Za-z0-9_-]+`)

// SyncGlossary imports g as a multi-directional CSV terminology (one column per language,
// do-not-translate terms the same in every column), overwriting an earlier import of the
// same name. Call it when a glossary version is saved; Translate assumes it was.
func (a *Amazon) SyncGlossary(ctx context.Context, g Glossary) error {
	var langs []string
	seen := map[string]bool{}
	for _, t := range g.Terms {
		for l := range t.Forms {
			if c := amazonLang(l); !seen[c] {
				seen[c] = true
				langs = append(langs, c)
			}
		}
	}
	if len(langs) < 2 {
		return errs.E(errs.Invalid, "glossary %s needs terms in at least two languages", g.ID)
	}
	sort.Strings(langs)
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write(langs)
	for _, t := range g.Terms {
		row := make([]string, len(langs))
		for l, f := range t.Forms {
			for i, c := range langs {
				if c == amazonLang(l) {
					row[i] = f
				}
			}
		}
		_ = w.Write(row)
	}
	for _, k := range g.DoNotTranslate {
		row := make([]string, len(langs))
		for i := range row {
			row[i] = k
		}
		_ = w.Write(row)
	}
	w.Flush()
	_, err := a.api.ImportTerminology(ctx, &translate.ImportTerminologyInput{
		Name:          aws.String(TerminologyName(g)),
		MergeStrategy: types.MergeStrategyOverwrite,
		TerminologyData: &types.TerminologyData{
			File: buf.Bytes(), Format: types.TerminologyDataFormatCsv, Directionality: types.DirectionalityMulti,
		},
	})
	if err != nil {
		return fmt.Errorf("import terminology %s: %w", TerminologyName(g), amazonError(err))
	}
	return nil
}

// Translate implements Translator.
func (a *Amazon) Translate(ctx context.Context, r Request) (Result, error) {
	if r.Target == "" {
		return Result{}, errs.E(errs.Invalid, "no target language")
	}
	src := amazonLang(r.Source)
	if src == "" {
		src = "auto"
	}
	var terms []string
	if r.Glossary != nil && len(r.Glossary.Terms) > 0 {
		terms = []string{TerminologyName(*r.Glossary)}
	}
	isHTML := r.Format == "html"
	keep := keepTerms(r.Glossary, r.Text)
	useDoc := isHTML || len(keep) > 0
	text, limit := r.Text, amazonTextLimit
	if useDoc {
		text, limit = wrapNoTranslate(r.Text, keep, isHTML), amazonDocumentLimit
	}
	var out strings.Builder
	detected := ""
	for _, chunk := range split(text, limit) {
		if strings.TrimSpace(chunk) == "" {
			out.WriteString(chunk) // Amazon refuses empty text; blank runs stay as they are
			continue
		}
		var got, lang string
		if useDoc {
			res, err := a.api.TranslateDocument(ctx, &translate.TranslateDocumentInput{
				Document:           &types.Document{Content: []byte(chunk), ContentType: aws.String("text/html")},
				SourceLanguageCode: aws.String(src), TargetLanguageCode: aws.String(amazonLang(r.Target)), TerminologyNames: terms,
			})
			if err != nil {
				return Result{}, amazonError(err)
			}
			if res.TranslatedDocument != nil {
				got = string(res.TranslatedDocument.Content)
			}
			lang = aws.ToString(res.SourceLanguageCode)
		} else {
			res, err := a.api.TranslateText(ctx, &translate.TranslateTextInput{
				Text: aws.String(chunk), SourceLanguageCode: aws.String(src), TargetLanguageCode: aws.String(amazonLang(r.Target)), TerminologyNames: terms,
			})
			if err != nil {
				return Result{}, amazonError(err)
			}
			got, lang = aws.ToString(res.TranslatedText), aws.ToString(res.SourceLanguageCode)
		}
		out.WriteString(keepSeparator(chunk, got))
		if detected == "" {
			detected = lang
		}
		// Later chunks use the first chunk's language, so one message is not read as two.
		if src == "auto" && lang != "" {
			src = lang
		}
	}
	res := out.String()
	if useDoc {
		res = unwrapNoTranslate(res, isHTML)
	}
	return Result{Text: res, DetectedSource: detected, Provider: "aws", Characters: utf8.RuneCountInString(r.Text)}, nil
}

// keepSeparator restores the trailing whitespace of a chunk that the service trims, so the
// joined translation keeps the paragraph breaks the split was made on.
func keepSeparator(chunk, got string) string {
	trail := chunk[len(strings.TrimRight(chunk, " \n\r\t")):]
	return strings.TrimRight(got, " \n\r\t") + trail
}

// amazonError maps the service's documented exceptions to errs kinds.
func amazonError(err error) error {
	var api smithy.APIError
	if errors.As(err, &api) {
		switch api.ErrorCode() {
		case "ThrottlingException", "TooManyRequestsException", "ServiceUnavailableException", "InternalServerException":
			return errs.Wrap(errs.Transient, err, "amazon translate is unavailable or throttling; try again")
		case "LimitExceededException": // an account limit; retrying will not help
			return quotaError("amazon translate", err)
		case "UnrecognizedClientException", "InvalidSignatureException", "AccessDeniedException", "ExpiredTokenException", "MissingAuthenticationTokenException":
			return errs.Wrap(errs.Unauthorized, err, "amazon translate rejected the credentials")
		case "TextSizeLimitExceededException":
			return errs.Wrap(errs.TooLarge, err, "text too large for amazon translate")
		case "ResourceNotFoundException":
			return errs.Wrap(errs.NotFound, err, "amazon translate terminology not found; sync the glossary")
		case "UnsupportedLanguagePairException", "DetectedLanguageLowConfidenceException", "InvalidRequestException", "InvalidParameterValueException", "UnsupportedDisplayLanguageCodeException":
			return errs.Wrap(errs.Invalid, err, "amazon translate refused the request: %s", api.ErrorMessage())
		}
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) && re.HTTPStatusCode() >= 500 {
		return errs.Wrap(errs.Transient, err, "amazon translate is unavailable; try again")
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return errs.Wrap(errs.Transient, err, "amazon translate call failed")
}

// amazonLang maps a tag to Amazon Translate's codes: "zh" is Simplified and "zh-TW"
// Traditional, "pt" is Brazilian and "pt-PT" European, and a few regional variants exist.
func amazonLang(tag string) string {
	t := strings.ToLower(tag)
	switch t {
	case "":
		return ""
	case "zh-tw", "zh-hant", "zh-hk":
		return "zh-TW"
	case "pt-pt":
		return "pt-PT"
	case "fr-ca":
		return "fr-CA"
	case "es-mx":
		return "es-MX"
	}
	return primary(t)
}
