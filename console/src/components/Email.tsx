// The email side of the timeline: a customer message's channel, its subject, the quoted text its
// client folded in, its attachments and the receiving side's trust verdicts; and where an agent's
// reply email stands. Customer content is shown as text everywhere; the one exception, the
// sanitised HTML part, is shown only inside a sandboxed frame that can run nothing and load
// nothing (formattedDoc).
import { useId, useState } from "preact/hooks";
import type { Attachment, Delivery, EmailMeta, EntryView, Trust } from "../api/types";
import { formatDateTime, formatSize } from "../format";
import { useI18n, type MessageKey, type Translate } from "../i18n";
import { errorText } from "./ui";

/** Icon is a small inline glyph; its meaning is always in the text beside it. */
type IconName = "email" | "web" | "clock" | "check" | "checks" | "alert" | "file" | "image" | "pdf" | "video" | "audio" | "archive" | "text";

const iconPaths: Record<IconName, string> = {
  email: "M2 4h12v8H2z M2 4l6 5 6-5",
  web: "M2 3h12v10H2z M2 6h12 M4 8.5h8 M4 10.5h5",
  clock: "M8 2a6 6 0 1 0 0 12A6 6 0 0 0 8 2z M8 5v3.5l2.5 1.5",
  check: "M3 8.5l3 3 7-7",
  checks: "M1 8.5l3 3 7-7 M6 11.5l1 0 7-7",
  alert: "M8 2l6.5 11.5h-13z M8 6.5v3.5 M8 11.8v.2",
  file: "M4 1.5h5.5l3 3v10h-8.5z M9.5 1.5v3h3",
  image: "M2 3h12v10H2z M2 11l3.5-3.5 3 3 2-2 3.5 3.5 M10.5 6.2a.8.8 0 1 0 0 .1",
  pdf: "M4 1.5h5.5l3 3v10h-8.5z M9.5 1.5v3h3 M5.5 9h5 M5.5 11h5 M5.5 7h2",
  video: "M2 4h9v8H2z M11 7l3-2v6l-3-2",
  audio: "M6 11.5V3.5l7-1.5v8 M6 11.5a2 2 0 1 1-.1 0 M13 10a2 2 0 1 1-.1 0",
  archive: "M4 1.5h8v13H4z M8 1.5v2 M8 4.5v1 M8 6.5v1 M7 8.5h2v2H7z",
  text: "M4 1.5h5.5l3 3v10h-8.5z M9.5 1.5v3h3 M5.5 7.5h5 M5.5 9.5h5 M5.5 11.5h3",
};

export function Icon({ name }: { name: IconName }) {
  return (
    <svg class={`icon icon-${name}`} viewBox="0 0 16 16" width="14" height="14" aria-hidden="true" focusable="false">
      <path d={iconPaths[name]} fill="none" stroke="currentColor" stroke-width="1.4" stroke-linecap="round" stroke-linejoin="round" />
    </svg>
  );
}

/** ChannelLabel says how a customer message came in; unknown channels show nothing. */
export function ChannelLabel({ channel }: { channel: string | undefined }) {
  const { t } = useI18n();
  if (channel !== "email" && channel !== "web") return null;
  return (
    <span class={`channel channel-${channel}`} data-testid="channel" data-channel={channel}>
      <Icon name={channel} />
      {t(`channel.${channel}`)}
    </span>
  );
}

/** The verdicts a trust warning can name, in the order it names them. */
const trustChecks = ["spf", "dkim", "dmarc", "spam", "virus"] as const;

/** failedChecks lists the verdicts that failed: SES says "FAIL"; GRAY and PROCESSING_FAILED did not fail. */
export function failedChecks(trust: Trust | undefined): (typeof trustChecks)[number][] {
  if (!trust) return [];
  return trustChecks.filter((c) => (trust[c] ?? "").toUpperCase() === "FAIL");
}

function TrustWarning({ trust }: { trust: Trust | undefined }) {
  const { t } = useI18n();
  if (!trust?.suspicious) return null;
  const failed = failedChecks(trust);
  return (
    <p class="trust-warning" role="note" data-testid="trust-warning">
      <Icon name="alert" />
      {failed.length
        ? t("email.suspicious", { checks: failed.map((c) => t(`trust.${c}`)).join(t("email.checkSep")) })
        : t("email.suspiciousOther")}
    </p>
  );
}

/**
 * formattedCSP is the whole policy of the formatted view: nothing loads but inline styles and
 * data: images. Remote images are tracking pixels as often as not, and fonts or frames are not
 * needed to read a mail.
 */
export const formattedCSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'";

/**
 * formattedDoc is the srcdoc of the formatted view. The HTML was sanitised by the server; this
 * is the second fence. The frame it goes into has an empty sandbox (no scripts, an opaque origin,
 * no popups, no forms) and the CSP above. What a sandbox still lets a document do is navigate
 * its own frame, so links lose their href (the address stays readable as a tooltip) and meta,
 * base and link elements (a meta refresh, a base for relative links) go. The HTML is parsed with
 * DOMParser, which runs no script and fetches nothing, never into the console's own document.
 */
export function formattedDoc(html: string): string {
  const doc = new DOMParser().parseFromString(html, "text/html");
  doc.querySelectorAll("script, meta, base, link, iframe, frame, object, embed, form").forEach((el) => el.remove());
  doc.querySelectorAll("[href]").forEach((el) => {
    const href = el.getAttribute("href") ?? "";
    el.removeAttribute("href");
    if (href && !el.getAttribute("title")) el.setAttribute("title", href);
  });
  doc.querySelectorAll("*").forEach((el) => {
    for (const a of [...el.attributes]) if (a.name.toLowerCase().startsWith("on")) el.removeAttribute(a.name);
  });
  return (
    `<!doctype html><html><head><meta charset="utf-8">` +
    `<meta http-equiv="Content-Security-Policy" content="${formattedCSP}">` +
    `<style>body{font:14px/1.45 system-ui,sans-serif;margin:8px;color:#1c2433;overflow-wrap:anywhere}img{max-width:100%}</style>` +
    `</head><body>${doc.body.innerHTML}</body></html>`
  );
}

function attachmentIcon(contentType: string): IconName {
  const ct = contentType.toLowerCase();
  if (ct.startsWith("image/")) return "image";
  if (ct === "application/pdf") return "pdf";
  if (ct.startsWith("video/")) return "video";
  if (ct.startsWith("audio/")) return "audio";
  if (ct.startsWith("text/")) return "text";
  if (/zip|compressed|x-tar|gzip|x-7z|x-rar/.test(ct)) return "archive";
  return "file";
}

/** OpenAttachment fetches an attachment's download link and opens it; it throws when it cannot. */
export type OpenAttachment = (a: Attachment) => Promise<void>;

function AttachmentItem({ a, open }: { a: Attachment; open?: OpenAttachment }) {
  const { t, locale } = useI18n();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const refused = Boolean(a.refused);
  async function download() {
    if (!open || busy) return;
    setBusy(true);
    setError(null);
    try {
      await open(a);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }
  return (
    <li class={`attachment${refused ? " refused" : ""}`} data-testid="attachment" aria-disabled={refused || undefined}>
      <Icon name={attachmentIcon(a.content_type)} />
      <span class="attachment-name" title={a.filename}>
        {a.filename}
      </span>
      <span class="muted small attachment-meta">
        {a.content_type} · {formatSize(a.size, locale)}
      </span>
      {refused ? (
        <span class="small attachment-refused" data-testid="attachment-refused">
          {t("email.refused", { reason: a.refused ?? "" })}
        </span>
      ) : (
        open && (
          <button
            type="button"
            class="btn small"
            data-testid="attachment-download"
            aria-label={t("email.downloadName", { name: a.filename })}
            disabled={busy}
            onClick={download}
          >
            {busy ? t("email.downloading") : t("email.download")}
          </button>
        )
      )}
      {error != null && (
        <span class="error-text small" role="alert" data-testid="attachment-error">
          {t("email.downloadFailed", { name: a.filename, message: errorText(error, t) })}
        </span>
      )}
    </li>
  );
}

/**
 * CustomerEmail is the body of a customer message that came by email: a trust warning, the
 * subject, the new text (plain, or the formatted view on request), the quoted text behind a
 * toggle, and the attachments.
 */
export function CustomerEmail({ e, email, open }: { e: EntryView; email: EmailMeta; open?: OpenAttachment }) {
  const { t } = useI18n();
  const [showQuoted, setShowQuoted] = useState(false);
  const [formatted, setFormatted] = useState(false);
  const quotedId = useId();
  const attachments = email.attachments ?? [];
  return (
    <div class="email" data-testid="email">
      <TrustWarning trust={email.trust} />
      {email.subject && (
        <p class="email-subject" data-testid="email-subject">
          <span class="sr-only">{t("email.subject")} </span>
          {email.subject}
        </p>
      )}
      {formatted && email.html ? (
        <iframe
          class="email-formatted"
          data-testid="email-formatted"
          title={t("email.formattedTitle")}
          sandbox=""
          referrerpolicy="no-referrer"
          srcdoc={formattedDoc(email.html)}
        />
      ) : (
        <div class="msg-body">{e.body}</div>
      )}
      {(email.quoted || email.html) && (
        <div class="email-tools">
          {email.quoted && (
            <button
              type="button"
              class="link-btn small"
              data-testid="quoted-toggle"
              aria-expanded={showQuoted}
              aria-controls={quotedId}
              onClick={() => setShowQuoted((v) => !v)}
            >
              {showQuoted ? t("email.hideQuoted") : t("email.showQuoted")}
            </button>
          )}
          {email.html && (
            <button
              type="button"
              class="link-btn small"
              data-testid="formatted-toggle"
              aria-pressed={formatted}
              onClick={() => setFormatted((v) => !v)}
            >
              {formatted ? t("email.showPlain") : t("email.showFormatted")}
            </button>
          )}
        </div>
      )}
      {email.quoted && (
        <pre class="email-quoted" id={quotedId} data-testid="quoted" hidden={!showQuoted}>
          {email.quoted}
        </pre>
      )}
      {attachments.length > 0 && (
        <div class="attachments">
          <p class="small muted">{t("email.attachments", { count: attachments.length })}</p>
          <ul data-testid="attachments">
            {attachments.map((a) => (
              <AttachmentItem key={a.id} a={a} open={open} />
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}

const deliveryIcon: Record<string, IconName> = {
  queued: "clock",
  sending: "clock",
  sent: "check",
  delivered: "checks",
  delayed: "clock",
  bounced: "alert",
  complained: "alert",
  failed: "alert",
};

/** deliveryTone is the colour of a state: settled, waiting, or a problem the agent must act on. */
function deliveryTone(state: string): "ok" | "wait" | "warn" | "bad" | "" {
  switch (state) {
    case "sent":
    case "delivered":
      return "ok";
    case "queued":
    case "sending":
      return "wait";
    case "delayed":
      return "warn";
    case "bounced":
    case "complained":
    case "failed":
      return "bad";
  }
  return "";
}

/**
 * plainReason is the server's reason without an English lead-in the console words itself:
 * "not delivered: mailbox does not exist (550 5.1.1)" follows "Not delivered" (or "未送达")
 * as "mailbox does not exist (550 5.1.1)", and "not sent: … bounced on 2 Dec" follows "Could
 * not be sent". The rest is shown as sent.
 */
export function plainReason(reason: string): string {
  return reason.replace(/^\s*(not delivered|not sent|delayed|failed|could not be sent|complaint)\s*:\s*/i, "").trim() || reason.trim();
}

/** deliveryText words a delivery state, with the server's reason when it has one. */
export function deliveryText(d: Delivery, t: Translate): string {
  const known = deliveryTone(d.state) !== "";
  const state = known ? t(`delivery.${d.state}` as MessageKey) : d.state;
  return d.reason ? t("delivery.reason", { state, reason: plainReason(d.reason) }) : state;
}

/** DeliveryBadge is where a reply's email stands, kept current by the ticket's live refresh. */
export function DeliveryBadge({ delivery }: { delivery: Delivery }) {
  const { t, locale } = useI18n();
  const tone = deliveryTone(delivery.state);
  const text = deliveryText(delivery, t);
  const when = delivery.at ? formatDateTime(delivery.at, locale) : "";
  return (
    <p
      class={`delivery delivery-${tone || "other"}`}
      data-testid="delivery"
      data-state={delivery.state}
      title={t("delivery.label", { state: when ? t("delivery.at", { state: text, when }) : text })}
    >
      <Icon name={deliveryIcon[delivery.state] ?? "email"} />
      <span>{text}</span>
      {when && (
        <time class="muted" dateTime={delivery.at}>
          {" · "}
          {when}
        </time>
      )}
    </p>
  );
}
