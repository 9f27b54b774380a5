// Package local runs all of Borderdesk in one process — the embedded default behind
// `make dev` and the end-to-end tests. It builds the same handlers the Lambdas run, wires
// them from events.Topology exactly as the CDK stack does, and stands in for AWS with
// minidyn's DynamoDB server on loopback (through the real SDK client), an in-process bus, and
// queues with SQS semantics.
package local

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"sync"
	"time"

	lambdaevents "github.com/aws/aws-lambda-go/events"

	"github.com/borderdesk/borderdesk/events"
	"github.com/borderdesk/borderdesk/functions/api"
	"github.com/borderdesk/borderdesk/functions/intake"
	"github.com/borderdesk/borderdesk/functions/notify"
	"github.com/borderdesk/borderdesk/functions/relay"
	"github.com/borderdesk/borderdesk/functions/ticketing"
	"github.com/borderdesk/borderdesk/infra/local/queue"
	"github.com/borderdesk/borderdesk/shared/auth"
	"github.com/borderdesk/borderdesk/shared/dynamo"
	"github.com/borderdesk/borderdesk/shared/dynamo/embedded"
	"github.com/borderdesk/borderdesk/shared/httpjson"
	"github.com/borderdesk/borderdesk/shared/outbox"
	"github.com/borderdesk/borderdesk/shared/s3"
	s3embedded "github.com/borderdesk/borderdesk/shared/s3/embedded"
	"github.com/borderdesk/borderdesk/shared/secretsmanager"
	smembedded "github.com/borderdesk/borderdesk/shared/secretsmanager/embedded"
	"github.com/borderdesk/borderdesk/shared/ticket"
)

// Config configures a local runtime.
type Config struct {
	// DynamoAddr is where the embedded DynamoDB listens ("127.0.0.1:0": any free port).
	DynamoAddr string
	Table      string
	Seeds      []Seed
	JWTSecret  []byte
	// Clock is the time source for handlers, queues and schedules; nil means a
	// queue.NewManualClock on the wall clock. /dev/clock can move it if it is a SettableClock.
	Clock queue.Clock
	Log   *slog.Logger
	// Console serves the agent console at "/" (nil: a short page pointing at the API).
	Console http.Handler
	// Topology is the system to run; nil means events.Topology. Tests pass their own, with
	// QueueHandlers for the consumers only they have.
	Topology      []events.Function
	QueueHandlers map[string]queue.Handler
	// ScheduleHandlers are the handlers of scheduled functions only the test has.
	ScheduleHandlers map[string]ScheduleHandler
	// SMTPRelay ("host:port", optional) also receives every mail notify sends.
	SMTPRelay string
	// SMTPAddr is where the SMTP listener takes customers' mail ("" means "127.0.0.1:0",
	// any free port; `make dev` listens on 127.0.0.1:2525). It must be on loopback unless
	// SMTPBeyondLoopback says otherwise.
	SMTPAddr           string
	SMTPBeyondLoopback bool
	// SMTPMaxBytes caps one inbound mail (0: SES's 40 MB, DefaultSMTPMaxBytes).
	SMTPMaxBytes int64
	// RelayBus wraps the bus the outbox relay publishes to (nil: the bus itself), so tests
	// can make the bus fail after a commit.
	RelayBus func(outbox.Publisher) outbox.Publisher
}

// Runtime is a running local Borderdesk.
type Runtime struct {
	DB      *embedded.DynamoDB
	Store   *dynamo.Store
	Bus     *queue.Bus
	Queues  map[string]*queue.Queue
	Auth    *auth.HMAC
	Handler http.Handler // every route of the topology, plus /dev/login, /dev/queues, /dev/clock
	// Clock is the time every handler, queue and schedule reads (Config.Clock).
	Clock queue.Clock

	// RawBodies is the in-memory S3 holding webhook bodies too large for a table item.
	RawBodies *s3embedded.S3
	// Secrets is the in-process Secrets Manager holding the merchants' webhook secrets,
	// which intake reads through the same adapter as in the cloud.
	Secrets *smembedded.SecretsManager
	// Mail is the outbox notify sends into, in place of SES (GET /dev/outbox).
	Mail *MailOutbox
	// MailBucket is the in-memory S3 bucket of email (MailBucketName): raw inbound mail
	// under events.InboundMailPrefix, as SES receiving stores it, and the attachments kept
	// from it.
	MailBucket *s3embedded.S3
	// SMTP takes customers' mail for the merchants' support addresses (SMTP.Addr()) and
	// hands it to the function that receives mail; nil when the topology has none.
	SMTP *SMTPListener

	relay     *relayLoop
	schedules *scheduler
	cancel    context.CancelFunc
	wg        sync.WaitGroup
}

// Start builds and starts the runtime: the table, the seeds, the queues and their pollers.
func Start(ctx context.Context, cfg Config) (*Runtime, error) {
	if cfg.Clock == nil {
		cfg.Clock = queue.NewManualClock()
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Table == "" {
		cfg.Table = "borderdesk"
	}
	if cfg.DynamoAddr == "" {
		cfg.DynamoAddr = "127.0.0.1:0"
	}
	topology := cfg.Topology
	if topology == nil {
		topology = events.Topology
	}
	now := cfg.Clock.Now
	db, err := embedded.Start(ctx, cfg.DynamoAddr, cfg.Table)
	if err != nil {
		return nil, err
	}
	rt := &Runtime{
		DB:     db,
		Store:  dynamo.New(db.Client, cfg.Table),
		Queues: map[string]*queue.Queue{},
		Auth:   auth.NewHMAC(cfg.JWTSecret, 12*time.Hour, now),
		Clock:  cfg.Clock,
		Mail:   NewMailOutbox(now, cfg.SMTPRelay, cfg.Log.With("component", "mail")),
	}
	if rt.Secrets, err = smembedded.Start("127.0.0.1:0"); err != nil {
		db.Close()
		return nil, err
	}
	webhookSecrets := secretsmanager.New(rt.Secrets.Client, "")
	if err := WriteSeeds(ctx, rt.Store, webhookSecrets, cfg.Seeds); err != nil {
		rt.Secrets.Close()
		db.Close()
		return nil, err
	}
	for _, f := range topology {
		if f.Queue == nil {
			continue
		}
		if rt.Queues[f.Name], err = queue.New(f.Name, *f.Queue, cfg.Clock); err != nil {
			db.Close()
			return nil, err
		}
	}
	if rt.Bus, err = queue.NewBus(topology, rt.Queues, queue.WithClock(cfg.Clock), queue.WithSource(events.SourceIntake),
		queue.WithLogger(cfg.Log.With("component", "bus"))); err != nil {
		db.Close()
		return nil, err
	}
	var relayBus outbox.Publisher = rt.Bus
	if cfg.RelayBus != nil {
		relayBus = cfg.RelayBus(relayBus)
	}
	relayLog := cfg.Log.With("function", events.Relay)
	relayOutbox := outbox.New(relayBus, rt.Store, relayLog)
	rt.relay = newRelayLoop(relayOutbox, relayLog)

	if rt.RawBodies, err = s3embedded.Start(ctx, "127.0.0.1:0", "borderdesk-raw-bodies"); err != nil {
		db.Close()
		return nil, err
	}
	// A bucket of its own, as in the cloud: mail and webhook bodies expire and are read by
	// different functions.
	if rt.MailBucket, err = s3embedded.Start(ctx, "127.0.0.1:0", MailBucketName); err != nil {
		rt.RawBodies.Close()
		db.Close()
		return nil, err
	}
	mailObjects := s3.NewObjects(rt.MailBucket.Client, rt.MailBucket.Bucket)
	intakeHandler := intake.New(intake.Config{
		Providers: intake.Providers(), Store: rt.Store, Secrets: webhookSecrets, Bodies: rt.RawBodies.Bodies(), Bus: rt.Bus, Now: now, Log: cfg.Log.With("function", events.Intake), NewID: rand.Text,
		Metrics: metricsFor(cfg.Log, events.Intake), Mail: mailObjects,
	})
	// The same constructors the Lambda mains call, with local adapters.
	httpFns := map[string]http.Handler{
		events.Intake: intakeHandler,
		// A cursor key per runtime start: one process verifies what it signed.
		// Attachment links are signed for the embedded mail bucket's own address, which the
		// agent's browser on this machine reaches as it reaches S3 in the cloud.
		events.API: api.New(rt.Store, rt.Auth, now, rand.Text, cfg.Log.With("function", events.API), api.Cursors(ticket.NewRandomCursors()),
			api.Metrics(metricsFor(cfg.Log, events.API)), api.Attachments(s3.NewLinks(rt.MailBucket.Client, rt.MailBucket.Bucket, now))),
	}
	queueFns := map[string]queue.Handler{
		events.Ticketing: ticketing.New(rt.Store, now, cfg.Log.With("function", events.Ticketing), ticketing.Metrics(metricsFor(cfg.Log, events.Ticketing))).Handle,
		// The outbox stands in for SES and publishes SES's delivery events on the bus; failed
		// sends back off on the local queue as on SQS.
		events.Notify: notify.New(rt.Store, rt.Mail.SES(rt.Bus), now, cfg.Log.With("function", events.Notify),
			notify.Metrics(metricsFor(cfg.Log, events.Notify)), notify.Backoff(queue.VisibilityOf(rt.Queues))).Handle,
	}
	maps.Copy(queueFns, cfg.QueueHandlers)
	scheduleFns := map[string]ScheduleHandler{
		// The relay Lambda's own handler, as its schedule rule invokes it, taking turns with
		// the sweep loop.
		events.Relay: relaySchedule(relay.New(relayOutbox, now, relayLog, relay.Metrics(metricsFor(cfg.Log, events.Relay))), rt.relay),
	}
	maps.Copy(scheduleFns, cfg.ScheduleHandlers)
	// What a function commits to the outbox is relayed as soon as its handler returns; the
	// others (intake publishes itself) cost the relay nothing.
	for _, f := range topology {
		if !f.Outbox {
			continue
		}
		if h, ok := httpFns[f.Name]; ok {
			httpFns[f.Name] = wakeAfter(h, rt.relay)
		}
		if h, ok := queueFns[f.Name]; ok {
			queueFns[f.Name] = func(ctx context.Context, ev lambdaevents.SQSEvent) (lambdaevents.SQSEventResponse, error) {
				defer rt.relay.Wake()
				return h(ctx, ev)
			}
		}
		if h, ok := scheduleFns[f.Name]; ok {
			scheduleFns[f.Name] = func(ctx context.Context, ev lambdaevents.EventBridgeEvent) error {
				defer rt.relay.Wake()
				return h(ctx, ev)
			}
		}
	}
	streamFns := map[string]bool{events.Relay: true} // driven by rt.relay
	// The function SES receiving delivers to in the cloud takes the SMTP listener's mail.
	mailFns := map[string]MailReceiver{events.Intake: intakeHandler}
	mux, pollers, err := wire(topology, httpFns, queueFns, streamFns, rt.Queues, cfg.Log)
	if err == nil {
		rt.schedules, err = wireSchedules(topology, scheduleFns, cfg.Clock, cfg.Log.With("component", "scheduler"))
	}
	var mailReceiver MailReceiver
	if err == nil {
		mailReceiver, err = mailReceiverOf(topology, mailFns)
	}
	if err != nil {
		db.Close()
		return nil, err
	}
	mux.Handle("POST /dev/login", devLogin(rt.Store, rt.Auth, cfg.Log))
	opsRoutes(mux, rt.Queues, cfg.Log)
	clockRoutes(mux, rt, cfg.Log)
	outboxRoutes(mux, rt.Mail)
	console := cfg.Console
	if console == nil {
		console = http.HandlerFunc(placeholder)
	}
	// The console answers GETs of every other path (the app's own routes); anything else the
	// runtime has no route for is a JSON 404, or 405 with Allow, as the API and intake answer.
	noRoute := httpjson.NoRoute(mux, cfg.Log)
	mux.Handle("/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			console.ServeHTTP(w, r)
			return
		}
		noRoute.ServeHTTP(w, r)
	}))
	// Unknown API paths get the API's JSON 404, not the console.
	mux.Handle("/api/", httpFns[events.API])
	// An unclean path ("//api/v1/tickets") is a JSON 404, not ServeMux's redirect.
	rt.Handler = withRequestID(httpjson.Canonical(mux, cfg.Log))

	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	rt.cancel = cancel
	if mailReceiver != nil {
		addr := cfg.SMTPAddr
		if addr == "" {
			addr = "127.0.0.1:0"
		}
		rt.SMTP, err = StartSMTP(runCtx, addr, cfg.SMTPBeyondLoopback, cfg.SMTPMaxBytes, mailReceiver, mailObjects,
			now, rand.Text, cfg.Log.With("component", "smtp"))
		if err != nil {
			cancel()
			rt.MailBucket.Close()
			rt.RawBodies.Close()
			rt.Secrets.Close()
			db.Close()
			return nil, err
		}
	}
	for _, p := range pollers {
		rt.wg.Go(func() {
			if err := p.Run(runCtx); err != nil && !errors.Is(err, context.Canceled) {
				cfg.Log.Error("poller stopped", "queue", p.Queue.Name(), "err", err.Error())
			}
		})
	}
	rt.wg.Go(func() { _ = rt.relay.Run(runCtx) })
	rt.wg.Go(func() { rt.schedules.Run(runCtx) })
	return rt, nil
}

// wakeAfter wakes the relay when a request is done: what it committed to the outbox moves on.
func wakeAfter(next http.Handler, relay *relayLoop) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer relay.Wake()
		next.ServeHTTP(w, r)
	})
}

// consumerConcurrency is how many batches each local consumer works at once. One: every
// batch ends in table transactions, and the embedded table serves one request at a time, so
// a second worker only queues behind the first — and in front of intake's acknowledgements.
const consumerConcurrency = 1

// wire mounts every function of topo on a mux (HTTP routes) or a poller (queues). A
// function of the topology without a local handler of the right kind is an error, so the
// local runtime cannot silently lack what the cloud stack deploys. streamFns names the
// functions with a local stream driver (the relay's sweep loop).
func wire(topo []events.Function, httpFns map[string]http.Handler, queueFns map[string]queue.Handler,
	streamFns map[string]bool, queues map[string]*queue.Queue, log *slog.Logger) (*http.ServeMux, []*queue.Poller, error) {
	mux := http.NewServeMux()
	var pollers []*queue.Poller
	for _, f := range topo {
		if len(f.Routes) > 0 {
			h, ok := httpFns[f.Name]
			if !ok {
				return nil, nil, fmt.Errorf("local runtime: function %q has routes but no HTTP handler", f.Name)
			}
			for _, r := range f.Routes {
				mux.Handle(r.Pattern(), h)
			}
		}
		if len(f.Consumes) > 0 {
			h, ok := queueFns[f.Name]
			if !ok || queues[f.Name] == nil {
				return nil, nil, fmt.Errorf("local runtime: function %q consumes events but has no queue handler", f.Name)
			}
			pollers = append(pollers, &queue.Poller{Queue: queues[f.Name], Handler: h, Concurrency: consumerConcurrency, Logger: log.With("function", f.Name)})
		}
		if f.Stream && !streamFns[f.Name] {
			return nil, nil, fmt.Errorf("local runtime: function %q is fed the table's stream but has no local driver", f.Name)
		}
		// Schedules are wired by wireSchedules.
	}
	return mux, pollers, nil
}

// WaitIdle blocks until every queue has nothing visible or in flight and the outbox is
// empty, with no relay sweep running in between: the system has nothing left to do.
func (rt *Runtime) WaitIdle(ctx context.Context) error {
	defer rt.relay.settle() // however it returns, no sweep is left half done
	for {
		quiet, sweeps := rt.relay.quiet()
		if err := rt.queuesIdle(ctx); err != nil {
			return err
		}
		// A table that fails to answer (an emulated outage) is not idle: look again.
		pending, err := rt.Store.PendingOutbox(ctx, time.Time{}, 1)
		if len(pending) == 0 && err == nil && quiet {
			if err := rt.queuesIdle(ctx); err != nil {
				return err
			}
			if still, n := rt.relay.quiet(); still && n == sweeps {
				return nil
			}
		}
		rt.relay.Wake()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// queuesIdle waits for every queue to have nothing visible or in flight.
func (rt *Runtime) queuesIdle(ctx context.Context) error {
	for _, q := range rt.Queues {
		if err := q.WaitIdle(ctx); err != nil {
			return err
		}
	}
	return nil
}

// Close stops taking mail, then the pollers, the embedded buckets and DynamoDB.
func (rt *Runtime) Close() error {
	if rt.SMTP != nil {
		rt.SMTP.Close()
	}
	rt.cancel()
	rt.wg.Wait()
	rt.MailBucket.Close()
	rt.RawBodies.Close()
	rt.Secrets.Close()
	return rt.DB.Close()
}

func withRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Request-Id") == "" {
			r.Header.Set("X-Request-Id", "req_"+rand.Text()[:16])
		}
		w.Header().Set("X-Request-Id", r.Header.Get("X-Request-Id"))
		next.ServeHTTP(w, r)
	})
}

func placeholder(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/" {
		httpjson.Write(w, http.StatusNotFound, httpjson.Error{Error: "not_found", Message: "no such page: the console is not built into this binary"})
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintln(w, "Borderdesk local runtime. The console is not built into this binary; the API is at /api/v1 (see README.md).")
}
