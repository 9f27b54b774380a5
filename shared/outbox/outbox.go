// Package outbox relays the transactional outbox to the bus: the events a state change
// implies were committed with it as outbox items (shared/dynamo implements it), and the relay publishes
// each as the function that wrote it, then deletes it. A publish that fails leaves the item
// for the next try; events keep their ids, so what is published twice (a relay that crashed
// between publish and delete, the stream and a sweep racing) is absorbed by idempotent
// consumers. In the cloud the table's stream drives Relay and a schedule drives Sweep; the
// local runtime drives Sweep in a loop.
package outbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/borderdesk/borderdesk/events"
)

// Record is one event waiting in the outbox.
type Record struct {
	Source string // the EventBridge source of the function that wrote it
	Event  events.Event
	// PK and SK are the outbox item's key, for deleting it once relayed.
	PK, SK string
}

// Publisher puts events on the bus as source (the EventBridge publisher and the local bus).
type Publisher interface {
	PublishAs(ctx context.Context, source string, evs ...events.Event) error
}

// Store finds and removes outbox items (shared/dynamo implements it). PendingOutbox may return records
// together with an error about items it could not read.
type Store interface {
	PendingOutbox(ctx context.Context, before time.Time, limit int) ([]Record, error)
	DeleteOutbox(ctx context.Context, recs []Record) error
}

// ErrRead: the sweep could not read the outbox (the table failed, or items do not decode).
var ErrRead = errors.New("read outbox")

// errNotDeleted marks a relay whose events were published but whose outbox items could not
// be deleted: another pass now would only publish them again.
var errNotDeleted = errors.New("relayed outbox items not deleted")

// Sweep sizes: a batch is one index query and up to ten PutEvents calls; a sweep stops after
// maxBatches so one run stays well inside its Lambda timeout (the next run continues).
const (
	batchSize  = 100
	maxBatches = 50
)

// Relay moves outbox records to the bus.
type Relay struct {
	Bus   Publisher
	Store Store
	Log   *slog.Logger
}

// New returns a Relay; a nil log discards.
func New(bus Publisher, store Store, log *slog.Logger) *Relay {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Relay{Bus: bus, Store: store, Log: log}
}

// Relay publishes recs, in order, each as its own source, and deletes the ones published. It
// returns the records that were not published (they stay in the outbox), and an error when
// any record failed or the deletes did. Consecutive records of one source go in one call.
func (r *Relay) Relay(ctx context.Context, recs []Record) (failed []Record, err error) {
	var published []Record
	var errs []error
	for start := 0; start < len(recs); {
		end := start + 1
		for end < len(recs) && recs[end].Source == recs[start].Source {
			end++
		}
		ok, bad, err := r.publish(ctx, recs[start:end])
		published, failed = append(published, ok...), append(failed, bad...)
		if err != nil {
			errs = append(errs, err)
		}
		start = end
	}
	if len(published) > 0 {
		if err := r.Store.DeleteOutbox(ctx, published); err != nil {
			// Published but still in the outbox: the next try publishes them again, which
			// consumers absorb.
			errs = append(errs, fmt.Errorf("%w (%d): %w", errNotDeleted, len(published), err))
		}
		for _, rec := range published {
			r.Log.Debug("outbox event relayed", "event_id", rec.Event.ID, "merchant_id", rec.Event.MerchantID, "source", rec.Source, "detail_type", string(rec.Event.Type))
		}
	}
	return failed, errors.Join(errs...)
}

// publish puts run (records of one source) on the bus in one call. When that fails, each
// record is tried alone, so one bad event does not hold back the others.
func (r *Relay) publish(ctx context.Context, run []Record) (ok, failed []Record, err error) {
	source := run[0].Source
	evs := make([]events.Event, len(run))
	for i, rec := range run {
		evs[i] = rec.Event
	}
	err = r.Bus.PublishAs(ctx, source, evs...)
	if err == nil {
		return run, nil, nil
	}
	if len(run) > 1 {
		var errs []error
		for _, rec := range run {
			o, f, err := r.publish(ctx, []Record{rec})
			ok, failed = append(ok, o...), append(failed, f...)
			if err != nil {
				errs = append(errs, err)
			}
		}
		return ok, failed, errors.Join(errs...)
	}
	rec := run[0]
	r.Log.Warn("outbox event not published; it stays for the next try",
		"event_id", rec.Event.ID, "merchant_id", rec.Event.MerchantID, "source", source, "detail_type", string(rec.Event.Type), "err", err.Error())
	return nil, run, fmt.Errorf("relay %s %s as %s: %w", rec.Event.Type, rec.Event.ID, source, err)
}

// Sweep relays what the outbox index holds that was written before before (everything when
// before is zero), oldest first, in bounded batches, and reports how many events it
// published. A record that keeps failing does not stop the sweep from relaying the rest; a
// batch in which nothing could be published ends it, since the next would fail the same way.
func (r *Relay) Sweep(ctx context.Context, before time.Time) (int, error) {
	relayed := 0
	var errs []error
	for range maxBatches {
		recs, err := r.Store.PendingOutbox(ctx, before, batchSize)
		if err != nil {
			// Items that do not decode are reported beside the ones that do; relay those.
			errs = append(errs, fmt.Errorf("sweep: %w: %w", ErrRead, err))
			if len(recs) == 0 {
				break
			}
		}
		failed, err := r.Relay(ctx, recs)
		relayed += len(recs) - len(failed)
		if err != nil {
			errs = append(errs, err)
		}
		// Failed records come first again in the next batch, so a batch that moved nothing,
		// or that was not full, is the last; so is one whose deletes failed.
		if len(recs) < batchSize || len(failed) == len(recs) || errors.Is(err, errNotDeleted) {
			break
		}
	}
	return relayed, errors.Join(errs...)
}
