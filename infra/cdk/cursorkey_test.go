package main

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/borderdesk/borderdesk/events"
)

// TestCursorKey: the API's cursor key is a generated secret, named to the API by its ARN and
// readable by the API alone; its value is nowhere in the template.
func TestCursorKey(t *testing.T) {
	for _, c := range stacks(t) {
		t.Run(c.name, func(t *testing.T) {
			tpl := c.tpl
			fns := tpl.functions()
			id := ref(dig(tpl.props(fns[events.API]), "Environment", "Variables", cursorKeyEnv))
			if id == "" || tpl.resource(id)["Type"] != "AWS::SecretsManager::Secret" {
				t.Fatalf("api's %s = %q; want a Ref to a secret", cursorKeyEnv, id)
			}
			p := tpl.props(id)
			verify(t, "cursor key", []check{
				{"GenerateSecretString.PasswordLength", dig(p, "GenerateSecretString", "PasswordLength"), float64(64)},
				{"GenerateSecretString.ExcludePunctuation", dig(p, "GenerateSecretString", "ExcludePunctuation"), true},
				{"SecretString", p["SecretString"], nil},
			})
			var allowed []string
			for _, s := range tpl.statements() {
				if slices.ContainsFunc(list(s["Resource"]), func(r any) bool { return ref(r) == id }) {
					for _, a := range list(s["Action"]) {
						allowed = append(allowed, fmt.Sprint(a))
					}
				}
			}
			if !slices.Contains(allowed, "secretsmanager:GetSecretValue") || slices.ContainsFunc(allowed, func(a string) bool {
				return strings.Contains(a, "Put") || strings.Contains(a, "Delete") || strings.Contains(a, "Update")
			}) {
				t.Errorf("statements on the cursor key allow %v; want reads only, GetSecretValue among them", allowed)
			}
			for _, f := range c.topology {
				_, got := tpl.secretsActions(fns[f.Name])[fmt.Sprint(map[string]any{"Ref": id})]
				if want := f.Name == events.API; got != want {
					t.Errorf("%s has secretsmanager actions on the cursor key = %v; want %v", f.Name, got, want)
				}
			}
		})
	}
}
