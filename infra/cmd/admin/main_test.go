package main

import (
	"bytes"
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/borderdesk/borderdesk/shared/dynamo"
	"github.com/borderdesk/borderdesk/shared/dynamo/embedded"
	"github.com/borderdesk/borderdesk/shared/merchant"
	smembedded "github.com/borderdesk/borderdesk/shared/secretsmanager/embedded"
)

func TestAdmin(t *testing.T) {
	ctx := context.Background()
	db, err := embedded.Start(ctx, "127.0.0.1:0", "bd")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	sm := httptest.NewServer(smembedded.New(nil))
	defer sm.Close()
	env := map[string]string{"BORDERDESK_TABLE": "bd", "BORDERDESK_DYNAMODB_ENDPOINT": db.URL, "BORDERDESK_SECRETSMANAGER_ENDPOINT": sm.URL}
	getenv := func(k string) string { return env[k] }
	steps := []struct {
		args    string
		wantErr string
		wantOut string
	}{
		{"merchant put -id acme -name Acme -tz Europe/Paris -shop-origin https://acme.example -sender support@acme.example -sender-name Acme", "", "publishable key: pk_"},
		{"merchant put -id acme -name Acme -sender Eve<x@evil.example>", "-sender", ""},
		// The sender is the support mailbox: one merchant's, however it is spelled.
		{"merchant put -id bolt -name Bolt -sender Support@ACME.example", "support@acme.example is already the support address of another merchant", ""},
		{"merchant put -id bolt -name Bolt -sender help@bolt.example", "", "support mailbox: help@bolt.example"},
		{"merchant put -id acme -name Acme -sender not-an-address", "-sender", ""},
		{"merchant put -id Acme! -name x", "-id", ""},
		{"merchant put -id acme -name Acme -tz Mars/Olympus", "-tz", ""},
		{"secret add -merchant acme -provider stripe -secret whsec_old_0123456789", "", "1 active stripe"},
		{"secret add -merchant acme -provider stripe -secret whsec_new_0123456789", "", "2 active stripe"},
		{"secret remove -merchant acme -provider stripe -secret whsec_old_0123456789", "", "1 active stripe"},
		{"secret add -merchant nobody -provider stripe -secret x", "not found", ""},
		{"secret add -merchant acme -provider paypal -secret x", "-provider", ""},
		// A new agent needs their Cognito sub; without it the command says how to get one.
		{"agent put -merchant acme -email jo@acme.example -name Jo -role admin -lang fr", "-sub is required", ""},
		{"agent put -merchant acme -email jo@acme.example -name Jo -role admin -lang fr -sub jo@acme.example", "not their email", ""},
		{"agent put -merchant acme -email jo@acme.example -name Jo -role admin -lang fr -sub 5f0e-jo", "", "custom:merchant_id,Value=acme"},
		// Known by email from then on: a changed name or role keeps the sub.
		{"agent put -merchant acme -email jo@acme.example -name Jo -role supervisor -lang fr", "", "sub 5f0e-jo"},
		{"agent put -merchant acme -email jo@acme.example -name Jo -role boss", "-role", ""},
		{"agent put -merchant acme -email kim@acme.example -name Kim -sub 5f0e-jo", "", "sub 5f0e-jo"}, // jo changes email
		{"agent put -merchant acme -email lee@acme.example -name Lee -sub 77aa-lee", "", "sub 77aa-lee"},
		{"agent put -merchant acme -email kim@acme.example -name Lee -sub 77aa-lee", "another agent", ""},
		{"merchant show -id acme", "", "stripe secrets: whse…6789"},
		{"merchant frobnicate", "unknown command", ""},
	}
	for _, s := range steps {
		var out bytes.Buffer
		err := run(ctx, strings.Fields(s.args), getenv, &out)
		if s.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), s.wantErr) {
				t.Errorf("admin %s = %v; want an error about %q", s.args, err, s.wantErr)
			}
			continue
		}
		if err != nil || !strings.Contains(out.String(), s.wantOut) {
			t.Errorf("admin %s = %v, %q; want output containing %q", s.args, err, out.String(), s.wantOut)
		}
	}
	m, err := dynamo.New(db.Client, "bd").GetMerchant(ctx, "acme")
	if err != nil || m.Name != "Acme" || m.ShopOrigins[0] != "https://acme.example" || m.Sender != (merchant.Sender{Name: "Acme", Address: "support@acme.example"}) {
		t.Errorf("stored merchant = %+v, %v; want Acme with its shop origin and sender", m, err)
	}
	store := dynamo.New(db.Client, "bd")
	for addr, want := range map[string]string{"support@acme.example": "acme", "support+tk_1@acme.example": "acme", "help@bolt.example": "bolt"} {
		if id, _, err := store.Mailbox(ctx, addr); err != nil || id != want {
			t.Errorf("Mailbox(%s) = %q, %v; want %s", addr, id, err, want)
		}
	}
	if a, err := store.GetAgent(ctx, "acme", "5f0e-jo"); err != nil || a.Email != "kim@acme.example" || a.Role != merchant.RoleAgent {
		t.Errorf("agent 5f0e-jo = %+v, %v; want kim@acme.example, an agent (the sub stays, the email moves)", a, err)
	}
	var out bytes.Buffer
	if err := run(ctx, strings.Fields("agent put -merchant acme -email new@acme.example -name New"), getenv, &out); err == nil ||
		!strings.Contains(out.String(), "admin-create-user") || !strings.Contains(out.String(), "admin-get-user") {
		t.Errorf("agent put of a new agent without -sub = %v, %q; want an error and the Cognito commands to create them and read the sub", err, out.String())
	}
	out.Reset()
	_ = run(ctx, strings.Fields("merchant show -id acme"), getenv, &out)
	if strings.Contains(out.String(), "whsec_new_0123456789") {
		t.Errorf("merchant show printed a whole secret: %s", out.String())
	}
	if err := run(ctx, strings.Fields("merchant show -id acme"), func(string) string { return "" }, &out); err == nil {
		t.Errorf("without BORDERDESK_TABLE = nil error; want one")
	}
}
