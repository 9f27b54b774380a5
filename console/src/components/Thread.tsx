import type { EntryView } from "../api/types";
import { formatDateTime } from "../format";
import { useI18n } from "../i18n";
import { statuses } from "../api/types";

/** statusOf reads the new status from the API's "Status changed to solved" line. */
function statusOf(body: string): string | undefined {
  const m = /(open|pending|solved|closed)\s*\.?$/.exec(body.trim());
  return m && statuses.includes(m[1] as never) ? m[1] : undefined;
}

function Entry({ e, customerName }: { e: EntryView; customerName: string }) {
  const { t, locale } = useI18n();
  const when = (
    <time dateTime={e.at} title={e.at}>
      {formatDateTime(e.at, locale)}
    </time>
  );
  switch (e.kind) {
    case "customer":
    case "reply":
    case "note":
      return (
        <li class={`entry msg msg-${e.kind}`} data-testid={`entry-${e.kind}`}>
          <div class="msg-head">
            <strong>{e.kind === "customer" ? customerName || t("entry.customer") : e.author || t("entry.reply")}</strong>
            <span class={`msg-kind kind-${e.kind}`}>
              {e.kind === "note" ? `${t("entry.note")} · ${t("entry.noteHint")}` : e.kind === "reply" ? t("entry.reply") : t("entry.customer")}
            </span>
            <span class="muted small">{when}</span>
          </div>
          <div class="msg-body">{e.body}</div>
        </li>
      );
    case "status": {
      const st = statusOf(e.body);
      return (
        <li class="entry sys sys-status" data-testid="entry-status">
          <span>
            {st ? t("entry.status", { who: e.author || t("entry.event"), status: t(`status.${st}` as "status.open") }) : e.body}
          </span>
          <span class="muted small">{when}</span>
        </li>
      );
    }
    default:
      return (
        <li class="entry sys sys-event" data-testid="entry-event">
          {e.event_type && <code class="event-type">{e.event_type}</code>}
          <span>{e.body}</span>
          <span class="muted small">{when}</span>
        </li>
      );
  }
}

/** Thread is the ticket's timeline: messages, notes, system events and status changes, oldest first. */
export function Thread({ entries, customerName }: { entries: EntryView[]; customerName: string }) {
  const { t } = useI18n();
  if (entries.length === 0) return <p class="muted thread-empty">{t("ticket.emptyThread")}</p>;
  const sorted = [...entries].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  return (
    <ol class="thread" data-testid="thread">
      {sorted.map((e) => (
        <Entry key={e.id} e={e} customerName={customerName} />
      ))}
    </ol>
  );
}
