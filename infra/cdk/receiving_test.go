package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/borderdesk/borderdesk/events"
)

// TestReceiving: with mail domains, SES receiving has one rule set and a rule for the
// function that receives mail — every address at the domains, spam and virus scan, TLS
// required — that stores the mail under inbound/ and then invokes the function
// asynchronously, only after the bucket policy and the invoke permission exist (SES checks
// both as it creates the rule), both scoped to this account and this rule; the activation
// command and the MX record are outputs. Without domains there is no rule set.
func TestReceiving(t *testing.T) {
	for _, c := range stacks(t) {
		t.Run(c.name, func(t *testing.T) {
			tpl := c.tpl
			sets := tpl.resources("AWS::SES::ReceiptRuleSet")
			rules := tpl.resources("AWS::SES::ReceiptRule")
			outputs, _ := tpl["Outputs"].(map[string]any)
			if len(c.domains) == 0 {
				if len(sets)+len(rules) > 0 || outputs["ActivateReceiptRuleSet"] != nil {
					t.Errorf("without mail domains: rule sets %d, rules %d, ActivateReceiptRuleSet %v; want none", len(sets), len(rules), outputs["ActivateReceiptRuleSet"])
				}
				return
			}
			set := tpl.only(t, "AWS::SES::ReceiptRuleSet")
			var receiver events.Function
			for _, f := range c.topology {
				if f.ReceivesMail {
					receiver = f
				}
			}
			fn := tpl.functions()[receiver.Name]
			bucket := mailBucketOf(t, tpl)
			if len(rules) != 1 {
				t.Fatalf("receipt rules = %d; want 1", len(rules))
			}
			var ruleID string
			for id := range rules {
				ruleID = id
			}
			rule := tpl.resource(ruleID)
			p := tpl.props(ruleID)
			actions := list(dig(p, "Rule", "Actions"))
			if len(actions) != 2 {
				t.Fatalf("rule actions = %v; want S3 then Lambda", actions)
			}
			var permission, policy string
			var permissionArn, policyArn string
			for id, r := range tpl.resources("AWS::Lambda::Permission") {
				if getAtt(dig(r, "Properties", "FunctionName")) == fn && dig(r, "Properties", "Principal") == "ses.amazonaws.com" {
					permission = id
					raw, _ := json.Marshal(dig(r, "Properties", "SourceArn"))
					permissionArn = string(raw)
				}
			}
			for id, r := range tpl.resources("AWS::S3::BucketPolicy") {
				if ref(dig(r, "Properties", "Bucket")) != bucket {
					continue
				}
				policy = id
				for _, s := range list(dig(r, "Properties", "PolicyDocument", "Statement")) {
					if dig(s, "Principal", "Service") == "ses.amazonaws.com" {
						raw, _ := json.Marshal(dig(s, "Condition", "StringEquals", "aws:SourceArn"))
						policyArn = string(raw)
					}
				}
			}
			ruleArn, _ := json.Marshal(join("arn:", map[string]any{"Ref": "AWS::Partition"}, ":ses:", map[string]any{"Ref": "AWS::Region"}, ":",
				map[string]any{"Ref": "AWS::AccountId"}, ":receipt-rule-set/"+receiptRuleSetName+":receipt-rule/"+fmt.Sprint(dig(p, "Rule", "Name"))))
			deps := fmt.Sprint(list(rule["DependsOn"]))
			activate, _ := json.Marshal(dig(outputs, "ActivateReceiptRuleSet", "Value"))
			mx, _ := json.Marshal(dig(outputs, "MailMxRecord", "Value"))
			verify(t, "receipt rule", []check{
				{"rule set name", dig(tpl.props(set), "RuleSetName"), receiptRuleSetName},
				{"RuleSetName", ref(p["RuleSetName"]), set},
				{"Enabled", dig(p, "Rule", "Enabled"), true},
				{"Recipients", fmt.Sprint(list(dig(p, "Rule", "Recipients"))), fmt.Sprint(c.domains)},
				{"ScanEnabled", dig(p, "Rule", "ScanEnabled"), true},
				{"TlsPolicy", dig(p, "Rule", "TlsPolicy"), "Require"},
				{"first action: S3 bucket", ref(dig(actions[0], "S3Action", "BucketName")), bucket},
				{"first action: S3 prefix", dig(actions[0], "S3Action", "ObjectKeyPrefix"), events.InboundMailPrefix},
				{"second action: Lambda", getAtt(dig(actions[1], "LambdaAction", "FunctionArn")), fn},
				{"second action: InvocationType", dig(actions[1], "LambdaAction", "InvocationType"), "Event"},
				{"depends on the bucket policy", policy != "" && strings.Contains(deps, policy), true},
				{"depends on the invoke permission", permission != "" && strings.Contains(deps, permission), true},
				{"permission SourceAccount", ref(dig(tpl.props(permission), "SourceAccount")), "AWS::AccountId"},
				{"permission SourceArn", permissionArn, string(ruleArn)},
				{"bucket policy SourceArn", policyArn, string(ruleArn)},
				{"activation command", strings.Contains(string(activate), "aws ses set-active-receipt-rule-set --rule-set-name "+receiptRuleSetName), true},
				{"MX record", string(mx), `{"Fn::Join":["",["10 inbound-smtp.",{"Ref":"AWS::Region"},".amazonaws.com"]]}`},
			})
		})
	}
}

// TestMailReceiverDLQ: SES invokes the mail receiver asynchronously, so what keeps failing
// lands in a dead-letter queue of its own (which TestEveryQueueHasDLQ and TestAlarms count
// among the DLQs), and an invocation that could not even reach it alarms; other functions
// have no asynchronous DLQ.
func TestMailReceiverDLQ(t *testing.T) {
	for _, c := range stacks(t) {
		fns := c.tpl.functions()
		alarmed := map[string]bool{}
		for _, r := range c.tpl.resources("AWS::CloudWatch::Alarm") {
			if p := r["Properties"].(map[string]any); p["MetricName"] == "DeadLetterErrors" {
				for _, d := range list(p["Dimensions"]) {
					alarmed[ref(dig(d, "Value"))] = len(list(p["AlarmActions"])) > 0
				}
			}
		}
		for _, f := range c.topology {
			t.Run(c.name+"/"+f.Name, func(t *testing.T) {
				dlq := getAtt(dig(c.tpl.props(fns[f.Name]), "DeadLetterConfig", "TargetArn"))
				if !f.ReceivesMail {
					if dlq != "" {
						t.Errorf("%s DeadLetterConfig = %s; want none", f.Name, dlq)
					}
					return
				}
				verify(t, f.Name, []check{
					{"DLQ type", c.tpl.resource(dlq)["Type"], "AWS::SQS::Queue"},
					{"DLQ retention", dig(c.tpl.props(dlq), "MessageRetentionPeriod"), dlqRetention.Seconds()},
					{"may send to its DLQ", slices.Contains(c.tpl.actionsOn(fns[f.Name], dlq), "sqs:SendMessage"), true},
					{"DeadLetterErrors alarm", alarmed[fns[f.Name]], true},
				})
			})
		}
	}
}

// TestRunReadsMailDomains: run reads BORDERDESK_MAIL_DOMAINS through its getenv and refuses
// a value that is no list of domains before synthesizing anything.
func TestRunReadsMailDomains(t *testing.T) {
	dir := t.TempDir()
	for _, f := range events.Topology {
		p := filepath.Join(dir, "build", f.Name, "bootstrap")
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(filepath.Join(dir, "console", consoleAssets), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "console", "index.html"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{
		"BORDERDESK_BUILD_DIR":   filepath.Join(dir, "build"),
		"BORDERDESK_CONSOLE_DIR": filepath.Join(dir, "console"),
		"CDK_OUTDIR":             filepath.Join(dir, "out"),
		mailDomainsEnv:           "shop.example, support@acme.example",
	}
	err := run(func(k string) string { return env[k] }, func() (string, error) { return dir, nil })
	if err == nil || !strings.Contains(err.Error(), mailDomainsEnv) || !strings.Contains(err.Error(), "support@acme.example") {
		t.Errorf("run(%s=%q) = %v; want an error naming the variable and the bad entry", mailDomainsEnv, env[mailDomainsEnv], err)
	}
	if _, statErr := os.Stat(env["CDK_OUTDIR"]); statErr == nil {
		t.Errorf("run with bad mail domains wrote %s; want nothing synthesized", env["CDK_OUTDIR"])
	}
}
