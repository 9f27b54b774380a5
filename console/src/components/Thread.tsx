import { statuses, type Agent, type EntryView, type TicketStatus } from "../api/types";
import { formatDateTime } from "../format";
import { useI18n, type Translate } from "../i18n";
import { agentName } from "./ui";

/** ChangePart is one change in a status line. */
export type ChangePart =
  | { kind: "status"; status: TicketStatus }
  | { kind: "assigned"; agent: string }
  | { kind: "unassigned" }
  | { kind: "tags"; tags: string[] };

/**
 * changeParts reads an agent's change line as the API writes it (functions/api/handlers.go):
 * "status solved; assigned to anna@demo.test; tags: refund, vip", one part per change. An
 * older or unknown line gives null, and the raw text is shown.
 */
export function changeParts(body: string): ChangePart[] | null {
  const parts: ChangePart[] = [];
  for (const raw of body.split(";")) {
    const p = raw.trim();
    let m: RegExpExecArray | null;
    if ((m = /^(?:status|status changed to)\s+(\w+)\.?$/i.exec(p)) && statuses.includes(m[1].toLowerCase() as TicketStatus)) {
      parts.push({ kind: "status", status: m[1].toLowerCase() as TicketStatus });
    } else if ((m = /^assigned to\s+(\S+)$/i.exec(p))) {
      parts.push({ kind: "assigned", agent: m[1] });
    } else if (/^unassigned$/i.test(p)) {
      parts.push({ kind: "unassigned" });
    } else if ((m = /^tags:\s*(.*)$/i.exec(p))) {
      parts.push({ kind: "tags", tags: m[1].split(",").map((x) => x.trim()).filter(Boolean) });
    } else {
      return null;
    }
  }
  return parts.length ? parts : null;
}

function changeText(p: ChangePart, author: string | undefined, who: string, agents: Agent[], t: Translate): string {
  switch (p.kind) {
    case "status":
      return t("entry.status", { who, status: t(`status.${p.status}`) });
    case "assigned":
      return author && p.agent.toLowerCase() === author.toLowerCase()
        ? t("entry.took", { who })
        : t("entry.assigned", { who, agent: agentName(p.agent, agents) });
    case "unassigned":
      return t("entry.unassigned", { who });
    case "tags":
      return p.tags.length ? t("entry.tags", { who, tags: p.tags.join(", ") }) : t("entry.tagsCleared", { who });
  }
}

function Entry({ e, customerName, agents }: { e: EntryView; customerName: string; agents: Agent[] }) {
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
            <strong title={e.author}>{e.kind === "customer" ? customerName || t("entry.customer") : agentName(e.author, agents) || t("entry.reply")}</strong>
            <span class={`msg-kind kind-${e.kind}`}>
              {e.kind === "note" ? `${t("entry.note")} · ${t("entry.noteHint")}` : e.kind === "reply" ? t("entry.reply") : t("entry.customer")}
            </span>
            <span class="muted small">{when}</span>
          </div>
          <div class="msg-body">{e.body}</div>
        </li>
      );
    case "status": {
      const parts = changeParts(e.body);
      const who = agentName(e.author, agents) || t("entry.event");
      return (
        <li class="entry sys sys-status" data-testid="entry-status">
          <span>{parts ? parts.map((p) => changeText(p, e.author, who, agents, t)).join(" · ") : e.body}</span>
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
export function Thread({ entries, customerName, agents = [] }: { entries: EntryView[]; customerName: string; agents?: Agent[] }) {
  const { t } = useI18n();
  if (entries.length === 0) return <p class="muted thread-empty">{t("ticket.emptyThread")}</p>;
  const sorted = [...entries].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  return (
    <ol class="thread" data-testid="thread">
      {sorted.map((e) => (
        <Entry key={e.id} e={e} customerName={customerName} agents={agents} />
      ))}
    </ol>
  );
}
