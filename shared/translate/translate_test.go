package translate

import (
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/translate"
)

func TestFromEnv(t *testing.T) {
	awsOK := func() (AmazonAPI, error) { return translate.New(translate.Options{Region: "eu-central-1"}), nil }
	awsFail := func() (AmazonAPI, error) { return nil, errors.New("no credentials") }
	tests := []struct {
		name    string
		env     map[string]string
		aws     func() (AmazonAPI, error)
		want    string // type of translator, "" for an error
		wantURL string
	}{
		{"unset is None", nil, nil, "none", ""},
		{"aws", map[string]string{"BORDERDESK_TRANSLATE": "aws"}, awsOK, "aws", ""},
		{"aws without client", map[string]string{"BORDERDESK_TRANSLATE": "AWS"}, awsFail, "", ""},
		{"deepl free", map[string]string{"BORDERDESK_TRANSLATE": "deepl", "DEEPL_API_KEY": "k:fx"}, nil, "deepl", deeplFreeURL},
		{"deepl override", map[string]string{"BORDERDESK_TRANSLATE": "deepl", "DEEPL_API_KEY": "k", "BORDERDESK_DEEPL_URL": "http://localhost:3000/"}, nil, "deepl", "http://localhost:3000"},
		{"deepl without key", map[string]string{"BORDERDESK_TRANSLATE": "deepl"}, nil, "", ""},
		{"libretranslate", map[string]string{"BORDERDESK_TRANSLATE": "libretranslate", "BORDERDESK_LIBRETRANSLATE_URL": "http://localhost:5000"}, nil, "libretranslate", "http://localhost:5000"},
		{"libretranslate without url", map[string]string{"BORDERDESK_TRANSLATE": "libretranslate"}, nil, "", ""},
		{"unknown", map[string]string{"BORDERDESK_TRANSLATE": "google"}, nil, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr, err := FromEnv(func(k string) string { return tt.env[k] }, tt.aws)
			got, url := "", ""
			switch v := tr.(type) {
			case none:
				got = "none"
			case *Amazon:
				got = "aws"
			case *DeepL:
				got, url = "deepl", v.base
			case *Libre:
				got, url = "libretranslate", v.base
			}
			if got != tt.want || url != tt.wantURL {
				t.Errorf("FromEnv(%v) = %s %q, %v; want %s %q", tt.env, got, url, err, tt.want, tt.wantURL)
			}
			if tt.want == "" && err == nil {
				t.Errorf("FromEnv(%v) error = nil; want one", tt.env)
			}
		})
	}
}
