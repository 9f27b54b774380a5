package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsses"
	"github.com/aws/jsii-runtime-go"

	"github.com/borderdesk/borderdesk/events"
)

// mailDomainsEnv names the merchants' mail domains in the app's environment, comma
// separated: the domains replies are sent from and support mail is received at.
const mailDomainsEnv = "BORDERDESK_MAIL_DOMAINS"

// configurationSetEnv names, in the sender's environment, the SES configuration set every
// reply is sent through, so its delivery events reach the default bus.
const configurationSetEnv = "SES_CONFIGURATION_SET"

// sesSource is the EventBridge source of SES's own events.
const sesSource = "aws.ses"

// noMailDomains is the warning synth prints when no domain is configured.
const noMailDomains = mailDomainsEnv + " is not set: no SES identity is declared and the mail sender gets no SES grant, so agents' replies cannot be sent and no mail is received"

// sesEventTypes maps the detail-types SES puts on EventBridge to the configuration set's
// event types, as the EventBridge events reference for SES names them.
var sesEventTypes = map[string]awsses.EmailSendingEvent{
	"Email Sent":               awsses.EmailSendingEvent_SEND,
	"Email Delivered":          awsses.EmailSendingEvent_DELIVERY,
	"Email Bounced":            awsses.EmailSendingEvent_BOUNCE,
	"Email Complaint Received": awsses.EmailSendingEvent_COMPLAINT,
	"Email Rejected":           awsses.EmailSendingEvent_REJECT,
	"Email Rendering Failed":   awsses.EmailSendingEvent_RENDERING_FAILURE,
	"Email Delivery Delayed":   awsses.EmailSendingEvent_DELIVERY_DELAY,
	"Email Opened":             awsses.EmailSendingEvent_OPEN,
	"Email Clicked":            awsses.EmailSendingEvent_CLICK,
	"Email Subscribed":         awsses.EmailSendingEvent_SUBSCRIPTION,
}

// parseMailDomains reads mailDomainsEnv's value: domain names separated by commas, spaces
// around them ignored, case folded, each once. An entry that is no domain name (an address,
// a URL, an empty label) is an error, not a silently dropped identity.
func parseMailDomains(s string) ([]string, error) {
	var out []string
	for _, d := range strings.Split(s, ",") {
		d = strings.ToLower(strings.TrimSpace(d))
		if d == "" {
			continue
		}
		if !isDomainName(d) {
			return nil, fmt.Errorf("%s: %q is not a domain name (want e.g. shop.example,acme.example)", mailDomainsEnv, d)
		}
		if !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	return out, nil
}

// isDomainName reports whether d is a lower-case DNS name of at least two labels, each of
// letters, digits and inner hyphens, at most 63 characters, 253 in all.
func isDomainName(d string) bool {
	labels := strings.Split(d, ".")
	if len(d) > 253 || len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for _, r := range l {
			if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' {
				return false
			}
		}
	}
	return true
}

// sendsMail says whether f sends mail through SES: it follows SES's delivery events, which
// only report mail it sent through the configuration set.
func sendsMail(f events.Function) bool {
	return slices.ContainsFunc(f.AWSEvents, func(e events.AWSEvents) bool { return e.Source == sesSource })
}

// mailSending is SES's sending side: one domain identity per mail domain, all sending
// through one configuration set whose delivery events go to the account's default bus.
type mailSending struct {
	domains    []string
	identities []awsses.EmailIdentity
	configSet  awsses.ConfigurationSet
}

// newMailSending declares the configuration set, with an EventBridge destination for the
// SES events the topology's functions follow, and an Easy DKIM identity per domain; each
// identity's DKIM CNAMEs are outputs for the domain's owner to publish.
func newMailSending(stack awscdk.Stack, topology []events.Function, domains []string) mailSending {
	cs := awsses.NewConfigurationSet(stack, jsii.String("MailConfigurationSet"), &awsses.ConfigurationSetProps{})
	if types := sesEventTypesOf(stack, topology); len(types) > 0 {
		// SES publishes to the default bus only; the rules there (awsEventRules) keep our
		// mail's events and hand them to the followers' queues.
		cs.AddEventDestination(jsii.String("EventBridge"), &awsses.ConfigurationSetEventDestinationOptions{
			Destination: awsses.EventDestination_EventBus(awsevents.EventBus_FromEventBusName(stack, jsii.String("DefaultBus"), jsii.String("default"))),
			Events:      &types,
		})
	}
	m := mailSending{domains: domains, configSet: cs}
	for i, d := range domains {
		id := awsses.NewEmailIdentity(stack, jsii.String("MailIdentity-"+d), &awsses.EmailIdentityProps{
			Identity:         awsses.Identity_Domain(jsii.String(d)),
			DkimIdentity:     awsses.DkimIdentity_EasyDkim(awsses.EasyDkimSigningKeyLength_RSA_2048_BIT),
			ConfigurationSet: cs, // mail from the domain reports its delivery even if a send forgets the set
		})
		m.identities = append(m.identities, id)
		records := []*string{}
		for _, r := range [][2]*string{
			{id.DkimDnsTokenName1(), id.DkimDnsTokenValue1()},
			{id.DkimDnsTokenName2(), id.DkimDnsTokenValue2()},
			{id.DkimDnsTokenName3(), id.DkimDnsTokenValue3()},
		} {
			records = append(records, awscdk.Fn_Join(jsii.String(" CNAME "), &[]*string{r[0], r[1]}))
		}
		awscdk.NewCfnOutput(stack, jsii.String(fmt.Sprintf("MailDkim%d", i+1)), &awscdk.CfnOutputProps{
			Description: jsii.String("DKIM records to publish for " + d + " (name CNAME value; …): SES verifies the domain once they resolve"),
			Value:       awscdk.Fn_Join(jsii.String("; "), &records),
		})
	}
	return m
}

// sesEventTypesOf are the configuration set's event types for the SES detail-types the
// topology's functions follow, in the order they are declared. A detail-type SES does not
// send is a warning: a rule on it would never match.
func sesEventTypesOf(stack awscdk.Stack, topology []events.Function) []awsses.EmailSendingEvent {
	var out []awsses.EmailSendingEvent
	for _, f := range topology {
		for _, e := range f.AWSEvents {
			if e.Source != sesSource {
				continue
			}
			for _, dt := range e.DetailTypes {
				t, ok := sesEventTypes[dt]
				if !ok {
					awscdk.Annotations_Of(stack).AddWarningV2(jsii.String("borderdesk:ses-detail-type"),
						jsii.String(fmt.Sprintf("%s follows SES detail-type %q, which SES does not put on EventBridge: its rule will never match it", f.Name, dt)))
					continue
				}
				if !slices.Contains(out, t) {
					out = append(out, t)
				}
			}
		}
	}
	return out
}

// configurationSetArn is the configuration set's ARN, which SES v2 SendEmail authorises
// alongside the sending identity.
func (m mailSending) configurationSetArn(stack awscdk.Stack) *string {
	return stack.FormatArn(&awscdk.ArnComponents{
		Service: jsii.String("ses"), Resource: jsii.String("configuration-set"), ResourceName: m.configSet.ConfigurationSetName(),
	})
}

// grantSend lets fn send mail through SES from the mail domains' identities and through the
// configuration set, and nothing else of SES, and tells it the set's name. Without mail
// domains fn gets no grant at all, and synth warns.
func (m mailSending) grantSend(fn awslambda.Function) {
	fn.AddEnvironment(jsii.String(configurationSetEnv), m.configSet.ConfigurationSetName(), nil)
	if len(m.identities) == 0 {
		awscdk.Annotations_Of(fn).AddWarningV2(jsii.String("borderdesk:mail-domains"), jsii.String(noMailDomains))
		return
	}
	stack := awscdk.Stack_Of(fn)
	resources := []*string{m.configurationSetArn(stack)}
	var from []*string
	for i, id := range m.identities {
		resources = append(resources, id.EmailIdentityArn())
		from = append(from, jsii.String("*@"+m.domains[i]))
	}
	fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("ses:SendEmail", "ses:SendRawEmail"),
		Resources: &resources,
		// The From must be an address at one of the domains. IfExists: a raw send may leave
		// the From to the message, where SES still refuses one no identity verifies.
		Conditions: &map[string]any{"StringLikeIfExists": map[string]any{"ses:FromAddress": &from}},
	}))
}
