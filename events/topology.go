package events

import (
	"slices"
	"time"
)

// Function is one Lambda function and everything that wires it: its HTTP routes, the events
// it consumes through its own queue, its schedule, and what it may publish. Both the local
// runtime and the CDK stack are built from Topology.
type Function struct {
	Name     string
	Routes   []Route
	Consumes []DetailType
	Queue    *Queue // required when Consumes is not empty
	Schedule time.Duration
	// Stream: the function is fed the table's stream, filtered to new outbox items (the
	// relay). Locally there is no stream: the runtime drives the same code by sweeping the
	// outbox index, which also stands in for the function's Schedule.
	Stream bool
	// Emits is what the function may publish, as Source(). Rules match (source,
	// detail-type), so an event is routed only if its writer declares it here.
	Emits []DetailType
	// Outbox: the function's events are written to the transactional outbox with its state
	// changes, and the relay publishes them as Source(); the function itself needs no
	// access to the bus.
	Outbox bool
	// Tables says whether the function reads or writes the table ("rw", "r" or "").
	Table Access
	// Mail is the function's access to the mail bucket: raw inbound mail and the
	// attachments kept from it (MAIL_BUCKET).
	Mail Access
	// ReceivesMail: the merchants' support addresses deliver to this function. In the cloud
	// an SES receipt rule stores each mail in the mail bucket (InboundMailPrefix) and then
	// invokes the function with SES's notification; locally an SMTP listener on loopback
	// stores it in the local bucket and calls the same code.
	ReceivesMail bool
	// AWSEvents are events AWS services put on the account's default bus that reach the
	// function's queue (SES's delivery events for notify): a rule on the default bus in the
	// cloud; locally, the in-process SES stand-in publishes the same shapes to the runtime.
	AWSEvents []AWSEvents
}

// AWSEvents is one AWS source's events, by EventBridge detail-type.
type AWSEvents struct {
	Source      string   // "aws.ses"
	DetailTypes []string // "Email Bounced", …
}

// InboundMailPrefix is where SES receiving stores raw inbound mail in the mail bucket: the
// object key is the prefix and SES's message id.
const InboundMailPrefix = "inbound/"

// SESDeliveryEvents are the SES event types notify follows for the replies it sent, as SES
// names them on EventBridge (EventBridge's event reference for Amazon SES: the complaint is
// "Email Complaint Received", the rendering failure "Email Rendering Failed"; the detail's
// eventType is "Complaint" and "Rendering Failure").
var SESDeliveryEvents = AWSEvents{Source: "aws.ses", DetailTypes: []string{
	"Email Sent", "Email Delivered", "Email Bounced", "Email Complaint Received", "Email Rejected",
	"Email Rendering Failed", "Email Delivery Delayed",
}}

// Source is the EventBridge source of everything f publishes: "borderdesk.<name>".
func (f Function) Source() string { return "borderdesk." + f.Name }

// PutsEvents says whether f calls PutEvents itself: it emits without the outbox, or it is
// the relay that publishes the outbox.
func (f Function) PutsEvents() bool { return (len(f.Emits) > 0 && !f.Outbox) || f.Stream }

// PublishesAs are the sources f puts on the bus in topology: its own when it emits without
// the outbox; for the relay, the source of every function that writes the outbox. The cloud
// allows each function exactly these.
func (f Function) PublishesAs(topology []Function) []string {
	var out []string
	if len(f.Emits) > 0 && !f.Outbox {
		out = append(out, f.Source())
	}
	if f.Stream {
		for _, w := range topology {
			if w.Outbox && !slices.Contains(out, w.Source()) {
				out = append(out, w.Source())
			}
		}
	}
	return out
}

// Access is a function's access to the table.
type Access string

// Table access levels.
const (
	NoAccess  Access = ""
	ReadOnly  Access = "r"
	ReadWrite Access = "rw"
)

// Route is an HTTP route in net/http ServeMux pattern syntax, which API Gateway's HTTP API
// route keys share for these shapes ("POST /webhooks/{merchantId}/{provider}").
type Route struct {
	Method string
	Path   string
	// Auth: the caller must present an agent's JWT (cloud: the API's JWT authorizer).
	Auth bool
}

// Pattern is the ServeMux pattern, "METHOD /path".
func (r Route) Pattern() string { return r.Method + " " + r.Path }

// Queue is the SQS queue in front of a consumer. Every queue has a DLQ: after MaxReceives
// failed receives a message moves there.
type Queue struct {
	Batch       int
	Visibility  time.Duration
	MaxReceives int
	// FIFO queues group by GroupID (the payment, else the order, else the merchant), so
	// one group is processed in order.
	FIFO bool
}

// Function names.
const (
	Intake    = "intake"
	Ticketing = "ticketing"
	API       = "api"
	Relay     = "relay"
	Notify    = "notify"
)

// RelayPeriod is how often the cloud relay sweeps the outbox index for items the stream did
// not relay (a relay broken for longer than the stream's 24-hour retention, a batch that
// went to its DLQ).
const RelayPeriod = 5 * time.Minute

// Topology is the whole system. Adding a function, a route or a consumer here adds it to
// `make dev` and to `cdk deploy` alike.
var Topology = []Function{
	{
		Name: Intake,
		Routes: []Route{
			{Method: "POST", Path: "/webhooks/{merchantId}/{provider}"},
			{Method: "POST", Path: "/inbound/{merchantId}/messages"},
			// The widget's CORS preflight, answered per merchant.
			{Method: "OPTIONS", Path: "/inbound/{merchantId}/messages"},
		},
		Emits:        FromProviders, // verified webhooks and customer messages, published at once
		Table:        ReadWrite,
		Mail:         ReadWrite, // reads raw inbound mail, keeps its attachments
		ReceivesMail: true,
	},
	{
		Name:     Ticketing,
		Consumes: FromProviders, // ticketing files every outside event under its ticket
		Queue:    &Queue{Batch: 10, Visibility: 2 * time.Minute, MaxReceives: 5},
		Emits:    []DetailType{TicketOpened, TicketReopened, TicketMerged},
		Outbox:   true,
		Table:    ReadWrite,
	},
	{
		Name: API,
		Routes: []Route{
			{Method: "GET", Path: "/api/v1/me", Auth: true},
			{Method: "GET", Path: "/api/v1/agents", Auth: true},
			{Method: "GET", Path: "/api/v1/tickets", Auth: true},
			{Method: "GET", Path: "/api/v1/tickets/{ticketId}", Auth: true},
			{Method: "PATCH", Path: "/api/v1/tickets/{ticketId}", Auth: true},
			{Method: "POST", Path: "/api/v1/tickets/{ticketId}/messages", Auth: true},
			{Method: "GET", Path: "/api/v1/tickets/{ticketId}/attachments/{attachmentId}", Auth: true},
			// The console's CORS preflights (a browser sends them without a token).
			{Method: "OPTIONS", Path: "/api/v1/{path...}"},
		},
		Emits:  []DetailType{MessageReplied},
		Outbox: true,
		Table:  ReadWrite,
		Mail:   ReadOnly, // signs download links for attachments
	},
	{
		// The outbox relay: the stream brings each new outbox item within a second; the
		// schedule sweeps what the stream could not deliver. It publishes each event as its
		// writer, so it emits nothing of its own.
		Name:     Relay,
		Stream:   true,
		Schedule: RelayPeriod,
		Table:    ReadWrite, // it queries the outbox index and deletes what it relayed
	},
	{
		// Sends agents' replies by email; a send marker per reply keeps it to one email.
		Name:      Notify,
		Consumes:  []DetailType{MessageReplied},
		AWSEvents: []AWSEvents{SESDeliveryEvents}, // delivered, bounced, complained: onto the reply
		Queue:     &Queue{Batch: 10, Visibility: time.Minute, MaxReceives: 5},
		Table:     ReadWrite,
	},
}

// Lookup returns the function named name.
func Lookup(name string) (Function, bool) {
	for _, f := range Topology {
		if f.Name == name {
			return f, true
		}
	}
	return Function{}, false
}

// Subscription is one consumer's share of one source's events: what a bus rule matches, in
// the cloud and locally alike.
type Subscription struct {
	Consumer    string       // the consuming function
	Source      string       // the emitting function's Source()
	DetailTypes []DetailType // what the consumer takes of what the source emits, in Consumes order
}

// Subscriptions derives every route of topology once: for each consumer and each function
// that emits something it consumes, the (source, detail-types) it subscribes to. An event
// published as source S with type T reaches exactly the consumers whose subscription for S
// lists T; the cloud rules and the local bus are both built from this.
func Subscriptions(topology []Function) []Subscription {
	var out []Subscription
	for _, c := range topology {
		for _, e := range topology {
			var types []DetailType
			for _, t := range c.Consumes {
				if slices.Contains(e.Emits, t) && !slices.Contains(types, t) {
					types = append(types, t)
				}
			}
			if len(types) > 0 {
				out = append(out, Subscription{Consumer: c.Name, Source: e.Source(), DetailTypes: types})
			}
		}
	}
	return out
}

// AWSSubscriptions are the AWS services' events that reach each function's queue, one per
// function and AWS source: a rule on the account's default bus in the cloud, the in-process
// bus locally, both derived here.
func AWSSubscriptions(topology []Function) []Subscription {
	var out []Subscription
	for _, f := range topology {
		for _, a := range f.AWSEvents {
			s := Subscription{Consumer: f.Name, Source: a.Source}
			for _, t := range a.DetailTypes {
				s.DetailTypes = append(s.DetailTypes, DetailType(t))
			}
			out = append(out, s)
		}
	}
	return out
}

// Emitted reports whether a function of topology declares that it publishes t as source.
// An event that is emitted but consumed by nobody is archived and matches no rule; one that
// is not emitted at all is a bug.
func Emitted(topology []Function, source string, t DetailType) bool {
	for _, f := range topology {
		if f.Source() == source && slices.Contains(f.Emits, t) {
			return true
		}
	}
	return false
}

// FromProviders is every event that enters from outside: payment and carrier webhooks and
// customer messages, published by intake.
var FromProviders = []DetailType{
	PaymentFailed, PaymentSucceeded, PaymentDisputeOpened, PaymentDisputeClosed, PaymentRefunded, PaymentRefundUpdated,
	ShipmentUpdated, ShipmentException, ShipmentDelayed,
	MessageReceived,
}

// All is every detail-type in the catalog.
var All = append(slices.Clone(FromProviders),
	TicketOpened, TicketReopened, TicketMerged,
	MessageReplied,
)
