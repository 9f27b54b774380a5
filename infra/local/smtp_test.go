package local_test

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/borderdesk/borderdesk/infra/local"
	"github.com/borderdesk/borderdesk/shared/mail"
)

// catcher is the smallest SMTP server net/smtp talks to (RFC 5321: EHLO, MAIL, RCPT, DATA,
// QUIT), standing in for a local mail catcher. It sends each transaction on got.
type catcher struct {
	ln  net.Listener
	got chan string // "MAIL FROM:<…>|RCPT TO:<…>|<data>"
}

func newCatcher(t *testing.T) *catcher {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c := &catcher{ln: ln, got: make(chan string, 4)}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go c.serve(conn)
		}
	}()
	return c
}

func (c *catcher) serve(conn net.Conn) {
	defer conn.Close()
	r := bufio.NewReader(conn)
	say := func(s string) { _, _ = io.WriteString(conn, s+"\r\n") }
	say("220 catcher ESMTP")
	var env []string
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.TrimRight(line, "\r\n")
		switch upper := strings.ToUpper(cmd); {
		case strings.HasPrefix(upper, "EHLO"), strings.HasPrefix(upper, "HELO"):
			say("250 catcher")
		case strings.HasPrefix(upper, "MAIL"), strings.HasPrefix(upper, "RCPT"):
			env = append(env, cmd)
			say("250 ok")
		case upper == "DATA":
			say("354 go on")
			var data strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				data.WriteString(l)
			}
			c.got <- strings.Join(append(env, data.String()), "|")
			env = nil
			say("250 queued")
		case upper == "QUIT":
			say("221 bye")
			return
		default:
			say("250 ok")
		}
	}
}

func TestOutboxRelaysToSMTP(t *testing.T) {
	c := newCatcher(t)
	now := func() time.Time { return time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC) }
	o := local.NewMailOutbox(now, c.ln.Addr().String(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	m := mail.Message{
		TicketID: "tk_1", From: mail.Address{Name: "Demo", Address: "support@demo.test"}, To: mail.Address{Address: "jonas@example.de"},
		ReplyTo: mail.Address{Address: "support+tk_1@demo.test"}, Subject: "Re: Hallo", MessageID: "<reply-en_1@demo.test>",
		InReplyTo: "<ticket-tk_1@demo.test>", References: []string{"<ticket-tk_1@demo.test>"}, Date: now(), Text: "Hallo", HTML: "<p>Hallo</p>",
	}
	if _, err := o.Send(context.Background(), m); err != nil {
		t.Fatalf("Send = %v", err)
	}
	select {
	case got := <-c.got:
		for _, want := range []string{"MAIL FROM:<support@demo.test>", "RCPT TO:<jonas@example.de>", "Message-ID: <reply-en_1@demo.test>\r\n", "In-Reply-To: <ticket-tk_1@demo.test>\r\n"} {
			if !strings.Contains(got, want) {
				t.Errorf("catcher got %q; want it to contain %q", got, want)
			}
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the catcher received nothing")
	}
	if n := len(o.Sent()); n != 1 {
		t.Errorf("outbox holds %d; want 1 (relayed and kept)", n)
	}
}

func TestOutboxKeepsMailWhenTheRelayIsDown(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	o := local.NewMailOutbox(time.Now, addr, slog.New(slog.NewTextHandler(io.Discard, nil)))
	m := mail.Message{TicketID: "tk_1", From: mail.Address{Address: "support@demo.test"}, To: mail.Address{Address: "jonas@example.de"}, MessageID: "<x@demo.test>"}
	if _, err := o.Send(context.Background(), m); err != nil || len(o.Sent()) != 1 {
		t.Errorf("Send with the relay down = %v, %d kept; want nil, 1", err, len(o.Sent()))
	}
}
