package events

import "time"

// Function is one Lambda function and everything that wires it: its HTTP routes, the events
// it consumes through its own queue, its schedule, and what it may publish. Both the local
// runtime and the CDK stack are built from Topology.
type Function struct {
	Name     string
	Routes   []Route
	Consumes []DetailType
	Queue    *Queue // required when Consumes is not empty
	Schedule time.Duration
	Emits    []DetailType
	// Tables says whether the function reads or writes the table ("rw", "r" or "").
	Table Access
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
	// FIFO queues group by the event's payment or order so one group is processed in order.
	FIFO bool
}

// Function names.
const (
	Intake    = "intake"
	Ticketing = "ticketing"
	API       = "api"
)

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
		Emits: All, // every event starts at the front door today
		Table: ReadWrite,
	},
	{
		Name:     Ticketing,
		Consumes: All, // ticketing files every event under its ticket
		Queue:    &Queue{Batch: 10, Visibility: 2 * time.Minute, MaxReceives: 5},
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
			// The console's CORS preflights (a browser sends them without a token).
			{Method: "OPTIONS", Path: "/api/v1/{path...}"},
		},
		Table: ReadWrite,
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

// Consumers returns the functions that consume t, in topology order.
func Consumers(t DetailType) []Function {
	var out []Function
	for _, f := range Topology {
		for _, c := range f.Consumes {
			if c == t {
				out = append(out, f)
			}
		}
	}
	return out
}

// All is every detail-type in the catalog.
var All = []DetailType{
	PaymentFailed, PaymentDisputeOpened, PaymentDisputeClosed, PaymentRefunded, PaymentRefundUpdated,
	ShipmentUpdated, ShipmentException, ShipmentDelayed,
	MessageReceived,
}
