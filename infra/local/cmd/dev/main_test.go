package main

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"
)

// output collects what run writes and says when it announced itself.
type output struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	running chan struct{}
	once    sync.Once
}

func (o *output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	n, err := o.buf.Write(p)
	// The banner ends with the clock's line and a blank line.
	if s := o.buf.String(); strings.Contains(s, "Borderdesk is running") && strings.Contains(s, "Clock: ") && strings.Contains(s[strings.Index(s, "Clock: "):], "\n\n") {
		o.once.Do(func() { close(o.running) })
	}
	return n, err
}

func (o *output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.String()
}

// TestRunRefusesDevRoutesBeyondLoopback: the runtime's /dev/* routes (password-less sign-in,
// the clock) are served beyond loopback only when BORDERDESK_DEV_ROUTES_ON_NETWORK=1 says so.
func TestRunRefusesDevRoutesBeyondLoopback(t *testing.T) {
	tests := []struct {
		addr, setting string
		smtp          string // BORDERDESK_SMTP_ADDR; "" : any free loopback port
		dynamo        string // BORDERDESK_DYNAMODB_ADDR; "" : the default, any free loopback port
		wantErr       string // "" : it starts
		wantOut       string
	}{
		{addr: "127.0.0.1:0", wantOut: "Clock: "},
		{addr: "localhost:0", wantOut: "Clock: "},
		{addr: "0.0.0.0:0", wantErr: "BORDERDESK_DEV_ROUTES_ON_NETWORK=1"},
		{addr: "0.0.0.0:0", setting: "0", wantErr: "refusing to serve on BORDERDESK_ADDR=0.0.0.0:0"},
		{addr: ":0", wantErr: "beyond loopback"},
		{addr: "0.0.0.0:0", setting: "1", wantOut: "WARNING: BORDERDESK_DEV_ROUTES_ON_NETWORK=1"},
		{addr: "127.0.0.1:0", setting: "yes", wantErr: `BORDERDESK_DEV_ROUTES_ON_NETWORK="yes"`},
		// The SMTP listener takes mail for every merchant: the same decision guards it.
		{addr: "127.0.0.1:0", smtp: "0.0.0.0:0", wantErr: "refusing to take mail on BORDERDESK_SMTP_ADDR=0.0.0.0:0"},
		{addr: "127.0.0.1:0", smtp: "0.0.0.0:0", setting: "1", wantOut: "can mail into every merchant's inbox"},
		{addr: "127.0.0.1:0", wantOut: "takes mail for support@demo.test support@acme.test"},
		// The embedded table holds every merchant's tickets and agents, unauthenticated.
		{addr: "127.0.0.1:0", dynamo: "0.0.0.0:0", wantErr: "refusing to serve DynamoDB on BORDERDESK_DYNAMODB_ADDR=0.0.0.0:0"},
		{addr: "127.0.0.1:0", dynamo: ":0", wantErr: "beyond loopback"},
		{addr: "127.0.0.1:0", dynamo: "0.0.0.0:0", setting: "1", wantOut: "can read and write every merchant's table"},
		{addr: "127.0.0.1:0", dynamo: "127.0.0.1:0", wantOut: "Clock: "},
	}
	for _, tc := range tests {
		t.Run(tc.addr+" "+tc.smtp+" "+tc.dynamo+" "+tc.setting, func(t *testing.T) {
			env := map[string]string{"BORDERDESK_ADDR": tc.addr, "BORDERDESK_DEV_ROUTES_ON_NETWORK": tc.setting, "BORDERDESK_CONSOLE_DIR": t.TempDir(),
				"BORDERDESK_SMTP_ADDR": tc.smtp, "BORDERDESK_DYNAMODB_ADDR": tc.dynamo}
			if tc.smtp == "" {
				env["BORDERDESK_SMTP_ADDR"] = "127.0.0.1:0" // 2525 may be taken where tests run
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			out := &output{running: make(chan struct{})}
			done := make(chan error, 1)
			go func() { done <- run(ctx, func(k string) string { return env[k] }, out) }()
			select {
			case err := <-done:
				if tc.wantErr == "" || err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("run(%s, %q) = %v; want an error about %q", tc.addr, tc.setting, err, tc.wantErr)
				}
				return
			case <-out.running:
			case <-time.After(20 * time.Second):
				t.Fatalf("run(%s, %q) neither started nor failed in 20s; output:\n%s", tc.addr, tc.setting, out)
			}
			if tc.wantErr != "" {
				t.Fatalf("run(%s, %q) started; want it refused (%q)", tc.addr, tc.setting, tc.wantErr)
			}
			if !strings.Contains(out.String(), tc.wantOut) {
				t.Errorf("run(%s, %q) printed:\n%s\nwant %q in it", tc.addr, tc.setting, out, tc.wantOut)
			}
			cancel()
			if err := <-done; err != nil {
				t.Errorf("run after cancel = %v; want nil", err)
			}
		})
	}
}
