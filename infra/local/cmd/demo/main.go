// Command demo sends signed sample webhooks and customer messages for merchant demo to a
// running `make dev`, then shows the tickets they became, as agent anna@demo.test sees them,
// and how many merchant acme sees (none: tenants are isolated). `make demo`.
//
// BORDERDESK_URL is the running Borderdesk (http://127.0.0.1:8080 by default). The secrets
// are the local ones `make dev` seeds, read the same way (BORDERDESK_DEMO_STRIPE_SECRET, …).
package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/borderdesk/borderdesk/infra/local"
	"github.com/borderdesk/borderdesk/infra/local/demo"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

const (
	merchantID = "demo"
	agent      = "anna@demo.test"
	otherAgent = "jo@acme.test" // of merchant acme
)

func run(ctx context.Context, getenv func(string) string, out io.Writer) error {
	baseURL := getenv("BORDERDESK_URL")
	if baseURL == "" {
		baseURL = "http://127.0.0.1:8080"
	}
	var secrets *demo.Secrets
	for _, s := range local.DemoSeeds(getenv) {
		if s.Merchant.ID == merchantID {
			v := demo.SecretsOf(s.Merchant, s.Secrets)
			secrets = &v
		}
	}
	if secrets == nil {
		return fmt.Errorf("no seeded merchant %q", merchantID)
	}
	client := &http.Client{Timeout: 10 * time.Second}

	fmt.Fprintf(out, "Sending sample traffic for merchant %s to %s\n", merchantID, baseURL)
	// Sign at the runtime's time, which /dev/clock may have moved past the wall clock's.
	now, err := demo.Now(ctx, client, baseURL)
	if err != nil {
		return fmt.Errorf("%w\n(is `make dev` running at %s?)", err, baseURL)
	}
	report, err := demo.Send(ctx, client, baseURL, merchantID, *secrets, now)
	for _, s := range report.Sent {
		fmt.Fprintf(out, "  %d  %s\n", s.Status, s.Name)
	}
	if err != nil && len(report.Sent) == 0 {
		return fmt.Errorf("%w\n(is `make dev` running at %s?)", err, baseURL)
	}
	if err != nil {
		return err
	}

	token, err := demo.Login(ctx, client, baseURL, agent)
	if err != nil {
		return err
	}
	// Ticketing is asynchronous: wait, briefly, for the inbox to stop changing.
	tickets, settleErr := demo.Settle(ctx, client, baseURL, token, 100*time.Millisecond, 5*time.Second)
	if settleErr != nil && tickets == nil {
		return settleErr
	}
	fmt.Fprintf(out, "\nTickets %s sees (%d):\n", agent, len(tickets))
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  SUBJECT\tCATEGORY\tPRIORITY\tSTATUS")
	for _, t := range tickets {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", t.Subject, t.Category, t.Priority, t.Status)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if settleErr != nil {
		fmt.Fprintf(out, "  (%v; the list may be incomplete)\n", settleErr)
	}

	token, err = demo.Login(ctx, client, baseURL, otherAgent)
	if err != nil {
		return err
	}
	others, more, err := demo.Tickets(ctx, client, baseURL, token)
	if err != nil {
		return err
	}
	plus := ""
	if more {
		plus = "+"
	}
	fmt.Fprintf(out, "\nTickets %s (merchant acme) sees: %d%s\n", otherAgent, len(others), plus)
	return nil
}
