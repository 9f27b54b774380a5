package intake

import (
	"context"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
)

// cache keeps what load returns for a short while in a warm function, by key: however many
// requests ask at once, one load runs. A change behind load is seen within ttl of it. Only
// successes are kept.
type cache[V any] struct {
	ttl     time.Duration
	now     func() time.Time
	load    func(context.Context, string) (V, error)
	group   singleflight.Group
	mu      sync.Mutex
	entries map[string]entry[V]
}

type entry[V any] struct {
	v       V
	expires time.Time
}

func newCache[V any](ttl time.Duration, now func() time.Time, load func(context.Context, string) (V, error)) *cache[V] {
	return &cache[V]{ttl: ttl, now: now, load: load, entries: map[string]entry[V]{}}
}

func (c *cache[V]) get(ctx context.Context, key string) (V, error) {
	c.mu.Lock()
	e, ok := c.entries[key]
	c.mu.Unlock()
	if ok && c.now().Before(e.expires) {
		return e.v, nil
	}
	ch := c.group.DoChan(key, func() (any, error) {
		// Dated before the load, so what it returns is never kept past ttl after the
		// moment it could have been read.
		start := c.now()
		// The load serves every waiter: one leaving (its sender gave up) must not fail
		// the others.
		v, err := c.load(context.WithoutCancel(ctx), key)
		if err == nil {
			c.mu.Lock()
			c.entries[key] = entry[V]{v: v, expires: start.Add(c.ttl)}
			c.mu.Unlock()
		}
		return v, err
	})
	select {
	case r := <-ch:
		v, _ := r.Val.(V)
		return v, r.Err
	case <-ctx.Done():
		var zero V
		return zero, ctx.Err()
	}
}
