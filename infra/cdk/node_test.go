package main

import (
	"os"
	"path/filepath"
	"testing"
)

// nodePackage skips the test, loudly, when `npm ci` has not installed infra/cdk's node
// packages (the pinned CDK CLI, cdk-nag), and fails it under CI, which must install them
// (`make test-cdk` does).
func nodePackage(t *testing.T, name string) {
	t.Helper()
	p := filepath.Join("node_modules", name, "package.json")
	if _, err := os.Stat(p); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is missing: CI must install infra/cdk's node packages (`make test-cdk` runs npm ci)", p)
		}
		t.Skipf("!! SKIPPED: %s is missing: run `make test-cdk` (npm ci in infra/cdk) to run this test", p)
	}
}
