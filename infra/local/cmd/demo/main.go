// Command demo sends signed sample webhooks and customer messages for merchant demo to a
// running `make dev`, then shows the tickets they became, as agent anna@demo.test sees them;
// writes a customer email to demo's support address over SMTP, answers it as anna and shows
// the answer in /dev/outbox, and sends the customer's reply to it, which lands on the same
// ticket; and shows how many tickets merchant acme sees (none: tenants are isolated).
// `make demo`.
//
// BORDERDESK_URL is the running Borderdesk (http://127.0.0.1:8080 by default),
// BORDERDESK_SMTP_ADDR its SMTP listener (127.0.0.1:2525). The secrets are the local ones
// `make dev` seeds, read the same way (BORDERDESK_DEMO_STRIPE_SECRET, …).
package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/mail"
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
	smtpAddr := getenv("BORDERDESK_SMTP_ADDR")
	if smtpAddr == "" {
		smtpAddr = "127.0.0.1:2525"
	}
	var (
		secrets *demo.Secrets
		support mail.Address
	)
	for _, s := range local.DemoSeeds(getenv) {
		if s.Merchant.ID == merchantID {
			v := demo.SecretsOf(s.Merchant, s.Secrets)
			secrets = &v
			support = mail.Address{Name: s.Merchant.Name, Address: s.Merchant.Sender.Address}
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

	if err := mailRound(ctx, out, client, baseURL, smtpAddr, token, support, now); err != nil {
		return err
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

// mailRound shows the email conversation: the customer's mail over SMTP, the ticket it
// became, anna's reply as it left (/dev/outbox, with the headers that thread it), and the
// customer's answer to it landing on the same ticket.
func mailRound(ctx context.Context, out io.Writer, client *http.Client, baseURL, smtpAddr, token string, support mail.Address, now time.Time) error {
	round, err := demo.SendMailRound(ctx, client, baseURL, smtpAddr, token, support, now, 100*time.Millisecond, 10*time.Second)
	fmt.Fprintf(out, "\nEmail from %s to %s over SMTP (%s):\n", round.First.From.Address, round.First.To.Address, smtpAddr)
	if err != nil {
		return fmt.Errorf("%w\n(is the SMTP listener of `make dev` at %s? BORDERDESK_SMTP_ADDR moves it)", err, smtpAddr)
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "  ticket\t%s\t%s (order %s, %s)\n", round.Ticket.ID, round.Ticket.Subject, round.Ticket.OrderID, round.Ticket.Status)
	if len(round.Messages) > 0 && round.Messages[0].Email != nil {
		for _, a := range round.Messages[0].Email.Attachments {
			fmt.Fprintf(tw, "  attachment\t%s\t%s, %d bytes, in the mail bucket\n", a.Filename, a.ContentType, a.Size)
		}
	}
	fmt.Fprintf(tw, "  %s replied; /dev/outbox:\n", agent)
	for _, h := range [][2]string{
		{"To", round.Reply.To.Address}, {"Subject", round.Reply.Subject}, {"Message-ID", round.Reply.MessageID},
		{"In-Reply-To", header(round.Reply, "In-Reply-To")}, {"References", header(round.Reply, "References")},
		{"Reply-To", header(round.Reply, "Reply-To")},
	} {
		fmt.Fprintf(tw, "    %s:\t%s\n", h[0], h[1])
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	customer := 0
	for _, m := range round.Messages {
		if m.Kind == "customer" {
			customer++
		}
	}
	fmt.Fprintf(out, "  The customer answered (to %s, In-Reply-To %s):\n", round.Answer.To.Address, round.Answer.InReplyTo)
	fmt.Fprintf(out, "    it landed on ticket %s: %d customer messages, %d ticket(s) for %s\n", round.Ticket.ID, customer, len(round.Tickets), round.First.From.Address)
	return nil
}

func header(m local.SentMail, name string) string {
	for _, h := range m.Headers {
		if h.Name == name {
			return h.Value
		}
	}
	return ""
}
