package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/borderdesk/borderdesk/events"
	"github.com/borderdesk/borderdesk/functions/api"
	"github.com/borderdesk/borderdesk/shared/auth"
	"github.com/borderdesk/borderdesk/shared/dynamo"
	"github.com/borderdesk/borderdesk/shared/dynamo/embedded"
	"github.com/borderdesk/borderdesk/shared/httpjson"
	"github.com/borderdesk/borderdesk/shared/merchant"
	"github.com/borderdesk/borderdesk/shared/ticket"
)

// document is openapi.json decoded with json.Number for numbers, so documented limits and
// response values compare exactly.
type document map[string]any

func loadDocument(t *testing.T) document {
	t.Helper()
	raw, err := os.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc document
	if err := decodeJSON(raw, &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	return doc
}

// decodeJSON decodes exactly one JSON value, with json.Number for numbers.
func decodeJSON(raw []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("data after the JSON value")
	}
	return nil
}

var httpMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// operations returns every documented operation by its ServeMux pattern, "GET /api/v1/me".
func (d document) operations() map[string]map[string]any {
	out := map[string]map[string]any{}
	paths, _ := d["paths"].(map[string]any)
	for path, item := range paths {
		item, _ := item.(map[string]any)
		for _, m := range httpMethods {
			if op, ok := item[m].(map[string]any); ok {
				out[strings.ToUpper(m)+" "+path] = op
			}
		}
	}
	return out
}

// pathItem returns the path item of a "METHOD /path" pattern.
func (d document) pathItem(pattern string) map[string]any {
	_, path, _ := strings.Cut(pattern, " ")
	paths, _ := d["paths"].(map[string]any)
	item, _ := paths[path].(map[string]any)
	return item
}

// resolve follows a local reference, "#/components/schemas/Money".
func (d document) resolve(ref string) (any, error) {
	rest, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return nil, fmt.Errorf("$ref %q is not local", ref)
	}
	var cur any = map[string]any(d)
	for _, name := range strings.Split(rest, "/") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("$ref %q does not resolve", ref)
		}
		if cur, ok = m[name]; !ok {
			return nil, fmt.Errorf("$ref %q does not resolve", ref)
		}
	}
	return cur, nil
}

// deref returns v, or what its $ref names (repeatedly).
func (d document) deref(v any) (map[string]any, error) {
	for range 10 {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%T is not an object", v)
		}
		ref, ok := m["$ref"].(string)
		if !ok {
			return m, nil
		}
		target, err := d.resolve(ref)
		if err != nil {
			return nil, err
		}
		v = target
	}
	return nil, errors.New("$ref chain too long")
}

// parameters returns the parameters of an operation: the path item's, overridden by the
// operation's own.
func (d document) parameters(pattern string, op map[string]any) (map[string]map[string]any, error) {
	out := map[string]map[string]any{}
	for _, list := range []any{d.pathItem(pattern)["parameters"], op["parameters"]} {
		list, _ := list.([]any)
		for _, p := range list {
			p, err := d.deref(p)
			if err != nil {
				return nil, err
			}
			out[fmt.Sprint(p["in"])+":"+fmt.Sprint(p["name"])] = p
		}
	}
	return out, nil
}

// responseSchema returns the JSON schema documented for op's answer with status; 5xx answers
// fall to "default". ok is false when the status is not documented.
func (d document) responseSchema(op map[string]any, status int) (schema any, ok bool, err error) {
	responses, _ := op["responses"].(map[string]any)
	r, ok := responses[strconv.Itoa(status)]
	if !ok && status >= 500 {
		r, ok = responses["default"]
	}
	if !ok {
		return nil, false, nil
	}
	resp, err := d.deref(r)
	if err != nil {
		return nil, true, err
	}
	content, _ := resp["content"].(map[string]any)
	media, _ := content["application/json"].(map[string]any)
	if media == nil || media["schema"] == nil {
		return nil, true, fmt.Errorf("response %d has no application/json schema", status)
	}
	return media["schema"], true, nil
}

// The JSON Schema subset the document may use. Anything else is refused rather than silently
// not checked.
var schemaKeywords = map[string]bool{
	"$ref": true, "type": true, "required": true, "properties": true, "additionalProperties": true,
	"items": true, "enum": true, "nullable": true, "format": true, "minLength": true, "maxLength": true,
	"minimum": true, "maximum": true, "description": true, "maxItems": true,
}

var formats = map[string]bool{"date-time": true, "int64": true}

// validate reports every way v departs from schema, at names v's place in messages.
func (d document) validate(schema, v any, at string) error {
	s, ok := schema.(map[string]any)
	if !ok {
		return fmt.Errorf("%s: schema is %T, not an object", at, schema)
	}
	for _, k := range slices.Sorted(maps.Keys(s)) {
		if !schemaKeywords[k] {
			return fmt.Errorf("%s: schema keyword %q is not supported by this validator", at, k)
		}
	}
	if ref, ok := s["$ref"].(string); ok {
		if len(s) > 1 {
			return fmt.Errorf("%s: keywords beside $ref %s are ignored by OpenAPI 3.0", at, ref)
		}
		target, err := d.resolve(ref)
		if err != nil {
			return fmt.Errorf("%s: %w", at, err)
		}
		return d.validate(target, v, at)
	}
	if v == nil {
		if s["nullable"] == true {
			return nil
		}
		return fmt.Errorf("%s: null is not allowed", at)
	}
	var errs []error
	if enum, ok := s["enum"].([]any); ok && !slices.ContainsFunc(enum, func(e any) bool { return sameJSON(e, v) }) {
		errs = append(errs, fmt.Errorf("%s: %v is not one of %v", at, v, enum))
	}
	if f, ok := s["format"].(string); ok && !formats[f] {
		errs = append(errs, fmt.Errorf("%s: format %q is not supported by this validator", at, f))
	}
	switch typ := s["type"]; typ {
	case "object":
		obj, ok := v.(map[string]any)
		if !ok {
			return errors.Join(append(errs, fmt.Errorf("%s: %s is not an object", at, jsonOf(v)))...)
		}
		req, _ := s["required"].([]any)
		for _, name := range req {
			if _, ok := obj[fmt.Sprint(name)]; !ok {
				errs = append(errs, fmt.Errorf("%s: required property %q is missing", at, name))
			}
		}
		props, _ := s["properties"].(map[string]any)
		for _, name := range slices.Sorted(maps.Keys(obj)) {
			if p, ok := props[name]; ok {
				errs = append(errs, d.validate(p, obj[name], at+"."+name))
				continue
			}
			switch extra := s["additionalProperties"]; extra {
			case nil, true:
			case false:
				errs = append(errs, fmt.Errorf("%s: property %q is not documented", at, name))
			default:
				errs = append(errs, d.validate(extra, obj[name], at+"."+name))
			}
		}
	case "array":
		arr, ok := v.([]any)
		if !ok {
			return errors.Join(append(errs, fmt.Errorf("%s: %s is not an array", at, jsonOf(v)))...)
		}
		items, ok := s["items"]
		if !ok {
			return errors.Join(append(errs, fmt.Errorf("%s: array schema without items", at))...)
		}
		if hi, ok := number(s["maxItems"]); ok && float64(len(arr)) > hi {
			errs = append(errs, fmt.Errorf("%s: %d items, over maxItems %v", at, len(arr), hi))
		}
		for i, e := range arr {
			errs = append(errs, d.validate(items, e, fmt.Sprintf("%s[%d]", at, i)))
		}
	case "string":
		str, ok := v.(string)
		if !ok {
			return errors.Join(append(errs, fmt.Errorf("%s: %s is not a string", at, jsonOf(v)))...)
		}
		if s["format"] == "date-time" {
			if _, err := time.Parse(time.RFC3339, str); err != nil {
				errs = append(errs, fmt.Errorf("%s: %q is not an RFC 3339 date-time", at, str))
			}
		}
		n := float64(utf8.RuneCountInString(str))
		if lo, ok := number(s["minLength"]); ok && n < lo {
			errs = append(errs, fmt.Errorf("%s: %d characters is under minLength %v", at, int(n), lo))
		}
		if hi, ok := number(s["maxLength"]); ok && n > hi {
			errs = append(errs, fmt.Errorf("%s: %d characters is over maxLength %v", at, int(n), hi))
		}
	case "integer", "number":
		num, ok := v.(json.Number)
		if !ok {
			return errors.Join(append(errs, fmt.Errorf("%s: %s is not a number", at, jsonOf(v)))...)
		}
		if _, err := num.Int64(); typ == "integer" && err != nil {
			return errors.Join(append(errs, fmt.Errorf("%s: %s is not an integer", at, num))...)
		}
		n, _ := number(num)
		if lo, ok := number(s["minimum"]); ok && n < lo {
			errs = append(errs, fmt.Errorf("%s: %s is under minimum %v", at, num, lo))
		}
		if hi, ok := number(s["maximum"]); ok && n > hi {
			errs = append(errs, fmt.Errorf("%s: %s is over maximum %v", at, num, hi))
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			errs = append(errs, fmt.Errorf("%s: %s is not a boolean", at, jsonOf(v)))
		}
	default:
		errs = append(errs, fmt.Errorf("%s: schema type %v is not supported", at, typ))
	}
	return errors.Join(errs...)
}

func number(v any) (float64, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	f, err := n.Float64()
	return f, err == nil
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func sameJSON(a, b any) bool { return jsonOf(a) == jsonOf(b) }

func TestOpenAPIDocumentMatchesTopology(t *testing.T) {
	doc := loadDocument(t)
	if v, _ := doc["openapi"].(string); !strings.HasPrefix(v, "3.") {
		t.Fatalf("openapi = %q; want 3.x", v)
	}
	fn, ok := events.Lookup(events.API)
	if !ok {
		t.Fatalf("events.Lookup(%q) found nothing", events.API)
	}
	ops := doc.operations()
	for _, r := range fn.Routes {
		if r.Method == "OPTIONS" {
			continue // CORS preflight plumbing, not an operation of the API
		}
		op, ok := ops[r.Pattern()]
		if !ok {
			t.Errorf("route %s of the %s function is not documented", r.Pattern(), fn.Name)
			continue
		}
		sec, ok := op["security"]
		if !ok {
			sec = doc["security"]
		}
		if got := requiresBearer(doc, sec); got != r.Auth {
			t.Errorf("%s requires bearer security = %v; want %v (Auth)", r.Pattern(), got, r.Auth)
		}
		if id, _ := op["operationId"].(string); id == "" {
			t.Errorf("%s has no operationId", r.Pattern())
		}
		params, err := doc.parameters(r.Pattern(), op)
		if err != nil {
			t.Errorf("%s parameters: %v", r.Pattern(), err)
		}
		for _, m := range regexp.MustCompile(`\{([^}]+)\}`).FindAllStringSubmatch(r.Path, -1) {
			if p := params["path:"+m[1]]; p == nil || p["required"] != true {
				t.Errorf("%s: path parameter %q is not documented as required", r.Pattern(), m[1])
			}
		}
	}
	for _, pattern := range slices.Sorted(maps.Keys(ops)) {
		if !slices.ContainsFunc(fn.Routes, func(r events.Route) bool { return r.Pattern() == pattern }) {
			t.Errorf("documented %s is not a route of the %s function in events.Topology", pattern, fn.Name)
		}
	}
}

// requiresBearer reports whether a security requirement list admits only bearer tokens.
func requiresBearer(doc document, sec any) bool {
	alternatives, _ := sec.([]any)
	if len(alternatives) == 0 {
		return false
	}
	for _, alt := range alternatives {
		req, _ := alt.(map[string]any)
		if len(req) == 0 {
			return false // {} admits anonymous callers
		}
		for name := range req {
			s, err := doc.deref(map[string]any{"$ref": "#/components/securitySchemes/" + name})
			if err != nil || s["type"] != "http" || !strings.EqualFold(fmt.Sprint(s["scheme"]), "bearer") {
				return false
			}
		}
	}
	return true
}

func TestOpenAPIDocumentRefsResolveAndObjectsAreClosed(t *testing.T) {
	doc := loadDocument(t)
	var walk func(v any, at string)
	walk = func(v any, at string) {
		switch v := v.(type) {
		case map[string]any:
			if ref, ok := v["$ref"].(string); ok {
				if _, err := doc.resolve(ref); err != nil {
					t.Errorf("%s: %v", at, err)
				}
			}
			for k, e := range v {
				walk(e, at+"/"+k)
			}
		case []any:
			for i, e := range v {
				walk(e, fmt.Sprintf("%s/%d", at, i))
			}
		}
	}
	walk(map[string]any(doc), "#")

	schemas, _ := doc.deref(map[string]any{"$ref": "#/components/schemas"})
	for _, name := range slices.Sorted(maps.Keys(schemas)) {
		s, _ := schemas[name].(map[string]any)
		// The API's own objects are closed, so a field added to views.go without the doc
		// fails the contract test.
		if s["type"] == "object" && s["additionalProperties"] != false {
			t.Errorf("schema %s: additionalProperties = %v; want false", name, s["additionalProperties"])
		}
	}
}

// TestOpenAPISchemasMirrorViews compares each object schema with the Go type that is
// encoded for it: the same properties, required exactly when not omitempty, compatible types.
// It catches drift in fields the contract test's data leaves empty.
func TestOpenAPISchemasMirrorViews(t *testing.T) {
	doc := loadDocument(t)
	types := map[string]reflect.Type{
		"Me":            reflect.TypeFor[api.Me](),
		"MerchantView":  reflect.TypeFor[api.MerchantView](),
		"TicketList":    reflect.TypeFor[api.TicketList](),
		"TicketSummary": reflect.TypeFor[api.TicketSummary](),
		"TicketDetail":  reflect.TypeFor[api.TicketDetail](),
		"Context":       reflect.TypeFor[api.Context](),
		"OrderView":     reflect.TypeFor[api.OrderView](),
		"PaymentView":   reflect.TypeFor[api.PaymentView](),
		"ShipmentView":  reflect.TypeFor[api.ShipmentView](),
		"EntryView":     reflect.TypeFor[api.EntryView](),
		"Money":         reflect.TypeFor[events.Money](),
		"Customer":      reflect.TypeFor[events.Customer](),
		"Dispute":       reflect.TypeFor[events.Dispute](),
		"Refund":        reflect.TypeFor[events.Refund](),
		"Checkpoint":    reflect.TypeFor[events.Checkpoint](),
		"TicketUpdate":  reflect.TypeFor[api.TicketUpdate](),
		"AgentList":     reflect.TypeFor[api.AgentList](),
		"AgentView":     reflect.TypeFor[api.AgentView](),
		"Ref":           reflect.TypeFor[ticket.Ref](),
		"NewMessage":    reflect.TypeFor[api.NewMessage](),
		"Error":         reflect.TypeFor[httpjson.Error](),
	}
	schemas, _ := doc.deref(map[string]any{"$ref": "#/components/schemas"})
	for _, name := range slices.Sorted(maps.Keys(schemas)) {
		if s, _ := schemas[name].(map[string]any); s["type"] == "object" && types[name] == nil {
			t.Errorf("schema %s mirrors no Go type in this test", name)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(types)) {
		t.Run(name, func(t *testing.T) {
			s, err := doc.deref(map[string]any{"$ref": "#/components/schemas/" + name})
			if err != nil {
				t.Fatal(err)
			}
			props, _ := s["properties"].(map[string]any)
			var required []string
			req, _ := s["required"].([]any)
			for _, r := range req {
				required = append(required, fmt.Sprint(r))
			}
			fields := jsonFields(types[name])
			for _, f := range fields {
				p, ok := props[f.name]
				if !ok {
					t.Errorf("%s.%s is encoded but not documented", name, f.name)
					continue
				}
				if got := slices.Contains(required, f.name); got != !f.omitempty {
					t.Errorf("%s.%s required = %v; want %v (omitempty %v)", name, f.name, got, !f.omitempty, f.omitempty)
				}
				if err := matchesGoType(doc, p, f.typ); err != nil {
					t.Errorf("%s.%s: %v", name, f.name, err)
				}
			}
			for _, p := range slices.Sorted(maps.Keys(props)) {
				if !slices.ContainsFunc(fields, func(f jsonField) bool { return f.name == p }) {
					t.Errorf("%s.%s is documented but %s does not encode it", name, p, types[name])
				}
			}
		})
	}
}

type jsonField struct {
	name      string
	omitempty bool
	typ       reflect.Type
}

// jsonFields lists the properties encoding/json writes for struct type t.
func jsonFields(t reflect.Type) []jsonField {
	var out []jsonField
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" || !f.IsExported() && !f.Anonymous {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			out = append(out, jsonFields(f.Type)...)
			continue
		}
		if name == "" {
			name = f.Name
		}
		out = append(out, jsonField{name: name, omitempty: slices.Contains(strings.Split(opts, ","), "omitempty"), typ: f.Type})
	}
	return out
}

// matchesGoType checks that property schema p can describe values of Go type g.
func matchesGoType(doc document, p any, g reflect.Type) error {
	if g.Kind() == reflect.Pointer {
		g = g.Elem()
	}
	s, err := doc.deref(p)
	if err != nil {
		return err
	}
	ref, _ := p.(map[string]any)["$ref"].(string)
	typ := s["type"]
	switch {
	case g == reflect.TypeFor[time.Time]():
		if typ != "string" || s["format"] != "date-time" {
			return fmt.Errorf("type %v format %v; want string date-time for %s", typ, s["format"], g)
		}
	case g.Kind() == reflect.Map:
		if typ != "object" || g.Key().Kind() != reflect.String {
			return fmt.Errorf("type %v; want object for %s", typ, g)
		}
		extra, ok := s["additionalProperties"].(map[string]any)
		if !ok {
			return fmt.Errorf("map %s needs an additionalProperties schema", g)
		}
		return matchesGoType(doc, extra, g.Elem())
	case g.Kind() == reflect.Bool:
		if typ != "boolean" {
			return fmt.Errorf("type %v; want boolean for %s", typ, g)
		}
	case g.Kind() == reflect.String:
		if typ != "string" {
			return fmt.Errorf("type %v; want string for %s", typ, g)
		}
	case g.Kind() >= reflect.Int && g.Kind() <= reflect.Uint64:
		if typ != "integer" {
			return fmt.Errorf("type %v; want integer for %s", typ, g)
		}
	case g.Kind() == reflect.Slice:
		if typ != "array" {
			return fmt.Errorf("type %v; want array for %s", typ, g)
		}
		return matchesGoType(doc, s["items"], g.Elem())
	case g.Kind() == reflect.Struct:
		if want := "#/components/schemas/" + g.Name(); typ != "object" || ref != want {
			return fmt.Errorf("$ref %q type %v; want %s for %s", ref, typ, want, g)
		}
	default:
		return fmt.Errorf("no rule for Go type %s", g)
	}
	return nil
}

func TestValidatorRejects(t *testing.T) {
	doc := loadDocument(t)
	const at = `"2026-11-02T09:00:00Z"`
	tests := []struct {
		name, schema, value string
		want                string // "" when value is valid; else a part of the error
	}{
		{"valid money", `{"$ref":"#/components/schemas/Money"}`, `{"amount":4990,"currency":"eur"}`, ""},
		{"wrong type", `{"$ref":"#/components/schemas/Money"}`, `{"amount":"4990","currency":"eur"}`, `$.amount: "4990" is not a number`},
		{"fraction for integer", `{"$ref":"#/components/schemas/Money"}`, `{"amount":49.9,"currency":"eur"}`, "is not an integer"},
		{"missing required", `{"$ref":"#/components/schemas/Money"}`, `{"amount":4990}`, `required property "currency" is missing`},
		{"unknown enum value", `{"$ref":"#/components/schemas/EntryView"}`, `{"id":"e1","kind":"bogus","at":` + at + `,"body":"x"}`, `$.kind: bogus is not one of`},
		{"extra property", `{"$ref":"#/components/schemas/Customer"}`, `{"email":"anna@example.de","phone":"+49"}`, `property "phone" is not documented`},
		{"bad date-time", `{"$ref":"#/components/schemas/EntryView"}`, `{"id":"e1","kind":"note","at":"yesterday","body":"x"}`, "not an RFC 3339 date-time"},
		{"null not nullable", `{"$ref":"#/components/schemas/Context"}`, `{"order":null}`, "$.order: null is not allowed"},
		{"null nullable", `{"type":"string","nullable":true}`, `null`, ""},
		{"nested in array", `{"$ref":"#/components/schemas/TicketList"}`, `{"tickets":[{"subject":"s"}]}`, `$.tickets[0]: required property "id" is missing`},
		{"over maxLength", `{"$ref":"#/components/schemas/NewMessage"}`, `{"kind":"note","body":"` + strings.Repeat("é", 10_001) + `"}`, "over maxLength"},
		{"over maxItems", `{"$ref":"#/components/schemas/TicketUpdate"}`, `{"tags":["a","b","c","d","e","f","g","h","i","j","k"]}`, "over maxItems"},
		{"unsupported keyword", `{"type":"string","pattern":"^x$"}`, `"x"`, `keyword "pattern" is not supported`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var schema, value any
			if err := decodeJSON([]byte(tc.schema), &schema); err != nil {
				t.Fatal(err)
			}
			if err := decodeJSON([]byte(tc.value), &value); err != nil {
				t.Fatal(err)
			}
			err := doc.validate(schema, value, "$")
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("validate(%s, %.60s) = %v; want nil", tc.schema, tc.value, err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("validate(%s, %.60s) = %v; want an error containing %q", tc.schema, tc.value, err, tc.want)
			}
		})
	}
}

var t0 = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

// seed puts two merchants in the store, demo with four tickets and acme with one:
//
//	tk_001 demo: payment failed for order 1001 (decline code)
//	tk_002 demo: chargeback on order 1002 (dispute)
//	tk_003 demo: delivery problem with order 1003 (checkpoints), then refunded (payment)
//	tk_004 demo: a customer's message, no order
//	tk_005 acme: payment failed for order 9
func seed(t *testing.T, store *dynamo.Store) {
	t.Helper()
	ctx := context.Background()
	for _, m := range []merchant.Merchant{
		{ID: "demo", Name: "Demo Shop", TimeZone: "Europe/Berlin"},
		{ID: "acme", Name: "Acme"},
	} {
		if err := store.PutMerchant(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	for _, a := range []merchant.Agent{
		{Email: "li@demo.test", Name: "Li Wei", MerchantID: "demo", Role: merchant.RoleSupervisor, Language: "de"},
		{Email: "sam@acme.test", Name: "Sam", MerchantID: "acme", Role: merchant.RoleAgent, Language: "en"},
	} {
		if err := store.PutAgent(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	anna := events.Customer{Email: "anna@example.de", Name: "Anna Schmidt", Country: "DE"}
	eur := func(n int64) events.Money { return events.Money{Amount: n, Currency: "eur"} }
	facts := []struct {
		merchant, id, provider string
		typ                    events.DetailType
		at                     time.Time
		data                   any
	}{
		{"demo", "ev_1", "stripe", events.PaymentFailed, t0, events.Payment{
			PaymentID: "pi_1", ChargeID: "ch_1", OrderID: "1001", Customer: anna, Amount: eur(4990),
			Status: "requires_payment_method", DeclineCode: "insufficient_funds", FailureMessage: "Your card has insufficient funds.",
		}},
		{"demo", "ev_2", "stripe", events.PaymentDisputeOpened, t0.Add(time.Hour), events.Payment{
			PaymentID: "pi_2", ChargeID: "ch_2", OrderID: "1002", Customer: events.Customer{Email: "ben@example.fr"}, Amount: eur(12000),
			Status: "succeeded", Dispute: &events.Dispute{ID: "dp_1", Reason: "fraudulent", Status: "needs_response",
				Amount: eur(12000), EvidenceDueBy: t0.Add(7 * 24 * time.Hour).Format(time.RFC3339)},
		}},
		{"demo", "ev_3", "aftership", events.ShipmentException, t0.Add(2 * time.Hour), events.Shipment{
			TrackingNumber: "JD0001", Carrier: "dhl", OrderID: "1003", Customer: events.Customer{Email: "cleo@example.it"},
			Status: "Exception", SubStatus: "Exception_011", SubStatusMessage: "Shipment damaged",
			ExpectedDelivery: "2026-11-04", DestinationCountry: "IT",
			Checkpoints: []events.Checkpoint{
				{At: "2026-11-01T15:10:00+01:00", Location: "Leipzig, DE", Message: "Shipment picked up", Status: "InTransit"},
				{At: "2026-11-02T08:30:00+01:00", Message: "Shipment damaged", Status: "Exception"},
			},
		}},
		{"demo", "ev_4", "stripe", events.PaymentRefunded, t0.Add(3 * time.Hour), events.Payment{
			PaymentID: "pi_3", ChargeID: "ch_3", OrderID: "1003", Amount: eur(2500), Status: "succeeded",
			Refund: &events.Refund{ID: "re_1", Status: "succeeded", Amount: eur(2500), Reason: "requested_by_customer"},
		}},
		{"demo", "ev_5", "web", events.MessageReceived, t0.Add(3 * time.Hour), events.Message{
			MessageID: "msg_1", Channel: "web", Customer: events.Customer{Email: "dan@example.nl", Name: "Dan"},
			Subject: "Where is my invoice?", Text: "Hello, could you send the invoice again?",
		}},
		{"acme", "ev_6", "stripe", events.PaymentFailed, t0, events.Payment{
			PaymentID: "pi_9", OrderID: "9", Amount: eur(100), Status: "requires_payment_method", DeclineCode: "expired_card",
		}},
	}
	n := 0
	newID := func() string { n++; return fmt.Sprintf("tk_%03d", n) }
	for _, f := range facts {
		e, err := events.New(f.typ, f.id, f.merchant, f.provider, "evt_"+f.id, f.at, f.data)
		if err != nil {
			t.Fatal(err)
		}
		fact, err := ticket.Read(e)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := store.ApplyFact(ctx, fact, newID); err != nil {
			t.Fatalf("ApplyFact(%s): %v", f.id, err)
		}
	}
}

// errorKinds is the kind each error status carries.
var errorKinds = map[int]string{400: "invalid", 401: "unauthorized", 404: "not_found", 413: "too_large"}

// TestContract boots the API on a seeded embedded table, exercises every operation and
// validates every answer against what openapi.json documents for its operation and status.
func TestContract(t *testing.T) {
	doc := loadDocument(t)
	db, err := embedded.Start(context.Background(), "127.0.0.1:0", "test")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	now := t0.Add(4 * time.Hour)
	clock := func() time.Time { return now }
	store := dynamo.New(db.Client, "test")
	seed(t, store)
	secret := []byte("contract test secret")
	authn := auth.NewHMAC(secret, time.Hour, clock)
	issue := func(h *auth.HMAC, a merchant.Agent) string {
		tok, err := h.Issue(a)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	// callers names the tokens the requests carry; "nobody" sends none.
	callers := map[string]string{
		"li":    issue(authn, merchant.Agent{Email: "li@demo.test", MerchantID: "demo", Role: merchant.RoleSupervisor}),
		"kim":   issue(authn, merchant.Agent{Email: "kim@demo.test", MerchantID: "demo", Role: merchant.RoleAgent}), // no agent profile
		"sam":   issue(authn, merchant.Agent{Email: "sam@acme.test", MerchantID: "acme", Role: merchant.RoleAgent}),
		"ghost": issue(authn, merchant.Agent{Email: "old@gone.test", MerchantID: "gone", Role: merchant.RoleAdmin}),
		"expired": issue(auth.NewHMAC(secret, time.Hour, func() time.Time { return now.Add(-2 * time.Hour) }),
			merchant.Agent{Email: "li@demo.test", MerchantID: "demo", Role: merchant.RoleSupervisor}),
		"forged": issue(auth.NewHMAC([]byte("another secret"), time.Hour, clock),
			merchant.Agent{Email: "li@demo.test", MerchantID: "demo", Role: merchant.RoleAdmin}),
		"nobody": "",
	}
	n := 0
	srv := httptest.NewServer(api.New(store, authn, clock, func() string { n++; return fmt.Sprintf("en_%03d", n) },
		slog.New(slog.DiscardHandler)))
	t.Cleanup(srv.Close)

	const (
		me       = "GET /api/v1/me"
		agents   = "GET /api/v1/agents"
		list     = "GET /api/v1/tickets"
		get      = "GET /api/v1/tickets/{ticketId}"
		patch    = "PATCH /api/v1/tickets/{ticketId}"
		messages = "POST /api/v1/tickets/{ticketId}/messages"
	)
	huge := strings.Repeat("x", 70_000) // over the 64 KiB body limit
	tests := []struct {
		route string // the documented operation the request exercises
		path  string // "{cursor}" is the next_cursor of the latest answer that had one
		as    string // a key of callers
		body  string
		want  int
	}{
		{me, "/api/v1/me", "li", "", 200},
		{me, "/api/v1/me", "kim", "", 200},
		{me, "/api/v1/me", "sam", "", 200},
		{me, "/api/v1/me", "nobody", "", 401},
		{me, "/api/v1/me", "expired", "", 401},
		{me, "/api/v1/me", "forged", "", 401},
		{me, "/api/v1/me", "ghost", "", 404},

		{list, "/api/v1/tickets", "li", "", 200},
		{list, "/api/v1/tickets?limit=2", "li", "", 200},
		{list, "/api/v1/tickets?limit=2&cursor={cursor}", "li", "", 200},
		{list, "/api/v1/tickets?cursor={cursor}", "sam", "", 400},
		{list, "/api/v1/tickets?status=open&category=chargeback&priority=urgent&limit=100", "li", "", 200},
		{list, "/api/v1/tickets?category=shipping_exception", "li", "", 200},
		{list, "/api/v1/tickets?status=closed", "li", "", 200},
		{list, "/api/v1/tickets", "sam", "", 200},
		{list, "/api/v1/tickets", "nobody", "", 401},
		{list, "/api/v1/tickets?status=bogus", "li", "", 400},
		{list, "/api/v1/tickets?category=bogus", "li", "", 400},
		{list, "/api/v1/tickets?priority=bogus", "li", "", 400},
		{list, "/api/v1/tickets?limit=0", "li", "", 400},
		{list, "/api/v1/tickets?limit=101", "li", "", 400},
		{list, "/api/v1/tickets?limit=ten", "li", "", 400},
		{list, "/api/v1/tickets?cursor=not-a-cursor", "li", "", 400},
		{list, "/api/v1/tickets?sort=priority&limit=2", "li", "", 200},
		{list, "/api/v1/tickets?sort=priority&limit=2&cursor={cursor}", "li", "", 200},
		{list, "/api/v1/tickets?sort=oldest&language=de", "li", "", 200},
		{list, "/api/v1/tickets?sort=sideways", "li", "", 400},
		{list, "/api/v1/tickets?q=anna@example.de", "li", "", 200},
		{list, "/api/v1/tickets?q=anna@example.de", "sam", "", 200},
		{list, "/api/v1/tickets?q=x&cursor=abc", "li", "", 400},
		{list, "/api/v1/tickets?assignee=none", "li", "", 200},

		{agents, "/api/v1/agents", "li", "", 200},
		{agents, "/api/v1/agents", "sam", "", 200},
		{agents, "/api/v1/agents", "nobody", "", 401},

		{get, "/api/v1/tickets/tk_001", "li", "", 200},
		{get, "/api/v1/tickets/tk_002", "li", "", 200},
		{get, "/api/v1/tickets/tk_003", "li", "", 200},
		{get, "/api/v1/tickets/tk_004", "li", "", 200},
		{get, "/api/v1/tickets/tk_005", "sam", "", 200},
		{get, "/api/v1/tickets/tk_005", "li", "", 404},
		{get, "/api/v1/tickets/tk_001", "sam", "", 404},
		{get, "/api/v1/tickets/tk_999", "li", "", 404},
		{get, "/api/v1/tickets/tk_001", "nobody", "", 401},

		{patch, "/api/v1/tickets/tk_001", "li", `{"status":"pending"}`, 200},
		{patch, "/api/v1/tickets/tk_002", "li", `{"status":"closed"}`, 200},
		{patch, "/api/v1/tickets/tk_002", "li", `{"status":"open"}`, 200},
		{patch, "/api/v1/tickets/tk_004", "li", `{"status":"solved"}`, 200},
		{patch, "/api/v1/tickets/tk_001", "li", `{"status":"bogus"}`, 400},
		{patch, "/api/v1/tickets/tk_001", "li", `{"status":2}`, 400},
		{patch, "/api/v1/tickets/tk_001", "li", `{}`, 400},
		{patch, "/api/v1/tickets/tk_001", "li", `{"status":"open","assignee":"li@demo.test"}`, 200},
		{patch, "/api/v1/tickets/tk_001", "li", `{"tags":["VIP","refund-risk","vip"]}`, 200},
		{patch, "/api/v1/tickets/tk_003", "li", `{"assignee":"sam@acme.test"}`, 400},
		{patch, "/api/v1/tickets/tk_003", "li", `{"tags":["a,b"]}`, 400},
		{patch, "/api/v1/tickets/tk_001", "li", `{"assignee":""}`, 200},
		{patch, "/api/v1/tickets/tk_001", "li", `{"assignee":"li@demo.test"}`, 200},
		{patch, "/api/v1/tickets/tk_001", "li", `{"status":"open"} {"status":"open"}`, 400},
		{patch, "/api/v1/tickets/tk_001", "li", `status=open`, 400},
		{patch, "/api/v1/tickets/tk_001", "li", `{"status":"` + huge + `"}`, 413},
		{patch, "/api/v1/tickets/tk_005", "li", `{"status":"solved"}`, 404},
		{patch, "/api/v1/tickets/tk_999", "li", `{"status":"solved"}`, 404},
		{patch, "/api/v1/tickets/tk_001", "nobody", `{"status":"solved"}`, 401},

		{messages, "/api/v1/tickets/tk_001/messages", "li", `{"kind":"reply","body":"Hi Anna, could you try another card?"}`, 201},
		{messages, "/api/v1/tickets/tk_001/messages", "kim", `{"kind":"note","body":"Called the customer, no answer."}`, 201},
		{messages, "/api/v1/tickets/tk_003/messages", "li", `{"kind":"note","body":"` + strings.Repeat("ü", 10_000) + `"}`, 201},
		{messages, "/api/v1/tickets/tk_001/messages", "li", `{"kind":"status","body":"Forged"}`, 400},
		{messages, "/api/v1/tickets/tk_001/messages", "li", `{"kind":"bogus","body":"x"}`, 400},
		{messages, "/api/v1/tickets/tk_001/messages", "li", `{"kind":"reply","body":"  \n"}`, 400},
		{messages, "/api/v1/tickets/tk_001/messages", "li", `{"kind":"reply"}`, 400},
		{messages, "/api/v1/tickets/tk_001/messages", "li", `{"kind":"reply","body":"` + strings.Repeat("x", 10_001) + `"}`, 400},
		{messages, "/api/v1/tickets/tk_001/messages", "li", `{"kind":"reply","body":"x","to":"anna@example.de"}`, 400},
		{messages, "/api/v1/tickets/tk_001/messages", "li", `{"kind":"reply","body":"` + huge + `"}`, 413},
		{messages, "/api/v1/tickets/tk_005/messages", "li", `{"kind":"reply","body":"Hello"}`, 404},
		{messages, "/api/v1/tickets/tk_001/messages", "nobody", `{"kind":"reply","body":"Hello"}`, 401},

		// The agents' entries and status changes, as the timeline shows them.
		{get, "/api/v1/tickets/tk_001", "li", "", 200},
		{get, "/api/v1/tickets/tk_003", "li", "", 200},
		{list, "/api/v1/tickets?status=pending", "li", "", 200},
		{list, "/api/v1/tickets?assignee=me", "li", "", 200},
	}

	ops := doc.operations()
	seen := map[string]map[int]bool{}
	var cursor string
	ran := 0
	for _, tc := range tests {
		method, _, _ := strings.Cut(tc.route, " ")
		name := method + " " + tc.path
		if tc.body != "" {
			name += " " + abbreviate(tc.body)
		}
		name += " as " + tc.as
		t.Run(name, func(t *testing.T) {
			ran++
			token, ok := callers[tc.as]
			if !ok {
				t.Fatalf("no caller %q", tc.as)
			}
			path := strings.ReplaceAll(tc.path, "{cursor}", url.QueryEscape(cursor))
			op := ops[tc.route]
			if op == nil {
				t.Fatalf("%s is not documented", tc.route)
			}
			if tc.want < 300 {
				checkRequest(t, doc, tc.route, op, path, tc.body)
			}
			req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			if token != "" {
				req.Header.Set("Authorization", "Bearer "+token)
			}
			if tc.body != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			raw, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tc.want {
				t.Errorf("%s = %d; want %d (body %s)", name, resp.StatusCode, tc.want, abbreviate(string(raw)))
			}
			if seen[tc.route] == nil {
				seen[tc.route] = map[int]bool{}
			}
			seen[tc.route][resp.StatusCode] = true
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("%s Content-Type = %q; want application/json", name, ct)
			}
			var body any
			if err := decodeJSON(raw, &body); err != nil {
				t.Fatalf("%s body is not one JSON value: %v", name, err)
			}
			if c, ok := body.(map[string]any)["next_cursor"].(string); ok {
				cursor = c
			}
			schema, documented, err := doc.responseSchema(op, resp.StatusCode)
			switch {
			case err != nil:
				t.Fatalf("%s %d: %v", tc.route, resp.StatusCode, err)
			case !documented:
				t.Fatalf("%s answered %d, which %s does not document", name, resp.StatusCode, tc.route)
			}
			if err := doc.validate(schema, body, "$"); err != nil {
				t.Errorf("%s = %d with a body that breaks the contract:\n%v", name, resp.StatusCode, err)
			}
			if kind, ok := errorKinds[resp.StatusCode]; ok {
				if got := body.(map[string]any)["error"]; got != kind {
					t.Errorf("%s error = %v; want %q", name, got, kind)
				}
			}
		})
	}

	if ran < len(tests) {
		return // -run picked some requests; coverage is only known for all of them
	}
	// Every operation, and every status it documents, was answered at least once.
	for _, route := range slices.Sorted(maps.Keys(ops)) {
		responses, _ := ops[route]["responses"].(map[string]any)
		for code := range responses {
			if n, err := strconv.Atoi(code); err == nil && !seen[route][n] {
				t.Errorf("%s %s: no request got this documented answer", route, code)
			}
		}
	}
}

// checkRequest checks that a request the API should accept is one the document allows: its
// query parameters documented and valid, its body valid against the request schema.
func checkRequest(t *testing.T, doc document, route string, op map[string]any, path string, body string) {
	t.Helper()
	params, err := doc.parameters(route, op)
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(path)
	if err != nil {
		t.Fatal(err)
	}
	for name, values := range u.Query() {
		p := params["query:"+name]
		if p == nil {
			t.Errorf("%s: query parameter %q is not documented", route, name)
			continue
		}
		s, err := doc.deref(p["schema"])
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range values {
			var value any = v
			if s["type"] == "integer" || s["type"] == "number" {
				value = json.Number(v)
			}
			if err := doc.validate(p["schema"], value, "query."+name); err != nil {
				t.Errorf("%s: %v", route, err)
			}
		}
	}
	rb, hasBody := op["requestBody"]
	if body == "" {
		if r, _ := rb.(map[string]any); hasBody && r["required"] == true {
			t.Errorf("%s documents a required body, but the request has none", route)
		}
		return
	}
	if !hasBody {
		t.Errorf("%s documents no request body", route)
		return
	}
	r, err := doc.deref(rb)
	if err != nil {
		t.Fatal(err)
	}
	media, _ := r["content"].(map[string]any)["application/json"].(map[string]any)
	var v any
	if err := decodeJSON([]byte(body), &v); err != nil {
		t.Fatalf("request body: %v", err)
	}
	if err := doc.validate(media["schema"], v, "body"); err != nil {
		t.Errorf("%s: the request the API accepts breaks the documented body:\n%v", route, err)
	}
}

func abbreviate(s string) string {
	if utf8.RuneCountInString(s) <= 60 {
		return s
	}
	return string([]rune(s)[:57]) + "…"
}
