import { statuses, type Agent, type EntryView, type TicketStatus } from "../api/types";
import { formatDateTime } from "../format";
import { useI18n, type Translate } from "../i18n";
import { eventParts } from "../i18n/events";
import { ChannelLabel, CustomerEmail, DeliveryBadge, type OpenAttachment } from "./Email";
import { agentName, TicketLink } from "./ui";

/** ChangePart is one change in a status line. */
export type ChangePart =
  | { kind: "status"; status: TicketStatus }
  | { kind: "assigned"; agent: string }
  | { kind: "unassigned" }
  | { kind: "tags"; tags: string[] };

/**
 * changeParts reads an agent's change from the line's params (functions/api/handlers.go):
 * status, assignee ("" unassigns) and tags (comma-separated), any of them, in that order. An
 * older line without params, or one with a status the console does not know, gives null, and
 * the API's English body is shown.
 */
export function changeParts(params: Record<string, string> | undefined): ChangePart[] | null {
  if (!params) return null;
  const parts: ChangePart[] = [];
  if (params.status !== undefined) {
    if (!statuses.includes(params.status as TicketStatus)) return null;
    parts.push({ kind: "status", status: params.status as TicketStatus });
  }
  if (params.assignee !== undefined) {
    parts.push(params.assignee ? { kind: "assigned", agent: params.assignee } : { kind: "unassigned" });
  }
  if (params.tags !== undefined) {
    parts.push({ kind: "tags", tags: params.tags.split(",").map((x) => x.trim()).filter(Boolean) });
  }
  return parts.length ? parts : null;
}

function changeText(p: ChangePart, author: string | undefined, agents: Agent[], t: Translate): string {
  switch (p.kind) {
    case "status":
      return t("entry.status", { status: t(`status.${p.status}`) });
    case "assigned":
      return author && p.agent.toLowerCase() === author.toLowerCase()
        ? t("entry.took")
        : t("entry.assigned", { agent: agentName(p.agent, agents) });
    case "unassigned":
      return t("entry.unassigned");
    case "tags":
      return p.tags.length ? t("entry.tags", { tags: p.tags.join(", ") }) : t("entry.tagsCleared");
  }
}

/** changeLine words a status line: "Anna Schmidt set the status to Solved; assigned the ticket to Li Wei". */
export function changeLine(parts: ChangePart[], author: string | undefined, agents: Agent[], t: Translate): string {
  const who = agentName(author, agents) || t("entry.event");
  return t("entry.change", { who, changes: parts.map((p) => changeText(p, author, agents, t)).join(t("entry.changeSep")) });
}

type EntryProps = { e: EntryView; customerName: string; agents: Agent[]; onOpen?: (id: string) => void; openAttachment?: OpenAttachment; isNew?: boolean };

function Entry({ e, customerName, agents, onOpen, openAttachment, isNew }: EntryProps) {
  const { t, locale } = useI18n();
  // New since the agent's last look (a change refused as stale): the inbox's unread dot.
  const fresh = isNew ? " new" : "";
  const dot = isNew && <span class="unread-dot" data-testid="new-dot" role="img" aria-label={t("entry.new")} title={t("entry.new")} />;
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
        <li class={`entry msg msg-${e.kind}${fresh}`} data-testid={`entry-${e.kind}`} data-new={isNew ? "true" : undefined}>
          <div class="msg-head">
            {dot}
            <strong title={e.kind === "customer" ? e.author : e.author_email || agents.find((a) => a.id === e.author)?.email || e.author}>
              {e.kind === "customer" ? customerName || t("entry.customer") : e.author_name || agentName(e.author, agents) || t("entry.reply")}
            </strong>
            <span class={`msg-kind kind-${e.kind}`}>
              {e.kind === "note" ? `${t("entry.note")} · ${t("entry.noteHint")}` : e.kind === "reply" ? t("entry.reply") : t("entry.customer")}
            </span>
            {e.kind === "customer" && <ChannelLabel channel={e.channel} />}
            <span class="muted small">{when}</span>
          </div>
          {e.kind === "customer" && e.email ? (
            <CustomerEmail e={e} email={e.email} open={openAttachment} />
          ) : (
            <div class="msg-body">{e.body}</div>
          )}
          {e.kind === "reply" && e.delivery && <DeliveryBadge delivery={e.delivery} />}
        </li>
      );
    case "status": {
      const parts = changeParts(e.params);
      return (
        <li class={`entry sys sys-status${fresh}`} data-testid="entry-status" data-new={isNew ? "true" : undefined}>
          {dot}
          <span>{parts ? changeLine(parts, e.author, agents, t) : e.body}</span>
          <span class="muted small">{when}</span>
        </li>
      );
    }
    default: {
      const parts = e.kind === "event" ? eventParts(e.event_type, e.params, locale, t) : undefined;
      return (
        <li class={`entry sys sys-event${fresh}`} data-testid="entry-event" data-new={isNew ? "true" : undefined}>
          {dot}
          {e.event_type && <code class="event-type">{e.event_type}</code>}
          <span>
            {parts
              ? parts.map((p, i) => (typeof p === "string" ? p : <TicketLink key={i} id={p.ticket} onOpen={onOpen} testid="event-ticket-link" />))
              : e.body}
          </span>
          <span class="muted small">{when}</span>
        </li>
      );
    }
  }
}

/**
 * Thread is the ticket's timeline: messages, notes, system events and status changes, oldest
 * first. Customer messages say their channel and, by email, carry their subject, quoted text and
 * attachments; replies say where their email stands.
 */
export function Thread({
  entries,
  customerName,
  agents = [],
  onOpen,
  openAttachment,
  seen,
}: {
  entries: EntryView[];
  customerName: string;
  agents?: Agent[];
  /** Opens a ticket an event line links to. */
  onOpen?: (id: string) => void;
  /** Downloads an email attachment; without it attachments are listed without a button. */
  openAttachment?: OpenAttachment;
  /** The entries the agent had seen; when given, the others are marked new. */
  seen?: ReadonlySet<string>;
}) {
  const { t } = useI18n();
  if (entries.length === 0) return <p class="muted thread-empty">{t("ticket.emptyThread")}</p>;
  const sorted = [...entries].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  return (
    <ol class="thread" data-testid="thread">
      {sorted.map((e) => (
        <Entry key={e.id} e={e} customerName={customerName} agents={agents} onOpen={onOpen} openAttachment={openAttachment} isNew={seen ? !seen.has(e.id) : false} />
      ))}
    </ol>
  );
}
