package translate

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/translate"

	"github.com/borderdesk/borderdesk/shared/errs"
)

type amazonCall struct {
	Target string
	Body   map[string]any
}

// amazonServer speaks Amazon Translate's JSON 1.1 protocol as the SDK sends it: POST /,
// X-Amz-Target AWSShineFrontendService_20170701.<Operation>, blobs base64 in JSON. It
// "translates" by a word list, keeps translate="no" spans, and answers errors in the
// protocol's {"__type", "message"} shape when the text asks for one.
func amazonServer(t *testing.T, calls *[]amazonCall) *translate.Client {
	t.Helper()
	words := strings.NewReplacer("Wo ist mein", "我的", "Paket", "包裹", "mit", "和", "Satz", "句子")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		target := r.Header.Get("X-Amz-Target")
		if r.Method != http.MethodPost || r.URL.Path != "/" || r.Header.Get("Content-Type") != "application/x-amz-json-1.1" || !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 ") {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"__type":"InvalidRequestException","message":"bad request shape"}`))
			return
		}
		raw, _ := io.ReadAll(r.Body)
		var body map[string]any
		if err := json.Unmarshal(raw, &body); err != nil {
			t.Errorf("request body %q: %v", raw, err)
		}
		*calls = append(*calls, amazonCall{Target: target, Body: body})
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		fail := func(status int, typ, msg string) {
			w.WriteHeader(status)
			_, _ = w.Write([]byte(`{"__type":"` + typ + `","message":"` + msg + `"}`))
		}
		text, _ := body["Text"].(string)
		switch {
		case strings.Contains(text, "THROTTLE"):
			fail(http.StatusBadRequest, "TooManyRequestsException", "Rate exceeded")
			return
		case strings.Contains(text, "LIMIT"):
			fail(http.StatusBadRequest, "LimitExceededException", "Limit exceeded")
			return
		case strings.Contains(text, "BADKEY"):
			fail(http.StatusBadRequest, "UnrecognizedClientException", "The security token included in the request is invalid.")
			return
		case strings.Contains(text, "BROKEN"):
			fail(http.StatusInternalServerError, "InternalServerException", "Internal server error")
			return
		}
		out := map[string]any{"SourceLanguageCode": "de", "TargetLanguageCode": body["TargetLanguageCode"]}
		switch target {
		case "AWSShineFrontendService_20170701.TranslateText":
			if len(text) > amazonTextLimit {
				fail(http.StatusBadRequest, "TextSizeLimitExceededException", "Input text size exceeds limit.")
				return
			}
			out["TranslatedText"] = strings.TrimSpace(words.Replace(text))
		case "AWSShineFrontendService_20170701.TranslateDocument":
			doc := body["Document"].(map[string]any)
			var content []byte
			_ = json.Unmarshal([]byte(`"`+doc["Content"].(string)+`"`), &content) // base64 blob
			out["TranslatedDocument"] = map[string]any{"Content": []byte(words.Replace(string(content)))}
		case "AWSShineFrontendService_20170701.ImportTerminology":
			out = map[string]any{"TerminologyProperties": map[string]any{"Name": body["Name"], "TermCount": 3}}
		default:
			fail(http.StatusBadRequest, "UnknownOperationException", "unknown operation")
			return
		}
		_ = json.NewEncoder(w).Encode(out)
	}))
	t.Cleanup(srv.Close)
	return translate.New(translate.Options{
		Region: "eu-central-1", BaseEndpoint: aws.String(srv.URL), RetryMaxAttempts: 1,
		Credentials: aws.NewCredentialsCache(staticCreds{}),
	})
}

type staticCreds struct{}

func (staticCreds) Retrieve(context.Context) (aws.Credentials, error) {
	return aws.Credentials{AccessKeyID: "AKIDTEST", SecretAccessKey: "secret", Source: "test"}, nil
}

func TestAmazonTranslateText(t *testing.T) {
	var calls []amazonCall
	a := NewAmazon(amazonServer(t, &calls))
	para := strings.Repeat("Satz. ", 1000) // 6,000 bytes: two paragraphs exceed 10,000
	text := para + "\n\n" + para + "\n\n" + para + "\n\nWo ist mein Paket?"
	res, err := a.Translate(context.Background(), Request{Text: text, Target: "zh-CN", Glossary: &milk})
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) != 3 {
		t.Fatalf("%d TranslateText calls; want 3 (one per paragraph-bounded chunk)", len(calls))
	}
	for i, c := range calls {
		if c.Target != "AWSShineFrontendService_20170701.TranslateText" || len(c.Body["Text"].(string)) > amazonTextLimit || c.Body["TargetLanguageCode"] != "zh" {
			t.Errorf("call %d = %s, %d bytes, target %v", i, c.Target, len(c.Body["Text"].(string)), c.Body["TargetLanguageCode"])
		}
		names, _ := c.Body["TerminologyNames"].([]any)
		if len(names) != 1 || names[0] != "borderdesk-demo-v3" {
			t.Errorf("call %d TerminologyNames = %v", i, c.Body["TerminologyNames"])
		}
	}
	if calls[0].Body["SourceLanguageCode"] != "auto" || calls[1].Body["SourceLanguageCode"] != "de" {
		t.Errorf("source codes %v, %v; want auto, then the detected de", calls[0].Body["SourceLanguageCode"], calls[1].Body["SourceLanguageCode"])
	}
	tp := strings.Repeat("句子. ", 1000)
	if want := tp + "\n\n" + tp + "\n\n" + tp + "\n\n我的 包裹?"; res.Text != want {
		t.Errorf("joined translation differs: got %d bytes ending %q", len(res.Text), res.Text[len(res.Text)-30:])
	}
	if res.DetectedSource != "de" || res.Provider != "aws" || res.Characters != utf8.RuneCountInString(text) {
		t.Errorf("Result = %q, %q, %d", res.DetectedSource, res.Provider, res.Characters)
	}
}

func TestAmazonDoNotTranslate(t *testing.T) {
	var calls []amazonCall
	a := NewAmazon(amazonServer(t, &calls))
	res, err := a.Translate(context.Background(), Request{Text: "Wo ist mein Paket mit Aptamil <3?", Source: "de", Target: "zh", Glossary: &Glossary{ID: "dnt-only", DoNotTranslate: []string{"aptamil"}}})
	if err != nil {
		t.Fatal(err)
	}
	if want := "我的 包裹 和 Aptamil <3?"; res.Text != want {
		t.Errorf("Translate = %q; want %q", res.Text, want)
	}
	if len(calls) != 1 || calls[0].Target != "AWSShineFrontendService_20170701.TranslateDocument" {
		t.Fatalf("calls = %+v; want one TranslateDocument", calls)
	}
	doc := calls[0].Body["Document"].(map[string]any)
	var content []byte
	_ = json.Unmarshal([]byte(`"`+doc["Content"].(string)+`"`), &content)
	if doc["ContentType"] != "text/html" || string(content) != `Wo ist mein Paket mit <span translate="no">Aptamil</span> &lt;3?` {
		t.Errorf("document = %v, %q", doc["ContentType"], content)
	}
	if _, ok := calls[0].Body["TerminologyNames"]; ok {
		t.Errorf("TerminologyNames sent without a glossary: %v", calls[0].Body["TerminologyNames"])
	}
}

func TestAmazonSyncGlossary(t *testing.T) {
	var calls []amazonCall
	a := NewAmazon(amazonServer(t, &calls))
	g := milk
	g.ID = "demo/v3"
	if err := a.SyncGlossary(context.Background(), g); err != nil {
		t.Fatal(err)
	}
	if len(calls) != 1 || calls[0].Target != "AWSShineFrontendService_20170701.ImportTerminology" {
		t.Fatalf("calls = %+v", calls)
	}
	b := calls[0].Body
	data := b["TerminologyData"].(map[string]any)
	if b["Name"] != "borderdesk-demo-v3" || b["MergeStrategy"] != "OVERWRITE" || data["Format"] != "CSV" || data["Directionality"] != "MULTI" {
		t.Errorf("ImportTerminology = %v", b)
	}
	var file []byte
	_ = json.Unmarshal([]byte(`"`+data["File"].(string)+`"`), &file)
	rows, err := csv.NewReader(strings.NewReader(string(file))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"de", "en", "fr", "ja", "ru", "zh"},
		{"Milchpulver", "infant formula milk powder", "", "粉ミルク", "Сухое молоко", "奶粉"},
		{"Rückerstattung", "refund", "remboursement", "", "", "退款"},
		{"Aptamil", "Aptamil", "Aptamil", "Aptamil", "Aptamil", "Aptamil"},
		{"BorderBox", "BorderBox", "BorderBox", "BorderBox", "BorderBox", "BorderBox"},
	}
	if strings.Join(flat(rows), "|") != strings.Join(flat(want), "|") {
		t.Errorf("terminology CSV = %q; want %q", rows, want)
	}
}

func flat(rows [][]string) []string {
	var out []string
	for _, r := range rows {
		out = append(out, strings.Join(r, ","))
	}
	return out
}

func TestAmazonErrors(t *testing.T) {
	var calls []amazonCall
	a := NewAmazon(amazonServer(t, &calls))
	tests := []struct {
		text  string
		kind  errs.Kind
		quota bool
	}{
		{"THROTTLE", errs.Transient, false},
		{"BROKEN", errs.Transient, false},
		{"LIMIT", errs.Forbidden, true},
		{"BADKEY", errs.Unauthorized, false},
	}
	for _, tt := range tests {
		_, err := a.Translate(context.Background(), Request{Text: tt.text, Source: "de", Target: "en"})
		if errs.KindOf(err) != tt.kind || errors.Is(err, ErrQuotaExhausted) != tt.quota {
			t.Errorf("Translate(%q): %v; want kind %s, quota %v", tt.text, err, tt.kind, tt.quota)
		}
	}
}
