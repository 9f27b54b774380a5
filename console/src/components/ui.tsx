// Small pieces shared by the screens: badges, state messages, error wording.
import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";
import { ApiError } from "../api/errors";
import type { Agent, Category, Priority, TicketStatus } from "../api/types";
import { useI18n, type Translate } from "../i18n";

export function PriorityBadge({ priority }: { priority: Priority }) {
  const { t } = useI18n();
  return <span class={`badge priority-${priority}`}>{t(`priority.${priority}`)}</span>;
}

export function CategoryBadge({ category }: { category: Category }) {
  const { t } = useI18n();
  return <span class={`badge category category-${category}`}>{t(`category.${category}`)}</span>;
}

export function StatusBadge({ status }: { status: TicketStatus }) {
  const { t } = useI18n();
  return <span class={`badge status status-${status}`}>{t(`status.${status}`)}</span>;
}

/** StateMessage is the one way the console says "loading", "empty" or "failed". */
export function StateMessage(props: {
  /** "more": nothing shown yet, but the list goes on (the API's read budget ran out first). */
  kind: "loading" | "empty" | "error" | "more";
  title: string;
  hint?: string;
  onRetry?: () => void;
  children?: ComponentChildren;
}) {
  const { t } = useI18n();
  return (
    <div class={`state state-${props.kind}`} role={props.kind === "error" ? "alert" : "status"} data-testid={`state-${props.kind}`}>
      {props.kind === "loading" && <span class="spinner" aria-hidden="true" />}
      <p class="state-title">
        <Rich text={props.title} />
      </p>
      {props.hint && <p class="state-hint">{props.hint}</p>}
      {props.children}
      {props.onRetry && (
        <button type="button" class="btn" onClick={props.onRetry}>
          {t("error.retry")}
        </button>
      )}
    </div>
  );
}

/** errorText words an error for an agent: the API's own message when it has one. */
export function errorText(err: unknown, t: Translate): string {
  if (err instanceof ApiError) {
    if (err.status === 0) return t("error.network");
    return err.detail || t("error.generic", { status: err.status });
  }
  return err instanceof Error && err.message ? err.message : t("error.generic", { status: "?" });
}

/** isTyping says whether a key event belongs to a text field rather than to a shortcut. */
export function isTyping(e: KeyboardEvent): boolean {
  const el = e.target as HTMLElement | null;
  if (!el || !el.tagName) return false;
  const tag = el.tagName.toLowerCase();
  return tag === "input" || tag === "textarea" || tag === "select" || el.isContentEditable;
}

/** Rich shows a UI string with `command` spans set as code. */
export function Rich({ text }: { text: string }) {
  const parts = text.split("`");
  return <>{parts.map((p, i) => (i % 2 ? <code key={i}>{p}</code> : p))}</>;
}

/**
 * agentName is how the console names an agent given their id: their name from GET
 * /api/v1/agents, else their email, else the id itself. Lines written before agents had ids
 * name them by email, so an email finds its agent too.
 */
export function agentName(id: string | undefined, agents: Agent[] = []): string {
  if (!id) return "";
  const a = agents.find((a) => a.id === id) ?? agents.find((a) => a.email.toLowerCase() === id.toLowerCase());
  return a?.name || a?.email || id;
}

/** useNow is the time, updated (and the caller rendered again) every minute. */
export function useNow(everyMs = 60_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

/** TicketLink is a link to /tickets/<id> that opens it in place. */
export function TicketLink({ id, onOpen, testid }: { id: string; onOpen?: (id: string) => void; testid?: string }) {
  return (
    <a
      href={`/tickets/${encodeURIComponent(id)}`}
      data-testid={testid}
      onClick={(e) => {
        if (!onOpen || e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return; // a new tab goes by the href
        e.preventDefault();
        onOpen(id);
      }}
    >
      <code>#{id}</code>
    </a>
  );
}
