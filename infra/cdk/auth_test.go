package main

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// TestAgentIdentity: what the API trusts about an agent — email, merchant, role — is
// nothing the agent can change through the console's app client; the pool's password policy
// and threat protection hold an agent's account, which can move money.
func TestAgentIdentity(t *testing.T) {
	tpl := stacks(t)[0].tpl
	client := tpl.props(tpl.only(t, "AWS::Cognito::UserPoolClient"))
	pool := tpl.props(tpl.only(t, "AWS::Cognito::UserPool"))

	var writes []string
	for _, a := range list(client["WriteAttributes"]) {
		writes = append(writes, a.(string))
	}
	slices.Sort(writes)
	if want := []string{"locale", "name", "zoneinfo"}; !slices.Equal(writes, want) {
		t.Errorf("app client WriteAttributes = %v; want only %v", writes, want)
	}
	for _, w := range writes {
		if w == "email" || w == "email_verified" || strings.HasPrefix(w, "custom:") {
			t.Errorf("app client may write %s", w)
		}
	}
	// Groups (roles) change only through Cognito's admin API: no function the stack deploys
	// may call it.
	for _, s := range tpl.statements() {
		for _, a := range list(s["Action"]) {
			if a := fmt.Sprint(a); strings.HasPrefix(a, "cognito-idp:") {
				t.Errorf("a policy grants %s; want no Cognito access from the stack's functions", a)
			}
		}
	}

	policy := dig(pool, "Policies", "PasswordPolicy")
	verify(t, "user pool", []check{
		{"MinimumLength", dig(policy, "MinimumLength"), passwordMinLength},
		{"RequireLowercase", dig(policy, "RequireLowercase"), true},
		{"RequireUppercase", dig(policy, "RequireUppercase"), true},
		{"RequireNumbers", dig(policy, "RequireNumbers"), true},
		{"RequireSymbols", dig(policy, "RequireSymbols"), true},
		{"UserPoolTier", pool["UserPoolTier"], "PLUS"},
		{"AdvancedSecurityMode", dig(pool, "UserPoolAddOns", "AdvancedSecurityMode"), "ENFORCED"},
	})
}
