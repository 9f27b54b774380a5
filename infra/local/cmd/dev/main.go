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
	seeds := local.DemoSeeds(getenv)
	rt, err := local.Start(ctx, local.Config{
		DynamoAddr: getenv("BORDERDESK_DYNAMODB_ADDR"), Seeds: seeds, JWTSecret: local.JWTSecret(getenv), Log: log,
		Console: local.Console(getenv("BORDERDESK_CONSOLE_DIR")),
	})
	if err != nil {
		return err
	}
	defer rt.Close()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s (set BORDERDESK_ADDR to use another address): %w", addr, err)
	}
	srv := &http.Server{Handler: rt.Handler, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(out, "\nBorderdesk is running on http://%s (DynamoDB: %s)\n", ln.Addr(), rt.DB.URL)
	for _, s := range seeds {
		fmt.Fprintf(out, "  merchant %-5s agents:", s.Merchant.ID)
		for _, a := range s.Agents {
			fmt.Fprintf(out, " %s", a.Email)
		}
		fmt.Fprintln(out)
	}
	fmt.Fprintf(out, "Sign in: curl -s -XPOST http://%s/dev/login -d '{\"email\":\"anna@demo.test\"}'\nSample traffic: make demo\n\n", ln.Addr())
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
