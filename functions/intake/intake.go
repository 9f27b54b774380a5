// Package intake is the front door for providers and customers: it verifies webhooks,
// deduplicates and archives them in one conditional write, and publishes the catalog events
// they map to. It answers fast and never stores anything it could not verify.
package intake

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/borderdesk/borderdesk/events"
	"github.com/borderdesk/borderdesk/shared/dynamo"
	"github.com/borderdesk/borderdesk/shared/errs"
	"github.com/borderdesk/borderdesk/shared/httpjson"
	"github.com/borderdesk/borderdesk/shared/merchant"
	"github.com/borderdesk/borderdesk/shared/metrics"
	"github.com/borderdesk/borderdesk/shared/providers/aftership"
	"github.com/borderdesk/borderdesk/shared/providers/provider"
	"github.com/borderdesk/borderdesk/shared/providers/stripe"
	"github.com/borderdesk/borderdesk/shared/s3"
	"github.com/borderdesk/borderdesk/shared/secretsmanager"
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

// Secrets is where merchants' webhook secrets are kept: Secrets Manager in the cloud. A
// merchant without any is errs.NotFound.
type Secrets interface {
	Secrets(ctx context.Context, merchantID string) (merchant.WebhookSecrets, error)
}

var _ Secrets = (*secretsmanager.Store)(nil)

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
	// Secrets holds the merchants' webhook secrets, which the table does not.
	Secrets Secrets
	// Bodies keeps raw bodies over MaxInlineBody. Without it such bodies are refused (413)
	// rather than written into an item DynamoDB would refuse.
	Bodies BodyStore
	Bus    Publisher
	// Mail is the mail bucket (s3.Objects): raw inbound mail and the attachments kept from
	// it. Without it ReceiveMail refuses mail (an internal error, so nothing is acknowledged).
	Mail MailBucket
	// Mailboxes routes mail to merchants by support address; Store's own when nil.
	Mailboxes Mailboxes
	Now       func() time.Time
	Log       *slog.Logger
	// Metrics counts what intake answers and publishes; nothing is counted when nil.
	Metrics metrics.Recorder
	// Retain is how long raw bodies are archived (TTL); 30 days when zero.
	Retain time.Duration
	// MerchantTTL is how long a merchant is cached in a warm function; 1 minute when zero.
	MerchantTTL time.Duration
	// SecretsTTL is how long a merchant's webhook secrets are cached in a warm function; 1
	// minute when zero. A rotated secret takes effect within it: a new one is accepted, and a
	// removed one refused, at most SecretsTTL after the change.
	SecretsTTL time.Duration
	// NewID returns a fresh message id for customer messages without an Idempotency-Key.
	NewID func() string
}

// Handler serves intake's routes.
type Handler struct {
	cfg       Config
	providers map[string]Provider
	merchants *cache[merchant.Merchant]
	secrets   *cache[merchant.WebhookSecrets]
	mux       *http.ServeMux
	serve     http.Handler // mux behind the clean-path check
}

// New returns intake's HTTP handler.
func New(cfg Config) *Handler {
	if cfg.Retain == 0 {
		cfg.Retain = dynamo.ReceiptRetention
	}
	cfg.Metrics = metrics.Or(cfg.Metrics)
	if cfg.MerchantTTL == 0 {
		cfg.MerchantTTL = time.Minute
	}
	if cfg.SecretsTTL == 0 {
		cfg.SecretsTTL = time.Minute
	}
	h := &Handler{cfg: cfg, providers: map[string]Provider{}, mux: http.NewServeMux()}
	for _, p := range cfg.Providers {
		h.providers[p.Name()] = p
	}
	h.merchants = newCache(cfg.MerchantTTL, cfg.Now, cfg.Store.GetMerchant)
	h.secrets = newCache(cfg.SecretsTTL, cfg.Now, h.loadSecrets)
	h.routes()
	h.serve = metrics.HTTP(cfg.Metrics, events.Intake, httpjson.Canonical(h.mux, cfg.Log))
	return h
}

// ServeHTTP serves intake's routes. An unclean path ("//webhooks/…") is a JSON 404, not
// ServeMux's redirect: a provider would follow it, or give up on a 3xx, never fix its URL.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.serve.ServeHTTP(w, r) }

// merchant reads merchant id through the cache.
func (h *Handler) merchant(ctx context.Context, id string) (merchant.Merchant, error) {
	// Refused before the table sees it: a key over DynamoDB's limit is an error there, not a
	// missing merchant.
	if len(id) > provider.MaxIDBytes {
		return merchant.Merchant{}, errs.E(errs.Invalid, "merchant id is over %d bytes", provider.MaxIDBytes)
	}
	return h.merchants.get(ctx, id)
}

// loadSecrets reads the webhook secrets of merchant id (which exists). A merchant with no
// secret yet has none: its webhooks are refused as wrongly signed, and the answer is cached
// like any other, so they cost Secrets Manager nothing more.
func (h *Handler) loadSecrets(ctx context.Context, id string) (merchant.WebhookSecrets, error) {
	if h.cfg.Secrets == nil {
		return nil, errs.E(errs.Internal, "intake has no webhook secrets store")
	}
	ws, err := h.cfg.Secrets.Secrets(ctx, id)
	if errs.Is(err, errs.NotFound) {
		return merchant.WebhookSecrets{}, nil
	}
	return ws, err
}

// Providers is every webhook provider intake speaks.
func Providers() []Provider { return []Provider{stripe.New(), aftership.New()} }
