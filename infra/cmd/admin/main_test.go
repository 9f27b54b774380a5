package main

import (
	"bytes"
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/borderdesk/borderdesk/shared/dynamo"
	"github.com/borderdesk/borderdesk/shared/dynamo/embedded"
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
		{"merchant put -id acme -name Acme -tz Europe/Paris -shop-origin https://acme.example", "", "publishable key: pk_"},
		{"merchant put -id Acme! -name x", "-id", ""},
		{"merchant put -id acme -name Acme -tz Mars/Olympus", "-tz", ""},
		{"secret add -merchant acme -provider stripe -secret whsec_old_0123456789", "", "1 active stripe"},
		{"secret add -merchant acme -provider stripe -secret whsec_new_0123456789", "", "2 active stripe"},
		{"secret remove -merchant acme -provider stripe -secret whsec_old_0123456789", "", "1 active stripe"},
		{"secret add -merchant nobody -provider stripe -secret x", "not found", ""},
		{"secret add -merchant acme -provider paypal -secret x", "-provider", ""},
		{"agent put -merchant acme -email jo@acme.example -name Jo -role admin -lang fr", "", "custom:merchant_id,Value=acme"},
		{"agent put -merchant acme -email jo@acme.example -name Jo -role boss", "-role", ""},
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
	if err != nil || m.Name != "Acme" || m.ShopOrigins[0] != "https://acme.example" {
		t.Errorf("stored merchant = %+v, %v; want Acme with its shop origin", m, err)
	}
	var out bytes.Buffer
	_ = run(ctx, strings.Fields("merchant show -id acme"), getenv, &out)
	if strings.Contains(out.String(), "whsec_new_0123456789") {
		t.Errorf("merchant show printed a whole secret: %s", out.String())
	}
	if err := run(ctx, strings.Fields("merchant show -id acme"), func(string) string { return "" }, &out); err == nil {
		t.Errorf("without BORDERDESK_TABLE = nil error; want one")
	}
}
