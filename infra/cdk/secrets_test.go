package main

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/borderdesk/borderdesk/events"
	"github.com/borderdesk/borderdesk/shared/secretsmanager"
)

// merchantSecretsARN is the ARN of every merchant's secret, as the template writes it.
var merchantSecretsARN = join("arn:", map[string]any{"Ref": "AWS::Partition"}, ":secretsmanager:", map[string]any{"Ref": "AWS::Region"},
	":", map[string]any{"Ref": "AWS::AccountId"}, ":secret:"+secretsmanager.DefaultPrefix+"*")

// roleStatements are the Allow statements of the policies attached to fn's role.
func (tpl template) roleStatements(fn string) []map[string]any {
	role := getAtt(tpl.props(fn)["Role"])
	var out []map[string]any
	for _, r := range tpl.resources("AWS::IAM::Policy") {
		p := r["Properties"].(map[string]any)
		if !slices.ContainsFunc(list(p["Roles"]), func(v any) bool { return ref(v) == role }) {
			continue
		}
		for _, s := range list(dig(p, "PolicyDocument", "Statement")) {
			if s, ok := s.(map[string]any); ok && s["Effect"] == "Allow" {
				out = append(out, s)
			}
		}
	}
	return out
}

// secretsActions are fn's Secrets Manager actions, by resource (fmt.Sprint of it).
func (tpl template) secretsActions(fn string) map[string][]string {
	out := map[string][]string{}
	for _, s := range tpl.roleStatements(fn) {
		for _, a := range list(s["Action"]) {
			if a := fmt.Sprint(a); strings.HasPrefix(a, "secretsmanager:") {
				for _, r := range list(s["Resource"]) {
					out[fmt.Sprint(r)] = append(out[fmt.Sprint(r)], a)
				}
			}
		}
	}
	return out
}

// TestMerchantSecrets: intake, and no other function, may read the merchants' webhook
// secrets — GetSecretValue alone, on the merchants' secrets alone — and is told their prefix.
func TestMerchantSecrets(t *testing.T) {
	arn := fmt.Sprint(merchantSecretsARN)
	for _, c := range stacks(t) {
		fns := c.tpl.functions()
		for _, f := range c.topology {
			t.Run(c.name+"/"+f.Name, func(t *testing.T) {
				got := c.tpl.secretsActions(fns[f.Name])[arn]
				var want []string
				if f.Name == events.Intake {
					want = []string{"secretsmanager:GetSecretValue"}
				}
				if !slices.Equal(got, want) {
					t.Errorf("%s's actions on the merchants' secrets = %v; want %v", f.Name, got, want)
				}
				env := dig(c.tpl.props(fns[f.Name]), "Environment", "Variables", merchantSecretsEnv)
				if wantEnv := any(nil); f.Name == events.Intake && env != secretsmanager.DefaultPrefix || f.Name != events.Intake && env != wantEnv {
					t.Errorf("%s's %s = %v; want it for intake alone, %q", f.Name, merchantSecretsEnv, env, secretsmanager.DefaultPrefix)
				}
				// Whatever else it may read of Secrets Manager, it reads by name, never "*".
				for r, actions := range c.tpl.secretsActions(fns[f.Name]) {
					if r == "*" || slices.ContainsFunc(actions, func(a string) bool { return strings.Contains(a, "*") }) {
						t.Errorf("%s may %v on %s; want no wildcard", f.Name, actions, r)
					}
				}
			})
		}
	}
}
