// Package intake is the front door for providers and customers: it verifies webhooks,
// deduplicates and archives them in one conditional write, and publishes the catalog events
// they map to. It answers fast and never stores anything it could not verify.
package intake

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/borderdesk/borderdesk/events"
	"github.com/borderdesk/borderdesk/shared/dynamo"
	"github.com/borderdesk/borderdesk/shared/errs"
	"github.com/borderdesk/borderdesk/shared/httpjson"
	"github.com/borderdesk/borderdesk/shared/merchant"
	"github.com/borderdesk/borderdesk/shared/providers/aftership"
	"github.com/borderdesk/borderdesk/shared/providers/provider"
	"github.com/borderdesk/borderdesk/shared/providers/stripe"
	"github.com/borderdesk/borderdesk/shared/s3"
)

// Limits on what intake accepts.
const (
	MaxWebhookBytes = 1 << 20  // 1 MiB
	MaxMessageBytes = 64 << 10 // 64 KiB
	MaxMessageText  = 10_000   // characters
	// MaxInlineBody is the largest raw body the receipt item holds itself; a larger one goes
	// to Config.Bodies and the item points at it. DynamoDB refuses items over 400 KB, and a
	// write costs one unit per KB: 100 KiB keeps every receipt far inside the limit and its
	// cost bounded, while the few-KB bodies most webhooks have cost no second request.
	MaxInlineBody = 100 << 10
)

// Provider verifies and parses one provider's webhooks.
type Provider interface {
	Name() string
	Verify(h http.Header, body []byte, secrets []string, now time.Time) error
	Parse(merchantID string, body []byte) (provider.Parsed, error)
}

// Store is what intake needs of the table.
type Store interface {
	GetMerchant(ctx context.Context, id string) (merchant.Merchant, error)
	RecordReceipt(ctx context.Context, r dynamo.Receipt) error
	MarkPublished(ctx context.Context, merchantID, provider, eventID string, at time.Time) error
}

var _ Store = (*dynamo.Store)(nil)

// BodyStore keeps raw bodies too large for a receipt item (a claim check).
type BodyStore interface {
	// PutBody stores body under key and returns the bucket that holds it.
	PutBody(ctx context.Context, key string, body []byte) (bucket string, err error)
}

var _ BodyStore = (*s3.Bodies)(nil)

// Publisher puts events on the bus.
type Publisher interface {
	Publish(ctx context.Context, evs ...events.Event) error
}

// Config is everything intake depends on.
type Config struct {
	Providers []Provider
	Store     Store
	// Bodies keeps raw bodies over MaxInlineBody. Without it such bodies are refused (413)
	// rather than written into an item DynamoDB would refuse.
	Bodies BodyStore
	Bus    Publisher
	Now    func() time.Time
	Log    *slog.Logger
	// Retain is how long raw bodies are archived (TTL); 30 days when zero.
	Retain time.Duration
	// MerchantTTL is how long a merchant's secrets are cached in a warm function; 1 minute
	// when zero. A rotated secret takes effect within it.
	MerchantTTL time.Duration
	// NewID returns a fresh message id for customer messages without an Idempotency-Key.
	NewID func() string
}

// Handler serves intake's routes.
type Handler struct {
	cfg       Config
	providers map[string]Provider
	merchants merchantCache
	mux       *http.ServeMux
	serve     http.Handler // mux behind the clean-path check
}

// New returns intake's HTTP handler.
func New(cfg Config) *Handler {
	if cfg.Retain == 0 {
		cfg.Retain = dynamo.ReceiptRetention
	}
	if cfg.MerchantTTL == 0 {
		cfg.MerchantTTL = time.Minute
	}
	h := &Handler{cfg: cfg, providers: map[string]Provider{}, mux: http.NewServeMux()}
	for _, p := range cfg.Providers {
		h.providers[p.Name()] = p
	}
	h.merchants = merchantCache{ttl: cfg.MerchantTTL, now: cfg.Now, load: cfg.Store.GetMerchant, entries: map[string]cachedMerchant{}, loading: map[string]*load{}}
	h.routes()
	h.serve = httpjson.Canonical(h.mux, cfg.Log)
	return h
}

// ServeHTTP serves intake's routes. An unclean path ("//webhooks/…") is a JSON 404, not
// ServeMux's redirect: a provider would follow it, or give up on a 3xx, never fix its URL.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.serve.ServeHTTP(w, r) }

// merchantCache keeps merchants (and so their secrets) for a short while, so an accepted
// webhook costs two table requests, not three.
type merchantCache struct {
	ttl     time.Duration
	now     func() time.Time
	load    func(context.Context, string) (merchant.Merchant, error)
	mu      sync.Mutex
	entries map[string]cachedMerchant
	loading map[string]*load // one table read per merchant, however many requests wait
}

type load struct {
	done chan struct{}
	m    merchant.Merchant
	err  error
}

type cachedMerchant struct {
	m       merchant.Merchant
	expires time.Time
}

func (c *merchantCache) get(ctx context.Context, id string) (merchant.Merchant, error) {
	// Refused before the table sees it: a key over DynamoDB's limit is an error there, not a
	// missing merchant.
	if len(id) > provider.MaxIDBytes {
		return merchant.Merchant{}, errs.E(errs.Invalid, "merchant id is over %d bytes", provider.MaxIDBytes)
	}
	now := c.now()
	c.mu.Lock()
	if e, ok := c.entries[id]; ok && now.Before(e.expires) {
		c.mu.Unlock()
		return e.m, nil
	}
	if l, ok := c.loading[id]; ok {
		c.mu.Unlock()
		select {
		case <-l.done:
			return l.m, l.err
		case <-ctx.Done():
			return merchant.Merchant{}, ctx.Err()
		}
	}
	l := &load{done: make(chan struct{})}
	c.loading[id] = l
	c.mu.Unlock()

	l.m, l.err = c.load(ctx, id)
	c.mu.Lock()
	delete(c.loading, id)
	if l.err == nil {
		c.entries[id] = cachedMerchant{m: l.m, expires: now.Add(c.ttl)}
	}
	c.mu.Unlock()
	close(l.done)
	return l.m, l.err
}

// Providers is every webhook provider intake speaks.
func Providers() []Provider { return []Provider{stripe.New(), aftership.New()} }
