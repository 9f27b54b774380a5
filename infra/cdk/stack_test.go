package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/borderdesk/borderdesk/events"
	"github.com/borderdesk/borderdesk/infra/local/queue"
	"github.com/borderdesk/borderdesk/shared/auth"
	"github.com/borderdesk/borderdesk/shared/dynamo"
	"github.com/borderdesk/borderdesk/shared/merchant"
)

// fixtureTopology adds the shapes events.Topology does not have yet — a schedule, a FIFO
// consumer of two sources, a detail-type two functions emit, read-only table access — so the
// code for them is exercised too.
var fixtureTopology = append(slices.Clone(events.Topology),
	events.Function{Name: "sweep", Schedule: time.Minute, Table: events.ReadOnly},
	events.Function{
		Name:     "refunds",
		Consumes: []events.DetailType{events.PaymentRefunded, events.TicketOpened},
		Queue:    &events.Queue{Batch: 5, Visibility: 30 * time.Second, MaxReceives: 3, FIFO: true},
		Emits:    []events.DetailType{events.PaymentRefundUpdated},
		Table:    events.ReadWrite,
	},
)

// stackCase is one synthesized stack and the topology it was built from.
type stackCase struct {
	name     string
	topology []events.Function
	tpl      template
	stack    awscdk.Stack
	// domains are the mail domains it was given: the real stack has two, from
	// BORDERDESK_MAIL_DOMAINS as run reads it; the fixture none.
	domains []string
}

// testMailDomains is the real stack's BORDERDESK_MAIL_DOMAINS, spaced and cased as a person
// might type it.
const testMailDomains = " Shop.example, acme.example "

var synthesized struct {
	once     sync.Once
	buildDir string
	cases    []stackCase
	err      error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if synthesized.buildDir != "" {
		os.RemoveAll(synthesized.buildDir)
	}
	jsii.Close()
	os.Exit(code)
}

// stacks synthesizes the real stack and the fixture stack once, in one app, for every test
// of the test binary: jsii synthesis takes seconds.
func stacks(t *testing.T) []stackCase {
	t.Helper()
	synthesized.once.Do(func() {
		synthesized.cases, synthesized.err = synthesize()
	})
	if synthesized.err != nil {
		t.Fatalf("synthesize: %v", synthesized.err)
	}
	return synthesized.cases
}

func synthesize() (cases []stackCase, err error) {
	dir, err := os.MkdirTemp("", "borderdesk-cdk-build-")
	if err != nil {
		return nil, err
	}
	synthesized.buildDir = dir
	files := map[string]string{ // a console build, as `vite build` leaves it
		"console/index.html":        `<!doctype html><script type="module" src="/assets/index-1.js"></script>`,
		"console/assets/index-1.js": "",
	}
	for _, f := range fixtureTopology { // a superset of events.Topology
		files[filepath.Join(f.Name, "bootstrap")] = ""
	}
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(p, []byte(content), 0o755); err != nil {
			return nil, err
		}
	}
	consoleDir := filepath.Join(dir, "console")
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	outdir, err := os.MkdirTemp(dir, "cdk.out-")
	if err != nil {
		return nil, err
	}
	getenv := func(k string) string { return map[string]string{mailDomainsEnv: testMailDomains}[k] }
	domains, err := parseMailDomains(getenv(mailDomainsEnv))
	if err != nil {
		return nil, err
	}
	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(outdir)})
	real := NewBorderdeskStack(app, "Borderdesk", &BorderdeskStackProps{BuildDir: dir, ConsoleDir: consoleDir, MailDomains: domains})
	fixture := NewBorderdeskStack(app, "Fixture", &BorderdeskStackProps{
		BuildDir: dir, ConsoleDir: consoleDir, Topology: fixtureTopology, AuthDomainPrefix: "borderdesk-fixture",
	})
	for _, c := range []struct {
		name     string
		stack    awscdk.Stack
		topology []events.Function
		domains  []string
	}{
		{"real", real, events.Topology, domains},
		{"fixture", fixture, fixtureTopology, nil},
	} {
		raw, err := json.Marshal(assertions.Template_FromStack(c.stack, nil).ToJSON())
		if err != nil {
			return nil, err
		}
		var tpl template
		if err := json.Unmarshal(raw, &tpl); err != nil {
			return nil, err
		}
		cases = append(cases, stackCase{name: c.name, topology: c.topology, tpl: tpl, stack: c.stack, domains: c.domains})
	}
	return cases, nil
}

func TestFunctions(t *testing.T) {
	for _, c := range stacks(t) {
		fns := c.tpl.functions()
		for _, f := range c.topology {
			t.Run(c.name+"/"+f.Name, func(t *testing.T) {
				id, ok := fns[f.Name]
				if !ok {
					t.Fatalf("Lambda for %s missing; functions = %v", f.Name, fns)
				}
				p := c.tpl.props(id)
				verify(t, f.Name, []check{
					{"Runtime", p["Runtime"], "provided.al2023"},
					{"Architectures", fmt.Sprint(p["Architectures"]), "[arm64]"},
					{"Handler", p["Handler"], "bootstrap"},
					{"MemorySize", p["MemorySize"], float64(memoryMB)},
					{"Timeout", p["Timeout"], timeout(f).Seconds()},
				})
				env, _ := dig(p, "Environment", "Variables").(map[string]any)
				for _, name := range []string{"TABLE_NAME", "EVENT_BUS_NAME", "LOG_LEVEL"} {
					if _, ok := env[name]; !ok {
						t.Errorf("environment of %s has %s = false; want true", f.Name, name)
					}
				}
				if f.Queue != nil && timeout(f) > f.Queue.Visibility {
					t.Errorf("timeout(%s) = %v; want <= visibility %v", f.Name, timeout(f), f.Queue.Visibility)
				}
			})
		}
		if len(fns) != len(c.topology) {
			t.Errorf("%s: Lambda functions = %v; want one per topology function (%d)", c.name, fns, len(c.topology))
		}
	}
}

func TestEveryQueueHasDLQ(t *testing.T) {
	for _, c := range stacks(t) {
		dlqs := c.tpl.deadLetterQueues()
		for id, r := range c.tpl.resources("AWS::SQS::Queue") {
			if dlqs[id] {
				continue
			}
			t.Run(c.name+"/"+id, func(t *testing.T) {
				if got := dig(r, "Properties", "RedrivePolicy"); got == nil {
					t.Errorf("RedrivePolicy of queue %s = %v; want a DLQ", id, got)
				}
			})
		}
	}
}

func TestConsumerQueues(t *testing.T) {
	for _, c := range stacks(t) {
		fns := c.tpl.functions()
		for _, f := range c.topology {
			if len(f.Consumes) == 0 {
				continue
			}
			t.Run(c.name+"/"+f.Name, func(t *testing.T) {
				esm := c.tpl.eventSourceMapping(fns[f.Name])
				if esm == nil {
					t.Fatalf("event source mapping of %s = nil; want one", f.Name)
				}
				queue := getAtt(esm["EventSourceArn"])
				q := c.tpl.props(queue)
				dlq := c.tpl.props(getAtt(dig(q, "RedrivePolicy", "deadLetterTargetArn")))
				verify(t, f.Name, []check{
					{"BatchSize", esm["BatchSize"], float64(f.Queue.Batch)},
					{"FunctionResponseTypes", fmt.Sprint(esm["FunctionResponseTypes"]), "[ReportBatchItemFailures]"},
					{"maxReceiveCount", dig(q, "RedrivePolicy", "maxReceiveCount"), float64(f.Queue.MaxReceives)},
					{"VisibilityTimeout", q["VisibilityTimeout"], f.Queue.Visibility.Seconds()},
					{"FifoQueue", q["FifoQueue"] == true, f.Queue.FIFO},
					{"ContentBasedDeduplication", q["ContentBasedDeduplication"] == true, f.Queue.FIFO},
					{"SqsManagedSseEnabled", q["SqsManagedSseEnabled"], true},
					{"DLQ FifoQueue", dlq["FifoQueue"] == true, f.Queue.FIFO},
					{"DLQ MessageRetentionPeriod", dlq["MessageRetentionPeriod"], dlqRetention.Seconds()},
				})
			})
		}
	}
}

func TestTable(t *testing.T) {
	tpl := stacks(t)[0].tpl
	r := tpl.resource(tpl.only(t, "AWS::DynamoDB::Table"))
	p, _ := r["Properties"].(map[string]any)
	schema := dynamo.Table
	keys := func(pk, sk string) string {
		return fmt.Sprint([]any{
			map[string]any{"AttributeName": pk, "KeyType": "HASH"},
			map[string]any{"AttributeName": sk, "KeyType": "RANGE"},
		})
	}
	attrs := map[string]any{}
	for _, a := range list(p["AttributeDefinitions"]) {
		attrs[fmt.Sprint(dig(a, "AttributeName"))] = dig(a, "AttributeType")
	}
	indexes := map[string]any{}
	for _, ix := range list(p["GlobalSecondaryIndexes"]) {
		indexes[fmt.Sprint(dig(ix, "IndexName"))] = ix
	}
	checks := []check{
		{"KeySchema", fmt.Sprint(p["KeySchema"]), keys(schema.PartitionKey, schema.SortKey)},
		{"BillingMode", p["BillingMode"], "PAY_PER_REQUEST"},
		{"TimeToLiveSpecification", fmt.Sprint(p["TimeToLiveSpecification"]),
			fmt.Sprint(map[string]any{"AttributeName": schema.TTLAttribute, "Enabled": true})},
		{"PointInTimeRecoveryEnabled", dig(p, "PointInTimeRecoverySpecification", "PointInTimeRecoveryEnabled"), true},
		{"SSEEnabled", dig(p, "SSESpecification", "SSEEnabled"), true},
		{"DeletionPolicy", r["DeletionPolicy"], "Retain"},
		{"GlobalSecondaryIndexes", len(indexes), len(schema.Indexes)},
		{"AttributeType of " + schema.PartitionKey, attrs[schema.PartitionKey], "S"},
		{"AttributeType of " + schema.SortKey, attrs[schema.SortKey], "S"},
	}
	for _, ix := range schema.Indexes {
		checks = append(checks,
			check{"index " + ix.Name + " KeySchema", fmt.Sprint(dig(indexes[ix.Name], "KeySchema")), keys(ix.PartitionKey, ix.SortKey)},
			check{"index " + ix.Name + " ProjectionType", dig(indexes[ix.Name], "Projection", "ProjectionType"), "ALL"},
			check{"AttributeType of " + ix.PartitionKey, attrs[ix.PartitionKey], "S"},
			check{"AttributeType of " + ix.SortKey, attrs[ix.SortKey], "S"},
		)
	}
	verify(t, "table", checks)
}

func TestNoWildcardPolicies(t *testing.T) {
	for _, c := range stacks(t) {
		statements := c.tpl.statements()
		if len(statements) == 0 {
			t.Fatalf("%s: policy statements = 0; want some", c.name)
		}
		for i, s := range statements {
			actions, resources := list(s["Action"]), list(s["Resource"])
			for _, a := range actions {
				if a == "*" || a == "dynamodb:*" {
					t.Errorf("%s: statement %d Action = %v; want no %q", c.name, i, actions, a)
				}
				// ListStreams names no resource (IAM accepts only "*") and returns stream ARNs,
				// no data; the stream's reads are granted on the stream itself.
				if strings.HasPrefix(fmt.Sprint(a), "dynamodb:") && a != "dynamodb:ListStreams" && slices.Contains(resources, any("*")) {
					t.Errorf("%s: statement %d %v Resource = %v; want no \"*\"", c.name, i, a, resources)
				}
			}
		}
	}
}

func TestGrants(t *testing.T) {
	writes := []string{"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"}
	for _, c := range stacks(t) {
		fns := c.tpl.functions()
		for _, f := range c.topology {
			t.Run(c.name+"/"+f.Name, func(t *testing.T) {
				actions := c.tpl.roleActions(fns[f.Name])
				has := func(a string) bool { return slices.Contains(actions, a) }
				canWrite := slices.ContainsFunc(writes, has)
				if got, want := canWrite, f.Table == events.ReadWrite; got != want {
					t.Errorf("%s can write the table = %v; want %v (actions %v)", f.Name, got, want, actions)
				}
				if got, want := has("dynamodb:Query"), f.Table != events.NoAccess; got != want {
					t.Errorf("%s can query the table = %v; want %v", f.Name, got, want)
				}
				if got, want := has("events:PutEvents"), f.PutsEvents(); got != want {
					t.Errorf("%s can put events = %v; want %v (emits %v, outbox %v)", f.Name, got, want, f.Emits, f.Outbox)
				}
				if got, want := c.tpl.putEventsSources(fns[f.Name]), f.PublishesAs(c.topology); fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("%s may put events as sources %v; want exactly %v", f.Name, got, want)
				}
				if got, want := has("dynamodb:DescribeStream"), f.Stream; got != want {
					t.Errorf("%s can read the table's stream = %v; want %v", f.Name, got, want)
				}
			})
		}
	}
}

func TestRules(t *testing.T) {
	for _, c := range stacks(t) {
		bus := c.tpl.only(t, "AWS::Events::EventBus")
		rules := c.tpl.busRules(bus)
		for _, sub := range events.Subscriptions(c.topology) {
			t.Run(c.name+"/"+sub.Consumer+"/"+sub.Source, func(t *testing.T) {
				var match []busRule
				for _, r := range rules {
					if slices.Equal(r.sources, []string{sub.Source}) && c.tpl.consumerOf(r.queue) == sub.Consumer {
						match = append(match, r)
					}
				}
				if len(match) != 1 {
					t.Fatalf("rules from %s to %s's queue = %d; want 1", sub.Source, sub.Consumer, len(match))
				}
				var want []string
				for _, dt := range sub.DetailTypes {
					want = append(want, string(dt))
				}
				if r := match[0]; !slices.Equal(r.types, want) || r.deadLetter == "" || r.group != nil {
					t.Errorf("rule %s: detail-types %v, DeadLetterConfig %q, MessageGroupId %v; want %v, the bus delivery DLQ, none (the group comes from the event)",
						r.id, r.types, r.deadLetter, r.group, want)
				}
			})
		}
	}
}

// TestRoutingAgrees: for every (source, detail-type) the topology emits, the consumers the
// local bus delivers to are exactly the consumers the synthesized rules match — so nothing
// works in `make dev` and vanishes in AWS, or the reverse.
func TestRoutingAgrees(t *testing.T) {
	for _, c := range stacks(t) {
		queues := map[string]*queue.Queue{}
		for _, f := range c.topology {
			if f.Queue != nil {
				q, err := queue.New(f.Name, *f.Queue, nil)
				if err != nil {
					t.Fatal(err)
				}
				queues[f.Name] = q
			}
		}
		local, err := queue.NewBus(c.topology, queues)
		if err != nil {
			t.Fatalf("%s: NewBus() = %v", c.name, err)
		}
		rules := c.tpl.busRules(c.tpl.only(t, "AWS::Events::EventBus"))
		pairs := 0
		for _, f := range c.topology {
			for _, dt := range f.Emits {
				pairs++
				t.Run(c.name+"/"+f.Source()+"/"+string(dt), func(t *testing.T) {
					cloud := []string{}
					for _, r := range rules {
						if r.matches(f.Source(), string(dt)) {
							cloud = append(cloud, c.tpl.consumerOf(r.queue))
						}
					}
					got := append([]string{}, local.Targets(f.Source(), dt)...)
					slices.Sort(cloud)
					slices.Sort(got)
					if !slices.Equal(got, cloud) {
						t.Errorf("%s from %s reaches %v locally; the template's rules send it to %v", dt, f.Source(), got, cloud)
					}
				})
			}
		}
		if pairs == 0 {
			t.Errorf("%s: emitted (source, detail-type) pairs = 0; want some", c.name)
		}
	}
}

// TestFIFOGroupsAsLocal: the cloud's path to a FIFO queue (rule → staging queue → pipe) groups
// each event as the local queue does: the pipe reads the group from the staged record at its
// MessageGroupId path, and that is the MessageGroupId the local bus gives the same event.
func TestFIFOGroupsAsLocal(t *testing.T) {
	c := stacks(t)[1]
	fns := c.tpl.functions()
	for _, f := range c.topology {
		if f.Queue == nil || !f.Queue.FIFO {
			continue
		}
		t.Run(f.Name, func(t *testing.T) {
			var err error
			fifo := getAtt(c.tpl.eventSourceMapping(fns[f.Name])["EventSourceArn"])
			pipe := c.tpl.pipeInto(fifo)
			if pipe == nil {
				t.Fatalf("pipe into %s's FIFO queue = none; want one", f.Name)
			}
			path, _ := dig(pipe, "TargetParameters", "SqsQueueParameters", "MessageGroupId").(string)
			queues := map[string]*queue.Queue{}
			for _, g := range c.topology {
				if g.Queue != nil {
					if queues[g.Name], err = queue.New(g.Name, *g.Queue, nil); err != nil {
						t.Fatal(err)
					}
				}
			}
			q := queues[f.Name]
			local, err := queue.NewBus(c.topology, queues, queue.WithSource(events.SourceIntake))
			if err != nil {
				t.Fatal(err)
			}
			at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
			a, _ := events.New(events.PaymentRefunded, "ev_a", "demo", "stripe", "evt_a", at, events.Payment{PaymentID: "pi_1", OrderID: "10482"})
			b, _ := events.New(events.PaymentRefunded, "ev_b", "demo", "stripe", "evt_b", at, events.Payment{PaymentID: "pi_2", OrderID: "10482"})
			if err := local.Publish(t.Context(), a, b); err != nil {
				t.Fatal(err)
			}
			groups := map[string]bool{}
			for _, m := range q.Receive() {
				// What the pipe reads: the staging queue's record, whose body is the envelope.
				staged, _ := json.Marshal(map[string]any{"messageId": "s1", "body": m.Body, "eventSource": "aws:sqs"})
				cloud, err := jsonPath(staged, path)
				if err != nil || cloud != m.Attributes["MessageGroupId"] || cloud == "" {
					t.Errorf("pipe group %q at %q = %q, %v; want the local MessageGroupId %q", path, path, cloud, err, m.Attributes["MessageGroupId"])
				}
				groups[cloud] = true
			}
			if len(groups) != 2 {
				t.Errorf("groups of two payments = %v; want two", groups)
			}
		})
	}
}

// jsonPath evaluates a dotted path ($.a.b) on doc as pipes do, parsing a JSON string it
// descends into (an SQS body).
func jsonPath(doc []byte, path string) (string, error) {
	var v any
	if err := json.Unmarshal(doc, &v); err != nil {
		return "", err
	}
	for _, k := range strings.Split(strings.TrimPrefix(path, "$."), ".") {
		if s, ok := v.(string); ok {
			if err := json.Unmarshal([]byte(s), &v); err != nil {
				return "", fmt.Errorf("%s: %w", k, err)
			}
		}
		m, ok := v.(map[string]any)
		if !ok {
			return "", fmt.Errorf("%s: not an object", k)
		}
		v = m[k]
	}
	s, _ := v.(string)
	return s, nil
}

// TestOutboxStream: the relay is fed new outbox items from the table's stream, reports
// failures one by one, bisects, retries, and ends what still fails in a DLQ that alarms.
func TestOutboxStream(t *testing.T) {
	for _, c := range stacks(t) {
		fns := c.tpl.functions()
		table := c.tpl.only(t, "AWS::DynamoDB::Table")
		verify(t, c.name+" table", []check{
			{"StreamViewType", dig(c.tpl.props(table), "StreamSpecification", "StreamViewType"), "NEW_IMAGE"},
		})
		for _, f := range c.topology {
			if !f.Stream {
				continue
			}
			t.Run(c.name+"/"+f.Name, func(t *testing.T) {
				var esm map[string]any
				for _, r := range c.tpl.resources("AWS::Lambda::EventSourceMapping") {
					if p := r["Properties"].(map[string]any); ref(p["FunctionName"]) == fns[f.Name] && getAtt(p["EventSourceArn"]) == table {
						esm = p
					}
				}
				if esm == nil {
					t.Fatalf("stream event source mapping of %s = none; want one on the table's stream", f.Name)
				}
				var filter map[string]any
				filters := list(dig(esm, "FilterCriteria", "Filters"))
				if len(filters) == 1 {
					_ = json.Unmarshal([]byte(fmt.Sprint(dig(filters[0], "Pattern"))), &filter)
				}
				dlq := getAtt(dig(esm, "DestinationConfig", "OnFailure", "Destination"))
				verify(t, f.Name, []check{
					{"EventSourceArn attribute", list(dig(esm, "EventSourceArn", "Fn::GetAtt"))[1], "StreamArn"},
					{"FunctionResponseTypes", fmt.Sprint(esm["FunctionResponseTypes"]), "[ReportBatchItemFailures]"},
					{"BisectBatchOnFunctionError", esm["BisectBatchOnFunctionError"], true},
					{"MaximumRetryAttempts", esm["MaximumRetryAttempts"], float64(streamRetries)},
					{"StartingPosition", esm["StartingPosition"], "TRIM_HORIZON"},
					{"filter eventName", fmt.Sprint(filter["eventName"]), "[INSERT]"},
					{"filter kind", fmt.Sprint(dig(filter, "dynamodb", "NewImage", "kind", "S")), "[" + dynamo.OutboxKind + "]"},
					{"on-failure DLQ", c.tpl.resource(dlq)["Type"], "AWS::SQS::Queue"},
					{"on-failure DLQ is alarmed", c.tpl.deadLetterQueues()[dlq], true},
				})
			})
		}
	}
}

func TestSchedules(t *testing.T) {
	for _, c := range stacks(t) {
		fns := c.tpl.functions()
		schedules := map[string]string{} // function logical id → expression
		for _, r := range c.tpl.resources("AWS::Events::Rule") {
			p := r["Properties"].(map[string]any)
			expr, ok := p["ScheduleExpression"].(string)
			if !ok {
				continue
			}
			for _, tg := range list(p["Targets"]) {
				schedules[getAtt(tg.(map[string]any)["Arn"])] = expr
			}
		}
		for _, f := range c.topology {
			t.Run(c.name+"/"+f.Name, func(t *testing.T) {
				want := ""
				if f.Schedule > 0 {
					want = fmt.Sprintf("rate(%d minute", int(f.Schedule.Minutes()))
				}
				got := schedules[fns[f.Name]]
				if !strings.HasPrefix(got, want) || (want == "") != (got == "") {
					t.Errorf("schedule of %s = %q; want %q…", f.Name, got, want)
				}
			})
		}
	}
}

func TestRoutes(t *testing.T) {
	for _, c := range stacks(t) {
		fns := c.tpl.functions()
		authorizer := c.tpl.only(t, "AWS::ApiGatewayV2::Authorizer")
		routes := map[string]map[string]any{}
		for _, r := range c.tpl.resources("AWS::ApiGatewayV2::Route") {
			p := r["Properties"].(map[string]any)
			routes[p["RouteKey"].(string)] = p
		}
		want := map[string]bool{}
		for _, f := range c.topology {
			for _, r := range f.Routes {
				key := r.Method + " " + routePath(r.Path)
				want[key] = true
				t.Run(c.name+"/"+key, func(t *testing.T) {
					p, ok := routes[key]
					if !ok {
						t.Fatalf("route %q = missing; want it", key)
					}
					wantType, wantAuthorizer := "NONE", ""
					if r.Auth {
						wantType, wantAuthorizer = "JWT", authorizer
					}
					if got := p["AuthorizationType"]; got != wantType {
						t.Errorf("AuthorizationType = %v; want %v", got, wantType)
					}
					if got := ref(p["AuthorizerId"]); got != wantAuthorizer {
						t.Errorf("AuthorizerId = %v; want %v", got, wantAuthorizer)
					}
					if got := c.tpl.routeFunction(p); got != fns[f.Name] {
						t.Errorf("integration function = %v; want %v (%s)", got, fns[f.Name], f.Name)
					}
				})
			}
		}
		for key := range routes {
			if !want[key] {
				t.Errorf("%s: route %q = present; want only topology routes", c.name, key)
			}
		}
	}
}

func TestAuth(t *testing.T) {
	tpl := stacks(t)[0].tpl
	pool := tpl.only(t, "AWS::Cognito::UserPool")
	client := tpl.only(t, "AWS::Cognito::UserPoolClient")
	authorizer := tpl.props(tpl.only(t, "AWS::ApiGatewayV2::Authorizer"))
	domain := tpl.props(tpl.only(t, "AWS::Cognito::UserPoolDomain"))
	consoleURL := join("https://", domainName(tpl.only(t, "AWS::CloudFront::Distribution")), "/")
	cp := tpl.props(client)
	prefix, _ := json.Marshal(domain["Domain"])

	var merchantAttr map[string]any
	for _, a := range list(tpl.props(pool)["Schema"]) {
		if a := a.(map[string]any); a["Name"] == merchantIDAttribute {
			merchantAttr = a
		}
	}
	var groups []string
	for _, g := range tpl.resources("AWS::Cognito::UserPoolGroup") {
		groups = append(groups, fmt.Sprint(dig(g, "Properties", "GroupName")))
	}
	slices.Sort(groups)
	wantGroups := []string{string(merchant.RoleAdmin), string(merchant.RoleAgent), string(merchant.RoleSupervisor)}
	issuer, _ := json.Marshal(dig(authorizer, "JwtConfiguration", "Issuer"))

	verify(t, "auth", []check{
		{"AuthorizerType", authorizer["AuthorizerType"], "JWT"},
		{"JWT audience", fmt.Sprint(list(dig(authorizer, "JwtConfiguration", "Audience"))), fmt.Sprint([]any{map[string]any{"Ref": client}})},
		{"JWT issuer names the pool", strings.Contains(string(issuer), `{"Ref":"`+pool+`"}`), true},
		{"JWT issuer is Cognito's", strings.Contains(string(issuer), "https://cognito-idp."), true},
		{"merchant_id AttributeDataType", merchantAttr["AttributeDataType"], "String"},
		{"merchant_id Mutable", merchantAttr["Mutable"], false},
		{"groups", fmt.Sprint(groups), fmt.Sprint(wantGroups)},
		{"client GenerateSecret", cp["GenerateSecret"] == true, false},
		{"client AllowedOAuthFlows", fmt.Sprint(cp["AllowedOAuthFlows"]), "[code]"},
		{"client AllowedOAuthFlowsUserPoolClient", cp["AllowedOAuthFlowsUserPoolClient"], true},
		{"client AllowedOAuthScopes", fmt.Sprint(cp["AllowedOAuthScopes"]), "[openid email profile]"},
		{"client CallbackURLs", fmt.Sprint(list(cp["CallbackURLs"])), fmt.Sprint([]any{consoleURL})},
		{"client LogoutURLs", fmt.Sprint(list(cp["LogoutURLs"])), fmt.Sprint([]any{consoleURL})},
		{"client SupportedIdentityProviders", fmt.Sprint(cp["SupportedIdentityProviders"]), "[COGNITO]"},
		{"client reads " + auth.MerchantClaim, slices.Contains(list(cp["ReadAttributes"]), any(auth.MerchantClaim)), true},
		{"client writes " + auth.MerchantClaim, slices.Contains(list(cp["WriteAttributes"]), any(auth.MerchantClaim)), false},
		{"domain UserPoolId", ref(domain["UserPoolId"]), pool},
		{"domain prefix is borderdesk- and the stack id", strings.Contains(string(prefix), `"borderdesk-"`) &&
			strings.Contains(string(prefix), `{"Ref":"AWS::StackId"}`), true},
	})
	fixture := stacks(t)[1].tpl
	verify(t, "fixture auth", []check{
		{"domain prefix", dig(fixture.props(fixture.only(t, "AWS::Cognito::UserPoolDomain")), "Domain"), "borderdesk-fixture"},
	})
}

// TestCORS: the functions answer CORS (the console's origin for the API, each merchant's shop
// origins for the widget), so the API itself must declare none, and the API function must
// know the console's origin.
func TestCORS(t *testing.T) {
	tpl := stacks(t)[0].tpl
	origin := join("https://", domainName(tpl.only(t, "AWS::CloudFront::Distribution")))
	apiFn := tpl.functions()[events.API]
	intakeFn := tpl.functions()[events.Intake]
	verify(t, "CORS", []check{
		{"API CorsConfiguration", dig(tpl.props(tpl.only(t, "AWS::ApiGatewayV2::Api")), "CorsConfiguration"), nil},
		{"api CONSOLE_ORIGIN", fmt.Sprint(dig(tpl.props(apiFn), "Environment", "Variables", "CONSOLE_ORIGIN")), fmt.Sprint(origin)},
		{"intake has no CONSOLE_ORIGIN", dig(tpl.props(intakeFn), "Environment", "Variables", "CONSOLE_ORIGIN"), nil},
	})
}

func TestConsoleBucket(t *testing.T) {
	tpl := stacks(t)[0].tpl
	bucket := consoleBucket(t, tpl)
	p := tpl.props(bucket)
	var tlsOnly bool
	for _, r := range tpl.resources("AWS::S3::BucketPolicy") {
		if ref(dig(r, "Properties", "Bucket")) != bucket {
			continue
		}
		for _, s := range list(dig(r, "Properties", "PolicyDocument", "Statement")) {
			if dig(s, "Effect") == "Deny" && dig(s, "Condition", "Bool", "aws:SecureTransport") == "false" &&
				slices.Contains(list(dig(s, "Action")), any("s3:*")) {
				tlsOnly = true
			}
		}
	}
	block, _ := dig(p, "PublicAccessBlockConfiguration").(map[string]any)
	checks := []check{
		{"SSEAlgorithm", dig(list(dig(p, "BucketEncryption", "ServerSideEncryptionConfiguration"))[0], "ServerSideEncryptionByDefault", "SSEAlgorithm"), "AES256"},
		{"TLS-only bucket policy", tlsOnly, true},
		{"DeletionPolicy", tpl.resource(bucket)["DeletionPolicy"], "Retain"},
	}
	for _, field := range []string{"BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"} {
		checks = append(checks, check{field, block[field], true})
	}
	verify(t, "console bucket", checks)
}

func TestConsoleDistribution(t *testing.T) {
	tpl := stacks(t)[0].tpl
	bucket := consoleBucket(t, tpl)
	distribution := tpl.only(t, "AWS::CloudFront::Distribution")
	oac := tpl.only(t, "AWS::CloudFront::OriginAccessControl")
	cfg := dig(tpl.props(distribution), "DistributionConfig")
	origins := list(dig(cfg, "Origins"))
	if len(origins) != 1 {
		t.Fatalf("distribution origins = %d; want 1", len(origins))
	}
	origin := origins[0]
	behavior := dig(cfg, "DefaultCacheBehavior")
	headers := dig(tpl.props(ref(dig(behavior, "ResponseHeadersPolicyId"))), "ResponseHeadersPolicyConfig", "SecurityHeadersConfig")
	var errorResponses []string
	for _, e := range list(dig(cfg, "CustomErrorResponses")) {
		errorResponses = append(errorResponses, fmt.Sprint(dig(e, "ErrorCode"), "→", dig(e, "ResponsePagePath"), " ", dig(e, "ResponseCode")))
	}
	// Only this distribution may read the bucket.
	var readers []string
	for _, r := range tpl.resources("AWS::S3::BucketPolicy") {
		if ref(dig(r, "Properties", "Bucket")) != bucket {
			continue
		}
		for _, s := range list(dig(r, "Properties", "PolicyDocument", "Statement")) {
			if dig(s, "Effect") == "Allow" {
				arn, _ := json.Marshal(dig(s, "Condition", "StringEquals", "AWS:SourceArn"))
				readers = append(readers, fmt.Sprint(dig(s, "Principal", "Service"), " ", dig(s, "Action"), " ",
					strings.Contains(string(arn), `{"Ref":"`+distribution+`"}`)))
			}
		}
	}
	verify(t, "console distribution", []check{
		{"origin DomainName", getAtt(dig(origin, "DomainName")), bucket},
		{"origin OriginAccessControlId", getAtt(dig(origin, "OriginAccessControlId")), oac},
		{"origin OriginAccessIdentity", dig(origin, "S3OriginConfig", "OriginAccessIdentity"), ""},
		{"OAC SigningBehavior", dig(tpl.props(oac), "OriginAccessControlConfig", "SigningBehavior"), "always"},
		{"origin access identities", len(tpl.resources("AWS::CloudFront::CloudFrontOriginAccessIdentity")), 0},
		{"bucket readers", fmt.Sprint(readers), "[cloudfront.amazonaws.com s3:GetObject true]"},
		{"ViewerProtocolPolicy", dig(behavior, "ViewerProtocolPolicy"), "redirect-to-https"},
		{"DefaultRootObject", dig(cfg, "DefaultRootObject"), "index.html"},
		{"CustomErrorResponses", fmt.Sprint(errorResponses), "[403→/index.html 200 404→/index.html 200]"},
		{"HSTS max age", dig(headers, "StrictTransportSecurity", "AccessControlMaxAgeSec"), hstsMaxAge.Seconds()},
		{"X-Content-Type-Options", dig(headers, "ContentTypeOptions") != nil, true},
		{"X-Frame-Options", dig(headers, "FrameOptions", "FrameOption"), "DENY"},
		{"Referrer-Policy", dig(headers, "ReferrerPolicy", "ReferrerPolicy"), "strict-origin-when-cross-origin"},
	})
}

func TestConsoleDeployment(t *testing.T) {
	tpl := stacks(t)[0].tpl
	bucket := consoleBucket(t, tpl)
	distribution := tpl.only(t, "AWS::CloudFront::Distribution")
	deployments := tpl.resources("Custom::CDKBucketDeployment")
	var entry, assets map[string]any
	for _, d := range deployments {
		p := d["Properties"].(map[string]any)
		if ref(p["DestinationBucketName"]) != bucket {
			continue
		}
		switch p["DestinationBucketKeyPrefix"] {
		case nil:
			entry = p
		case consoleAssets + "/":
			assets = p
		}
	}
	if entry == nil || assets == nil {
		t.Fatalf("bucket deployments of the console = %v; want the entry and the assets", deployments)
	}
	// config.json is rendered at deploy time from markers: it must name the API, the client,
	// the pool, the hosted sign-in and the console's own address.
	markers, _ := json.Marshal(entry["SourceMarkers"])
	wantInConfig := map[string]string{
		"API endpoint":      `{"Fn::GetAtt":["` + tpl.only(t, "AWS::ApiGatewayV2::Api") + `","ApiEndpoint"]}`,
		"app client":        `{"Ref":"` + tpl.only(t, "AWS::Cognito::UserPoolClient") + `"}`,
		"user pool":         `{"Ref":"` + tpl.only(t, "AWS::Cognito::UserPool") + `"}`,
		"sign-in domain":    `{"Ref":"` + tpl.only(t, "AWS::Cognito::UserPoolDomain") + `"}`,
		"console's address": `{"Fn::GetAtt":["` + distribution + `","DomainName"]}`,
	}
	checks := []check{
		{"entry DistributionId", ref(entry["DistributionId"]), distribution},
		{"entry DistributionPaths", fmt.Sprint(entry["DistributionPaths"]), "[/*]"},
		{"entry Prune", entry["Prune"], true},
		{"entry Exclude", fmt.Sprint(entry["Exclude"]), "[" + consoleAssets + "/*]"},
		{"entry cache-control", dig(entry, "SystemMetadata", "cache-control"), "no-cache"},
		{"assets Prune", assets["Prune"], false},
		{"assets cache-control", dig(assets, "SystemMetadata", "cache-control"), "public, max-age=31536000, immutable"},
	}
	for what, want := range wantInConfig {
		checks = append(checks, check{"config.json names the " + what, strings.Contains(string(markers), want), true})
	}
	verify(t, "console deployment", checks)
}

func TestConsoleConfig(t *testing.T) {
	cfg := consoleConfig{
		apiBaseURL: "https://api.example",
		authority:  "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc",
		clientID:   "client",
		domain:     "https://borderdesk-1.auth.eu-west-1.amazoncognito.com",
	}
	got, err := json.Marshal(cfg.json(console{url: "https://d1.cloudfront.net/"}))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"apiBaseUrl":"https://api.example","cognito":{` +
		`"authority":"https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc","clientId":"client",` +
		`"domain":"https://borderdesk-1.auth.eu-west-1.amazoncognito.com",` +
		`"logoutUri":"https://d1.cloudfront.net/","redirectUri":"https://d1.cloudfront.net/"},"mode":"cognito"}`
	if string(got) != want {
		t.Errorf("config.json = %s; want %s", got, want)
	}
}

func TestStage(t *testing.T) {
	tpl := stacks(t)[0].tpl
	p := tpl.props(tpl.only(t, "AWS::ApiGatewayV2::Stage"))
	verify(t, "stage", []check{
		{"StageName", p["StageName"], "$default"},
		{"AutoDeploy", p["AutoDeploy"], true},
		{"ThrottlingRateLimit", dig(p, "DefaultRouteSettings", "ThrottlingRateLimit"), float64(throttleRate)},
		{"ThrottlingBurstLimit", dig(p, "DefaultRouteSettings", "ThrottlingBurstLimit"), float64(throttleBurst)},
	})
}

func TestBus(t *testing.T) {
	tpl := stacks(t)[0].tpl
	bus := tpl.only(t, "AWS::Events::EventBus")
	archive := tpl.props(tpl.only(t, "AWS::Events::Archive"))
	_, hasKey := archive["KmsKeyIdentifier"]
	verify(t, "bus", []check{
		{"Name", tpl.props(bus)["Name"], busName},
		{"archive SourceArn", getAtt(archive["SourceArn"]), bus},
		{"archive RetentionDays", archive["RetentionDays"], archiveRetention.Hours() / 24},
		// CDK's empty default fails deployment in some regions (aws/aws-cdk#37847).
		{"archive has KmsKeyIdentifier", hasKey, false},
	})
}

func TestAlarms(t *testing.T) {
	for _, c := range stacks(t) {
		topic := c.tpl.only(t, "AWS::SNS::Topic")
		if got := dig(c.tpl.resource(topic), "Properties", "TopicName"); got != alarmTopicName {
			t.Errorf("%s: alarm TopicName = %v; want %v", c.name, got, alarmTopicName)
		}
		// watched[metric][dimension resource] says an alarm on that metric of that resource
		// notifies the topic.
		watched := map[string]map[string]bool{}
		for _, r := range c.tpl.resources("AWS::CloudWatch::Alarm") {
			p := r["Properties"].(map[string]any)
			if !slices.ContainsFunc(list(p["AlarmActions"]), func(a any) bool { return ref(a) == topic }) ||
				p["Threshold"] != 1.0 || p["ComparisonOperator"] != "GreaterThanOrEqualToThreshold" {
				continue
			}
			metric, _ := p["MetricName"].(string) // "" for an alarm on a math expression
			if watched[metric] == nil {
				watched[metric] = map[string]bool{}
			}
			for _, d := range list(p["Dimensions"]) {
				v := d.(map[string]any)["Value"]
				watched[metric][ref(v)+getAtt(v)] = true
			}
		}
		for dlq := range c.tpl.deadLetterQueues() {
			if !watched["ApproximateNumberOfMessagesVisible"][dlq] {
				t.Errorf("%s: DLQ %s has a depth alarm = false; want true", c.name, dlq)
			}
		}
		for name, fn := range c.tpl.functions() {
			if !watched["Errors"][fn] {
				t.Errorf("%s: function %s has an Errors alarm = false; want true", c.name, name)
			}
		}
	}
}

func TestOutputs(t *testing.T) {
	outputs, _ := stacks(t)[0].tpl["Outputs"].(map[string]any)
	for _, name := range []string{"ConsoleUrl", "ApiUrl", "TableName", "EventBusName", "UserPoolId", "UserPoolClientId"} {
		if _, ok := outputs[name]; !ok {
			t.Errorf("output %s present = false; want true", name)
		}
	}
}

func TestTimeout(t *testing.T) {
	route := []events.Route{{Method: "GET", Path: "/"}}
	for _, tc := range []struct {
		name string
		f    events.Function
		want time.Duration
	}{
		{"http", events.Function{Routes: route}, httpTimeout},
		{"queue", events.Function{Queue: &events.Queue{Visibility: 2 * time.Minute}}, 20 * time.Second},
		{"short queue", events.Function{Queue: &events.Queue{Visibility: 3 * time.Second}}, time.Second},
		{"long queue", events.Function{Queue: &events.Queue{Visibility: 12 * time.Hour}}, maxTimeout},
		{"queue and http", events.Function{Routes: route, Queue: &events.Queue{Visibility: 12 * time.Minute}}, httpTimeout},
		{"schedule", events.Function{Schedule: time.Minute}, 30 * time.Second},
		{"stream and schedule", events.Function{Stream: true, Schedule: 5 * time.Minute}, streamTimeout},
		{"nothing", events.Function{}, defaultTimeout},
	} {
		if got := timeout(tc.f); got != tc.want {
			t.Errorf("timeout(%s) = %v; want %v", tc.name, got, tc.want)
		}
	}
}

func TestRoutePath(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"/webhooks/{merchantId}/{provider}", "/webhooks/{merchantId}/{provider}"},
		{"/files/{path...}", "/files/{path+}"},
	} {
		if got := routePath(tc.in); got != tc.want {
			t.Errorf("routePath(%q) = %q; want %q", tc.in, got, tc.want)
		}
	}
}

func TestResolveDir(t *testing.T) {
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "go.mod"), []byte("module x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(root, "infra", "cdk")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	abs := filepath.Join(t.TempDir(), "out")
	for _, tc := range []struct{ dir, fallback, wd, want string }{
		{"", "build", root, filepath.Join(root, "build")},
		{"", "build", sub, filepath.Join(root, "build")},
		{"", "console/dist", sub, filepath.Join(root, "console", "dist")},
		// Set, a relative path is from the working directory: `make deploy` runs the CLI in
		// infra/cdk with ../../build, `make synth` used to run from the root with build.
		{"../../build", "build", sub, filepath.Join(root, "build")},
		{"build", "build", root, filepath.Join(root, "build")},
		{"dist/lambda", "build", sub, filepath.Join(sub, "dist", "lambda")},
		{abs, "build", sub, abs},
	} {
		got, err := resolveDir(tc.dir, tc.fallback, tc.wd)
		if err != nil || got != tc.want {
			t.Errorf("resolveDir(%q, %q, %q) = %q, %v; want %q, nil", tc.dir, tc.fallback, tc.wd, got, err, tc.want)
		}
	}
}

func TestCheckBuild(t *testing.T) {
	dir := t.TempDir()
	f := events.Function{Name: "intake"}
	if err := checkBuild(dir, []events.Function{f}); err == nil {
		t.Errorf("checkBuild(empty dir) = nil; want an error naming the missing bootstrap")
	}
	if err := os.MkdirAll(filepath.Join(dir, f.Name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, f.Name, "bootstrap"), nil, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := checkBuild(dir, []events.Function{f}); err != nil {
		t.Errorf("checkBuild(built dir) = %v; want nil", err)
	}
}

func TestCheckConsole(t *testing.T) {
	dir := t.TempDir()
	for _, step := range []struct {
		create string
		ok     bool
	}{
		{"", false},
		{"index.html", false},
		{filepath.Join(consoleAssets, "index-1.js"), true},
	} {
		if step.create != "" {
			p := filepath.Join(dir, step.create)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, nil, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		err := checkConsole(dir)
		if (err == nil) != step.ok {
			t.Errorf("checkConsole(after %q) = %v; want ok %v", step.create, err, step.ok)
		}
		if err != nil && !strings.Contains(err.Error(), "make build") {
			t.Errorf("checkConsole(after %q) = %v; want it to say `make build`", step.create, err)
		}
	}
}

// check is one field of a resource and the value it should have.
type check struct {
	field     string
	got, want any
}

// verify reports every check whose value differs, compared in their printed form so JSON
// numbers, strings and nested values compare alike.
func verify(t *testing.T, subject string, checks []check) {
	t.Helper()
	for _, c := range checks {
		if fmt.Sprint(c.got) != fmt.Sprint(c.want) {
			t.Errorf("%s %s = %v; want %v", subject, c.field, c.got, c.want)
		}
	}
}

// template is a synthesized CloudFormation template as plain JSON values.
type template map[string]any

func (tpl template) resource(id string) map[string]any {
	r, _ := dig(map[string]any(tpl), "Resources", id).(map[string]any)
	return r
}

func (tpl template) props(id string) map[string]any {
	p, _ := tpl.resource(id)["Properties"].(map[string]any)
	return p
}

// resources are the resources of type typ by logical id.
func (tpl template) resources(typ string) map[string]map[string]any {
	out := map[string]map[string]any{}
	all, _ := tpl["Resources"].(map[string]any)
	for id, r := range all {
		if r := r.(map[string]any); r["Type"] == typ {
			out[id] = r
		}
	}
	return out
}

// only is the logical id of the one resource of type typ.
func (tpl template) only(t *testing.T, typ string) string {
	t.Helper()
	rs := tpl.resources(typ)
	if len(rs) != 1 {
		t.Fatalf("%s resources = %d; want 1", typ, len(rs))
	}
	for id := range rs {
		return id
	}
	return ""
}

// functions maps topology names to Lambda logical ids through the function tag.
func (tpl template) functions() map[string]string {
	out := map[string]string{}
	for id, r := range tpl.resources("AWS::Lambda::Function") {
		for _, tag := range list(dig(r, "Properties", "Tags")) {
			if tag := tag.(map[string]any); tag["Key"] == functionTag {
				out[tag["Value"].(string)] = id
			}
		}
	}
	return out
}

// eventSourceMapping is the properties of fn's event source mapping, or nil.
func (tpl template) eventSourceMapping(fn string) map[string]any {
	for _, r := range tpl.resources("AWS::Lambda::EventSourceMapping") {
		if p := r["Properties"].(map[string]any); ref(p["FunctionName"]) == fn {
			return p
		}
	}
	return nil
}

// deadLetterQueues are the queues that are some queue's or some rule target's DLQ.
func (tpl template) deadLetterQueues() map[string]bool {
	out := map[string]bool{}
	for _, r := range tpl.resources("AWS::SQS::Queue") {
		if id := getAtt(dig(r, "Properties", "RedrivePolicy", "deadLetterTargetArn")); id != "" {
			out[id] = true
		}
	}
	for _, r := range tpl.resources("AWS::Events::Rule") {
		for _, tg := range list(dig(r, "Properties", "Targets")) {
			if id := getAtt(dig(tg, "DeadLetterConfig", "Arn")); id != "" {
				out[id] = true
			}
		}
	}
	for _, r := range tpl.resources("AWS::Lambda::EventSourceMapping") {
		if id := getAtt(dig(r, "Properties", "DestinationConfig", "OnFailure", "Destination")); id != "" {
			out[id] = true
		}
	}
	for _, r := range tpl.resources("AWS::Lambda::Function") { // asynchronous invocations'
		if id := getAtt(dig(r, "Properties", "DeadLetterConfig", "TargetArn")); id != "" {
			out[id] = true
		}
	}
	return out
}

// busRule is an event-pattern rule on the bus and the queue it targets.
type busRule struct {
	id             string
	sources, types []string
	queue          string // logical id of the target queue
	deadLetter     string
	group          any // the target's MessageGroupId, if any
}

// matches reports whether an event of source and detailType matches the rule's pattern. The
// patterns here use only source and detail-type lists; anything else would need this to grow.
func (r busRule) matches(source, detailType string) bool {
	return slices.Contains(r.sources, source) && slices.Contains(r.types, detailType)
}

// busRules are the rules with an event pattern on bus, one per target.
func (tpl template) busRules(bus string) []busRule {
	var out []busRule
	for id, r := range tpl.resources("AWS::Events::Rule") {
		p := r["Properties"].(map[string]any)
		pattern, ok := p["EventPattern"].(map[string]any)
		if !ok || ref(p["EventBusName"]) != bus {
			continue
		}
		var sources, types []string
		for k := range pattern {
			if k != "source" && k != "detail-type" {
				panic("rule " + id + " matches on " + k + ": teach busRule.matches")
			}
		}
		for _, v := range list(pattern["source"]) {
			sources = append(sources, fmt.Sprint(v))
		}
		for _, v := range list(pattern["detail-type"]) {
			types = append(types, fmt.Sprint(v))
		}
		for _, tg := range list(p["Targets"]) {
			out = append(out, busRule{id: id, sources: sources, types: types, queue: getAtt(dig(tg, "Arn")),
				deadLetter: getAtt(dig(tg, "DeadLetterConfig", "Arn")), group: dig(tg, "SqsParameters", "MessageGroupId")})
		}
	}
	return out
}

// pipeInto is the properties of the pipe whose target is queue, or nil.
func (tpl template) pipeInto(queue string) map[string]any {
	for _, r := range tpl.resources("AWS::Pipes::Pipe") {
		if p := r["Properties"].(map[string]any); getAtt(p["Target"]) == queue {
			return p
		}
	}
	return nil
}

// consumerOf is the topology function a queue feeds: through its event source mapping, or
// through the pipe that moves a staging queue into such a queue. "" when none.
func (tpl template) consumerOf(queue string) string {
	for _, r := range tpl.resources("AWS::Pipes::Pipe") {
		if p := r["Properties"].(map[string]any); getAtt(p["Source"]) == queue {
			queue = getAtt(p["Target"])
		}
	}
	for name, fn := range tpl.functions() {
		if esm := tpl.eventSourceMapping(fn); esm != nil && getAtt(esm["EventSourceArn"]) == queue {
			return name
		}
	}
	return ""
}

// statements are every policy statement anywhere in the template: identity policies,
// queue and topic policies alike.
func (tpl template) statements() []map[string]any {
	var out []map[string]any
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if s, ok := v["Statement"].([]any); ok {
				for _, st := range s {
					if st, ok := st.(map[string]any); ok {
						out = append(out, st)
					}
				}
			}
			for _, e := range v {
				walk(e)
			}
		case []any:
			for _, e := range v {
				walk(e)
			}
		}
	}
	walk(tpl["Resources"])
	return out
}

// roleActions are the actions the policies attached to fn's role allow.
func (tpl template) roleActions(fn string) []string {
	var out []string
	for _, s := range tpl.roleStatements(fn) {
		for _, a := range list(dig(s, "Action")) {
			out = append(out, fmt.Sprint(a))
		}
	}
	return out
}

// actionsOn are the actions fn's role may take on resources that name the resource of
// logical id res (by Ref or GetAtt).
func (tpl template) actionsOn(fn, res string) []string {
	var out []string
	for _, s := range tpl.roleStatements(fn) {
		raw, _ := json.Marshal(s["Resource"])
		if !strings.Contains(string(raw), `"`+res+`"`) {
			continue
		}
		for _, a := range list(s["Action"]) {
			out = append(out, fmt.Sprint(a))
		}
	}
	return out
}

// putEventsSources are the events:source values fn's role may put events with: nil when it
// may not put events, ["*"] when any source goes.
func (tpl template) putEventsSources(fn string) []string {
	role := getAtt(tpl.props(fn)["Role"])
	var out []string
	for _, r := range tpl.resources("AWS::IAM::Policy") {
		p := r["Properties"].(map[string]any)
		if !slices.ContainsFunc(list(p["Roles"]), func(v any) bool { return ref(v) == role }) {
			continue
		}
		for _, s := range list(dig(p, "PolicyDocument", "Statement")) {
			if dig(s, "Effect") != "Allow" || !slices.Contains(list(dig(s, "Action")), any("events:PutEvents")) {
				continue
			}
			sources := list(dig(s, "Condition", "StringEquals", "events:source"))
			if len(sources) == 0 {
				return []string{"*"}
			}
			for _, v := range sources {
				out = append(out, fmt.Sprint(v))
			}
		}
	}
	return out
}

// routeFunction is the logical id of the Lambda a route's integration invokes.
func (tpl template) routeFunction(route map[string]any) string {
	parts := list(dig(route, "Target", "Fn::Join"))
	if len(parts) != 2 {
		return ""
	}
	pieces := list(parts[1])
	if len(pieces) != 2 || pieces[0] != "integrations/" {
		return ""
	}
	return getAtt(tpl.props(ref(pieces[1]))["IntegrationUri"])
}

// dig walks nested maps by key; nil when a key is missing.
func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// list is v as a list: a lone value is a list of one, nil is empty.
func list(v any) []any {
	switch v := v.(type) {
	case nil:
		return nil
	case []any:
		return v
	default:
		return []any{v}
	}
}

// ref is the logical id in {"Ref": id}, or "".
func ref(v any) string {
	s, _ := dig(v, "Ref").(string)
	return s
}

// join is CloudFormation's {"Fn::Join": ["", parts]}.
func join(parts ...any) map[string]any {
	return map[string]any{"Fn::Join": []any{"", parts}}
}

// domainName is {"Fn::GetAtt": [distribution, "DomainName"]}.
func domainName(distribution string) map[string]any {
	return map[string]any{"Fn::GetAtt": []any{distribution, "DomainName"}}
}

// getAtt is the logical id in {"Fn::GetAtt": [id, attr]}, or "".
func getAtt(v any) string {
	parts := list(dig(v, "Fn::GetAtt"))
	if len(parts) == 0 {
		return ""
	}
	s, _ := parts[0].(string)
	return s
}
