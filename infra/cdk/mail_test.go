package main

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsses"
	"github.com/aws/jsii-runtime-go"

	"github.com/borderdesk/borderdesk/events"
	"github.com/borderdesk/borderdesk/shared/dynamo"
)

// mailBucketOf is the logical id of the mail bucket: the one MAIL_BUCKET names.
func mailBucketOf(t *testing.T, tpl template) string {
	t.Helper()
	for _, fn := range tpl.functions() {
		if id := ref(dig(tpl.props(fn), "Environment", "Variables", mailBucketEnv)); id != "" {
			if tpl.resource(id)["Type"] != "AWS::S3::Bucket" {
				t.Fatalf("%s = %q; want a Ref to a bucket", mailBucketEnv, id)
			}
			return id
		}
	}
	t.Fatalf("no function has %s", mailBucketEnv)
	return ""
}

// TestParseMailDomains: BORDERDESK_MAIL_DOMAINS as a person types it becomes each domain
// once, lower case; anything that is no domain name fails synth rather than drop an identity.
func TestParseMailDomains(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
		ok   bool
	}{
		{"", nil, true},
		{" , ", nil, true},
		{"shop.example", []string{"shop.example"}, true},
		{" Shop.Example, acme.example ,shop.example", []string{"shop.example", "acme.example"}, true},
		{"mail.eu.shop-1.example", []string{"mail.eu.shop-1.example"}, true},
		{"support@shop.example", nil, false},
		{"https://shop.example", nil, false},
		{"localhost", nil, false},
		{"shop..example", nil, false},
		{"-shop.example", nil, false},
		{"shop.example,exa mple.com", nil, false},
	} {
		got, err := parseMailDomains(tc.in)
		if (err == nil) != tc.ok || fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("parseMailDomains(%q) = %v, %v; want %v, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

// TestMailBucket: raw mail and attachments go to a private, encrypted, TLS-only, retained
// bucket; raw mail expires with the raw webhook bodies, attachments stay; SES may put under
// inbound/ only, from this account's receipt rule.
func TestMailBucket(t *testing.T) {
	for _, c := range stacks(t) {
		t.Run(c.name, func(t *testing.T) {
			tpl := c.tpl
			bucket := mailBucketOf(t, tpl)
			p := tpl.props(bucket)
			var tlsOnly bool
			var sesPuts []string
			for _, r := range tpl.resources("AWS::S3::BucketPolicy") {
				if ref(dig(r, "Properties", "Bucket")) != bucket {
					continue
				}
				for _, s := range list(dig(r, "Properties", "PolicyDocument", "Statement")) {
					if dig(s, "Effect") == "Deny" && dig(s, "Condition", "Bool", "aws:SecureTransport") == "false" &&
						slices.Contains(list(dig(s, "Action")), any("s3:*")) {
						tlsOnly = true
					}
					if dig(s, "Effect") == "Allow" {
						res, _ := json.Marshal(dig(s, "Resource"))
						arn, _ := json.Marshal(dig(s, "Condition", "StringEquals", "aws:SourceArn"))
						sesPuts = append(sesPuts, fmt.Sprint(dig(s, "Principal", "Service"), " ", dig(s, "Action"), " ",
							strings.Contains(string(res), `"/`+events.InboundMailPrefix+`*"`), " ",
							ref(dig(s, "Condition", "StringEquals", "aws:SourceAccount")), " ",
							strings.Contains(string(arn), ":receipt-rule-set/"+receiptRuleSetName+":receipt-rule/"+appName+"-"+events.Intake+`"`)))
					}
				}
			}
			var lifecycle []string
			for _, r := range list(dig(p, "LifecycleConfiguration", "Rules")) {
				if dig(r, "ExpirationInDays") != nil {
					lifecycle = append(lifecycle, fmt.Sprint(dig(r, "Status"), " ", dig(r, "Prefix"), " ", dig(r, "ExpirationInDays")))
				}
			}
			wantPuts := "[]"
			if len(c.domains) > 0 {
				wantPuts = "[ses.amazonaws.com s3:PutObject true AWS::AccountId true]"
			}
			block, _ := dig(p, "PublicAccessBlockConfiguration").(map[string]any)
			checks := []check{
				{"SSEAlgorithm", dig(list(dig(p, "BucketEncryption", "ServerSideEncryptionConfiguration"))[0], "ServerSideEncryptionByDefault", "SSEAlgorithm"), "AES256"},
				{"TLS-only bucket policy", tlsOnly, true},
				{"expiring lifecycle rules", fmt.Sprint(lifecycle), fmt.Sprint([]string{fmt.Sprint("Enabled ", events.InboundMailPrefix, " ", int(dynamo.ReceiptRetention/(24*time.Hour)))})},
				{"VersioningConfiguration", dig(p, "VersioningConfiguration"), nil},
				{"DeletionPolicy", tpl.resource(bucket)["DeletionPolicy"], "Retain"},
				{"allowed puts", fmt.Sprint(sesPuts), wantPuts},
			}
			for _, field := range []string{"BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"} {
				checks = append(checks, check{field, block[field], true})
			}
			verify(t, "mail bucket", checks)
		})
	}
}

// TestMailGrants: each function reaches the mail bucket exactly as its Mail access says —
// read-only reads attachments, read-write also reads raw mail and writes attachments — and
// knows the bucket by MAIL_BUCKET; nobody lists or deletes.
func TestMailGrants(t *testing.T) {
	want := map[events.Access][]string{
		events.NoAccess:  nil,
		events.ReadOnly:  {"s3:GetObject " + attachmentsPrefix + "*"},
		events.ReadWrite: {"s3:GetObject " + attachmentsPrefix + "*", "s3:GetObject " + events.InboundMailPrefix + "*", "s3:PutObject " + attachmentsPrefix + "*"},
	}
	for _, c := range stacks(t) {
		bucket := mailBucketOf(t, c.tpl)
		fns := c.tpl.functions()
		for _, f := range c.topology {
			t.Run(c.name+"/"+f.Name, func(t *testing.T) {
				var got []string
				for _, s := range c.tpl.roleStatements(fns[f.Name]) {
					for _, r := range list(s["Resource"]) {
						parts := list(dig(r, "Fn::Join"))
						if getAtt(r) == bucket || (len(parts) == 2 && getAtt(list(parts[1])[0]) == bucket) {
							suffix := ""
							if len(parts) == 2 {
								suffix = strings.TrimPrefix(fmt.Sprint(list(parts[1])[1]), "/")
							}
							for _, a := range list(s["Action"]) {
								got = append(got, fmt.Sprint(a, " ", suffix))
							}
						}
					}
				}
				slices.Sort(got)
				env := ref(dig(c.tpl.props(fns[f.Name]), "Environment", "Variables", mailBucketEnv))
				wantEnv := ""
				if f.Mail != events.NoAccess {
					wantEnv = bucket
				}
				if fmt.Sprint(got) != fmt.Sprint(want[f.Mail]) || env != wantEnv {
					t.Errorf("%s (Mail %q) on the mail bucket = %v, %s = %q; want %v, %q", f.Name, f.Mail, got, mailBucketEnv, env, want[f.Mail], wantEnv)
				}
			})
		}
	}
}

// TestSendMailGrant: only the function that follows SES's events sends mail, from exactly
// the mail domains' identities and through the configuration set (never "*" or every
// identity), with a From at those domains; with no domains it gets no SES grant and synth
// says replies cannot be sent.
func TestSendMailGrant(t *testing.T) {
	for _, c := range stacks(t) {
		t.Run(c.name, func(t *testing.T) {
			fns := c.tpl.functions()
			configSet := c.tpl.only(t, "AWS::SES::ConfigurationSet")
			identities := map[string]string{} // domain → logical id
			for id, r := range c.tpl.resources("AWS::SES::EmailIdentity") {
				identities[fmt.Sprint(dig(r, "Properties", "EmailIdentity"))] = id
			}
			senders := 0
			for _, f := range c.topology {
				var ses []map[string]any
				for _, s := range c.tpl.roleStatements(fns[f.Name]) {
					if slices.ContainsFunc(list(s["Action"]), func(a any) bool { return strings.HasPrefix(fmt.Sprint(a), "ses:") }) {
						ses = append(ses, s)
					}
				}
				env := ref(dig(c.tpl.props(fns[f.Name]), "Environment", "Variables", configurationSetEnv))
				if !sendsMail(f) {
					if len(ses) > 0 || env != "" {
						t.Errorf("%s SES statements = %v, %s = %q; want none", f.Name, ses, configurationSetEnv, env)
					}
					continue
				}
				senders++
				if env != configSet {
					t.Errorf("%s %s = %q; want a Ref to the configuration set %s", f.Name, configurationSetEnv, env, configSet)
				}
				if len(c.domains) == 0 {
					if len(ses) > 0 {
						t.Errorf("%s SES statements without mail domains = %v; want none", f.Name, ses)
					}
					continue
				}
				if len(ses) != 1 {
					t.Fatalf("%s SES statements = %v; want one", f.Name, ses)
				}
				s := ses[0]
				var resources, wantResources []string
				for _, r := range list(s["Resource"]) {
					raw, _ := json.Marshal(r)
					resources = append(resources, string(raw))
				}
				wantResources = append(wantResources, arnJSON("configuration-set/", configSet))
				var wantFrom []string
				for _, d := range c.domains {
					wantResources = append(wantResources, arnJSON("identity/", identities[d]))
					wantFrom = append(wantFrom, "*@"+d)
				}
				slices.Sort(resources)
				slices.Sort(wantResources)
				verify(t, f.Name+" SES statement", []check{
					{"Action", fmt.Sprint(list(s["Action"])), "[ses:SendEmail ses:SendRawEmail]"},
					{"Resource", strings.Join(resources, "\n"), strings.Join(wantResources, "\n")},
					{"ses:FromAddress", fmt.Sprint(list(dig(s, "Condition", "StringLikeIfExists", "ses:FromAddress"))), fmt.Sprint(wantFrom)},
				})
			}
			if senders != 1 {
				t.Errorf("functions that send mail = %d; want 1 (notify)", senders)
			}
			warned := len(*assertions.Annotations_FromStack(c.stack).FindWarning(jsii.String("*"),
				assertions.Match_StringLikeRegexp(jsii.String(mailDomainsEnv+" is not set")))) > 0
			if want := len(c.domains) == 0; warned != want {
				t.Errorf("synth warns that replies cannot be sent = %v; want %v (domains %v)", warned, want, c.domains)
			}
		})
	}
}

// arnJSON is the template's JSON for this account's SES ARN of kind ("identity/") naming the
// resource of logical id.
func arnJSON(kind, id string) string {
	raw, _ := json.Marshal(join("arn:", map[string]any{"Ref": "AWS::Partition"}, ":ses:", map[string]any{"Ref": "AWS::Region"},
		":", map[string]any{"Ref": "AWS::AccountId"}, ":"+kind, map[string]any{"Ref": id}))
	return string(raw)
}

// TestMailIdentities: one Easy DKIM domain identity per mail domain, sending through the
// configuration set, its DKIM CNAMEs an output; the set's event destination is the default
// bus, for the SES events the topology follows.
func TestMailIdentities(t *testing.T) {
	for _, c := range stacks(t) {
		t.Run(c.name, func(t *testing.T) {
			configSet := c.tpl.only(t, "AWS::SES::ConfigurationSet")
			outputs, _ := c.tpl["Outputs"].(map[string]any)
			var got []string
			for id, r := range c.tpl.resources("AWS::SES::EmailIdentity") {
				p := r["Properties"].(map[string]any)
				dkim := 0
				for _, o := range outputs {
					raw, _ := json.Marshal(o)
					for n := 1; n <= 3; n++ {
						if strings.Contains(string(raw), `["`+id+`","DkimDNSTokenName`+fmt.Sprint(n)+`"]`) &&
							strings.Contains(string(raw), `["`+id+`","DkimDNSTokenValue`+fmt.Sprint(n)+`"]`) {
							dkim++
						}
					}
				}
				got = append(got, fmt.Sprint(p["EmailIdentity"], " ", dig(p, "DkimSigningAttributes", "NextSigningKeyLength"), " ",
					ref(dig(p, "ConfigurationSetAttributes", "ConfigurationSetName")) == configSet, " dkim outputs ", dkim))
			}
			var want []string
			for _, d := range c.domains {
				want = append(want, d+" RSA_2048_BIT true dkim outputs 3")
			}
			slices.Sort(got)
			slices.Sort(want)
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("identities = %v; want %v", got, want)
			}

			dest := c.tpl.props(c.tpl.only(t, "AWS::SES::ConfigurationSetEventDestination"))
			bus, _ := json.Marshal(dig(dest, "EventDestination", "EventBridgeDestination", "EventBusArn"))
			var types []string
			for _, f := range c.topology {
				for _, e := range f.AWSEvents {
					if e.Source == sesSource {
						for _, dt := range e.DetailTypes {
							types = append(types, documentedSESTypes[dt])
						}
					}
				}
			}
			verify(t, "event destination", []check{
				{"ConfigurationSetName", ref(dest["ConfigurationSetName"]), configSet},
				{"Enabled", dig(dest, "EventDestination", "Enabled"), true},
				{"the default bus", strings.HasSuffix(string(bus), `":event-bus/default"]]}`), true},
				{"MatchingEventTypes", fmt.Sprint(list(dig(dest, "EventDestination", "MatchingEventTypes"))), fmt.Sprint(types)},
			})
		})
	}
}

// documentedSESTypes are SES's detail-types on EventBridge (the EventBridge events
// reference for SES) and the configuration set's matching event types for them, as
// CloudFormation spells them.
var documentedSESTypes = map[string]string{
	"Email Sent":               "send",
	"Email Delivered":          "delivery",
	"Email Bounced":            "bounce",
	"Email Complaint Received": "complaint",
	"Email Rejected":           "reject",
	"Email Rendering Failed":   "renderingFailure",
	"Email Delivery Delayed":   "deliveryDelay",
}

// TestSESDetailTypes: what the topology follows from SES is what SES sends (a misspelt
// detail-type would match nothing in the cloud), and the warning for one that is not.
func TestSESDetailTypes(t *testing.T) {
	for _, dt := range events.SESDeliveryEvents.DetailTypes {
		if _, ok := documentedSESTypes[dt]; !ok {
			t.Errorf("events.SESDeliveryEvents has %q; SES's EventBridge detail-types are %v", dt, slices.Sorted(maps.Keys(documentedSESTypes)))
		}
	}
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("Types"), nil)
	got := sesEventTypesOf(stack, []events.Function{{Name: "x", AWSEvents: []events.AWSEvents{
		{Source: sesSource, DetailTypes: []string{"Email Bounced", "Email Bounce", "Email Bounced"}},
		{Source: "aws.s3", DetailTypes: []string{"Object Created"}},
	}}})
	warnings := assertions.Annotations_FromStack(stack).FindWarning(jsii.String("*"), assertions.Match_StringLikeRegexp(jsii.String(`"Email Bounce"`)))
	if fmt.Sprint(got) != fmt.Sprint([]awsses.EmailSendingEvent{awsses.EmailSendingEvent_BOUNCE}) || len(*warnings) != 1 {
		t.Errorf("sesEventTypesOf(Bounced, Bounce, Bounced) = %v with %d warnings; want [BOUNCE] and one warning naming \"Email Bounce\"", got, len(*warnings))
	}
}
