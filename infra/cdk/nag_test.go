package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestNag runs cdk-nag's AwsSolutions and Serverless packs (nag/nag.mjs) over the stack's
// template: none may report an error that the stack does not suppress with a reason. The
// template changed in ways nag must catch shows the check can fail: a new resource that
// breaks rules, a suppression taken away, a suppression without a reason.
func TestNag(t *testing.T) {
	nodePackage(t, "cdk-nag")
	real := stacks(t)[0].tpl
	secret := real.only(t, "AWS::SecretsManager::Secret")

	for _, tc := range []struct {
		name   string
		change func(tpl template)
		want   []string // "" passes; otherwise what the failure must name
	}{
		{"as synthesized", func(template) {}, nil},
		{"without mail domains", func(tpl template) {
			// The fixture is synthesized without BORDERDESK_MAIL_DOMAINS: no identities, no
			// receipt rule set, no SES grant, and nothing left unacknowledged for it.
			clear(tpl)
			for k, v := range clone(t, stacks(t)[1].tpl) {
				tpl[k] = v
			}
		}, nil},
		{"a queue without a DLQ or TLS", func(tpl template) {
			tpl["Resources"].(map[string]any)["DeliberatelyBad"] = map[string]any{"Type": "AWS::SQS::Queue"}
		}, []string{"DeliberatelyBad: AwsSolutions-SQS3", "DeliberatelyBad: AwsSolutions-SQS4"}},
		{"a suppression taken away", func(tpl template) {
			delete(tpl.resource(secret), "Metadata")
		}, []string{secret + ": AwsSolutions-SMG4"}},
		{"a suppression without a reason", func(tpl template) {
			tpl.resource(secret)["Metadata"] = map[string]any{nagMetadata: map[string]any{
				"rules_to_suppress": []any{map[string]any{"id": "AwsSolutions-SMG4"}},
			}}
		}, []string{secret + ": suppression", "needs an id and a reason"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tpl := clone(t, real)
			tc.change(tpl)
			out, err := nag(t, tpl)
			if len(tc.want) == 0 {
				if err != nil {
					t.Fatalf("nag = %v; want no unsuppressed errors:\n%s", err, out)
				}
				return
			}
			if err == nil {
				t.Fatalf("nag = nil; want it to fail naming %q:\n%s", tc.want, out)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("nag output lacks %q:\n%s", w, out)
				}
			}
		})
	}
}

// TestAcknowledge: suppressions pile up on a resource, each with its reason and findings,
// in the metadata nag.mjs reads.
func TestAcknowledge(t *testing.T) {
	tpl := stacks(t)[0].tpl
	intake := tpl.functions()["intake"]
	role := getAtt(dig(tpl.props(intake), "Role"))
	var policy string
	for id, p := range tpl.resources("AWS::IAM::Policy") {
		for _, r := range list(dig(p, "Properties", "Roles")) {
			if ref(r) == role {
				policy = id
			}
		}
	}
	rules := list(dig(tpl.resource(policy), "Metadata", nagMetadata, "rules_to_suppress"))
	var findings []string
	for _, r := range rules {
		if dig(r, "id") != "AwsSolutions-IAM5" || len(strings.TrimSpace(dig(r, "reason").(string))) == 0 {
			t.Errorf("intake's policy suppression %v; want IAM5 with a reason", r)
		}
		for _, f := range list(dig(r, "applies_to")) {
			findings = append(findings, f.(string))
		}
	}
	// From newFunction (tracing, the table's indexes) and rawBodies.writer (the bucket).
	for _, want := range []string{"Resource::*", "Action::s3:Abort*"} {
		if !strings.Contains(strings.Join(findings, " "), want) {
			t.Errorf("intake's policy suppresses %v; want %s among them", findings, want)
		}
	}
	if len(findings) < 4 {
		t.Errorf("intake's policy suppresses %v; want the function's and the raw-body bucket's findings together", findings)
	}
}

func clone(t *testing.T, tpl template) template {
	t.Helper()
	raw, err := json.Marshal(tpl)
	if err != nil {
		t.Fatal(err)
	}
	var out template
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// nag runs nag/nag.mjs on tpl and returns what it printed.
func nag(t *testing.T, tpl template) (string, error) {
	t.Helper()
	raw, err := json.Marshal(tpl)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "template.json")
	if err := os.WriteFile(file, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	return nagFile(file)
}

// nagFile runs nag/nag.mjs on the template in file and returns what it printed.
func nagFile(file string) (string, error) {
	out, err := exec.Command("node", filepath.Join("nag", "nag.mjs"), file).CombinedOutput()
	return string(out), err
}
