package merchant

import "slices"

// WebhookSecrets holds, per provider ("stripe", "aftership"), the signing secrets a
// merchant's webhooks are verified with. More than one is active while a secret is rotated:
// add the new one, switch the provider over, remove the old one. They are stored apart from
// the Merchant (one Secrets Manager secret per merchant in the cloud), and only intake reads
// them.
type WebhookSecrets map[string][]string

// For returns the active secrets for provider.
func (s WebhookSecrets) For(provider string) []string { return s[provider] }

// With returns a copy of s in which secret is active for provider (added last, if it was not).
func (s WebhookSecrets) With(provider, secret string) WebhookSecrets {
	out := s.clone()
	if !slices.Contains(out[provider], secret) {
		out[provider] = append(out[provider], secret)
	}
	return out
}

// Without returns a copy of s without secret for provider, and whether s had it. A provider
// left with no secret is dropped.
func (s WebhookSecrets) Without(provider, secret string) (WebhookSecrets, bool) {
	out := s.clone()
	had := slices.Contains(out[provider], secret)
	out[provider] = slices.DeleteFunc(out[provider], func(v string) bool { return v == secret })
	if len(out[provider]) == 0 {
		delete(out, provider)
	}
	return out, had
}

func (s WebhookSecrets) clone() WebhookSecrets {
	out := make(WebhookSecrets, len(s)+1)
	for p, v := range s {
		out[p] = slices.Clone(v)
	}
	return out
}
