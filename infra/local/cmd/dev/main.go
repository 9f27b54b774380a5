// Command dev runs all of Borderdesk locally on http://localhost:8080: `make dev`.
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/borderdesk/borderdesk/infra/local"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "dev:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, getenv func(string) string, out io.Writer) error {
	addr := getenv("BORDERDESK_ADDR")
	if addr == "" {
		addr = "127.0.0.1:8080"
	}
	level := slog.LevelInfo
	if getenv("BORDERDESK_LOG") == "debug" {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewJSONHandler(out, &slog.HandlerOptions{Level: level}))
	onNetwork, err := devRoutesOnNetwork(getenv)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s (set BORDERDESK_ADDR to use another address): %w", addr, err)
	}
	defer ln.Close()
	if err := checkExposure(addr, ln.Addr(), onNetwork); err != nil {
		return err
	}
	smtpAddr := getenv("BORDERDESK_SMTP_ADDR")
	if smtpAddr == "" {
		smtpAddr = "127.0.0.1:2525"
	}
	seeds := local.DemoSeeds(getenv)
	rt, err := local.Start(ctx, local.Config{
		DynamoAddr: getenv("BORDERDESK_DYNAMODB_ADDR"), Seeds: seeds, JWTSecret: local.JWTSecret(getenv), Log: log,
		Console: local.Console(getenv("BORDERDESK_CONSOLE_DIR")), SMTPRelay: getenv("BORDERDESK_SMTP_RELAY"),
		// The SMTP listener takes mail for every merchant unchecked: beyond loopback only on
		// the same stated decision as /dev/*.
		SMTPAddr: smtpAddr, SMTPBeyondLoopback: onNetwork,
	})
	if err != nil {
		return err
	}
	defer rt.Close()
	// The embedded table answers anyone who reaches it, without credentials: every
	// merchant's tickets and agents. Beyond loopback only on the same stated decision.
	if dbAddr := strings.TrimPrefix(rt.DB.URL, "http://"); !onNetwork && !isLoopback(dbAddr) {
		return fmt.Errorf("refusing to serve DynamoDB on BORDERDESK_DYNAMODB_ADDR=%s (%s), beyond loopback: anyone who can reach it can read and write every merchant's table. "+
			"Use a loopback address, or set %s=1 to allow it", getenv("BORDERDESK_DYNAMODB_ADDR"), dbAddr, devRoutesSetting)
	}
	srv := &http.Server{Handler: rt.Handler, ReadHeaderTimeout: 10 * time.Second}
	if onNetwork && !ln.Addr().(*net.TCPAddr).IP.IsLoopback() {
		fmt.Fprintf(out, "\nWARNING: %s=1: anyone who can reach %s can sign in as any seeded agent and move the clock.\n", devRoutesSetting, ln.Addr())
	}
	if onNetwork && !isLoopback(strings.TrimPrefix(rt.DB.URL, "http://")) {
		fmt.Fprintf(out, "\nWARNING: %s=1: anyone who can reach %s can read and write every merchant's table.\n", devRoutesSetting, rt.DB.URL)
	}
	if onNetwork && !isLoopback(rt.SMTP.Addr()) {
		fmt.Fprintf(out, "\nWARNING: %s=1: anyone who can reach %s can mail into every merchant's inbox, unchecked.\n", devRoutesSetting, rt.SMTP.Addr())
	}
	fmt.Fprintf(out, "\nBorderdesk is running on http://%s (DynamoDB: %s)\n", ln.Addr(), rt.DB.URL)
	for _, s := range seeds {
		fmt.Fprintf(out, "  merchant %-5s agents:", s.Merchant.ID)
		for _, a := range s.Agents {
			fmt.Fprintf(out, " %s", a.Email)
		}
		fmt.Fprintln(out)
	}
	fmt.Fprintf(out, "Mail: smtp://%s takes mail for", rt.SMTP.Addr())
	for _, s := range seeds {
		fmt.Fprintf(out, " %s", s.Merchant.Sender.Address)
	}
	fmt.Fprintf(out, " (swaks --server %s --to %s); sent mail: curl -s http://%s/dev/outbox\n", rt.SMTP.Addr(), seeds[0].Merchant.Sender.Address, ln.Addr())
	fmt.Fprintf(out, "Sign in: curl -s -XPOST http://%s/dev/login -d '{\"email\":\"anna@demo.test\"}'\nSample traffic: make demo\n", ln.Addr())
	fmt.Fprintf(out, "Clock: %s (move it: curl -s -XPOST http://%s/dev/clock -d '{\"advance\":\"90m\"}')\n\n", rt.Clock.Now().Format(time.RFC3339), ln.Addr())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case <-ctx.Done():
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return srv.Shutdown(shutdown)
	case err := <-errc:
		return err
	}
}

// devRoutesSetting lets the local runtime listen beyond loopback. Its /dev/* routes sign
// anyone in as any seeded agent without a password, move the clock and redrive queues, so
// serving them to a network is a decision someone has to state.
const devRoutesSetting = "BORDERDESK_DEV_ROUTES_ON_NETWORK"

// devRoutesOnNetwork reads devRoutesSetting: "1" allows, "" or "0" does not; anything else is
// refused rather than guessed at.
func devRoutesOnNetwork(getenv func(string) string) (bool, error) {
	switch v := getenv(devRoutesSetting); v {
	case "", "0":
		return false, nil
	case "1":
		return true, nil
	default:
		return false, fmt.Errorf("%s=%q: set it to 1 to serve /dev/* beyond loopback, or leave it unset", devRoutesSetting, v)
	}
}

// checkExposure refuses an address beyond loopback (0.0.0.0, a LAN address) unless
// devRoutesSetting says so. It refuses rather than serving without /dev/*: the console signs
// in through /dev/login and `make demo` signs in through it too, so a runtime without them
// would look broken in confusing ways, while a refusal says exactly what to decide.
func checkExposure(asked string, addr net.Addr, allowed bool) error {
	tcp, ok := addr.(*net.TCPAddr)
	if allowed || (ok && tcp.IP.IsLoopback()) {
		return nil
	}
	return fmt.Errorf("refusing to serve on BORDERDESK_ADDR=%s (%s), beyond loopback: /dev/login signs anyone in without a password and /dev/clock moves time. "+
		"Use BORDERDESK_ADDR=127.0.0.1:8080, or set %s=1 to expose them on purpose", asked, addr, devRoutesSetting)
}

func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	ip := net.ParseIP(host)
	return err == nil && ip != nil && ip.IsLoopback()
}
