package main

import (
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// nagMetadata is the template metadata key under which a resource lists the cdk-nag rules it
// is exempt from, as {"rules_to_suppress": [{"id", "reason", "applies_to"}]}: the form
// cdk-nag 2 wrote, which nag/nag.mjs reads back (`make test-cdk` runs it on the template).
const nagMetadata = "cdk_nag"

// nagRule is a cdk-nag rule a resource does not follow, and why not: the reason is what a
// reviewer judges, so it says what makes the rule not apply here or not worth its cost.
type nagRule struct {
	id     string
	reason string
	// appliesTo narrows the exemption to some findings of a rule that reports several (e.g.
	// "Resource::*" of AwsSolutions-IAM5); a finding may be a regular expression written
	// "regex:<expr>". Empty means every finding of the rule.
	appliesTo []string
}

// acknowledge records rules on c's CloudFormation resource — c itself, or the default child
// of an L2 construct, found down the chain — next to the rules already there. It panics on a
// construct with no CloudFormation resource: the suppression would be lost silently.
func acknowledge(c constructs.IConstruct, rules ...nagRule) {
	res := cfnResource(c)
	var list []any
	if existing, ok := res.GetMetadata(jsii.String(nagMetadata)).(map[string]any); ok {
		if l, ok := existing["rules_to_suppress"].([]any); ok {
			list = l
		}
	}
	for _, r := range rules {
		entry := map[string]any{"id": r.id, "reason": r.reason}
		if len(r.appliesTo) > 0 {
			entry["applies_to"] = r.appliesTo
		}
		list = append(list, entry)
	}
	res.AddMetadata(jsii.String(nagMetadata), map[string]any{"rules_to_suppress": list})
}

// cfnResource is c if it is a CloudFormation resource, else the first one down its default
// children.
func cfnResource(c constructs.IConstruct) awscdk.CfnResource {
	for n := c; n != nil; n = n.Node().DefaultChild() {
		if awscdk.CfnResource_IsCfnResource(n) != nil && *awscdk.CfnResource_IsCfnResource(n) {
			if res, ok := n.(awscdk.CfnResource); ok {
				return res
			}
		}
	}
	panic("acknowledge: " + *c.Node().Path() + " has no CloudFormation resource")
}

// dlqRules exempts a dead-letter queue from having a DLQ of its own. It is the end of the
// line: its alarm pages on the first message, and an on-call engineer redrives it once the
// cause is fixed; a DLQ behind it would only move messages further from the alarm.
func dlqRules(of string, rules ...string) []nagRule {
	out := make([]nagRule, len(rules))
	for i, id := range rules {
		out[i] = nagRule{id: id, reason: "The dead-letter queue of " + of + ", the end of the line: its alarm pages on the first message and it is redriven once the cause is fixed; a DLQ behind a DLQ would only move messages further from the alarm"}
	}
	return out
}

// lambdaBasicExecution is the one AWS managed policy the stack's functions use, as CDK
// attaches it to every function's role.
var lambdaBasicExecution = nagRule{
	id:        "AwsSolutions-IAM4",
	reason:    "AWSLambdaBasicExecutionRole grants only logs:CreateLogGroup, CreateLogStream and PutLogEvents, AWS keeps it current, and a copy of it would say the same",
	appliesTo: []string{"Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"},
}

// children are the children of parent whose construct id starts with prefix: how CDK names
// what it adds on its own, such as a function's event source mappings ("SqsEventSource…")
// or the stack's singleton handlers ("Custom::CDKBucketDeployment…").
func children(parent constructs.IConstruct, prefix string) []constructs.IConstruct {
	var out []constructs.IConstruct
	for _, c := range *parent.Node().Children() {
		if strings.HasPrefix(*c.Node().Id(), prefix) {
			out = append(out, c)
		}
	}
	return out
}

// acknowledgePolicy records rules on the inline policy CDK gives fn's role for its grants;
// a role without one has nothing to exempt.
func acknowledgePolicy(fn awslambda.IFunction, rules ...nagRule) {
	if fn.Role() == nil {
		return
	}
	if p := fn.Role().Node().TryFindChild(jsii.String("DefaultPolicy")); p != nil {
		acknowledge(p, rules...)
	}
}
