package demo

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Now reads the running runtime's clock (GET /dev/clock), so that sample webhooks are signed
// at the time intake checks them against, even after the clock was moved.
func Now(ctx context.Context, client *http.Client, baseURL string) (time.Time, error) {
	var out struct {
		Now time.Time `json:"now"`
	}
	if err := call(ctx, client, http.MethodGet, strings.TrimSuffix(baseURL, "/")+"/dev/clock", "", nil, &out); err != nil {
		return time.Time{}, fmt.Errorf("read the runtime's clock: %w", err)
	}
	return out.Now, nil
}
