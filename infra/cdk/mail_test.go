package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/borderdesk/borderdesk/events"
)

// Only notify may send mail, and only from SES identities, never on "*".
func TestSendMailGrant(t *testing.T) {
	for _, c := range stacks(t) {
		fns := c.tpl.functions()
		for _, f := range c.topology {
			actions := c.tpl.roleActions(fns[f.Name])
			for _, a := range []string{"ses:SendEmail", "ses:SendRawEmail"} {
				if got, want := slices.Contains(actions, a), f.Name == events.Notify; got != want {
					t.Errorf("%s: %s may %s = %v; want %v", c.name, f.Name, a, got, want)
				}
			}
		}
		found := false
		for _, s := range c.tpl.statements() {
			if !slices.Contains(list(s["Action"]), any("ses:SendRawEmail")) {
				continue
			}
			found = true
			res, _ := json.Marshal(s["Resource"])
			if slices.Contains(list(s["Resource"]), any("*")) || !strings.Contains(string(res), ":identity/*") {
				t.Errorf("%s: SES statement Resource = %s; want this account's SES identities only", c.name, res)
			}
		}
		if !found {
			t.Errorf("%s: no statement allows ses:SendRawEmail; want notify's", c.name)
		}
	}
}
