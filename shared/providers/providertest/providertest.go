// Package providertest is the golden-file harness the webhook adapters' tests share: parse a
// captured-shape payload from testdata/, check the catalog events' envelope, and compare them
// with testdata/<name>.golden.json (rewritten with -update).
package providertest

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/borderdesk/borderdesk/events"
	"github.com/borderdesk/borderdesk/shared/providers/provider"
)

// MerchantID is the merchant the shared fixtures are parsed for.
const MerchantID = "mer_7Hq2Lk9"

// Parser is the part of a provider adapter the harness drives.
type Parser interface {
	Name() string
	Parse(merchantID string, body []byte) (provider.Parsed, error)
}

// ParseGolden parses testdata/<name>.json with p, checks that it maps to exactly one event of
// type want with a correct envelope, compares the events with the golden file, and returns
// the result for further checks.
func ParseGolden(t *testing.T, p Parser, name string, want events.DetailType, update bool) provider.Parsed {
	t.Helper()
	body, err := os.ReadFile(filepath.Join("testdata", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := p.Parse(MerchantID, body)
	if err != nil {
		t.Fatalf("Parse(%q) error = %v; want nil", name, err)
	}
	if len(got.Events) != 1 || got.Events[0].Type != want {
		t.Fatalf("Parse(%q) = %d events %v; want one %s", name, len(got.Events), Types(got.Events), want)
	}
	for i, e := range got.Events {
		wantID := provider.EventID(p.Name(), got.EventID, i)
		if e.ID != wantID || e.Provider != p.Name() || e.ProviderEventID != got.EventID ||
			e.MerchantID != MerchantID || !e.OccurredAt.Equal(got.OccurredAt) || e.OccurredAt.IsZero() {
			t.Errorf("Parse(%q).Events[%d] = {ID:%q Provider:%q ProviderEventID:%q MerchantID:%q OccurredAt:%v}; want {%q %s %q %q %v}",
				name, i, e.ID, e.Provider, e.ProviderEventID, e.MerchantID, e.OccurredAt, wantID, p.Name(), got.EventID, MerchantID, got.OccurredAt)
		}
	}
	Golden(t, filepath.Join("testdata", name+".golden.json"), got.Events, update)
	return got
}

// Golden compares got, as indented JSON, with the file at path, or rewrites it.
func Golden(t *testing.T, path string, got []events.Event, update bool) {
	t.Helper()
	if got == nil {
		got = []events.Event{}
	}
	b, err := json.MarshalIndent(got, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	b = append(b, '\n')
	if update {
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(b, want) {
		t.Errorf("events differ from %s (run go test -update if the change is intended)\ngot:\n%s\nwant:\n%s", path, b, want)
	}
}

// Types lists the events' detail-types.
func Types(es []events.Event) []events.DetailType {
	var ts []events.DetailType
	for _, e := range es {
		ts = append(ts, e.Type)
	}
	return ts
}
