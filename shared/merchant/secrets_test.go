package merchant

import (
	"reflect"
	"testing"
)

func TestWebhookSecretsRotation(t *testing.T) {
	start := WebhookSecrets{"stripe": {"whsec_old"}, "aftership": {"as_1"}}
	tests := []struct {
		name    string
		change  func(WebhookSecrets) (WebhookSecrets, bool)
		want    WebhookSecrets
		wantHad bool
	}{
		{"add a new one", func(s WebhookSecrets) (WebhookSecrets, bool) { return s.With("stripe", "whsec_new"), true },
			WebhookSecrets{"stripe": {"whsec_old", "whsec_new"}, "aftership": {"as_1"}}, true},
		{"add one it has", func(s WebhookSecrets) (WebhookSecrets, bool) { return s.With("stripe", "whsec_old"), true },
			WebhookSecrets{"stripe": {"whsec_old"}, "aftership": {"as_1"}}, true},
		{"add for a provider it has none of", func(s WebhookSecrets) (WebhookSecrets, bool) {
			return WebhookSecrets(nil).With("stripe", "whsec_1"), true
		},
			WebhookSecrets{"stripe": {"whsec_1"}}, true},
		{"remove the old one", func(s WebhookSecrets) (WebhookSecrets, bool) {
			return s.With("stripe", "whsec_new").Without("stripe", "whsec_old")
		}, WebhookSecrets{"stripe": {"whsec_new"}, "aftership": {"as_1"}}, true},
		{"remove the last one", func(s WebhookSecrets) (WebhookSecrets, bool) { return s.Without("aftership", "as_1") },
			WebhookSecrets{"stripe": {"whsec_old"}}, true},
		{"remove one it lacks", func(s WebhookSecrets) (WebhookSecrets, bool) { return s.Without("stripe", "whsec_typo") },
			WebhookSecrets{"stripe": {"whsec_old"}, "aftership": {"as_1"}}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, had := tc.change(start)
			if !reflect.DeepEqual(got, tc.want) || had != tc.wantHad {
				t.Errorf("got %v, %v; want %v, %v", got, had, tc.want, tc.wantHad)
			}
			if !reflect.DeepEqual(start, WebhookSecrets{"stripe": {"whsec_old"}, "aftership": {"as_1"}}) {
				t.Errorf("the original changed to %v; want it untouched", start)
			}
		})
	}
}
