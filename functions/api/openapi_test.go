package api_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/borderdesk/borderdesk/events"
	"github.com/borderdesk/borderdesk/functions/api"
	"github.com/borderdesk/borderdesk/shared/auth"
	"github.com/borderdesk/borderdesk/shared/dynamo"
	"github.com/borderdesk/borderdesk/shared/dynamo/embedded"
	"github.com/borderdesk/borderdesk/shared/httpjson"
	"github.com/borderdesk/borderdesk/shared/merchant"
	"github.com/borderdesk/borderdesk/shared/ticket"
)

// The contract test validates with kin-openapi: it loads openapi.json, checks it is a valid
// OpenAPI 3 document (every $ref resolves), routes each request to its documented operation
// and validates requests and responses — bodies of errors included — against it.

// loadDocument is openapi.json, loaded and validated.
func loadDocument(t *testing.T) *openapi3.T {
	t.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromFile("openapi.json")
	if err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	if err := doc.Validate(loader.Context); err != nil {
		t.Fatalf("openapi.json is not a valid OpenAPI document: %v", err)
	}
	return doc
}

// operation is a documented operation and the path item it belongs to.
type operation struct {
	path string
	item *openapi3.PathItem
	op   *openapi3.Operation
}

// operations returns every documented operation by its ServeMux pattern, "GET /api/v1/me".
func operations(doc *openapi3.T) map[string]operation {
	out := map[string]operation{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			out[method+" "+path] = operation{path, item, op}
		}
	}
	return out
}

// parameters returns an operation's parameters, "query:limit": the path item's, overridden
// by the operation's own.
func (o operation) parameters() map[string]*openapi3.Parameter {
	out := map[string]*openapi3.Parameter{}
	for _, list := range []openapi3.Parameters{o.item.Parameters, o.op.Parameters} {
		for _, p := range list {
			out[p.Value.In+":"+p.Value.Name] = p.Value
		}
	}
	return out
}

// documents reports whether o documents an answer with status; 5xx answers fall to default.
func (o operation) documents(status int) bool {
	return o.op.Responses.Status(status) != nil || status >= 500 && o.op.Responses.Default() != nil
}

func TestOpenAPIDocumentMatchesTopology(t *testing.T) {
	doc := loadDocument(t)
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi = %q; want 3.x", doc.OpenAPI)
	}
	fn, ok := events.Lookup(events.API)
	if !ok {
		t.Fatalf("events.Lookup(%q) found nothing", events.API)
	}
	ops := operations(doc)
	for _, r := range fn.Routes {
		if r.Method == "OPTIONS" {
			continue // CORS preflight plumbing, not an operation of the API
		}
		o, ok := ops[r.Pattern()]
		if !ok {
			t.Errorf("route %s of the %s function is not documented", r.Pattern(), fn.Name)
			continue
		}
		sec := &doc.Security
		if o.op.Security != nil {
			sec = o.op.Security
		}
		if got := requiresBearer(doc, *sec); got != r.Auth {
			t.Errorf("%s requires bearer security = %v; want %v (Auth)", r.Pattern(), got, r.Auth)
		}
		if o.op.OperationID == "" {
			t.Errorf("%s has no operationId", r.Pattern())
		}
		params := o.parameters()
		for _, m := range regexp.MustCompile(`\{([^}]+)\}`).FindAllStringSubmatch(r.Path, -1) {
			if p := params["path:"+m[1]]; p == nil || !p.Required {
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
func requiresBearer(doc *openapi3.T, sec openapi3.SecurityRequirements) bool {
	if len(sec) == 0 {
		return false
	}
	for _, req := range sec {
		if len(req) == 0 {
			return false // {} admits anonymous callers
		}
		for name := range req {
			s := doc.Components.SecuritySchemes[name]
			if s == nil || s.Value == nil || s.Value.Type != "http" || !strings.EqualFold(s.Value.Scheme, "bearer") {
				return false
			}
		}
	}
	return true
}

// TestOpenAPIDocumentObjectsAreClosed: the API's own objects are closed, so a field added to
// views.go without the document fails the contract test. (That every $ref resolves, the
// loader and Validate in loadDocument check.)
func TestOpenAPIDocumentObjectsAreClosed(t *testing.T) {
	doc := loadDocument(t)
	for _, name := range slices.Sorted(maps.Keys(doc.Components.Schemas)) {
		s := doc.Components.Schemas[name].Value
		if s.Type.Is("object") && (s.AdditionalProperties.Has == nil || *s.AdditionalProperties.Has) {
			t.Errorf("schema %s: additionalProperties is not false", name)
		}
	}
}

// TestOpenAPISchemasMirrorViews compares each object schema with the Go type that is
// encoded for it: the same properties, required exactly when not omitempty, compatible types.
// It catches drift in fields the contract test's data leaves empty.
func TestOpenAPISchemasMirrorViews(t *testing.T) {
	doc := loadDocument(t)
	types := map[string]reflect.Type{
		"Me":             reflect.TypeFor[api.Me](),
		"MerchantView":   reflect.TypeFor[api.MerchantView](),
		"TicketList":     reflect.TypeFor[api.TicketList](),
		"TicketSummary":  reflect.TypeFor[api.TicketSummary](),
		"TicketDetail":   reflect.TypeFor[api.TicketDetail](),
		"Context":        reflect.TypeFor[api.Context](),
		"OrderView":      reflect.TypeFor[api.OrderView](),
		"PaymentView":    reflect.TypeFor[api.PaymentView](),
		"ShipmentView":   reflect.TypeFor[api.ShipmentView](),
		"EntryView":      reflect.TypeFor[api.EntryView](),
		"EmailView":      reflect.TypeFor[api.EmailView](),
		"AttachmentView": reflect.TypeFor[api.AttachmentView](),
		"Trust":          reflect.TypeFor[events.Trust](),
		"DeliveryView":   reflect.TypeFor[api.DeliveryView](),
		"AttachmentLink": reflect.TypeFor[api.AttachmentLink](),
		"Money":          reflect.TypeFor[events.Money](),
		"Customer":       reflect.TypeFor[events.Customer](),
		"Dispute":        reflect.TypeFor[events.Dispute](),
		"Refund":         reflect.TypeFor[events.Refund](),
		"Checkpoint":     reflect.TypeFor[events.Checkpoint](),
		"TicketUpdate":   reflect.TypeFor[api.TicketUpdate](),
		"AgentList":      reflect.TypeFor[api.AgentList](),
		"AgentView":      reflect.TypeFor[api.AgentView](),
		"Ref":            reflect.TypeFor[ticket.Ref](),
		"NewMessage":     reflect.TypeFor[api.NewMessage](),
		"Error":          reflect.TypeFor[httpjson.Error](),
	}
	schemas := doc.Components.Schemas
	for _, name := range slices.Sorted(maps.Keys(schemas)) {
		if schemas[name].Value.Type.Is("object") && types[name] == nil {
			t.Errorf("schema %s mirrors no Go type in this test", name)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(types)) {
		t.Run(name, func(t *testing.T) {
			ref := schemas[name]
			if ref == nil {
				t.Fatalf("no schema %s", name)
			}
			s := ref.Value
			fields := jsonFields(types[name])
			for _, f := range fields {
				p, ok := s.Properties[f.name]
				if !ok {
					t.Errorf("%s.%s is encoded but not documented", name, f.name)
					continue
				}
				if got := slices.Contains(s.Required, f.name); got != !f.omitempty {
					t.Errorf("%s.%s required = %v; want %v (omitempty %v)", name, f.name, got, !f.omitempty, f.omitempty)
				}
				if err := matchesGoType(p, f.typ); err != nil {
					t.Errorf("%s.%s: %v", name, f.name, err)
				}
			}
			for _, p := range slices.Sorted(maps.Keys(s.Properties)) {
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
func matchesGoType(p *openapi3.SchemaRef, g reflect.Type) error {
	if g.Kind() == reflect.Pointer {
		g = g.Elem()
	}
	if p == nil || p.Value == nil {
		return fmt.Errorf("no schema for %s", g)
	}
	s := p.Value
	is := func(typ string) bool { return s.Type != nil && s.Type.Is(typ) }
	switch {
	case g == reflect.TypeFor[time.Time]():
		if !is("string") || s.Format != "date-time" {
			return fmt.Errorf("type %v format %q; want string date-time for %s", s.Type, s.Format, g)
		}
	case g.Kind() == reflect.Map:
		if !is("object") || g.Key().Kind() != reflect.String {
			return fmt.Errorf("type %v; want object for %s", s.Type, g)
		}
		if s.AdditionalProperties.Schema == nil {
			return fmt.Errorf("map %s needs an additionalProperties schema", g)
		}
		return matchesGoType(s.AdditionalProperties.Schema, g.Elem())
	case g.Kind() == reflect.Bool:
		if !is("boolean") {
			return fmt.Errorf("type %v; want boolean for %s", s.Type, g)
		}
	case g.Kind() == reflect.String:
		if !is("string") {
			return fmt.Errorf("type %v; want string for %s", s.Type, g)
		}
	case g.Kind() >= reflect.Int && g.Kind() <= reflect.Uint64:
		if !is("integer") {
			return fmt.Errorf("type %v; want integer for %s", s.Type, g)
		}
	case g.Kind() == reflect.Slice:
		if !is("array") {
			return fmt.Errorf("type %v; want array for %s", s.Type, g)
		}
		return matchesGoType(s.Items, g.Elem())
	case g.Kind() == reflect.Struct:
		if want := "#/components/schemas/" + g.Name(); !is("object") || p.Ref != want {
			return fmt.Errorf("$ref %q type %v; want %s for %s", p.Ref, s.Type, want, g)
		}
	default:
		return fmt.Errorf("no rule for Go type %s", g)
	}
	return nil
}

// TestValidatorRejects holds the library to the checks the contract relies on: a validator
// configured to let any of these through would pass every response.
func TestValidatorRejects(t *testing.T) {
	doc := loadDocument(t)
	const at = `"2026-11-02T09:00:00Z"`
	tests := []struct {
		name, schema, value string
		valid               bool
	}{
		{"valid money", "Money", `{"amount":4990,"currency":"eur"}`, true},
		{"wrong type", "Money", `{"amount":"4990","currency":"eur"}`, false},
		{"fraction for integer", "Money", `{"amount":49.9,"currency":"eur"}`, false},
		{"missing required", "Money", `{"amount":4990}`, false},
		{"valid entry", "EntryView", `{"id":"e1","kind":"note","at":` + at + `,"body":"x"}`, true},
		{"unknown enum value", "EntryView", `{"id":"e1","kind":"bogus","at":` + at + `,"body":"x"}`, false},
		{"extra property", "Customer", `{"email":"anna@example.de","phone":"+49"}`, false},
		{"bad date-time", "EntryView", `{"id":"e1","kind":"note","at":"yesterday","body":"x"}`, false},
		{"null not nullable", "Context", `{"order":null}`, false},
		{"nested in array", "TicketList", `{"tickets":[{"subject":"s"}]}`, false},
		{"over maxLength", "NewMessage", `{"kind":"note","body":"` + strings.Repeat("é", 10_001) + `"}`, false},
		{"at maxLength", "NewMessage", `{"kind":"note","body":"` + strings.Repeat("é", 10_000) + `"}`, true},
		{"over maxItems", "TicketUpdate", `{"tags":["a","b","c","d","e","f","g","h","i","j","k"]}`, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var v any
			if err := json.Unmarshal([]byte(tc.value), &v); err != nil {
				t.Fatal(err)
			}
			err := doc.Components.Schemas[tc.schema].Value.VisitJSON(v)
			if (err == nil) != tc.valid {
				t.Errorf("%s.VisitJSON(%.60s) = %v; want valid %v", tc.schema, tc.value, err, tc.valid)
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
//	tk_006 demo: a message from tk_001's customer that names no order (search finds both)
//	tk_008 demo: two emails from lena with attachments (mailAttachments), and a reply in
//	             each delivery state (replyStates)
//	tk_009 acme: an email with an attachment of its own
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
		{ID: "sub-li", Email: "li@demo.test", Name: "Li Wei", MerchantID: "demo", Role: merchant.RoleSupervisor, Language: "de"},
		{ID: "sub-sam", Email: "sam@acme.test", Name: "Sam", MerchantID: "acme", Role: merchant.RoleAgent, Language: "en"},
	} {
		if err := store.PutAgent(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	anna := events.Customer{Email: "anna@example.de", Name: "Anna Schmidt", Country: "DE"}
	lena := events.Customer{Email: "lena@example.de", Name: "Lena Fischer", Country: "DE"}
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
		{"demo", "ev_7", "web", events.MessageReceived, t0.Add(3*time.Hour + 30*time.Minute), events.Message{
			MessageID: "msg_2", Channel: "web", Customer: anna, Subject: "Another card", Text: "Can I pay with another card?",
		}},
		// A parcel ticket that a later scan ties to order 1002's ticket: merged into it. And
		// the payment of 1002 going through, before its chargeback.
		{"demo", "ev_8", "aftership", events.ShipmentDelayed, t0.Add(4 * time.Hour), events.Shipment{
			TrackingNumber: "GLS42", Carrier: "gls", Status: "InTransit", ExpectedDelivery: "2026-11-01",
		}},
		{"demo", "ev_9", "aftership", events.ShipmentUpdated, t0.Add(5 * time.Hour), events.Shipment{
			TrackingNumber: "GLS42", Carrier: "gls", OrderID: "1002", Status: "InTransit",
		}},
		{"demo", "ev_10", "stripe", events.PaymentSucceeded, t0.Add(30 * time.Minute), events.Payment{
			PaymentID: "pi_2", ChargeID: "ch_2", OrderID: "1002", Amount: eur(12000), Status: "succeeded",
		}},
		// Customers' emails: lena's first mail (its subject is the ticket's topic), her
		// answer on the same ticket, and an acme customer's mail.
		{"demo", "ev_11", "email", events.MessageReceived, t0.Add(6 * time.Hour), events.Message{
			MessageID: "<m1@mail.example.de>", Channel: events.ChannelEmail, Customer: lena, Subject: "Wo ist mein Paket?",
			Text: "Hallo, mein Paket ist noch nicht da. Foto anbei.", Language: "de",
			Email: &events.EmailMeta{
				MessageID: "<m1@mail.example.de>", Quoted: "-- \nLena Fischer", HTML: "<p>Hallo, mein Paket ist noch nicht da. Foto anbei.</p>",
				Attachments: mailAttachments["ev_11"],
				Trust:       events.Trust{Spam: "PASS", Virus: "PASS", SPF: "FAIL", DKIM: "PASS", DMARC: "FAIL", Suspicious: true},
			},
		}},
		{"demo", "ev_12", "email", events.MessageReceived, t0.Add(7 * time.Hour), events.Message{
			MessageID: "<m2@mail.example.de>", Channel: events.ChannelEmail, Customer: lena, Subject: "Re: Wo ist mein Paket?",
			Text: "Hier noch die Rechnung.",
			Email: &events.EmailMeta{
				MessageID: "<m2@mail.example.de>", InReplyTo: "<reply-1@demo.test>", References: []string{"<m1@mail.example.de>", "<reply-1@demo.test>"},
				ThreadTicket: "tk_008", Quoted: "On Mon, 2 Nov 2026 Demo Shop wrote:\n> Wir kümmern uns darum.",
				Attachments: mailAttachments["ev_12"],
			},
		}},
		{"acme", "ev_13", "email", events.MessageReceived, t0.Add(6 * time.Hour), events.Message{
			MessageID: "<m3@mail.example.com>", Channel: events.ChannelEmail, Customer: events.Customer{Email: "max@example.com"},
			Subject: "Broken mug", Text: "See the photo.",
			Email: &events.EmailMeta{MessageID: "<m3@mail.example.com>", Attachments: mailAttachments["ev_13"]},
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
	seedReplies(t, store)
}

// mailAttachments are the attachments of the seeded emails, by event id, numbered per mail
// as intake does (both of lena's mails have a "1"). Keys name objects in the mail bucket
// (mailBucket stores them); big.mov was refused and has none.
var mailAttachments = map[string][]events.Attachment{
	"ev_11": {
		{ID: "1", Filename: "foto.jpg", ContentType: "image/jpeg", Size: 12, Key: "attachments/demo/ev_11/1"},
		{ID: "2", Filename: "big.mov", ContentType: "video/quicktime", Size: 31457280, Refused: "over the 10 MiB limit"},
	},
	"ev_12": {
		{ID: "1", Filename: "Rechnung \"März\";\r\n.html", ContentType: "text/html", Size: 25, Key: "attachments/demo/ev_12/1"},
	},
	"ev_13": {
		{ID: "1", Filename: "mug.png", ContentType: "image/png", Size: 9, Key: "attachments/acme/ev_13/1"},
	},
}

// attachmentBytes are the stored bytes of each kept attachment, by key.
var attachmentBytes = map[string][]byte{
	"attachments/demo/ev_11/1": []byte("\xff\xd8\xff\xe0 a photo"),
	"attachments/demo/ev_12/1": []byte("<script>alert(1)</script>"),
	"attachments/acme/ev_13/1": []byte("\x89PNG mug!"),
}

// replyStates are the delivery states of the replies seedReplies writes on tk_008, by entry
// id, as the API must show them.
var replyStates = map[string]api.DeliveryView{
	"rp_queued":     {State: "queued"},
	"rp_sending":    {State: "sending"},
	"rp_sent":       {State: "sent"},
	"rp_delivered":  {State: "delivered"},
	"rp_delayed":    {State: "delayed", Reason: "delayed: the mailbox is full; retrying"},
	"rp_bounced":    {State: "bounced", Reason: "not delivered: mailbox does not exist (550 5.1.1)"},
	"rp_complained": {State: "complained", Reason: "the customer marked it as spam"},
	"rp_failed":     {State: "failed", Reason: "no sender address is set for this merchant"},
}

// seedReplies writes a reply on tk_008 for each of replyStates and moves its send marker
// there the way notify and SES's delivery events do, through the store's own calls.
func seedReplies(t *testing.T, store *dynamo.Store) {
	t.Helper()
	ctx := context.Background()
	at := t0.Add(8 * time.Hour)
	for i, id := range slices.Sorted(maps.Keys(replyStates)) {
		entry := ticket.Entry{ID: id, Kind: ticket.EntryReply, At: at.Add(time.Duration(i) * time.Minute), Author: "sub-li", Body: "Reply " + id}
		if _, _, err := store.ChangeTicket(ctx, "demo", "tk_008", dynamo.Change{Entry: entry}); err != nil {
			t.Fatalf("ChangeTicket(tk_008, %s): %v", id, err)
		}
		want := replyStates[id]
		stateAt := entry.At.Add(time.Minute)
		var err error
		switch want.State {
		case "queued":
		case "failed":
			err = store.FailSend(ctx, "demo", id, want.Reason, stateAt)
		default:
			err = store.ClaimSend(ctx, "demo", id, stateAt)
			if err == nil && want.State != "sending" {
				err = store.MarkSent(ctx, "demo", id, "ses-"+id, stateAt)
			}
			if err == nil && want.State != "sending" && want.State != "sent" {
				err = store.SetDelivery(ctx, "demo", id, dynamo.SendDone, dynamo.Delivery{State: want.State, Reason: want.Reason, At: stateAt})
			}
		}
		if err != nil {
			t.Fatalf("move %s's send marker to %s: %v", id, want.State, err)
		}
	}
}

// errorKinds is the kind each error status carries.
var errorKinds = map[int]string{400: "invalid", 401: "unauthorized", 403: "forbidden", 404: "not_found", 409: "conflict", 412: "stale", 413: "too_large", 422: "unprocessable"}

// contractServer is the API on a seeded embedded table, with the tokens of its callers.
func contractServer(t *testing.T, clock func() time.Time, opts ...api.Option) (*httptest.Server, map[string]string) {
	t.Helper()
	db, err := embedded.Start(context.Background(), "127.0.0.1:0", "test")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
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
		"li":    issue(authn, merchant.Agent{ID: "sub-li", Email: "li@demo.test", MerchantID: "demo", Role: merchant.RoleSupervisor}),
		"kim":   issue(authn, merchant.Agent{ID: "sub-kim", Email: "kim@demo.test", MerchantID: "demo", Role: merchant.RoleAgent}), // no agent profile
		"sam":   issue(authn, merchant.Agent{ID: "sub-sam", Email: "sam@acme.test", MerchantID: "acme", Role: merchant.RoleAgent}),
		"ghost": issue(authn, merchant.Agent{ID: "sub-old", Email: "old@gone.test", MerchantID: "gone", Role: merchant.RoleAdmin}),
		"expired": issue(auth.NewHMAC(secret, time.Hour, func() time.Time { return clock().Add(-2 * time.Hour) }),
			merchant.Agent{ID: "sub-li", Email: "li@demo.test", MerchantID: "demo", Role: merchant.RoleSupervisor}),
		"forged": issue(auth.NewHMAC([]byte("another secret"), time.Hour, clock),
			merchant.Agent{ID: "sub-li", Email: "li@demo.test", MerchantID: "demo", Role: merchant.RoleAdmin}),
		// Signed in, but in no group Borderdesk knows.
		"norole": issue(authn, merchant.Agent{ID: "sub-li", Email: "li@demo.test", MerchantID: "demo"}),
		"nobody": "",
	}
	n := 0
	srv := httptest.NewServer(api.New(store, authn, clock, func() string { n++; return fmt.Sprintf("en_%03d", n) },
		slog.New(slog.DiscardHandler), opts...))
	t.Cleanup(srv.Close)
	return srv, callers
}

// TestContract boots the API on a seeded embedded table, exercises every operation and
// validates every request it accepts and every answer against what openapi.json documents
// for the operation and status.
func TestContract(t *testing.T) {
	doc := loadDocument(t)
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	now := t0.Add(4 * time.Hour)
	clock := func() time.Time { return now }
	_, links := mailBucket(t, clock)
	srv, callers := contractServer(t, clock, api.Attachments(links))
	// A made-up position in the store's own form, as a client could have built one from the
	// cursors of before: a cursor must be signed, not just well formed.
	forged := base64.RawURLEncoding.EncodeToString([]byte(`{"gsi1pk":"M#demo#TICKETS","gsi1sk":"9999","ix":"inbox","pk":"M#demo#T#tk_001","sk":"TICKET"}`))

	const (
		me       = "GET /api/v1/me"
		agents   = "GET /api/v1/agents"
		list     = "GET /api/v1/tickets"
		get      = "GET /api/v1/tickets/{ticketId}"
		patch    = "PATCH /api/v1/tickets/{ticketId}"
		messages = "POST /api/v1/tickets/{ticketId}/messages"
		download = "GET /api/v1/tickets/{ticketId}/attachments/{attachmentId}"
	)
	huge := strings.Repeat("x", 70_000) // over the 64 KiB body limit
	tests := []struct {
		route string // the documented operation the request exercises
		path  string // "{cursor}" is the next_cursor of the latest answer that had one
		as    string // a key of callers
		body  string
		want  int
		key   string // the Idempotency-Key header, if any
		// ifMatch is the If-Match header, if any: "{etag}" is the ETag of the latest answer
		// that had one, "{etag-1}" the one before it.
		ifMatch string
	}{
		{me, "/api/v1/me", "li", "", 200, "", ""},
		{me, "/api/v1/me", "kim", "", 200, "", ""},
		{me, "/api/v1/me", "sam", "", 200, "", ""},
		{me, "/api/v1/me", "nobody", "", 401, "", ""},
		{me, "/api/v1/me", "expired", "", 401, "", ""},
		{me, "/api/v1/me", "forged", "", 401, "", ""},
		{me, "/api/v1/me", "ghost", "", 404, "", ""},
		{me, "/api/v1/me", "norole", "", 403, "", ""},

		{list, "/api/v1/tickets", "li", "", 200, "", ""},
		{list, "/api/v1/tickets?limit=2", "li", "", 200, "", ""},
		{list, "/api/v1/tickets?limit=2&cursor={cursor}", "li", "", 200, "", ""},
		{list, "/api/v1/tickets?cursor={cursor}", "sam", "", 400, "", ""},
		{list, "/api/v1/tickets?status=open&category=chargeback&priority=urgent&limit=100", "li", "", 200, "", ""},
		{list, "/api/v1/tickets?category=shipping_exception", "li", "", 200, "", ""},
		{list, "/api/v1/tickets?status=closed", "li", "", 200, "", ""},
		{list, "/api/v1/tickets", "sam", "", 200, "", ""},
		{list, "/api/v1/tickets", "nobody", "", 401, "", ""},
		{list, "/api/v1/tickets", "norole", "", 403, "", ""},
		{list, "/api/v1/tickets?status=bogus", "li", "", 400, "", ""},
		{list, "/api/v1/tickets?category=bogus", "li", "", 400, "", ""},
		{list, "/api/v1/tickets?priority=bogus", "li", "", 400, "", ""},
		{list, "/api/v1/tickets?limit=0", "li", "", 400, "", ""},
		{list, "/api/v1/tickets?limit=101", "li", "", 400, "", ""},
		{list, "/api/v1/tickets?limit=ten", "li", "", 400, "", ""},
		{list, "/api/v1/tickets?cursor=not-a-cursor", "li", "", 400, "", ""},
		{list, "/api/v1/tickets?sort=priority&limit=2", "li", "", 200, "", ""},
		{list, "/api/v1/tickets?sort=priority&limit=2&cursor={cursor}", "li", "", 200, "", ""},
		{list, "/api/v1/tickets?sort=oldest&language=de", "li", "", 200, "", ""},
		{list, "/api/v1/tickets?sort=sideways", "li", "", 400, "", ""},
		{list, "/api/v1/tickets?q=anna@example.de", "li", "", 200, "", ""},
		{list, "/api/v1/tickets?q=anna@example.de", "sam", "", 200, "", ""},
		{list, "/api/v1/tickets?q=x&cursor=abc", "li", "", 400, "", ""},
		// A search pages like the inbox, and its cursor continues only that search.
		{list, "/api/v1/tickets?q=anna@example.de&limit=1", "li", "", 200, "", ""},
		{list, "/api/v1/tickets?q=anna@example.de&limit=1&cursor={cursor}", "li", "", 200, "", ""},
		{list, "/api/v1/tickets?limit=1&cursor={cursor}", "li", "", 400, "", ""},
		{list, "/api/v1/tickets?q=anna@example.de&sort=priority", "li", "", 200, "", ""},
		// A cursor is bound to the whole query and signed: not for another sort or filter,
		// and not made up.
		{list, "/api/v1/tickets?limit=1", "li", "", 200, "", ""},
		{list, "/api/v1/tickets?limit=1&sort=oldest&cursor={cursor}", "li", "", 400, "", ""},
		{list, "/api/v1/tickets?limit=1&status=open&cursor={cursor}", "li", "", 400, "", ""},
		{list, "/api/v1/tickets?limit=1&cursor={forged}", "li", "", 400, "", ""},
		{list, "/api/v1/tickets?assignee=none", "li", "", 200, "", ""},

		{agents, "/api/v1/agents", "li", "", 200, "", ""},
		{agents, "/api/v1/agents", "sam", "", 200, "", ""},
		{agents, "/api/v1/agents", "nobody", "", 401, "", ""},
		{agents, "/api/v1/agents", "norole", "", 403, "", ""},

		{get, "/api/v1/tickets/tk_001", "li", "", 200, "", ""},
		{get, "/api/v1/tickets/tk_002", "li", "", 200, "", ""},
		{get, "/api/v1/tickets/tk_003", "li", "", 200, "", ""},
		{get, "/api/v1/tickets/tk_004", "li", "", 200, "", ""},
		{get, "/api/v1/tickets/tk_007", "li", "", 200, "", ""}, // merged into tk_002: answers the survivor
		{get, "/api/v1/tickets/tk_005", "sam", "", 200, "", ""},
		{get, "/api/v1/tickets/tk_005", "li", "", 404, "", ""},
		{get, "/api/v1/tickets/tk_001", "sam", "", 404, "", ""},
		{get, "/api/v1/tickets/tk_999", "li", "", 404, "", ""},
		{get, "/api/v1/tickets/tk_001", "nobody", "", 401, "", ""},
		{get, "/api/v1/tickets/tk_001", "norole", "", 403, "", ""},
		// Emails with their attachments and trust verdicts, and replies in every delivery state.
		{get, "/api/v1/tickets/tk_008", "li", "", 200, "", ""},
		{get, "/api/v1/tickets/tk_009", "sam", "", 200, "", ""},
		{get, "/api/v1/tickets/tk_009", "li", "", 404, "", ""},

		{download, "/api/v1/tickets/tk_008/attachments/ev_11.1", "li", "", 200, "", ""},
		{download, "/api/v1/tickets/tk_008/attachments/ev_12.1", "kim", "", 200, "", ""},
		{download, "/api/v1/tickets/tk_009/attachments/ev_13.1", "sam", "", 200, "", ""},
		{download, "/api/v1/tickets/tk_008/attachments/ev_11.2", "li", "", 404, "", ""}, // refused: not kept
		{download, "/api/v1/tickets/tk_008/attachments/ev_13.1", "li", "", 404, "", ""}, // acme's attachment, on a demo ticket
		{download, "/api/v1/tickets/tk_009/attachments/ev_13.1", "li", "", 404, "", ""}, // acme's ticket
		{download, "/api/v1/tickets/tk_008/attachments/ev_11.1", "sam", "", 404, "", ""},
		{download, "/api/v1/tickets/tk_008/attachments/ev_11.9", "li", "", 404, "", ""},
		{download, "/api/v1/tickets/tk_999/attachments/ev_11.1", "li", "", 404, "", ""},
		{download, "/api/v1/tickets/tk_001/attachments/ev_11.1", "li", "", 404, "", ""}, // a ticket without mail
		{download, "/api/v1/tickets/tk_008/attachments/ev_11.1", "nobody", "", 401, "", ""},
		{download, "/api/v1/tickets/tk_008/attachments/ev_11.1", "norole", "", 403, "", ""},

		{patch, "/api/v1/tickets/tk_001", "li", `{"status":"pending"}`, 200, "", ""},
		{patch, "/api/v1/tickets/tk_002", "li", `{"status":"closed"}`, 200, "", ""},
		{patch, "/api/v1/tickets/tk_002", "li", `{"status":"open"}`, 409, "", ""}, // a closed ticket is final
		{patch, "/api/v1/tickets/tk_004", "li", `{"status":"solved"}`, 200, "", ""},
		{patch, "/api/v1/tickets/tk_001", "li", `{"status":"bogus"}`, 400, "", ""},
		{patch, "/api/v1/tickets/tk_001", "li", `{"status":2}`, 400, "", ""},
		{patch, "/api/v1/tickets/tk_001", "li", `{}`, 400, "", ""},
		{patch, "/api/v1/tickets/tk_001", "li", `{"status":"open","assignee":"sub-li"}`, 200, "", ""},
		{patch, "/api/v1/tickets/tk_001", "li", `{"tags":["VIP","refund-risk","vip"]}`, 200, "", ""},
		{patch, "/api/v1/tickets/tk_003", "li", `{"assignee":"sub-sam"}`, 400, "", ""},      // another merchant's agent
		{patch, "/api/v1/tickets/tk_003", "li", `{"assignee":"li@demo.test"}`, 400, "", ""}, // an email, not an id
		{patch, "/api/v1/tickets/tk_003", "li", `{"tags":["a,b"]}`, 400, "", ""},
		{patch, "/api/v1/tickets/tk_001", "li", `{"assignee":""}`, 200, "", ""},
		{patch, "/api/v1/tickets/tk_001", "li", `{"assignee":"sub-li"}`, 200, "", ""},
		{patch, "/api/v1/tickets/tk_001", "li", `{"status":"open"} {"status":"open"}`, 400, "", ""},
		{patch, "/api/v1/tickets/tk_001", "li", `status=open`, 400, "", ""},
		{patch, "/api/v1/tickets/tk_001", "li", `{"status":"` + huge + `"}`, 413, "", ""},
		{patch, "/api/v1/tickets/tk_005", "li", `{"status":"solved"}`, 404, "", ""},
		{patch, "/api/v1/tickets/tk_999", "li", `{"status":"solved"}`, 404, "", ""},
		{patch, "/api/v1/tickets/tk_001", "nobody", `{"status":"solved"}`, 401, "", ""},
		{patch, "/api/v1/tickets/tk_001", "norole", `{"status":"solved"}`, 403, "", ""},
		// If-Match: the ETag GET answered changes the ticket; once it has moved on, the same
		// ETag is refused and changes nothing; "*" is any version; a malformed one is refused.
		{get, "/api/v1/tickets/tk_003", "li", "", 200, "", ""},
		{patch, "/api/v1/tickets/tk_003", "li", `{"tags":["damaged"]}`, 200, "", "{etag}"},
		{patch, "/api/v1/tickets/tk_003", "li", `{"status":"solved"}`, 412, "", "{etag-1}"},
		{patch, "/api/v1/tickets/tk_003", "li", `{"status":"pending"}`, 200, "", "*"},
		{patch, "/api/v1/tickets/tk_007", "li", `{"tags":["gls"]}`, 412, "", `"tk_007.2"`}, // merged into tk_002: the survivor's ETag, not its own
		{get, "/api/v1/tickets/tk_007", "li", "", 200, "", ""},
		{patch, "/api/v1/tickets/tk_007", "li", `{"tags":["gls"]}`, 200, "", "{etag}"}, // the ETag GET answered for the same path
		{patch, "/api/v1/tickets/tk_003", "li", `{"status":"open"}`, 400, "", `W/"tk_003.1"`},
		{patch, "/api/v1/tickets/tk_003", "li", `{"status":"open"}`, 400, "", "tk_003.1"},
		{patch, "/api/v1/tickets/tk_003", "li", `{"status":"open"}`, 400, "", `"tk_003.1", "tk_003.2"`},
		{patch, "/api/v1/tickets/tk_003", "li", `{"status":"open"}`, 400, "", `"tk_003.x"`},

		{messages, "/api/v1/tickets/tk_001/messages", "li", `{"kind":"reply","body":"Hi Anna, could you try another card?"}`, 201, "", ""},
		{messages, "/api/v1/tickets/tk_001/messages", "kim", `{"kind":"note","body":"Called the customer, no answer."}`, 201, "", ""},
		{messages, "/api/v1/tickets/tk_003/messages", "li", `{"kind":"note","body":"` + strings.Repeat("ü", 10_000) + `"}`, 201, "", ""},
		{messages, "/api/v1/tickets/tk_001/messages", "li", `{"kind":"status","body":"Forged"}`, 400, "", ""},
		{messages, "/api/v1/tickets/tk_001/messages", "li", `{"kind":"bogus","body":"x"}`, 400, "", ""},
		{messages, "/api/v1/tickets/tk_001/messages", "li", `{"kind":"reply","body":"  \n"}`, 400, "", ""},
		{messages, "/api/v1/tickets/tk_001/messages", "li", `{"kind":"reply"}`, 400, "", ""},
		{messages, "/api/v1/tickets/tk_001/messages", "li", `{"kind":"reply","body":"` + strings.Repeat("x", 10_001) + `"}`, 400, "", ""},
		{messages, "/api/v1/tickets/tk_001/messages", "li", `{"kind":"reply","body":"x","to":"anna@example.de"}`, 400, "", ""},
		{messages, "/api/v1/tickets/tk_001/messages", "li", `{"kind":"reply","body":"` + huge + `"}`, 413, "", ""},
		{messages, "/api/v1/tickets/tk_005/messages", "li", `{"kind":"reply","body":"Hello"}`, 404, "", ""},
		{messages, "/api/v1/tickets/tk_001/messages", "nobody", `{"kind":"reply","body":"Hello"}`, 401, "", ""},
		{messages, "/api/v1/tickets/tk_001/messages", "norole", `{"kind":"reply","body":"Hello"}`, 403, "", ""},

		// A reply retried with its Idempotency-Key is stored once; the key with another body is refused.
		{messages, "/api/v1/tickets/tk_003/messages", "li", `{"kind":"reply","body":"We are on it."}`, 201, "reply-1", ""},
		{messages, "/api/v1/tickets/tk_003/messages", "li", `{"kind":"reply","body":"We are on it."}`, 201, "reply-1", ""},
		{messages, "/api/v1/tickets/tk_003/messages", "li", `{"kind":"reply","body":"Something else"}`, 422, "reply-1", ""},

		// The agents' entries and status changes, as the timeline shows them.
		{get, "/api/v1/tickets/tk_001", "li", "", 200, "", ""},
		{get, "/api/v1/tickets/tk_003", "li", "", 200, "", ""},
		{list, "/api/v1/tickets?status=pending", "li", "", 200, "", ""},
		{list, "/api/v1/tickets?assignee=me", "li", "", 200, "", ""},
	}

	ops := operations(doc)
	seen := map[string]map[int]bool{}
	var cursor string
	var etags []string
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
			path = strings.ReplaceAll(path, "{forged}", forged)
			newRequest := func() *http.Request {
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
				if tc.key != "" {
					req.Header.Set("Idempotency-Key", tc.key)
				}
				if tc.ifMatch != "" {
					v := tc.ifMatch
					if len(etags) > 0 {
						v = strings.ReplaceAll(v, "{etag}", etags[len(etags)-1])
					}
					if len(etags) > 1 {
						v = strings.ReplaceAll(v, "{etag-1}", etags[len(etags)-2])
					}
					req.Header.Set("If-Match", v)
				}
				return req
			}
			route, params, err := router.FindRoute(newRequest())
			if err != nil {
				t.Fatalf("%s: no documented operation: %v", name, err)
			}
			if got := route.Method + " " + route.Path; got != tc.route {
				t.Fatalf("%s routes to %s; want %s", name, got, tc.route)
			}
			input := &openapi3filter.RequestValidationInput{Request: newRequest(), PathParams: params, Route: route,
				Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true}}
			if tc.want < 300 {
				checkRequest(t, ops[tc.route], route, input)
			}
			resp, err := srv.Client().Do(newRequest())
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
			var body map[string]any
			if err := decodeOne(raw, &body); err != nil {
				t.Fatalf("%s body is not one JSON object: %v", name, err)
			}
			if c, ok := body["next_cursor"].(string); ok {
				cursor = c
			}
			if e := resp.Header.Get("ETag"); e != "" {
				etags = append(etags, e)
			}
			if !ops[tc.route].documents(resp.StatusCode) {
				t.Fatalf("%s answered %d, which %s does not document", name, resp.StatusCode, tc.route)
			}
			err = openapi3filter.ValidateResponse(context.Background(), &openapi3filter.ResponseValidationInput{
				RequestValidationInput: input, Status: resp.StatusCode, Header: resp.Header,
				Body: io.NopCloser(bytes.NewReader(raw)), Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
			})
			if err != nil {
				t.Errorf("%s = %d with a body that breaks the contract:\n%v", name, resp.StatusCode, err)
			}
			if kind, ok := errorKinds[resp.StatusCode]; ok && body["error"] != kind {
				t.Errorf("%s error = %v; want %q", name, body["error"], kind)
			}
		})
	}

	if ran < len(tests) {
		return // -run picked some requests; coverage is only known for all of them
	}
	// Every operation, and every status it documents, was answered at least once.
	for _, route := range slices.Sorted(maps.Keys(ops)) {
		for code := range ops[route].op.Responses.Map() {
			if n, err := strconv.Atoi(code); err == nil && !seen[route][n] {
				t.Errorf("%s %s: no request got this documented answer", route, code)
			}
		}
	}
}

// checkRequest checks that a request the API accepts is one the document allows: its query
// parameters documented and valid, its body valid against the request schema.
func checkRequest(t *testing.T, o operation, route *routers.Route, input *openapi3filter.RequestValidationInput) {
	t.Helper()
	// kin-openapi lets undocumented query parameters through; the contract does not.
	params := o.parameters()
	for name := range input.Request.URL.Query() {
		if params["query:"+name] == nil {
			t.Errorf("%s %s: query parameter %q is not documented", route.Method, route.Path, name)
		}
	}
	if err := openapi3filter.ValidateRequest(context.Background(), input); err != nil {
		t.Errorf("%s %s: the request the API accepts breaks the document:\n%v", route.Method, route.Path, err)
	}
}

// decodeOne decodes exactly one JSON value.
func decodeOne(raw []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("data after the JSON value")
	}
	return nil
}

func abbreviate(s string) string {
	if utf8.RuneCountInString(s) <= 60 {
		return s
	}
	return string([]rune(s)[:57]) + "…"
}
