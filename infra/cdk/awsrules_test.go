package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// sesEventsDir holds real-shaped SES events as EventBridge delivers them, one per type,
// with the tags notify sends (shared/ses's testdata).
var sesEventsDir = filepath.Join("..", "..", "shared", "ses", "testdata")

// defaultBusRule is a rule on the account's default bus with an event pattern, and its
// one target.
type defaultBusRule struct {
	id         string
	pattern    map[string]any
	queue      string
	deadLetter string
}

func (tpl template) defaultBusRules() []defaultBusRule {
	var out []defaultBusRule
	for id, r := range tpl.resources("AWS::Events::Rule") {
		p := r["Properties"].(map[string]any)
		pattern, ok := p["EventPattern"].(map[string]any)
		if !ok || p["EventBusName"] != nil {
			continue
		}
		for _, tg := range list(p["Targets"]) {
			out = append(out, defaultBusRule{id: id, pattern: pattern, queue: getAtt(dig(tg, "Arn")), deadLetter: getAtt(dig(tg, "DeadLetterConfig", "Arn"))})
		}
	}
	return out
}

// TestAWSEventRules: each function's AWSEvents reach the very queue its own bus's rules
// feed, from the default bus where AWS puts them, matching the source, the detail-types and
// only mail we tagged with a merchant; the queue's policy lets that rule send, and what
// cannot be delivered goes to the bus delivery DLQ. Every SES event shape notify handles
// matches, and the same event without our tag, or a type it does not follow, does not.
func TestAWSEventRules(t *testing.T) {
	for _, c := range stacks(t) {
		fns := c.tpl.functions()
		rules := c.tpl.defaultBusRules()
		for _, f := range c.topology {
			for _, e := range f.AWSEvents {
				t.Run(c.name+"/"+f.Name+"/"+e.Source, func(t *testing.T) {
					queue := getAtt(c.tpl.eventSourceMapping(fns[f.Name])["EventSourceArn"])
					var match []defaultBusRule
					for _, r := range rules {
						if slices.Equal(list(r.pattern["source"]), []any{e.Source}) && c.tpl.consumerOf(r.queue) == f.Name {
							match = append(match, r)
						}
					}
					if len(match) != 1 {
						t.Fatalf("default-bus rules from %s to %s's queue = %d; want 1", e.Source, f.Name, len(match))
					}
					r := match[0]
					var types []string
					for _, dt := range list(r.pattern["detail-type"]) {
						types = append(types, fmt.Sprint(dt))
					}
					verify(t, "rule "+r.id, []check{
						{"detail-type", fmt.Sprint(types), fmt.Sprint(e.DetailTypes)},
						{"target", r.queue, queue},
						{"DeadLetterConfig is the bus delivery DLQ", c.tpl.resource(r.deadLetter)["Type"] == "AWS::SQS::Queue" && c.tpl.deadLetterQueues()[r.deadLetter], true},
						{"queue policy allows the rule", c.tpl.queueAllows(queue, r.id), true},
					})
					if e.Source != sesSource {
						return
					}
					files, _ := filepath.Glob(filepath.Join(sesEventsDir, "*.json"))
					if len(files) == 0 {
						t.Fatalf("no SES events in %s", sesEventsDir)
					}
					for _, file := range files {
						raw, err := os.ReadFile(file)
						if err != nil {
							t.Fatal(err)
						}
						var event map[string]any
						if err := json.Unmarshal(raw, &event); err != nil {
							t.Fatal(err)
						}
						followed := slices.Contains(e.DetailTypes, fmt.Sprint(event["detail-type"]))
						if got := matchesPattern(r.pattern, event); got != followed {
							t.Errorf("rule matches %s (%v) = %v; want %v", filepath.Base(file), event["detail-type"], got, followed)
						}
						delete(dig(event, "detail", "mail", "tags").(map[string]any), "merchant")
						if matchesPattern(r.pattern, event) {
							t.Errorf("rule matches %s without the merchant tag = true; want false (not our mail)", filepath.Base(file))
						}
					}
					other := map[string]any{"source": e.Source, "detail-type": "Email Opened", "detail": map[string]any{"mail": map[string]any{"tags": map[string]any{"merchant": []any{"demo"}}}}}
					if matchesPattern(r.pattern, other) {
						t.Errorf("rule matches an Email Opened event = true; want false")
					}
				})
			}
		}
		// Nothing else is routed from the default bus.
		want := 0
		for _, f := range c.topology {
			want += len(f.AWSEvents)
		}
		if len(rules) != want {
			t.Errorf("%s: default-bus pattern rules = %d; want %d (one per followed AWS source)", c.name, len(rules), want)
		}
	}
}

// queueAllows reports whether a queue policy on queue lets EventBridge send from rule.
func (tpl template) queueAllows(queue, rule string) bool {
	for _, r := range tpl.resources("AWS::SQS::QueuePolicy") {
		p := r["Properties"].(map[string]any)
		if !slices.ContainsFunc(list(p["Queues"]), func(v any) bool { return ref(v) == queue }) {
			continue
		}
		for _, s := range list(dig(p, "PolicyDocument", "Statement")) {
			if dig(s, "Effect") == "Allow" && dig(s, "Principal", "Service") == "events.amazonaws.com" &&
				slices.Contains(list(dig(s, "Action")), any("sqs:SendMessage")) &&
				getAtt(dig(s, "Condition", "ArnEquals", "aws:SourceArn")) == rule {
				return true
			}
		}
	}
	return false
}

// matchesPattern is EventBridge's matching for the pattern forms the stack writes: a list
// of values one of which equals the event's (or one of its list's), {"exists": bool}, and
// nested objects.
func matchesPattern(pattern, event map[string]any) bool {
	for k, want := range pattern {
		got, present := event[k]
		switch want := want.(type) {
		case map[string]any:
			sub, ok := got.(map[string]any)
			if !ok || !matchesPattern(want, sub) {
				return false
			}
		case []any:
			if !slices.ContainsFunc(want, func(w any) bool { return matchesValue(w, got, present) }) {
				return false
			}
		default:
			panic(fmt.Sprintf("pattern %s: %T is not a pattern form matchesPattern knows", k, want))
		}
	}
	return true
}

func matchesValue(want, got any, present bool) bool {
	if m, ok := want.(map[string]any); ok {
		exists, ok := m["exists"].(bool)
		if !ok || len(m) != 1 {
			panic(fmt.Sprintf("pattern value %v: only exists is known", m))
		}
		return exists == present
	}
	for _, g := range list(got) {
		if fmt.Sprint(g) == fmt.Sprint(want) {
			return true
		}
	}
	return false
}

// TestMatchesPattern: the matcher the rules are tested with can fail.
func TestMatchesPattern(t *testing.T) {
	pattern := map[string]any{"source": []any{"aws.ses"}, "detail": map[string]any{"tags": map[string]any{"merchant": []any{map[string]any{"exists": true}}}}}
	for _, tc := range []struct {
		event string
		want  bool
	}{
		{`{"source":"aws.ses","detail":{"tags":{"merchant":["demo"]}}}`, true},
		{`{"source":"aws.s3","detail":{"tags":{"merchant":["demo"]}}}`, false},
		{`{"source":"aws.ses","detail":{"tags":{}}}`, false},
		{`{"source":"aws.ses"}`, false},
	} {
		var event map[string]any
		if err := json.Unmarshal([]byte(tc.event), &event); err != nil {
			t.Fatal(err)
		}
		if got := matchesPattern(pattern, event); got != tc.want {
			t.Errorf("matchesPattern(%s) = %v; want %v", tc.event, got, tc.want)
		}
	}
}

// TestOwnQueueVisibility: every consumer may change the visibility of its own queue's
// messages — notify backs off a failed send that way — and of no other queue, and finds its
// queue in QUEUE_URL.
func TestOwnQueueVisibility(t *testing.T) {
	for _, c := range stacks(t) {
		fns := c.tpl.functions()
		queues := c.tpl.resources("AWS::SQS::Queue")
		for _, f := range c.topology {
			t.Run(c.name+"/"+f.Name, func(t *testing.T) {
				var own string
				if esm := c.tpl.eventSourceMapping(fns[f.Name]); esm != nil && f.Queue != nil {
					own = getAtt(esm["EventSourceArn"])
				}
				var may []string
				for id := range queues {
					if slices.Contains(c.tpl.actionsOn(fns[f.Name], id), "sqs:ChangeMessageVisibility") {
						may = append(may, id)
					}
				}
				want := []string{}
				if own != "" {
					want = append(want, own)
				}
				env := ref(dig(c.tpl.props(fns[f.Name]), "Environment", "Variables", queueURLEnv))
				if fmt.Sprint(may) != fmt.Sprint(want) || env != own {
					t.Errorf("%s may change visibility on %v, %s = %q; want %v, %q", f.Name, may, queueURLEnv, env, want, own)
				}
				if f.Queue != nil && !strings.HasPrefix(own, f.Name) {
					t.Errorf("%s's queue = %q; want its own", f.Name, own)
				}
			})
		}
	}
}
