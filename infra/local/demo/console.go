package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/borderdesk/borderdesk/functions/api"
)

// The console's side of the demo: sign in as a seeded agent (the local runtime's
// /dev/login) and read tickets through the API, as the console does.

// Login signs in as the seeded agent with email and returns a bearer token.
func Login(ctx context.Context, client *http.Client, baseURL, email string) (string, error) {
	body, err := json.Marshal(map[string]string{"email": email})
	if err != nil {
		return "", err
	}
	var out struct {
		Token string `json:"token"`
	}
	if err := call(ctx, client, http.MethodPost, strings.TrimSuffix(baseURL, "/")+"/dev/login", "", body, &out); err != nil {
		return "", fmt.Errorf("sign in as %s: %w", email, err)
	}
	if out.Token == "" {
		return "", fmt.Errorf("sign in as %s: no token in the answer", email)
	}
	return out.Token, nil
}

// maxTickets is the API's largest page.
const maxTickets = 100

// Tickets lists the caller's tickets, most recent activity first, up to maxTickets; more
// reports whether there are others.
func Tickets(ctx context.Context, client *http.Client, baseURL, token string) (tickets []api.TicketSummary, more bool, err error) {
	var out api.TicketList
	url := fmt.Sprintf("%s/api/v1/tickets?limit=%d", strings.TrimSuffix(baseURL, "/"), maxTickets)
	if err := call(ctx, client, http.MethodGet, url, token, nil, &out); err != nil {
		return nil, false, fmt.Errorf("list tickets: %w", err)
	}
	return out.Tickets, out.NextCursor != "", nil
}

// Ticket reads one ticket with its timeline.
func Ticket(ctx context.Context, client *http.Client, baseURL, token, id string) (api.TicketDetail, error) {
	var out api.TicketDetail
	if err := call(ctx, client, http.MethodGet, strings.TrimSuffix(baseURL, "/")+"/api/v1/tickets/"+id, token, nil, &out); err != nil {
		return out, fmt.Errorf("get ticket %s: %w", id, err)
	}
	return out, nil
}

// Settle polls the caller's tickets every interval until they stop changing — the same
// tickets, each last updated at the same time, for settleRounds polls in a row — and
// returns them. Ticketing is asynchronous, so a list read right after Send may still lack
// tickets or events. It gives up after limit and returns the last list with an error.
func Settle(ctx context.Context, client *http.Client, baseURL, token string, interval, limit time.Duration) ([]api.TicketSummary, error) {
	const settleRounds = 5
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	var (
		last   []api.TicketSummary
		stable int
	)
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		tickets, _, err := Tickets(ctx, client, baseURL, token)
		if err != nil {
			return last, err
		}
		if last != nil && slices.EqualFunc(tickets, last, sameState) {
			if stable++; stable == settleRounds {
				return tickets, nil
			}
		} else {
			stable = 0
		}
		last = tickets
		select {
		case <-ctx.Done():
			return last, fmt.Errorf("tickets still changing after %s", limit)
		case <-tick.C:
		}
	}
}

func sameState(a, b api.TicketSummary) bool {
	return a.ID == b.ID && a.UpdatedAt.Equal(b.UpdatedAt) && a.Category == b.Category &&
		a.Priority == b.Priority && a.Status == b.Status
}

func call(ctx context.Context, client *http.Client, method, url, token string, body []byte, out any) error {
	return callWith(ctx, client, method, url, token, body, nil, out)
}

// callWith is call with extra request headers; any 2xx answer is a success.
func callWith(ctx context.Context, client *http.Client, method, url, token string, body []byte, header http.Header, out any) error {
	r, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	for k, v := range header {
		r.Header[k] = v
	}
	if body != nil {
		r.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(r)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("%s: %s", resp.Status, strings.TrimSpace(string(b)))
	}
	return json.Unmarshal(b, out)
}
