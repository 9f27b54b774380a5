package local_test

import (
	"encoding/json"
	"regexp"
	"testing"

	"github.com/borderdesk/borderdesk/functions/api"
	"github.com/borderdesk/borderdesk/infra/local"
)

// TestDevLoginIssuesTheAgentID: the local sign-in picks the seeded agent by email and issues
// a token whose sub is the agent's fixed id — the same on every start — as Cognito issues
// the sub in the cloud; the API knows the caller by it.
func TestDevLoginIssuesTheAgentID(t *testing.T) {
	uuid := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	seen := map[string]string{}
	for _, s := range local.DemoSeeds(func(string) string { return "" }) {
		for _, a := range s.Agents {
			id := local.AgentID(s.Merchant.ID, a.Email)
			if !uuid.MatchString(id) || id != local.AgentID(s.Merchant.ID, a.Email) {
				t.Errorf("AgentID(%s, %s) = %q; want the same UUID every time", s.Merchant.ID, a.Email, id)
			}
			if other, dup := seen[id]; dup {
				t.Errorf("AgentID(%s, %s) = %q, the id of %s too", s.Merchant.ID, a.Email, id, other)
			}
			seen[id] = a.Email
		}
	}

	e := start(t)
	code, b := e.do("POST", "/dev/login", []byte(`{"email":"anna@demo.test"}`), nil)
	var login struct {
		Token      string `json:"token"`
		AgentID    string `json:"agent_id"`
		MerchantID string `json:"merchant_id"`
	}
	if err := json.Unmarshal(b, &login); err != nil || code != 200 {
		t.Fatalf("POST /dev/login anna = %d %s", code, b)
	}
	want := local.AgentID("demo", "anna@demo.test")
	if login.AgentID != want || login.MerchantID != "demo" {
		t.Errorf("POST /dev/login anna = %s; want agent_id %s of demo", b, want)
	}
	code, b = e.do("GET", "/api/v1/me", nil, map[string]string{"Authorization": "Bearer " + login.Token})
	var me api.Me
	if err := json.Unmarshal(b, &me); err != nil || code != 200 || me.ID != want || me.Email != "anna@demo.test" || me.Name != "Anna Schmidt" {
		t.Errorf("GET /api/v1/me as anna = %d %s; want id %s, anna@demo.test, Anna Schmidt", code, b, want)
	}
}
