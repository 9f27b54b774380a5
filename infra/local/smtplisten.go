package local

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"time"

	gosmtp "github.com/emersion/go-smtp"

	"github.com/borderdesk/borderdesk/events"
	"github.com/borderdesk/borderdesk/functions/intake"
	"github.com/borderdesk/borderdesk/shared/errs"
	"github.com/borderdesk/borderdesk/shared/s3"
)

// The local SMTP listener is the runtime's stand-in for SES receiving: it takes customers'
// mail for the merchants' support addresses over real SMTP (swaks, Thunderbird, net/smtp), and
// does what SES's receipt rule does in the cloud — store the raw mail in the mail bucket under
// events.InboundMailPrefix and hand it to the function that receives mail. Nobody checks SPF,
// DKIM, DMARC, spam or viruses here: the mail goes on with an empty events.Trust, which says
// exactly that. It speaks no STARTTLS: it listens on loopback only, where nobody is between
// the client and it.

// MailReceiver is what the listener hands mail to: intake's email path, the same code SES's
// notification reaches in the cloud.
type MailReceiver interface {
	// AcceptsRecipient is nil when some merchant owns rcpt, NotFound when none does.
	AcceptsRecipient(ctx context.Context, rcpt string) error
	// ReceiveMail files one stored mail; an error means it was not filed.
	ReceiveMail(ctx context.Context, m intake.InboundMail) error
}

var _ MailReceiver = (*intake.Handler)(nil)

// MailPutter keeps a raw mail in the mail bucket (shared/s3's Objects, intake's bucket).
type MailPutter interface {
	PutObject(ctx context.Context, key, contentType string, data []byte) error
}

var _ MailPutter = (*s3.Objects)(nil)

// Limits of the listener, SES receiving's own: a mail of at most 40 MB (headers included)
// and at most 50 recipients per message.
const (
	DefaultSMTPMaxBytes = 40 << 20
	smtpMaxRecipients   = 50
)

// smtpCommandTimeout bounds one command's work behind the listener (the table, the bucket,
// the bus), so a stuck dependency answers 451 rather than holding the client forever.
const smtpCommandTimeout = 30 * time.Second

// SMTPListener is a running local SMTP server.
type SMTPListener struct {
	srv *gosmtp.Server
	ln  net.Listener
}

// smtpBackend is one listener's dependencies; each connection gets an smtpSession on it.
type smtpBackend struct {
	ctx   context.Context // the runtime's: ended when it closes
	recv  MailReceiver
	store MailPutter
	now   func() time.Time
	newID func() string
	log   *slog.Logger
}

// StartSMTP listens on addr and serves SMTP for recv, keeping each accepted mail in store.
// An address beyond loopback is refused unless beyondLoopback says so: a listener that
// accepts mail for the merchants from anyone who can reach it is a door into every ticket
// queue, and it is the same decision as serving /dev/* to a network. maxBytes ≤ 0 means
// DefaultSMTPMaxBytes.
func StartSMTP(ctx context.Context, addr string, beyondLoopback bool, maxBytes int64, recv MailReceiver, store MailPutter,
	now func() time.Time, newID func() string, log *slog.Logger) (*SMTPListener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("smtp: listen on %s (set BORDERDESK_SMTP_ADDR to use another address): %w", addr, err)
	}
	if tcp, ok := ln.Addr().(*net.TCPAddr); !beyondLoopback && (!ok || !tcp.IP.IsLoopback()) {
		ln.Close()
		return nil, fmt.Errorf("refusing to take mail on BORDERDESK_SMTP_ADDR=%s (%s), beyond loopback: anyone who can reach it could write "+
			"into every merchant's inbox unchecked. Use BORDERDESK_SMTP_ADDR=127.0.0.1:2525, or set BORDERDESK_DEV_ROUTES_ON_NETWORK=1 to expose it on purpose", addr, ln.Addr())
	}
	if maxBytes <= 0 {
		maxBytes = DefaultSMTPMaxBytes
	}
	be := &smtpBackend{ctx: ctx, recv: recv, store: store, now: now, newID: newID, log: log}
	srv := gosmtp.NewServer(be)
	srv.Domain = "localhost"
	srv.MaxMessageBytes = maxBytes
	srv.MaxRecipients = smtpMaxRecipients
	srv.ReadTimeout = 5 * time.Minute // RFC 5321 4.5.3.2: the server waits minutes, not seconds
	srv.WriteTimeout = time.Minute
	srv.ErrorLog = slogPrinter{log}
	l := &SMTPListener{srv: srv, ln: ln}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, gosmtp.ErrServerClosed) && !errors.Is(err, net.ErrClosed) {
			log.Error("smtp listener stopped", "err", err.Error())
		}
	}()
	log.Info("smtp listening", "addr", ln.Addr().String(), "max_bytes", maxBytes)
	return l, nil
}

// Addr is where the listener takes mail ("127.0.0.1:2525").
func (l *SMTPListener) Addr() string { return l.ln.Addr().String() }

// Close stops taking mail and drops open connections.
func (l *SMTPListener) Close() error { return l.srv.Close() }

func (be *smtpBackend) NewSession(c *gosmtp.Conn) (gosmtp.Session, error) {
	return &smtpSession{be: be, log: be.log.With("remote", c.Conn().RemoteAddr().String())}, nil
}

// smtpSession is one SMTP connection's transaction: the recipients accepted so far.
type smtpSession struct {
	be         *smtpBackend
	log        *slog.Logger
	recipients []string
}

// Answers the listener gives, with RFC 3463 enhanced codes.
var (
	errNoMailbox  = &gosmtp.SMTPError{Code: 550, EnhancedCode: gosmtp.EnhancedCode{5, 1, 1}, Message: "No such mailbox here"}
	errBadAddress = &gosmtp.SMTPError{Code: 553, EnhancedCode: gosmtp.EnhancedCode{5, 1, 3}, Message: "Not a mailbox address"}
	errTryAgain   = &gosmtp.SMTPError{Code: 451, EnhancedCode: gosmtp.EnhancedCode{4, 3, 0}, Message: "Could not take the mail now; please try again later"}
	errNotAMail   = &gosmtp.SMTPError{Code: 554, EnhancedCode: gosmtp.EnhancedCode{5, 6, 0}, Message: "This is not a mail that can be read"}
)

// Mail takes any sender, the null one ("<>", bounces) included: intake decides what an
// automatic mail may do, and nobody here can check who the sender is.
func (s *smtpSession) Mail(string, *gosmtp.MailOptions) error { return nil }

// Rcpt accepts an address only when a merchant owns it (550 5.1.1 otherwise), so a
// mistyped address bounces at once rather than vanishing after DATA.
func (s *smtpSession) Rcpt(to string, _ *gosmtp.RcptOptions) error {
	ctx, cancel := context.WithTimeout(s.be.ctx, smtpCommandTimeout)
	defer cancel()
	switch err := s.be.recv.AcceptsRecipient(ctx, to); {
	case errs.Is(err, errs.NotFound):
		s.log.Info("smtp recipient refused", "rcpt", to, "reason", errs.Message(err))
		return errNoMailbox
	case errs.Is(err, errs.Invalid):
		s.log.Info("smtp recipient refused", "rcpt", to, "reason", errs.Message(err))
		return errBadAddress
	case err != nil:
		s.log.Warn("smtp recipient not checked", "rcpt", to, "err", err.Error())
		return errTryAgain
	}
	for _, r := range s.recipients {
		if strings.EqualFold(r, to) {
			return nil
		}
	}
	s.recipients = append(s.recipients, to)
	return nil
}

// Data keeps the raw mail in the bucket, as SES's S3 action does, then files it. It answers
// 250 only once intake has the mail: a failure is 451 (the sender's client or MTA tries
// again), a mail that can never be read 554, never an accepted mail that is then lost.
func (s *smtpSession) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		// Over the size cap go-smtp's reader fails with its 552 5.3.4, which is the answer.
		var smtpErr *gosmtp.SMTPError
		if errors.As(err, &smtpErr) {
			s.log.Info("smtp mail refused", "code", smtpErr.Code, "reason", smtpErr.Message)
			return smtpErr
		}
		return err
	}
	ctx, cancel := context.WithTimeout(s.be.ctx, smtpCommandTimeout)
	defer cancel()
	// SES names the object by its message id, lower-case letters and digits.
	id := strings.ToLower(s.be.newID())
	key := events.InboundMailPrefix + id
	log := s.log.With("key", key, "recipients", s.recipients, "size", len(raw))
	if err := s.be.store.PutObject(ctx, key, "message/rfc822", raw); err != nil {
		log.Error("smtp mail not stored", "err", err.Error())
		return errTryAgain
	}
	err = s.be.recv.ReceiveMail(ctx, intake.InboundMail{
		Recipients: append([]string(nil), s.recipients...), Raw: raw, Key: key,
		Trust:      events.Trust{}, // nobody checked SPF, DKIM, DMARC, spam or viruses locally
		ReceivedAt: s.be.now().UTC(),
	})
	switch {
	case errs.Is(err, errs.Invalid):
		log.Warn("smtp mail refused", "reason", errs.Message(err), "err", err.Error())
		return errNotAMail
	case errs.Is(err, errs.NotFound):
		// Every recipient's mailbox went between RCPT and DATA (a merchant's sender changed).
		log.Info("smtp mail refused", "reason", errs.Message(err))
		return errNoMailbox
	case err != nil:
		log.Error("smtp mail not filed", "err", err.Error())
		return errTryAgain
	}
	log.Info("smtp mail received")
	return nil
}

// Reset ends the transaction (RSET, or after DATA): the next mail names its own recipients.
func (s *smtpSession) Reset() { s.recipients = nil }

func (s *smtpSession) Logout() error { return nil }

// slogPrinter is go-smtp's error log on the runtime's logger.
type slogPrinter struct{ log *slog.Logger }

func (p slogPrinter) Printf(format string, v ...any) { p.log.Warn(fmt.Sprintf(format, v...)) }
func (p slogPrinter) Println(v ...any)               { p.log.Warn(strings.TrimSpace(fmt.Sprintln(v...))) }

// MailBucketName is the local mail bucket's name.
const MailBucketName = "borderdesk-mail"

// mailReceiverOf is the receiver of topo's function that receives mail, or nil when none
// does (a test's own topology). A function that receives mail without a local receiver is
// an error, as a route without a handler is: the runtime cannot silently lack what the cloud
// deploys. One listener delivers to one function, so two receiving functions are an error too.
func mailReceiverOf(topo []events.Function, fns map[string]MailReceiver) (MailReceiver, error) {
	var (
		recv MailReceiver
		name string
	)
	for _, f := range topo {
		if !f.ReceivesMail {
			continue
		}
		if recv != nil {
			return nil, fmt.Errorf("local runtime: functions %q and %q both receive mail; the SMTP listener delivers to one", name, f.Name)
		}
		r, ok := fns[f.Name]
		if !ok {
			return nil, fmt.Errorf("local runtime: function %q receives mail but has no local mail receiver", f.Name)
		}
		recv, name = r, f.Name
	}
	return recv, nil
}
