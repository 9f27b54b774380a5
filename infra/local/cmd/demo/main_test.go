package main

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/borderdesk/borderdesk/infra/local"
)

// TestRunShowsDemoTicketsAndNoneForAcme, on the wall clock and after /dev/clock moved the
// runtime's time ahead of it: the demo signs at the runtime's time, so intake accepts it.
func TestRunShowsDemoTicketsAndNoneForAcme(t *testing.T) {
	for _, advance := range []time.Duration{0, 90 * time.Minute} {
		t.Run("advanced "+advance.String(), func(t *testing.T) {
			noEnv := func(string) string { return "" }
			rt, err := local.Start(t.Context(), local.Config{
				Seeds: local.DemoSeeds(noEnv), JWTSecret: local.JWTSecret(noEnv), Log: slog.New(slog.NewTextHandler(t.Output(), nil)),
			})
			if err != nil {
				t.Fatalf("local.Start: %v", err)
			}
			t.Cleanup(func() {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				_ = rt.WaitIdle(ctx)
				_ = rt.Close()
			})
			if advance > 0 {
				if _, _, err := rt.AdvanceClock(t.Context(), advance); err != nil {
					t.Fatal(err)
				}
			}
			srv := httptest.NewServer(rt.Handler)
			t.Cleanup(srv.Close)

			var out strings.Builder
			getenv := func(k string) string {
				switch k {
				case "BORDERDESK_URL":
					return srv.URL
				case "BORDERDESK_SMTP_ADDR":
					return rt.SMTP.Addr()
				}
				return ""
			}
			if err := run(t.Context(), getenv, &out); err != nil {
				t.Fatalf("run: %v\n%s", err, &out)
			}
			for _, want := range []string{
				`202  message in German \(order 10482\)`,
				`Tickets anna@demo.test sees \(5\):`,
				`\n +SUBJECT +CATEGORY +PRIORITY +STATUS\n`,
				`\n +Payment failed for order 10482 +payment_failed +normal +open\n`,
				`\n +Delivery problem with order 10479 +shipping_exception +high +open\n`,
				`Email from jonas.weber@example.de to support@demo.test over SMTP`,
				`\n  ticket +\S+ +.+\(order 10503, open\)\n`,
				`\n  attachment +karton-eingedrückt.png +image/png, \d+ bytes, in the mail bucket\n`,
				`\n +To: +jonas.weber@example.de\n`,
				`\n +Subject: +Re: .*\n`,
				`\n +In-Reply-To: +<ticket-\S+@demo.test>\n`,
				`\n +Reply-To: +.*<support\+\S+@demo.test>\n`,
				`The customer answered \(to support\+\S+@demo.test, In-Reply-To <reply-\S+@demo.test>\)`,
				`it landed on ticket \S+: 2 customer messages, 1 ticket\(s\) for jonas.weber@example.de\n`,
				`Tickets jo@acme.test \(merchant acme\) sees: 0\n`,
			} {
				if !regexp.MustCompile(want).MatchString(out.String()) {
					t.Errorf("run output does not match %q:\n%s", want, &out)
				}
			}
		})
	}
}

func TestRunFailsWithoutServer(t *testing.T) {
	srv := httptest.NewServer(nil)
	url := srv.URL
	srv.Close()
	var out strings.Builder
	err := run(t.Context(), func(k string) string {
		if k == "BORDERDESK_URL" {
			return url
		}
		return ""
	}, &out)
	if err == nil || !strings.Contains(err.Error(), "make dev") {
		t.Errorf("run against a closed server = %v; want an error pointing at make dev", err)
	}
}
