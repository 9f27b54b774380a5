package dynamo_test

import (
	"context"
	"testing"

	"github.com/borderdesk/borderdesk/shared/errs"
	"github.com/borderdesk/borderdesk/shared/merchant"
)

// TestMailboxes: a merchant's sender address is its mailbox; plus-tagged addresses resolve
// to the merchant and the tag; an address nobody owns is not found; one address cannot
// belong to two merchants; a changed sender moves the mailbox.
func TestMailboxes(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	demo := merchant.Merchant{ID: "demo", Name: "Demo", Sender: merchant.Sender{Address: "Support@Demo.test"}}
	acme := merchant.Merchant{ID: "acme", Name: "Acme", Sender: merchant.Sender{Address: "support@acme.test"}}
	plain := merchant.Merchant{ID: "plain", Name: "No sender yet"}
	for _, m := range []merchant.Merchant{demo, acme, plain} {
		if err := s.PutMerchant(ctx, m); err != nil {
			t.Fatalf("PutMerchant(%s) = %v", m.ID, err)
		}
	}
	if got, err := s.GetMerchant(ctx, "demo"); err != nil || got.Sender.Address != "Support@Demo.test" {
		t.Errorf("GetMerchant(demo) = %+v, %v; want the sender as given", got, err)
	}
	lookups := []struct {
		address, merchant, tag string
		kind                   errs.Kind
	}{
		{"support@demo.test", "demo", "", ""},
		{"SUPPORT@demo.TEST", "demo", "", ""},
		{"<support@demo.test>", "demo", "", ""},
		{"support+tk_01jc2@demo.test", "demo", "tk_01jc2", ""},
		{"support+tk_01jc2@acme.test", "acme", "tk_01jc2", ""},
		{"support@acme.test", "acme", "", ""},
		{"sales@demo.test", "", "", errs.NotFound},
		{"sales+tk_1@demo.test", "", "", errs.NotFound},
		{"support@demo.test.evil", "", "", errs.NotFound},
		{"+tk_1@demo.test", "", "", errs.NotFound},
		{"not an address", "", "", errs.NotFound},
		{"a@b@demo.test", "", "", errs.NotFound},
		{"", "", "", errs.NotFound},
	}
	for _, tc := range lookups {
		id, tag, err := s.Mailbox(ctx, tc.address)
		if id != tc.merchant || tag != tc.tag || errs.KindOf(err) != tc.kind {
			t.Errorf("Mailbox(%q) = %q, %q, %v; want %q, %q, kind %q", tc.address, id, tag, err, tc.merchant, tc.tag, tc.kind)
		}
	}

	// Acme cannot take demo's address, however it is spelled, and stays as it was.
	steal := acme
	steal.Sender.Address = "support@DEMO.test"
	if err := s.PutMerchant(ctx, steal); !errs.Is(err, errs.Conflict) {
		t.Errorf("PutMerchant(acme with demo's address) = %v; want conflict", err)
	} else if msg := errs.Message(err); msg != "support@demo.test is already the support address of another merchant" {
		t.Errorf("conflict message = %q; want it to name the address", msg)
	}
	if got, _ := s.GetMerchant(ctx, "acme"); got.Sender.Address != "support@acme.test" {
		t.Errorf("after the refused put, acme's sender = %q; want support@acme.test", got.Sender.Address)
	}
	if id, _, _ := s.Mailbox(ctx, "support@acme.test"); id != "acme" {
		t.Errorf("after the refused put, Mailbox(support@acme.test) = %q; want acme", id)
	}

	// Putting a merchant again with the same sender is no conflict with itself.
	if err := s.PutMerchant(ctx, demo); err != nil {
		t.Errorf("PutMerchant(demo again) = %v", err)
	}

	// Demo moves to help@demo.test: the old address is freed (acme may claim it), the new
	// one leads to demo.
	demo.Sender.Address = "help@demo.test"
	if err := s.PutMerchant(ctx, demo); err != nil {
		t.Fatalf("PutMerchant(demo, new sender) = %v", err)
	}
	if id, _, err := s.Mailbox(ctx, "help+tk_9@demo.test"); id != "demo" || err != nil {
		t.Errorf("Mailbox(help+tk_9@demo.test) = %q, %v; want demo", id, err)
	}
	if _, _, err := s.Mailbox(ctx, "support@demo.test"); !errs.Is(err, errs.NotFound) {
		t.Errorf("Mailbox(old address) = %v; want not found", err)
	}
	if err := s.PutMerchant(ctx, steal); err != nil {
		t.Errorf("PutMerchant(acme with the freed address) = %v; want it to succeed", err)
	}
	if id, _, _ := s.Mailbox(ctx, "support@demo.test"); id != "acme" {
		t.Errorf("Mailbox(support@demo.test) = %q; want acme, which claimed it", id)
	}
	if _, _, err := s.Mailbox(ctx, "support@acme.test"); !errs.Is(err, errs.NotFound) {
		t.Errorf("Mailbox(acme's old address) = %v; want not found", err)
	}

	// A sender with a plus is a mailbox of its own; its replies' tags resolve through it
	// only when the tag is on top of it, never by claiming the untagged address.
	plain.Sender.Address = "shop+help@mail.test"
	if err := s.PutMerchant(ctx, plain); err != nil {
		t.Fatal(err)
	}
	if id, tag, err := s.Mailbox(ctx, "shop+help@mail.test"); id != "plain" || tag != "" || err != nil {
		t.Errorf("Mailbox(shop+help@mail.test) = %q, %q, %v; want plain, no tag", id, tag, err)
	}
	if _, _, err := s.Mailbox(ctx, "shop@mail.test"); !errs.Is(err, errs.NotFound) {
		t.Errorf("Mailbox(shop@mail.test) = %v; want not found: plain owns only its own address", err)
	}

	// Removing the sender frees the mailbox.
	plain.Sender = merchant.Sender{}
	if err := s.PutMerchant(ctx, plain); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Mailbox(ctx, "shop+help@mail.test"); !errs.Is(err, errs.NotFound) {
		t.Errorf("Mailbox(removed sender) = %v; want not found", err)
	}
	if err := s.PutMerchant(ctx, merchant.Merchant{Name: "no id"}); !errs.Is(err, errs.Invalid) {
		t.Errorf("PutMerchant(no id) = %v; want invalid", err)
	}
}
