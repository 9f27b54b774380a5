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

// libreServer speaks LibreTranslate's /translate and /detect: it "translates" by upper-casing
// the text outside placeholders and by replacing German words it knows, records the
// requests, and answers with LibreTranslate's error bodies for the keys it is told to.
func libreServer(t *testing.T, got *[]libreRequest) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" {
			http.Error(w, `{"error":"bad method or type"}`, http.StatusBadRequest)
			return
		}
		var in libreRequest
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"error":"Invalid request: missing q parameter"}`))
			return
		}
		*got = append(*got, in)
		switch in.APIKey {
		case "bad":
			w.WriteHeader(http.StatusForbidden)
			_, _ = w.Write([]byte(`{"error":"Invalid API key"}`))
			return
		case "slow":
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = w.Write([]byte(`{"error":"Too many request limits violation"}`))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/translate":
			out := strings.NewReplacer("Wo ist mein", "我的", "Paket", "包裹", "von", "来自", "?", "在哪里？").Replace(in.Q)
			resp := map[string]any{"translatedText": out}
			if in.Source == "auto" {
				resp["detectedLanguage"] = map[string]any{"confidence": 92.0, "language": "de"}
			}
			_ = json.NewEncoder(w).Encode(resp)
		case "/detect":
			_, _ = w.Write([]byte(`[{"confidence":90.0,"language":"de"}]`))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestLibreTranslate(t *testing.T) {
	var got []libreRequest
	srv := libreServer(t, &got)
	l := NewLibre(srv.URL+"/", "k1", srv.Client())
	res, err := l.Translate(context.Background(), Request{Text: "Wo ist mein Paket von Aptamil?", Target: "zh-CN", Glossary: &milk})
	if err != nil {
		t.Fatal(err)
	}
	want := Result{Text: "我的 包裹 来自 Aptamil在哪里？", DetectedSource: "de", Provider: "libretranslate", Characters: 30}
	if res != want {
		t.Errorf("Translate = %+v; want %+v", res, want)
	}
	if len(got) != 1 || got[0].Source != "auto" || got[0].Target != "zh" || got[0].Format != "text" || got[0].APIKey != "k1" || strings.Contains(got[0].Q, "Aptamil") {
		t.Errorf("request = %+v; want source auto, target zh, format text, api_key k1, Aptamil protected", got)
	}

	if lang, conf, err := l.Detect(context.Background(), "Wo ist mein Paket"); err != nil || lang != "de" || conf != 90 {
		t.Errorf("Detect = %q, %v, %v; want de, 90", lang, conf, err)
	}
}

func TestLibreErrors(t *testing.T) {
	var got []libreRequest
	srv := libreServer(t, &got)
	tests := []struct {
		key  string
		want errs.Kind
	}{
		{"bad", errs.Unauthorized},
		{"slow", errs.Transient},
	}
	for _, tt := range tests {
		_, err := NewLibre(srv.URL, tt.key, srv.Client()).Translate(context.Background(), Request{Text: "x", Source: "de", Target: "en"})
		if errs.KindOf(err) != tt.want {
			t.Errorf("Translate with key %q: %v; want kind %s", tt.key, err, tt.want)
		}
	}
	_, err := NewLibre("http://127.0.0.1:1", "", nil).Translate(context.Background(), Request{Text: "x", Target: "en"})
	if !errs.Is(err, errs.Transient) {
		t.Errorf("Translate to a closed port: %v; want transient", err)
	}
	if _, err := None.Translate(context.Background(), Request{Text: "x", Target: "en"}); !errors.Is(err, ErrNotConfigured) || errs.Message(err) != "no translation provider configured" {
		t.Errorf("None.Translate: %v; want ErrNotConfigured", err)
	}
}
