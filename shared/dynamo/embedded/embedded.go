// Package embedded runs minidyn's DynamoDB-compatible server on loopback, in process, with
// Borderdesk's table created from dynamo.Table. The local runtime and the tests reach it
// through the real aws-sdk-go-v2 client, exactly as the Lambdas reach DynamoDB. In front of
// minidyn it holds DynamoDB's size limits, which minidyn does not: items over 400 KB and keys
// over 2,048 (partition) or 1,024 (sort) bytes are refused as DynamoDB refuses them.
package embedded

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/truora/minidyn/server"

	"github.com/borderdesk/borderdesk/shared/dynamo"
)

// DynamoDB is a running embedded server.
type DynamoDB struct {
	URL    string
	Server *server.Server // for failure injection in tests
	Client *dynamodb.Client
	srv    *http.Server
	count  atomic.Int64
}

// Requests is how many DynamoDB API requests the server has answered — the benchmark's
// measure of table cost per accepted webhook.
func (d *DynamoDB) Requests() int64 { return d.count.Load() }

// Start serves minidyn on addr ("127.0.0.1:0" picks a free port) and creates table.
func Start(ctx context.Context, addr, table string) (*DynamoDB, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("embedded dynamodb: listen %s: %w", addr, err)
	}
	md := server.NewServer()
	d := &DynamoDB{URL: "http://" + ln.Addr().String(), Server: md}
	checked := newLimits(md, dynamo.Table)
	d.srv = &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d.count.Add(1)
		checked.ServeHTTP(w, r)
	})}
	go func() { _ = d.srv.Serve(ln) }()
	d.Client = dynamo.LocalClient(d.URL)
	if err := dynamo.CreateTable(ctx, d.Client, table, dynamo.Table); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

// Close stops the server.
func (d *DynamoDB) Close() error { return d.srv.Close() }
