package intake

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/mail"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/borderdesk/borderdesk/events"
	"github.com/borderdesk/borderdesk/shared/dynamo"
	"github.com/borderdesk/borderdesk/shared/errs"
	"github.com/borderdesk/borderdesk/shared/inbound"
	outmail "github.com/borderdesk/borderdesk/shared/mail"
	"github.com/borderdesk/borderdesk/shared/metrics"
	"github.com/borderdesk/borderdesk/shared/providers/provider"
	"github.com/borderdesk/borderdesk/shared/s3"
)

// MailProvider is the receipt provider name of inbound mail.
const MailProvider = "email"

// Limits on what a mail keeps. Over them nothing is lost: the raw mail stays in the mail
// bucket, and what was not kept says why.
const (
	// MaxAttachmentBytes is the largest attachment kept; a larger one is listed, refused.
	MaxAttachmentBytes = 10 << 20
	// MaxMailAttachmentBytes is how much one mail's attachments may keep together.
	MaxMailAttachmentBytes = 25 << 20
	// maxAttachments is how many of one mail's files are kept and listed.
	maxAttachments = 100
	// maxQuoted bounds the folded quote (characters): a thread quoted forty replies deep
	// helps nobody and would crowd the event's 256 KB.
	maxQuoted = 20_000
	// maxHTML bounds the sanitised HTML kept beside the text (bytes); larger HTML is
	// dropped, never cut (a cut tag breaks the rest), and the text remains.
	maxHTML = 100 << 10
	// maxReferences is how many thread ids a mail keeps (the newest); maxIDLen bounds each.
	maxReferences = 20
	maxIDLen      = 250
	maxSubject    = 200 // characters, as the web form
	maxName       = 200
	maxFilename   = 255
)

// Why attachments are not kept.
const (
	refusedTooLarge  = "over the 10 MiB limit"
	refusedMailTotal = "over the 25 MiB limit for one mail's attachments"
	refusedTooMany   = "over 100 files in one mail"
)

// MailBucket is the mail bucket: raw inbound mail (SES receiving's objects under
// events.InboundMailPrefix, or the local SMTP listener's) and the attachments intake keeps.
type MailBucket interface {
	Bucket() string
	PutObject(ctx context.Context, key, contentType string, data []byte) error
	GetObject(ctx context.Context, key string) (s3.Object, error)
}

var _ MailBucket = (*s3.Objects)(nil)

// Mailboxes says which merchant owns a support address, and the ticket tag on it
// ("support+<ticket>@…"); not found when nobody does.
type Mailboxes interface {
	Mailbox(ctx context.Context, address string) (merchantID, ticketTag string, err error)
}

var _ Mailboxes = (*dynamo.Store)(nil)

// InboundMail is one mail as it was received: by SES receiving in the cloud (HandleSES), by
// the local SMTP listener in make dev.
type InboundMail struct {
	// Recipients are the envelope recipients (RCPT TO, SES's receipt.recipients): the
	// addresses this delivery is for, not the To header, which may name anyone.
	Recipients []string
	Raw        []byte
	// Key is the object key of the raw mail in the mail bucket; "" when it is not there yet,
	// and then ReceiveMail keeps it.
	Key string
	// Trust is the receiving side's verdicts; empty when nobody checked.
	Trust      events.Trust
	ReceivedAt time.Time
}

// AcceptsRecipient is nil when some merchant owns rcpt (a tagged reply address included),
// errs.NotFound when none does: the local SMTP listener answers 550 at RCPT with it, as a
// mail server does for a mailbox it does not have.
func (h *Handler) AcceptsRecipient(ctx context.Context, rcpt string) error {
	boxes, err := h.mailboxes()
	if err != nil {
		return err
	}
	_, _, err = boxes.Mailbox(ctx, rcpt)
	return err
}

// ReceiveMail files one mail: for every merchant that owns one of its recipients, one
// message.received (a mail to two merchants is two messages, one per tenant, never one
// message two tenants see). It is safe to call again with the same mail: each merchant's copy
// is deduplicated on its Message-ID (a hash of the raw mail when it has none) through the
// receipt intake keeps for webhooks. Automatic mail (auto-replies, bounces, lists) is
// archived with the reason and published to nobody, so it never opens a ticket or draws an
// answer. It returns errs.Invalid when raw is not a mail at all, errs.NotFound when no
// recipient is a merchant's, and a transient error when a dependency failed (retry).
func (h *Handler) ReceiveMail(ctx context.Context, in InboundMail) error {
	log := h.cfg.Log.With("provider", MailProvider, "key", in.Key, "size", len(in.Raw))
	boxes, err := h.mailboxes()
	if err != nil {
		return err
	}
	if h.cfg.Mail == nil {
		return errs.E(errs.Internal, "intake has no mail bucket")
	}
	m, err := inbound.Parse(in.Raw)
	if err != nil {
		h.countMail("", "")
		log.Warn("mail refused", "reason", errs.Message(err))
		return err
	}
	log = log.With("message_id", m.MessageID)
	if len(m.Warnings) > 0 {
		log.Info("mail read with warnings", "warnings", len(m.Warnings), "first", m.Warnings[0])
	}
	tenants, err := h.tenants(ctx, boxes, in.Recipients)
	if err != nil {
		return err
	}
	if len(tenants) == 0 {
		return errs.E(errs.NotFound, "no merchant receives mail at any of the %d recipients", len(in.Recipients))
	}
	if in.ReceivedAt.IsZero() {
		in.ReceivedAt = h.cfg.Now()
	}
	if in.Key == "" {
		// Kept before anything points at it: the raw mail is what every refusal below falls
		// back on. Named by its digest, so a retry rewrites the same object.
		sum := sha256.Sum256(in.Raw)
		in.Key = events.InboundMailPrefix + "sha256-" + hex.EncodeToString(sum[:])
		if err := h.cfg.Mail.PutObject(ctx, in.Key, "message/rfc822", in.Raw); err != nil {
			return err
		}
	}
	in.Trust = judge(in.Trust)
	// Only one of our own addresses answering ours can make a loop: never file those.
	ownSender := false
	if addr := m.From.Address; addr != "" {
		_, _, err := boxes.Mailbox(ctx, addr)
		switch {
		case err == nil:
			ownSender = true
		case !errs.Is(err, errs.NotFound):
			return err
		}
	}
	for _, t := range tenants {
		if err := h.fileMail(ctx, log, m, in, t, ownSender); err != nil {
			return fmt.Errorf("file mail for %s: %w", t.merchantID, err)
		}
	}
	return nil
}

// mailboxes is Config.Mailboxes, else the table when it can say.
func (h *Handler) mailboxes() (Mailboxes, error) {
	if h.cfg.Mailboxes != nil {
		return h.cfg.Mailboxes, nil
	}
	if b, ok := h.cfg.Store.(Mailboxes); ok {
		return b, nil
	}
	return nil, errs.E(errs.Internal, "intake has no mailboxes to route mail by")
}

// tenant is one merchant a mail is for, by the first of its recipients that merchant owns.
type tenant struct {
	merchantID string
	tag        string // the plus tag of that recipient: a ticket id when it is our reply address
	domain     string // the recipient's domain, which our thread ids carry
}

// tenants resolves recipients to the merchants that own them, each once, in recipient order.
// A merchant reached both through its plain and its tagged address threads by the tag.
func (h *Handler) tenants(ctx context.Context, boxes Mailboxes, recipients []string) ([]tenant, error) {
	var out []tenant
	for _, rcpt := range recipients {
		id, tag, err := boxes.Mailbox(ctx, rcpt)
		if errs.Is(err, errs.NotFound) {
			continue // another domain's recipient on the same delivery, or a typo
		}
		if err != nil {
			return nil, err
		}
		_, domain, _ := strings.Cut(dynamo.NormalAddress(rcpt), "@")
		if i := slices.IndexFunc(out, func(t tenant) bool { return t.merchantID == id }); i >= 0 {
			if out[i].tag == "" {
				out[i].tag, out[i].domain = tag, domain
			}
			continue
		}
		out = append(out, tenant{merchantID: id, tag: tag, domain: domain})
	}
	return out, nil
}

// fileMail records and publishes (or archives) m for one merchant.
func (h *Handler) fileMail(ctx context.Context, log *slog.Logger, m inbound.Mail, in InboundMail, t tenant, ownSender bool) error {
	id := mailID(t.merchantID, m.MessageID, in.Raw)
	evID := provider.EventID(MailProvider, id, 0)
	log = log.With("merchant_id", t.merchantID, "event_id", evID)
	rc := dynamo.Receipt{
		MerchantID: t.merchantID, Provider: MailProvider, EventID: id, Type: string(events.MessageReceived),
		BodyBucket: h.cfg.Mail.Bucket(), BodyKey: in.Key, ReceivedAt: in.ReceivedAt, Retain: h.cfg.Retain,
	}
	customer, ok := customerOf(m)
	why := ""
	switch {
	case m.Auto != "":
		why = m.Auto
	case ownSender:
		why = "sent from a support address of ours"
	case !ok:
		why = "no sender address to answer"
	}
	if why != "" {
		rc.Type = "archived: " + why
		answer, err := h.accept(ctx, rc, nil)
		if err != nil {
			return err
		}
		h.countMail(answer.Status, t.merchantID)
		log.Info("mail "+answer.Status, "reason", why)
		return nil
	}
	atts, err := h.keepAttachments(ctx, t.merchantID, id, m.Attachments)
	if err != nil {
		return err
	}
	order := ""
	if orders := inbound.OrderNumbers(m.Subject, m.Text); len(orders) > 0 && len(orders[0]) <= 100 {
		order = orders[0]
	}
	msg := events.Message{
		MessageID: id, Channel: events.ChannelEmail, Customer: customer, OrderID: order,
		Subject: cut(m.Subject, maxSubject, "…"), Text: cut(m.Text, MaxMessageText, textCutMarker),
		Language: customerLanguage(m.Language, m.Language),
		Email: &events.EmailMeta{
			MessageID: threadID(m.MessageID), InReplyTo: threadID(m.InReplyTo), References: references(m.References),
			ThreadTicket: threadTicket(m, t), Quoted: cut(m.Quoted, maxQuoted, textCutMarker),
			Attachments: atts, Trust: in.Trust,
		},
	}
	if len(m.HTML) <= maxHTML {
		msg.Email.HTML = m.HTML
	}
	ev, err := fit(msg, func(msg events.Message) (events.Event, error) {
		return events.New(events.MessageReceived, evID, t.merchantID, MailProvider, id, in.ReceivedAt, msg)
	})
	if err != nil {
		return err
	}
	ev.CorrelationID = in.Key
	answer, err := h.accept(ctx, rc, []events.Event{ev})
	if err != nil {
		return err
	}
	h.countMail(answer.Status, t.merchantID)
	log.Info("mail "+answer.Status, "thread_ticket", msg.Email.ThreadTicket, "attachments", len(atts), "suspicious", in.Trust.Suspicious)
	return nil
}

// fit makes the message's event one the bus can carry: when its text, quote, HTML and
// attachment list together are over EventBridge's limit, the HTML goes first, then the
// quote (both are in the raw mail, which is kept); the customer's new text stays.
func fit(msg events.Message, build func(events.Message) (events.Event, error)) (events.Event, error) {
	for step := 0; ; step++ {
		ev, err := build(msg)
		if err != nil {
			return events.Event{}, errs.Wrap(errs.Internal, err, "encode mail")
		}
		err = publishable([]events.Event{ev})
		if !errs.Is(err, errs.TooLarge) {
			return ev, err
		}
		switch step {
		case 0:
			msg.Email.HTML = ""
		case 1:
			msg.Email.Quoted = ""
		default:
			return events.Event{}, err
		}
	}
}

// textCutMarker ends a text that was cut; the whole mail is kept in the mail bucket.
const textCutMarker = "\n\n[… cut here: the rest is in the original email]"

// cut shortens s to at most n characters with marker at the end; a text is never refused
// for its length, as a person's mail is never refused for how it is written.
func cut(s string, n int, marker string) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	keep := n - utf8.RuneCountInString(marker)
	if keep < 0 {
		keep = 0
	}
	return string(r[:keep]) + marker
}

// mailID is the dedupe id of a mail at one merchant: its Message-ID, which every copy of the
// mail shares however it is relayed, or the raw bytes when it has none. Hashed with the
// merchant, so the id is bounded and never the same at two tenants.
func mailID(merchantID, messageID string, raw []byte) string {
	h := sha256.New()
	if messageID != "" {
		fmt.Fprintf(h, "mid\x00%s\x00%s", merchantID, messageID)
	} else {
		fmt.Fprintf(h, "raw\x00%s\x00", merchantID)
		h.Write(raw)
	}
	return "m" + hex.EncodeToString(h.Sum(nil)[:16])
}

// judge marks a mail suspicious when any verdict failed. It is kept either way: a customer
// whose DKIM broke in a forwarder still needs an answer, and the agent sees the warning.
func judge(t events.Trust) events.Trust {
	t.Suspicious = t.Suspicious || slices.Contains([]string{t.Spam, t.Virus, t.SPF, t.DKIM, t.DMARC}, "FAIL")
	return t
}

// noReply matches the local parts of addresses nobody reads ("noreply", "no-reply+x",
// "do-not-reply", "donotreply").
var noReply = regexp.MustCompile(`^(no[-_.]?reply|do[-_.]?not[-_.]?reply)([-+_.].*)?$`)

// customerOf is who the mail is from, to answer: From, or the Reply-To when From is an
// address nobody reads (a shop's contact form mails "noreply@…" with the customer in
// Reply-To). A Reply-To beside a real From is not followed: it would let anyone file
// mail under another customer's address by naming it.
func customerOf(m inbound.Mail) (events.Customer, bool) {
	from := m.From
	local, _, _ := strings.Cut(strings.ToLower(from.Address), "@")
	if (from.Address == "" || noReply.MatchString(local)) && len(m.ReplyTo) > 0 {
		from = m.ReplyTo[0]
	}
	addr := strings.ToLower(strings.TrimSpace(from.Address))
	if a, err := mail.ParseAddress(addr); err != nil || a.Address != addr || len(addr) > provider.MaxIDBytes {
		return events.Customer{}, false
	}
	return events.Customer{Email: addr, Name: cut(strings.TrimSpace(from.Name), maxName, "…")}, true
}

// threadID is id when it is short enough to keep, else "".
func threadID(id string) string {
	if len(id) > maxIDLen {
		return ""
	}
	return id
}

// references keeps the newest maxReferences thread ids, each short enough to keep.
func references(ids []string) []string {
	var out []string
	for _, id := range ids {
		if id = threadID(id); id != "" {
			out = append(out, id)
		}
	}
	if len(out) > maxReferences {
		out = out[len(out)-maxReferences:]
	}
	return out
}

// ticketTag is a plus tag that can name a ticket (shared/mail's reply-address token).
var ticketTag = regexp.MustCompile(`^[a-z0-9_.-]{1,64}$`)

// threadTicket is the ticket the mail answers: the tag of our reply address it was sent to,
// else the newest thread id of ours among its In-Reply-To and References, on the domain of
// the mailbox it reached (an id on another domain is not one we minted for this merchant).
// Our replies' own Message-IDs ("<reply-<entry>@…>") name an entry, not a ticket; every
// reply we send carries the ticket's thread id in References and the tagged Reply-To, which
// mail clients keep, so those are what is read. Ticketing decides whether the sender may
// join that ticket; this only says which one the mail claims.
func threadTicket(m inbound.Mail, t tenant) string {
	if ticketTag.MatchString(t.tag) {
		return t.tag
	}
	ids := append(slices.Clone(m.References), m.InReplyTo)
	for i := len(ids) - 1; i >= 0; i-- {
		if ticketID, domain, ok := outmail.ThreadTicket(ids[i]); ok && strings.EqualFold(domain, t.domain) {
			return ticketID
		}
	}
	return ""
}

// keepAttachments stores the mail's files in the mail bucket under
// attachments/<merchant>/<mail id>/<n>, before the receipt that lists them is written, so a
// listed key always names an object. A redelivered mail rewrites the same keys.
func (h *Handler) keepAttachments(ctx context.Context, merchantID, id string, parts []inbound.Part) ([]events.Attachment, error) {
	var out []events.Attachment
	total := 0
	for i, p := range parts {
		n := strconv.Itoa(i + 1)
		a := events.Attachment{
			ID: n, Filename: cut(p.Filename, maxFilename, "…"), ContentType: p.ContentType, Size: int64(len(p.Data)),
		}
		switch {
		case i >= maxAttachments:
			a.Refused = refusedTooMany
		case len(p.Data) > MaxAttachmentBytes:
			a.Refused = refusedTooLarge
		case total+len(p.Data) > MaxMailAttachmentBytes:
			a.Refused = refusedMailTotal
		default:
			key := "attachments/" + merchantID + "/" + id + "/" + n
			if err := h.cfg.Mail.PutObject(ctx, key, p.ContentType, p.Data); err != nil {
				return nil, err
			}
			a.Key = key
			total += len(p.Data)
		}
		out = append(out, a)
		if i >= 2*maxAttachments {
			break // a mail of thousands of files lists some; the raw mail has them all
		}
	}
	return out, nil
}

// countMail counts what became of one mail at one merchant, as webhooks are counted:
// WebhooksAccepted by outcome (accepted, duplicate, archived); a mail that could not be read
// at all (outcome "") is WebhooksRefused, status 400, as a malformed webhook body would be.
func (h *Handler) countMail(outcome, merchantID string) {
	props := map[string]string{}
	if merchantID != "" {
		props["merchant_id"] = merchantID
	}
	if outcome == "" {
		h.cfg.Metrics.Record(metrics.Record{
			Dimensions: []metrics.Dimension{metrics.Dim(metrics.Provider, MailProvider), metrics.Dim(metrics.Status, "400")},
			Values:     []metrics.Value{metrics.Count(metrics.WebhooksRefused, 1)},
		})
		return
	}
	h.cfg.Metrics.Record(metrics.Record{
		Dimensions: []metrics.Dimension{metrics.Dim(metrics.Provider, MailProvider), metrics.Dim(metrics.Outcome, outcome)},
		Values:     []metrics.Value{metrics.Count(metrics.WebhooksAccepted, 1)},
		Properties: props,
	})
}
