// Command admin onboards merchants and agents on a deployed Borderdesk: it writes the
// merchant and agent records the functions read, rotates webhook secrets, and prints the
// Cognito commands that give an agent a sign-in. An agent record is keyed by the agent's
// Cognito sub: create the Cognito user first (agent put without -sub prints the commands),
// then put the agent with -sub; later puts of the same email find the sub themselves. It
// uses the AWS credentials of the environment and the stack's table (BORDERDESK_TABLE, the TableName output of the stack).
// Webhook secrets are not in the table but in Secrets Manager, one secret per merchant,
// <BORDERDESK_SECRETS_PREFIX><merchant>/webhooks (prefix borderdesk/merchants/ by default,
// the one the stack lets intake read); the first `secret add` creates it. A merchant's
// -sender is also its support mailbox: mail to it (and to the replies' tagged Reply-To,
// local+<ticket>@domain) files under that merchant, so no two merchants may have one sender.
//
//	go run ./infra/cmd/admin merchant put -id acme -name "Acme Outdoor" -tz Europe/Paris -shop-origin https://acme.example \
//	    -sender support@acme.example -sender-name "Acme Outdoor"
//	go run ./infra/cmd/admin secret add -merchant acme -provider stripe -secret whsec_…
//	go run ./infra/cmd/admin secret remove -merchant acme -provider stripe -secret whsec_…
//	go run ./infra/cmd/admin agent put -merchant acme -email jo@acme.example -name "Jo Martin" -role admin -lang fr -sub 1b2c…
//	go run ./infra/cmd/admin merchant show -id acme
package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	netmail "net/mail"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	awssm "github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/borderdesk/borderdesk/shared/auth"
	"github.com/borderdesk/borderdesk/shared/dynamo"
	"github.com/borderdesk/borderdesk/shared/errs"
	"github.com/borderdesk/borderdesk/shared/merchant"
	"github.com/borderdesk/borderdesk/shared/secretsmanager"
	smembedded "github.com/borderdesk/borderdesk/shared/secretsmanager/embedded"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "admin:", err)
		os.Exit(1)
	}
}

// Store is what admin needs of the table.
type Store interface {
	GetMerchant(ctx context.Context, id string) (merchant.Merchant, error)
	PutMerchant(ctx context.Context, m merchant.Merchant) error
	PutAgent(ctx context.Context, a merchant.Agent) error
	FindAgent(ctx context.Context, email string) (merchant.Agent, error)
	ListAgents(ctx context.Context, merchantID string) ([]merchant.Agent, error)
}

// Secrets is what admin needs of the merchants' webhook secrets (Secrets Manager).
type Secrets interface {
	Secrets(ctx context.Context, merchantID string) (merchant.WebhookSecrets, error)
	PutSecrets(ctx context.Context, merchantID string, ws merchant.WebhookSecrets) error
	Changed(ctx context.Context, merchantID string) (time.Time, error)
}

var _ Secrets = (*secretsmanager.Store)(nil)

// secretsTTL is how long intake caches a merchant's secrets (intake.Config.SecretsTTL).
const secretsTTL = time.Minute

func run(ctx context.Context, args []string, getenv func(string) string, out io.Writer) error {
	if len(args) < 2 {
		return errors.New("usage: admin merchant put|show, secret add|remove, agent put (see the package comment)")
	}
	table := getenv("BORDERDESK_TABLE")
	if table == "" {
		return errors.New("BORDERDESK_TABLE is not set: use the TableName output of the stack")
	}
	// The endpoints are for tests and local peers; without them, AWS's.
	dbEndpoint, smEndpoint := getenv("BORDERDESK_DYNAMODB_ENDPOINT"), getenv("BORDERDESK_SECRETSMANAGER_ENDPOINT")
	var cfg aws.Config
	if dbEndpoint == "" || smEndpoint == "" {
		var err error
		if cfg, err = config.LoadDefaultConfig(ctx); err != nil {
			return fmt.Errorf("load AWS config: %w", err)
		}
	}
	db := dynamodb.NewFromConfig(cfg)
	if dbEndpoint != "" {
		db = dynamo.LocalClient(dbEndpoint)
	}
	sm := awssm.NewFromConfig(cfg)
	if smEndpoint != "" {
		sm = smembedded.Client(smEndpoint)
	}
	store := dynamo.New(db, table)
	secrets := secretsmanager.New(sm, getenv("BORDERDESK_SECRETS_PREFIX"))
	cmd := args[0] + " " + args[1]
	switch cmd {
	case "merchant put":
		return merchantPut(ctx, store, args[2:], out)
	case "merchant show":
		return merchantShow(ctx, store, secrets, args[2:], out)
	case "secret add", "secret remove":
		return secret(ctx, store, secrets, args[1], args[2:], out)
	case "agent put":
		return agentPut(ctx, store, args[2:], out)
	}
	return fmt.Errorf("unknown command %q", cmd)
}

type list []string

func (l *list) String() string     { return strings.Join(*l, ",") }
func (l *list) Set(v string) error { *l = append(*l, v); return nil }

func merchantPut(ctx context.Context, store Store, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("merchant put", flag.ContinueOnError)
	id := fs.String("id", "", "merchant id (lower case, used in webhook URLs)")
	name := fs.String("name", "", "display name")
	tz := fs.String("tz", "UTC", "IANA time zone")
	var origins list
	fs.Var(&origins, "shop-origin", "an origin whose pages may post customer messages (repeatable)")
	sender := fs.String("sender", "", "the address replies are mailed from (an SES-verified identity)")
	senderName := fs.String("sender-name", "", "the display name replies are mailed as (default: -name)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if !validID(*id) || *name == "" {
		return errors.New("-id (a-z, 0-9, -) and -name are required")
	}
	if a, err := netmail.ParseAddress(*sender); *sender != "" && (err != nil || a.Address != *sender) {
		return fmt.Errorf("-sender %q: want a bare address, such as support@shop.example", *sender)
	}
	if _, err := time.LoadLocation(*tz); err != nil {
		return fmt.Errorf("-tz: %w", err)
	}
	m, err := store.GetMerchant(ctx, *id)
	switch {
	case errs.Is(err, errs.NotFound):
		m = merchant.Merchant{ID: *id, PublishableKey: "pk_" + rand.Text()}
	case err != nil:
		return err
	}
	m.Name, m.TimeZone = *name, *tz
	if len(origins) > 0 {
		m.ShopOrigins = origins
	}
	if *sender != "" {
		m.Sender = merchant.Sender{Name: *senderName, Address: *sender}
	}
	if err := store.PutMerchant(ctx, m); err != nil {
		return err
	}
	fmt.Fprintf(out, "merchant %s saved\npublishable key: %s\nwebhook URLs: <api>/webhooks/%s/stripe, <api>/webhooks/%s/aftership\n", m.ID, m.PublishableKey, m.ID, m.ID)
	if m.Sender.Address != "" {
		fmt.Fprintf(out, "support mailbox: %s (customers' mail to it reaches %s; SES receiving must take its domain)\n", dynamo.NormalAddress(m.Sender.Address), m.ID)
	}
	return nil
}

func merchantShow(ctx context.Context, store Store, secrets Secrets, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("merchant show", flag.ContinueOnError)
	id := fs.String("id", "", "merchant id")
	if err := fs.Parse(args); err != nil {
		return err
	}
	m, err := store.GetMerchant(ctx, *id)
	if err != nil {
		return err
	}
	agents, err := store.ListAgents(ctx, *id)
	if err != nil {
		return err
	}
	ws, err := secrets.Secrets(ctx, *id)
	if err != nil && !errs.Is(err, errs.NotFound) {
		return err
	}
	fmt.Fprintf(out, "merchant %s (%s), time zone %s\npublishable key: %s\nshop origins: %s\nsender: %s\n", m.ID, m.Name, m.TimeZone, m.PublishableKey, strings.Join(m.ShopOrigins, " "), m.Sender.Address)
	if len(ws) == 0 {
		fmt.Fprintf(out, "webhook secrets: none yet (admin secret add -merchant %s …)\n", m.ID)
	}
	for _, p := range slices.Sorted(maps.Keys(ws)) {
		var masked []string
		for _, s := range ws.For(p) {
			masked = append(masked, mask(s))
		}
		fmt.Fprintf(out, "%s secrets: %s\n", p, strings.Join(masked, " "))
	}
	if changed, err := secrets.Changed(ctx, *id); err == nil {
		fmt.Fprintf(out, "webhook secrets changed %s, in effect everywhere by %s\n", changed.Format(time.RFC3339), changed.Add(secretsTTL).Format(time.RFC3339))
	}
	for _, a := range agents {
		fmt.Fprintf(out, "agent %s %s (%s, %s, %s)\n", a.ID, a.Email, a.Name, a.Role, a.Language)
	}
	return nil
}

// mask shows enough of a secret to tell two apart, never the secret.
func mask(s string) string {
	if len(s) <= 8 {
		return "…"
	}
	return s[:4] + "…" + s[len(s)-4:]
}

// secret adds or removes one webhook secret. Rotation is add the new one, switch the
// provider over, remove the old one: both verify meanwhile. Intake sees a change within its
// cache's minute, so remove the old one only once the provider signs with the new one.
func secret(ctx context.Context, store Store, secrets Secrets, verb string, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("secret "+verb, flag.ContinueOnError)
	id := fs.String("merchant", "", "merchant id")
	provider := fs.String("provider", "", "stripe or aftership")
	value := fs.String("secret", "", "the webhook signing secret")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *provider != "stripe" && *provider != "aftership" {
		return errors.New("-provider must be stripe or aftership")
	}
	if *value == "" {
		return errors.New("-secret is required")
	}
	if _, err := store.GetMerchant(ctx, *id); err != nil {
		return err
	}
	ws, err := secrets.Secrets(ctx, *id)
	if err != nil && !errs.Is(err, errs.NotFound) { // not found: the first secret creates it
		return err
	}
	switch verb {
	case "add":
		ws = ws.With(*provider, *value)
	case "remove":
		var had bool
		if ws, had = ws.Without(*provider, *value); !had {
			// Said plainly: a mistyped secret would otherwise leave the old one active.
			return fmt.Errorf("that secret is not one of %s's %s secrets (merchant show lists them, masked)", *id, *provider)
		}
	}
	if err := secrets.PutSecrets(ctx, *id, ws); err != nil {
		return err
	}
	n := len(ws.For(*provider))
	fmt.Fprintf(out, "%s now has %d active %s secret(s); intake uses them within %s (its cache)\n", *id, n, *provider, secretsTTL)
	if n == 0 {
		fmt.Fprintf(out, "with none, every %s webhook to %s is refused until a secret is added\n", *provider, *id)
	}
	return nil
}

// agentPut writes an agent's record, keyed by their Cognito sub. A new agent needs -sub: the
// command cannot create the Cognito user (it only uses the table), so it prints the commands
// that create the user and read their sub back. An agent already on record is found by email.
func agentPut(ctx context.Context, store Store, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("agent put", flag.ContinueOnError)
	id := fs.String("merchant", "", "merchant id")
	email := fs.String("email", "", "the agent's email (their sign-in)")
	name := fs.String("name", "", "display name")
	role := fs.String("role", string(merchant.RoleAgent), "agent, supervisor or admin")
	lang := fs.String("lang", "en", "the language the agent writes in (BCP 47)")
	sub := fs.String("sub", "", "the agent's Cognito sub (needed for a new agent; printed by admin-get-user)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	r := merchant.Role(*role)
	if !slices.Contains(auth.Roles, r) {
		return errors.New("-role must be agent, supervisor or admin")
	}
	if !strings.Contains(*email, "@") || *name == "" {
		return errors.New("-email and -name are required")
	}
	if strings.Contains(*sub, "@") || len(*sub) > 128 {
		return errors.New("-sub is the Cognito user's sub (a UUID), not their email")
	}
	if _, err := store.GetMerchant(ctx, *id); err != nil {
		return err
	}
	if *sub == "" {
		known, err := store.FindAgent(ctx, *email)
		switch {
		case err == nil && known.MerchantID != *id:
			return fmt.Errorf("%s is already an agent of merchant %s", *email, known.MerchantID)
		case err == nil:
			*sub = known.ID
		case errs.Is(err, errs.NotFound):
			fmt.Fprintf(out, "%s has no agent record yet. Create their sign-in (user pool id: the UserPoolId output), read its sub, then run this again with -sub <sub>:\n", *email)
			cognitoCommands(out, *email, *id, r)
			fmt.Fprintf(out, "  aws cognito-idp admin-get-user --user-pool-id <pool> --username %s --query \"UserAttributes[?Name=='sub'].Value\" --output text\n", *email)
			return fmt.Errorf("-sub is required for a new agent: create %s in Cognito first (commands above)", *email)
		default:
			return err
		}
	}
	if err := store.PutAgent(ctx, merchant.Agent{ID: *sub, Email: *email, Name: *name, MerchantID: *id, Role: r, Language: *lang}); err != nil {
		return err
	}
	fmt.Fprintf(out, "agent %s (sub %s) saved for %s. Their sign-in, if not yet made (user pool id: the UserPoolId output):\n", *email, *sub, *id)
	cognitoCommands(out, *email, *id, r)
	return nil
}

// cognitoCommands prints the AWS CLI commands that give an agent a sign-in with role r.
func cognitoCommands(out io.Writer, email, merchantID string, r merchant.Role) {
	fmt.Fprintf(out, "  aws cognito-idp admin-create-user --user-pool-id <pool> --username %s --user-attributes Name=email,Value=%s Name=email_verified,Value=true Name=%s,Value=%s\n",
		email, email, auth.MerchantClaim, merchantID)
	fmt.Fprintf(out, "  aws cognito-idp admin-add-user-to-group --user-pool-id <pool> --username %s --group-name %s\n", email, r)
}

func validID(id string) bool {
	if id == "" || len(id) > 40 {
		return false
	}
	for _, c := range id {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
			return false
		}
	}
	return true
}
