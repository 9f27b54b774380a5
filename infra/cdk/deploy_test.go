package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/borderdesk/borderdesk/events"
)

// TestDeployPath runs what `make deploy` runs, up to where it needs AWS: the pinned CDK CLI
// (`npx cdk`) in infra/cdk, running the app as cdk.json says, with the build and the console
// given as paths relative to infra/cdk — as the Makefile gives ../../build — and no AWS
// credentials, account or region. The synthesized stack must deploy the very bootstraps it
// was pointed at, and pass cdk-nag as synthesized there (the CLI pins a region, which the
// in-process template of TestNag leaves open).
func TestDeployPath(t *testing.T) {
	nodePackage(t, "aws-cdk")
	if testing.Short() {
		t.Skip("compiles and synthesizes the app through the CDK CLI")
	}
	// The stub build sits inside infra/cdk (a dot folder Go and git ignore), so a relative
	// path taken from anywhere but the CLI's working directory misses it.
	work, err := os.MkdirTemp(".", ".deploy-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(work) })
	files := map[string]string{
		"console/index.html":        "<!doctype html>",
		"console/assets/index-1.js": "",
	}
	for _, f := range events.Topology {
		files[filepath.Join("build", f.Name, "bootstrap")] = "stub " + f.Name
	}
	for name, content := range files {
		p := filepath.Join(work, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	out := t.TempDir()

	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "npx", "cdk", "synth", "--quiet", "--no-notices", "--output", out)
	cmd.Env = append(offline(os.Environ()),
		"BORDERDESK_BUILD_DIR="+filepath.Join(work, "build"),
		"BORDERDESK_CONSOLE_DIR="+filepath.Join(work, "console"),
		// The mail path through main's own reading of the environment, nagged as the CLI
		// synthesizes it.
		mailDomainsEnv+"="+testMailDomains,
	)
	if output, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("npx cdk synth: %v\n%s", err, output)
	}

	file := filepath.Join(out, stackName+".template.json")
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("the CLI wrote no template: %v", err)
	}
	var tpl template
	if err := json.Unmarshal(raw, &tpl); err != nil {
		t.Fatal(err)
	}
	fns := tpl.functions()
	for _, f := range events.Topology {
		id, ok := fns[f.Name]
		if !ok {
			t.Errorf("template has no function %s", f.Name)
			continue
		}
		asset := fmt.Sprint(dig(tpl.resource(id), "Metadata", "aws:asset:path"))
		got, err := os.ReadFile(filepath.Join(out, asset, "bootstrap"))
		if err != nil || string(got) != "stub "+f.Name {
			t.Errorf("%s's code asset %s/bootstrap = %q, %v; want the bootstrap the CLI was given (%q)", f.Name, asset, got, err, "stub "+f.Name)
		}
	}
	if got := len(tpl.resources("AWS::SES::EmailIdentity")); got != 2 {
		t.Errorf("SES identities from %s=%q = %d; want 2", mailDomainsEnv, testMailDomains, got)
	}
	if report, err := nagFile(file); err != nil {
		t.Errorf("cdk-nag on the CLI's template = %v; want no unsuppressed errors:\n%s", err, report)
	}
}

// offline is env without AWS credentials, profile, account or region, and with nothing of
// the CLI's that calls out (telemetry, notices, the instance metadata service).
func offline(env []string) []string {
	var out []string
	for _, kv := range env {
		if strings.HasPrefix(kv, "AWS_") || strings.HasPrefix(kv, "CDK_") || strings.HasPrefix(kv, "BORDERDESK_") {
			continue
		}
		out = append(out, kv)
	}
	return append(out,
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_CONFIG_FILE="+os.DevNull,
		"AWS_SHARED_CREDENTIALS_FILE="+os.DevNull,
		"CDK_DISABLE_CLI_TELEMETRY=true",
		"JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20",
	)
}
