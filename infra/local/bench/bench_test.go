package bench

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/borderdesk/borderdesk/events"
	"github.com/borderdesk/borderdesk/functions/intake"
	"github.com/borderdesk/borderdesk/infra/local"
	"github.com/borderdesk/borderdesk/infra/local/demo"
	"github.com/borderdesk/borderdesk/infra/local/queue"
	"github.com/borderdesk/borderdesk/shared/dynamo"
	"github.com/borderdesk/borderdesk/shared/dynamo/embedded"
	"github.com/borderdesk/borderdesk/shared/providers/stripe"
	"github.com/borderdesk/borderdesk/shared/secretsmanager"
	smembedded "github.com/borderdesk/borderdesk/shared/secretsmanager/embedded"
)

const (
	merchantID = "demo"
	// workers is how many webhooks are in flight at once in the throughput benchmark: a
	// provider retrying a backlog, or several providers at once.
	workers = 32
	// phaseLimit bounds any one phase (posting, draining the queues).
	phaseLimit = 3 * time.Minute
	// totalSample is how many webhooks are followed through ticketing to count the table
	// requests of the whole path.
	totalSample = 100
)

// BenchmarkWebhookThroughput posts b.N distinct signed Stripe webhooks (each a failed
// payment for its own order) from 32 concurrent keep-alive connections and reports the
// accepted webhooks per second, measured from the first post to the last answer.
//
// The sub-benchmarks differ in what runs behind intake:
//
//   - intake: intake alone, built as its Lambda main builds it, on the embedded DynamoDB,
//     publishing to ticketing's queue through the local bus — with nothing consuming the
//     queue. Every table request during the posting phase is then intake's own, so
//     "ddb-req/webhook" is exactly intake's table cost per accepted webhook. (In the full
//     runtime ticketing's poller writes to the same table while webhooks arrive, and its
//     requests cannot be told apart from intake's.)
//   - system: the whole local runtime (local.Start), so ticketing competes for the same two
//     cores while intake answers. Before the timed phase, totalSample webhooks are posted and
//     ticketed to completion, untimed, and the table requests of intake and ticketing
//     together per webhook are reported as "ddb-req/webhook-total". The timed phase does not
//     wait for ticketing to catch up: on minidyn its cost grows with the table (see
//     BENCHMARKS.md), so draining b.N events would take time quadratic in b.N.
//
// Both warm up first (one webhook per worker: connections opened, the merchant cached by
// intake), outside the measurement.
func BenchmarkWebhookThroughput(b *testing.B) {
	b.Run("intake", func(b *testing.B) {
		url, db, secret := bootIntake(b)
		client := newClient()
		mustPost(b, client, url, signedWebhooks(workers, secret, "warm"))
		before := db.Requests()
		accepted, rate := postConcurrently(b, client, url, signedWebhooks(b.N, secret, "run"))
		b.ReportMetric(rate, "webhooks/s")
		b.ReportMetric(float64(db.Requests()-before)/float64(accepted), "ddb-req/webhook")
	})
	b.Run("system", func(b *testing.B) {
		url, rt, secret := bootSystem(b)
		client := newClient()
		mustPost(b, client, url, signedWebhooks(workers, secret, "warm"))
		waitIdle(b, rt)
		before := rt.DB.Requests()
		mustPost(b, client, url, signedWebhooks(totalSample, secret, "sample"))
		waitIdle(b, rt)
		total := float64(rt.DB.Requests()-before) / totalSample
		_, rate := postConcurrently(b, client, url, signedWebhooks(b.N, secret, "run"))
		b.ReportMetric(rate, "webhooks/s")
		b.ReportMetric(total, "ddb-req/webhook-total")
	})
}

// BenchmarkAckLatency sends webhooks open-loop at a steady 200 per second — each at its
// scheduled time, whether or not earlier ones were answered — and reports the percentiles
// of the time from the scheduled send to the answer, so a stall shows in the latencies
// rather than slowing the schedule (no coordinated omission).
//
// As in BenchmarkWebhookThroughput, "intake" is intake alone and "system" the whole local
// runtime, where ticketing works through the same events meanwhile; "ticketing-backlog" is
// how many it still had queued when the last answer came (it is not waited for).
//
// Each runs a fixed schedule (ackCount webhooks, 10 s) whatever b.N is, and suppresses
// ns/op, which would only restate the schedule's length.
func BenchmarkAckLatency(b *testing.B) {
	b.Run("intake", func(b *testing.B) {
		url, _, secret := bootIntake(b)
		ackLatency(b, url, secret, nil)
	})
	b.Run("system", func(b *testing.B) {
		url, rt, secret := bootSystem(b)
		ackLatency(b, url, secret, rt)
	})
}

func ackLatency(b *testing.B, url, secret string, rt *local.Runtime) {
	const (
		rate     = 200
		ackCount = 2000
		interval = time.Second / rate
	)
	client := newClient()
	mustPost(b, client, url, signedWebhooks(workers, secret, "warm"))
	if rt != nil {
		waitIdle(b, rt)
	}
	hooks := signedWebhooks(ackCount, secret, "run")

	ctx, cancel := context.WithTimeout(b.Context(), ackCount*interval+phaseLimit)
	defer cancel()
	latencies := make([]time.Duration, ackCount)
	var (
		wg       sync.WaitGroup
		failures atomic.Int64
		firstErr error
		errOnce  sync.Once
	)
	b.ResetTimer()
	start := time.Now()
	for i, w := range hooks {
		due := start.Add(time.Duration(i) * interval)
		time.Sleep(time.Until(due))
		if ctx.Err() != nil {
			break
		}
		wg.Go(func() {
			err := post(ctx, client, url, w)
			latencies[i] = time.Since(due)
			if err != nil {
				failures.Add(1)
				errOnce.Do(func() { firstErr = err })
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if firstErr != nil {
		b.Fatalf("%d of %d webhooks failed; first: %v", failures.Load(), ackCount, firstErr)
	}
	if err := ctx.Err(); err != nil {
		b.Fatalf("schedule did not finish: %v", err)
	}

	slices.Sort(latencies)
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(float64(ackCount)/elapsed.Seconds(), "req/s")
	b.ReportMetric(ms(percentile(latencies, 0.50)), "p50-ms")
	b.ReportMetric(ms(percentile(latencies, 0.99)), "p99-ms")
	b.ReportMetric(ms(latencies[len(latencies)-1]), "max-ms")
	if rt != nil {
		backlog := rt.Queues[events.Ticketing].Stats()
		b.ReportMetric(float64(backlog.Visible+backlog.InFlight), "ticketing-backlog")
	}
}

// percentile is the nearest-rank q-quantile of sorted.
func percentile(sorted []time.Duration, q float64) time.Duration {
	i := int(q*float64(len(sorted))+0.999999) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

// signed is a webhook body with its Stripe-Signature header.
type signed struct {
	body      []byte
	signature string
}

// signedWebhooks returns n distinct Stripe payment_intent.payment_failed webhooks, each
// about its own order, signed now with secret. Signing happens here, before any timing: it
// is the provider's work, not Borderdesk's. The 300 s signature tolerance leaves ample time
// to send them.
func signedWebhooks(n int, secret, batch string) []signed {
	now := time.Now()
	out := make([]signed, n)
	for i := range out {
		body := demo.PaymentFailed("bench/"+batch+"/"+strconv.Itoa(i), now, batch+"-"+strconv.Itoa(100000+i))
		out[i] = signed{body: body, signature: stripe.Sign(body, secret, now)}
	}
	return out
}

// postConcurrently posts hooks from workers goroutines, timed, and returns how many were
// accepted and the rate. Any webhook not accepted fails the benchmark.
func postConcurrently(b *testing.B, client *http.Client, url string, hooks []signed) (accepted int, perSecond float64) {
	b.Helper()
	ctx, cancel := context.WithTimeout(b.Context(), phaseLimit)
	defer cancel()
	var (
		next  atomic.Int64
		count atomic.Int64
		wg    sync.WaitGroup
		mu    sync.Mutex
		errs  []error
	)
	b.ResetTimer()
	start := time.Now()
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(hooks) || ctx.Err() != nil {
					return
				}
				if err := post(ctx, client, url, hooks[i]); err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
					cancel()
					return
				}
				count.Add(1)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if err := errors.Join(errs...); err != nil {
		b.Fatalf("posting webhooks: %v", err)
	}
	if n := int(count.Load()); n != len(hooks) {
		b.Fatalf("%d of %d webhooks accepted: %v", n, len(hooks), ctx.Err())
	}
	return len(hooks), float64(len(hooks)) / elapsed.Seconds()
}

// mustPost posts hooks concurrently, untimed: the warm-up.
func mustPost(b *testing.B, client *http.Client, url string, hooks []signed) {
	b.Helper()
	ctx, cancel := context.WithTimeout(b.Context(), phaseLimit)
	defer cancel()
	errs := make([]error, len(hooks))
	var wg sync.WaitGroup
	for i, w := range hooks {
		wg.Go(func() { errs[i] = post(ctx, client, url, w) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		b.Fatalf("warm-up: %v", err)
	}
}

var accepted = []byte(`"status":"accepted"`)

// post sends one webhook and returns an error unless intake accepted it.
func post(ctx context.Context, client *http.Client, url string, w signed) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(w.body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(stripe.SignatureHeader, w.signature)
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10)) // read to the end: the connection is reused
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK || !bytes.Contains(body, accepted) {
		return fmt.Errorf("%s: %s", resp.Status, bytes.TrimSpace(body))
	}
	return nil
}

// newClient is a keep-alive client that holds a connection per worker.
func newClient() *http.Client {
	return &http.Client{
		Timeout: 30 * time.Second,
		Transport: &http.Transport{
			MaxIdleConns: 2 * workers, MaxIdleConnsPerHost: 2 * workers,
			IdleConnTimeout: time.Minute, DisableCompression: true,
		},
	}
}

func quiet() *slog.Logger { return slog.New(slog.NewJSONHandler(io.Discard, nil)) }

func noEnv(string) string { return "" }

// serve serves h on a loopback port until the benchmark ends and returns its base URL.
func serve(b *testing.B, h http.Handler) string {
	b.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	b.Cleanup(func() { _ = srv.Close() })
	return "http://" + ln.Addr().String()
}

// bootSystem starts the whole local runtime and returns the URL of merchant demo's Stripe
// webhook endpoint.
func bootSystem(b *testing.B) (url string, rt *local.Runtime, secret string) {
	b.Helper()
	seeds := local.DemoSeeds(noEnv)
	rt, err := local.Start(b.Context(), local.Config{Seeds: seeds, JWTSecret: local.JWTSecret(noEnv), Log: quiet()})
	if err != nil {
		b.Fatalf("local.Start: %v", err)
	}
	b.Cleanup(func() { _ = rt.Close() })
	return serve(b, rt.Handler) + "/webhooks/" + merchantID + "/" + stripe.Name, rt, stripeSecret(b, seeds)
}

// bootIntake starts intake alone (see BenchmarkWebhookThroughput) and returns the URL of
// merchant demo's Stripe webhook endpoint.
func bootIntake(b *testing.B) (url string, db *embedded.DynamoDB, secret string) {
	b.Helper()
	ctx := b.Context()
	const table = "borderdesk"
	db, err := embedded.Start(ctx, "127.0.0.1:0", table)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = db.Close() })
	now := queue.SystemClock{}.Now
	store := dynamo.New(db.Client, table)
	sm, err := smembedded.Start("127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = sm.Close() })
	secrets := secretsmanager.New(sm.Client, "")
	seeds := local.DemoSeeds(noEnv)
	if err := local.WriteSeeds(ctx, store, secrets, seeds); err != nil {
		b.Fatal(err)
	}
	queues := map[string]*queue.Queue{}
	for _, f := range events.Topology {
		if f.Queue != nil {
			if queues[f.Name], err = queue.New(f.Name, *f.Queue, queue.SystemClock{}); err != nil {
				b.Fatal(err)
			}
		}
	}
	bus, err := queue.NewBus(events.Topology, queues)
	if err != nil {
		b.Fatal(err)
	}
	h := intake.New(intake.Config{
		Providers: intake.Providers(), Store: store, Secrets: secrets, Bus: bus, Now: now, Log: quiet(), NewID: rand.Text,
	})
	return serve(b, h) + "/webhooks/" + merchantID + "/" + stripe.Name, db, stripeSecret(b, seeds)
}

func stripeSecret(b *testing.B, seeds []local.Seed) string {
	b.Helper()
	for _, s := range seeds {
		if s.Merchant.ID == merchantID {
			return demo.SecretsOf(s.Merchant, s.Secrets).Stripe
		}
	}
	b.Fatalf("no seeded merchant %q", merchantID)
	return ""
}

// waitIdle waits, untimed and bounded, until ticketing has applied everything.
func waitIdle(b *testing.B, rt *local.Runtime) {
	b.Helper()
	ctx, cancel := context.WithTimeout(b.Context(), phaseLimit)
	defer cancel()
	if err := rt.WaitIdle(ctx); err != nil {
		b.Fatalf("ticketing did not drain: %v", err)
	}
	for name, q := range rt.Queues {
		if n := len(q.DLQ()); n > 0 {
			b.Fatalf("queue %s dead-lettered %d events", name, n)
		}
	}
}
