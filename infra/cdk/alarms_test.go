package main

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/borderdesk/borderdesk/events"
	"github.com/borderdesk/borderdesk/shared/metrics"
)

// alarmMetric is one metric an alarm reads; a dimension's value is its literal, or the
// logical id it refers to.
type alarmMetric struct {
	namespace, name, stat string
	dims                  map[string]string
}

// alarm is an AWS::CloudWatch::Alarm as the tests read it.
type alarm struct {
	id                  string
	metrics             []alarmMetric
	expression          string // "" for a single-metric alarm
	threshold           float64
	operator            string
	periods, datapoints float64
	notifies            bool // alarm and OK actions go to the topic
	treatMissing        string
}

func dimValue(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return ref(v) + getAtt(v)
}

func dimsOf(v any) map[string]string {
	out := map[string]string{}
	for _, d := range list(v) {
		out[dig(d, "Name").(string)] = dimValue(dig(d, "Value"))
	}
	return out
}

func (tpl template) alarms(topic string) []alarm {
	var out []alarm
	for id, r := range tpl.resources("AWS::CloudWatch::Alarm") {
		p := r["Properties"].(map[string]any)
		a := alarm{id: id, operator: fmt.Sprint(p["ComparisonOperator"]), treatMissing: fmt.Sprint(p["TreatMissingData"])}
		a.threshold, _ = p["Threshold"].(float64)
		a.periods, _ = p["EvaluationPeriods"].(float64)
		a.datapoints, _ = p["DatapointsToAlarm"].(float64)
		if a.datapoints == 0 {
			a.datapoints = a.periods
		}
		has := func(key string) bool {
			return slices.ContainsFunc(list(p[key]), func(x any) bool { return ref(x) == topic })
		}
		a.notifies = has("AlarmActions") && has("OKActions")
		if name, ok := p["MetricName"].(string); ok {
			a.metrics = append(a.metrics, alarmMetric{namespace: fmt.Sprint(p["Namespace"]), name: name, stat: fmt.Sprint(p["Statistic"]), dims: dimsOf(p["Dimensions"])})
		}
		for _, m := range list(p["Metrics"]) {
			if e, ok := dig(m, "Expression").(string); ok {
				a.expression = e
				continue
			}
			ms := dig(m, "MetricStat")
			a.metrics = append(a.metrics, alarmMetric{
				namespace: fmt.Sprint(dig(ms, "Metric", "Namespace")), name: fmt.Sprint(dig(ms, "Metric", "MetricName")),
				stat: fmt.Sprint(dig(ms, "Stat")), dims: dimsOf(dig(ms, "Metric", "Dimensions")),
			})
		}
		out = append(out, a)
	}
	return out
}

// reads reports whether a reads metric name of namespace with exactly dims.
func (a alarm) reads(namespace, name string, dims map[string]string) bool {
	return slices.ContainsFunc(a.metrics, func(m alarmMetric) bool {
		return m.namespace == namespace && m.name == name && fmt.Sprint(m.dims) == fmt.Sprint(dims)
	})
}

// find is the one alarm that reads every metric in want (namespace, name, dims).
func find(t *testing.T, alarms []alarm, what string, want ...alarmMetric) alarm {
	t.Helper()
	var found []alarm
	for _, a := range alarms {
		if !slices.ContainsFunc(want, func(m alarmMetric) bool { return !a.reads(m.namespace, m.name, m.dims) }) {
			found = append(found, a)
		}
	}
	if len(found) != 1 {
		t.Fatalf("alarms on %s = %d; want 1", what, len(found))
	}
	return found[0]
}

func emf(name string, dims map[string]string) alarmMetric {
	return alarmMetric{namespace: metrics.Namespace, name: name, dims: dims}
}

// TestAlarmsCatchRealFailures: every failure issue 7 names — a 5xx rate of intake and of the
// API, a queue falling behind, consumer failures that last, the relay failing or falling
// behind — has an alarm on the metric that shows it, to the topic, at a threshold that fires.
func TestAlarmsCatchRealFailures(t *testing.T) {
	for _, c := range stacks(t) {
		topic := c.tpl.only(t, "AWS::SNS::Topic")
		all := c.tpl.alarms(topic)
		fns := c.tpl.functions()
		t.Run(c.name+"/every alarm notifies", func(t *testing.T) {
			for _, a := range all {
				if !a.notifies {
					t.Errorf("alarm %s notifies the topic of alarm and OK = false; want true", a.id)
				}
				if a.treatMissing != "notBreaching" {
					t.Errorf("alarm %s TreatMissingData = %s; want notBreaching (no data is nothing happening)", a.id, a.treatMissing)
				}
			}
		})
		t.Run(c.name+"/API Gateway 5xx rate", func(t *testing.T) {
			api := c.tpl.only(t, "AWS::ApiGatewayV2::Api")
			stage := c.tpl.only(t, "AWS::ApiGatewayV2::Stage")
			dims := map[string]string{"ApiId": api, "Stage": fmt.Sprint(c.tpl.props(stage)["StageName"])}
			a := find(t, all, "the HTTP API's 5xx",
				alarmMetric{namespace: "AWS/ApiGateway", name: "5xx", dims: dims}, alarmMetric{namespace: "AWS/ApiGateway", name: "Count", dims: dims})
			checkRate(t, a)
		})
		for _, f := range c.topology {
			fn := map[string]string{metrics.Function: f.Name}
			if len(f.Routes) > 0 {
				t.Run(c.name+"/"+f.Name+" 5xx rate", func(t *testing.T) {
					checkRate(t, find(t, all, f.Name+"'s 5xx", emf(metrics.ServerErrors, fn), emf(metrics.Requests, fn)))
				})
			}
			if f.Queue != nil {
				t.Run(c.name+"/"+f.Name+" queue age", func(t *testing.T) {
					esm := c.tpl.eventSourceMapping(fns[f.Name])
					queues := []string{getAtt(esm["EventSourceArn"])}
					if f.Queue.FIFO {
						queues = append(queues, getAtt(c.tpl.pipeInto(queues[0])["Source"]))
					}
					for _, q := range queues {
						if q == "" {
							t.Fatalf("queues of %s = %v; want each found", f.Name, queues)
						}
						a := find(t, all, "the age of "+q, alarmMetric{namespace: "AWS/SQS", name: "ApproximateAgeOfOldestMessage", dims: map[string]string{"QueueName": q}})
						retention := sqsDefaultRetention
						if s, ok := c.tpl.props(q)["MessageRetentionPeriod"].(float64); ok {
							retention = time.Duration(s) * time.Second
						}
						limit := time.Duration(a.threshold) * time.Second
						retries := time.Duration(f.Queue.MaxReceives) * f.Queue.Visibility
						if a.operator != "GreaterThanOrEqualToThreshold" || limit >= retention/2 || limit <= retries || a.periods != 1 {
							t.Errorf("age alarm of %s: %s %v over %v periods; want >= a limit past the %v of retries and well below the %v retention, at once",
								q, a.operator, limit, a.periods, retries, retention)
						}
					}
				})
				t.Run(c.name+"/"+f.Name+" item failures", func(t *testing.T) {
					a := find(t, all, f.Name+"'s item failures", emf(metrics.ItemFailures, fn))
					// One poison message fails MaxReceives times over (MaxReceives-1) visibility
					// timeouts; to touch every one of n periods in a row its failures would
					// have to span more than n-2 whole periods.
					span := time.Duration(f.Queue.MaxReceives-1) * f.Queue.Visibility
					if a.threshold != 1 || a.datapoints != a.periods || time.Duration(a.periods-2)*alarmPeriod < span {
						t.Errorf("item failure alarm of %s: %v of %v periods at %v; want every one of more periods than one poison message's %v of retries can touch",
							f.Name, a.datapoints, a.periods, a.threshold, span)
					}
				})
			}
			if f.Stream {
				t.Run(c.name+"/"+f.Name+" relay", func(t *testing.T) {
					stream := map[string]string{metrics.Function: f.Name, metrics.Trigger: metrics.TriggerStream}
					sweep := map[string]string{metrics.Function: f.Name, metrics.Trigger: metrics.TriggerSweep}
					a := find(t, all, "relay failures", emf(metrics.OutboxRelayFailures, stream), emf(metrics.OutboxRelayFailures, sweep))
					if a.threshold != 1 || a.periods < 2 || a.datapoints != a.periods || !strings.Contains(a.expression, "+") {
						t.Errorf("relay failure alarm: %v of %v periods at %v (%s); want both triggers' failures in several periods in a row", a.datapoints, a.periods, a.threshold, a.expression)
					}
					age := find(t, all, "the relay's IteratorAge", alarmMetric{namespace: "AWS/Lambda", name: "IteratorAge", dims: map[string]string{"FunctionName": fns[f.Name]}})
					if limit := time.Duration(age.threshold) * time.Millisecond; limit <= 3*time.Minute || limit > streamMaxAge {
						t.Errorf("outbox age alarm at %v; want past the sweep's 3 minutes and before records skip the stream (%v)", limit, streamMaxAge)
					}
				})
			}
			t.Run(c.name+"/"+f.Name+" throttles", func(t *testing.T) {
				find(t, all, f.Name+"'s throttles", alarmMetric{namespace: "AWS/Lambda", name: "Throttles", dims: map[string]string{"FunctionName": fns[f.Name]}})
			})
		}
	}
}

// checkRate: a 5xx-rate alarm fires at serverErrorPercent, and only from minServerErrors.
func checkRate(t *testing.T, a alarm) {
	t.Helper()
	want := fmt.Sprintf("IF(FILL(errors, 0) >= %d, 100 * FILL(errors, 0) / requests, 0)", minServerErrors)
	if a.expression != want || a.threshold != serverErrorPercent || a.operator != "GreaterThanOrEqualToThreshold" || a.periods != 1 {
		t.Errorf("rate alarm %s: %q %s %v over %v periods; want %q >= %d in one period", a.id, a.expression, a.operator, a.threshold, a.periods, want, serverErrorPercent)
	}
	for _, m := range a.metrics {
		if m.stat != "Sum" {
			t.Errorf("rate alarm %s reads %s as %s; want Sum", a.id, m.name, m.stat)
		}
	}
}

// TestLogRetention: every log group the stack creates expires, and every function logs to
// one of them rather than to a group Lambda would create and keep forever.
func TestLogRetention(t *testing.T) {
	for _, c := range stacks(t) {
		groups := c.tpl.resources("AWS::Logs::LogGroup")
		for id, g := range groups {
			if days, ok := dig(g, "Properties", "RetentionInDays").(float64); !ok || days <= 0 {
				t.Errorf("%s: log group %s RetentionInDays = %v; want a retention", c.name, id, dig(g, "Properties", "RetentionInDays"))
			}
		}
		// Every function: the topology's and those CDK adds (the console deployment's handler).
		for fn := range c.tpl.resources("AWS::Lambda::Function") {
			group := ref(dig(c.tpl.props(fn), "LoggingConfig", "LogGroup"))
			if _, ok := groups[group]; !ok {
				t.Errorf("%s: function %s logs to %q; want one of the stack's log groups", c.name, fn, group)
			}
		}
		if n := len(c.tpl.functions()); n != len(c.topology) {
			t.Errorf("%s: topology functions in the template = %d; want %d", c.name, n, len(c.topology))
		}
	}
}

// TestAccessLogs: the stage writes one JSON object a request, with API Gateway's request id
// (the request_id of intake's and the API's logs), the route, the status and the
// integration's error, to a log group that expires.
func TestAccessLogs(t *testing.T) {
	for _, c := range stacks(t) {
		stage := c.tpl.props(c.tpl.only(t, "AWS::ApiGatewayV2::Stage"))
		settings, _ := stage["AccessLogSettings"].(map[string]any)
		group := getAtt(settings["DestinationArn"])
		if days, _ := dig(c.tpl.resource(group), "Properties", "RetentionInDays").(float64); dig(c.tpl.resource(group), "Type") != "AWS::Logs::LogGroup" || days <= 0 {
			t.Errorf("%s: access logs go to %q (%v days); want a log group with a retention", c.name, group, days)
		}
		format, _ := settings["Format"].(string)
		var fields map[string]string
		if err := json.Unmarshal([]byte(format), &fields); err != nil {
			t.Fatalf("%s: access log format %q is not a JSON object: %v", c.name, format, err)
		}
		for key, want := range map[string]string{
			"requestId": "$context.requestId", "routeKey": "$context.routeKey", "status": "$context.status",
			"integrationErrorMessage": "$context.integrationErrorMessage", "integrationRequestId": "$context.awsEndpointRequestId",
		} {
			if fields[key] != want {
				t.Errorf("%s: access log %s = %q; want %q", c.name, key, fields[key], want)
			}
		}
		for _, v := range fields {
			if strings.Contains(v, "sourceIp") || strings.Contains(v, "userAgent") {
				t.Errorf("%s: access log records %s; want no personal data", c.name, v)
			}
		}
	}
}

// The thresholds derived from the topology: a consumer retrying longer gets a later alarm.
func TestDerivedThresholds(t *testing.T) {
	ticketing, _ := events.Lookup(events.Ticketing)
	slow := events.Function{Name: "slow", Queue: &events.Queue{Batch: 1, Visibility: 15 * time.Minute, MaxReceives: 5}}
	for _, tc := range []struct {
		f           events.Function
		wantAge     time.Duration
		wantPeriods int
	}{
		{ticketing, minQueueAge, 4},  // 5 receives of 2 minutes: 12 minutes of retries, 8 between first and last
		{slow, 90 * time.Minute, 14}, // 75 minutes of retries; 60 between first and last
	} {
		if got := queueAgeLimit(tc.f); got != tc.wantAge {
			t.Errorf("queueAgeLimit(%s) = %v; want %v", tc.f.Name, got, tc.wantAge)
		}
		if got := itemFailurePeriods(tc.f); got != tc.wantPeriods {
			t.Errorf("itemFailurePeriods(%s) = %d; want %d", tc.f.Name, got, tc.wantPeriods)
		}
	}
}
