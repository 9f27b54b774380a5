package dynamo_test

import (
	"context"
	"testing"

	"github.com/borderdesk/borderdesk/shared/errs"
	"github.com/borderdesk/borderdesk/shared/merchant"
)

// TestAgentsAreKeyedByID: an agent is read by id, listed by merchant and found by email; a
// changed email moves the lookup with it; one email cannot belong to two agents.
func TestAgentsAreKeyedByID(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	anna := merchant.Agent{ID: "sub-anna", Email: "anna@demo.test", Name: "Anna", MerchantID: "demo", Role: merchant.RoleAgent}
	li := merchant.Agent{ID: "sub-li", Email: "li@demo.test", Name: "Li", MerchantID: "demo", Role: merchant.RoleSupervisor}
	for _, a := range []merchant.Agent{anna, li} {
		if err := s.PutAgent(ctx, a); err != nil {
			t.Fatalf("PutAgent(%s) = %v", a.ID, err)
		}
	}
	if got, err := s.GetAgent(ctx, "demo", "sub-anna"); err != nil || got != anna {
		t.Errorf("GetAgent(demo, sub-anna) = %+v, %v; want %+v", got, err, anna)
	}
	if _, err := s.GetAgent(ctx, "demo", "anna@demo.test"); !errs.Is(err, errs.NotFound) {
		t.Errorf("GetAgent(demo, anna's email) = %v; want not found: agents are keyed by id", err)
	}
	if _, err := s.GetAgent(ctx, "acme", "sub-anna"); !errs.Is(err, errs.NotFound) {
		t.Errorf("GetAgent(acme, sub-anna) = %v; want not found", err)
	}
	if got, err := s.FindAgent(ctx, "li@demo.test"); err != nil || got.ID != "sub-li" {
		t.Errorf("FindAgent(li@demo.test) = %+v, %v; want sub-li", got, err)
	}

	// Anna changes her email: the new one finds her, the old one nobody, and Li may take it.
	anna.Email = "anna.schmidt@demo.test"
	if err := s.PutAgent(ctx, anna); err != nil {
		t.Fatalf("PutAgent(anna, new email) = %v", err)
	}
	if got, err := s.FindAgent(ctx, "anna.schmidt@demo.test"); err != nil || got.ID != "sub-anna" {
		t.Errorf("FindAgent(new email) = %+v, %v; want sub-anna", got, err)
	}
	if _, err := s.FindAgent(ctx, "anna@demo.test"); !errs.Is(err, errs.NotFound) {
		t.Errorf("FindAgent(old email) = %v; want not found", err)
	}
	taken := li
	taken.Email = "anna.schmidt@demo.test"
	if err := s.PutAgent(ctx, taken); !errs.Is(err, errs.Conflict) {
		t.Errorf("PutAgent(li with anna's email) = %v; want conflict", err)
	}
	if got, _ := s.GetAgent(ctx, "demo", "sub-li"); got.Email != "li@demo.test" {
		t.Errorf("after the refused put, li's email = %q; want li@demo.test unchanged", got.Email)
	}
	if err := s.PutAgent(ctx, merchant.Agent{Email: "x@demo.test", MerchantID: "demo"}); !errs.Is(err, errs.Invalid) {
		t.Errorf("PutAgent(no id) = %v; want invalid", err)
	}

	agents, err := s.ListAgents(ctx, "demo")
	if err != nil || len(agents) != 2 {
		t.Fatalf("ListAgents(demo) = %+v, %v; want anna and li", agents, err)
	}
	for _, a := range agents {
		if a.ID == "" || a.MerchantID != "demo" {
			t.Errorf("ListAgents(demo) has %+v; want demo's agents with ids", a)
		}
	}
}
