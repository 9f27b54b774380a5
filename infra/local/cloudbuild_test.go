package local_test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/borderdesk/borderdesk/events"
)

// TestCloudBuildsLeaveTheLocalRuntimeOut: no Lambda binary links the local runtime (and so
// /dev/login, its fixed secrets and the embedded DynamoDB).
func TestCloudBuildsLeaveTheLocalRuntimeOut(t *testing.T) {
	for _, f := range events.Topology {
		pkg := "github.com/borderdesk/borderdesk/functions/" + f.Name + "/cmd"
		out, err := exec.Command("go", "list", "-deps", pkg).CombinedOutput()
		if err != nil {
			t.Fatalf("go list -deps %s: %v\n%s", pkg, err, out)
		}
		for _, banned := range []string{"github.com/borderdesk/borderdesk/infra/", "github.com/truora/minidyn", "github.com/johannesboyne/gofakes3"} {
			if strings.Contains(string(out), banned) {
				t.Errorf("%s depends on %s…; cloud builds must not", pkg, banned)
			}
		}
	}
}
