import { useCallback, useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import type { ApiClient } from "../api/client";
import { statuses, type TicketDetail, type TicketStatus, type TicketSummary } from "../api/types";
import { formatDateTime, formatRelative } from "../format";
import { useI18n } from "../i18n";
import { Composer, type MessageKind } from "./Composer";
import { ContextPanel } from "./ContextPanel";
import { Thread } from "./Thread";
import { CategoryBadge, errorText, PriorityBadge, StateMessage } from "./ui";

type Load = { state: "loading" } | { state: "ready" } | { state: "notfound" } | { state: "error"; error: unknown };

export interface TicketViewProps {
  api: ApiClient;
  id: string;
  onClose: () => void;
  onChanged: (t: TicketSummary) => void;
  /** Bumped by the "r" shortcut: focus the reply box. */
  replySignal: number;
  refreshMs?: number;
}

export function TicketView({ api, id, onClose, onChanged, replySignal, refreshMs = 10_000 }: TicketViewProps) {
  const { t, locale } = useI18n();
  const [detail, setDetail] = useState<TicketDetail | null>(null);
  const [load, setLoad] = useState<Load>({ state: "loading" });
  const [statusBusy, setStatusBusy] = useState<TicketStatus | null>(null);
  const [statusError, setStatusError] = useState<unknown>(null);
  const scroller = useRef<HTMLDivElement>(null);
  const stickToBottom = useRef(true);
  const current = useRef(id);
  current.current = id;

  const fetchDetail = useCallback(
    async (silent: boolean) => {
      const want = id;
      if (!silent) {
        setLoad({ state: "loading" });
        setDetail(null);
        setStatusError(null);
        stickToBottom.current = true;
      }
      try {
        const d = await api.getTicket(want);
        if (current.current !== want) return;
        if (silent && scroller.current) {
          const el = scroller.current;
          stickToBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
        }
        setDetail(d);
        setLoad({ state: "ready" });
      } catch (e) {
        if (current.current !== want || silent) return; // a failed background refresh keeps what is shown
        setLoad((e as { status?: number }).status === 404 ? { state: "notfound" } : { state: "error", error: e });
      }
    },
    [api, id],
  );

  useEffect(() => {
    fetchDetail(false);
  }, [fetchDetail]);

  useEffect(() => {
    if (!refreshMs) return;
    const timer = setInterval(() => {
      if (!document.hidden) fetchDetail(true);
    }, refreshMs);
    return () => clearInterval(timer);
  }, [fetchDetail, refreshMs]);

  useLayoutEffect(() => {
    const el = scroller.current;
    if (el && stickToBottom.current) el.scrollTop = el.scrollHeight;
  }, [detail]);

  async function send(kind: MessageKind, body: string) {
    const entry = await api.addMessage(id, kind, body);
    stickToBottom.current = true;
    setDetail((d) => (d && d.id === id ? { ...d, timeline: [...d.timeline, entry], messages: [...d.messages, entry] } : d));
    fetchDetail(true);
  }

  async function changeStatus(s: TicketStatus) {
    if (!detail || s === detail.status || statusBusy) return;
    setStatusBusy(s);
    setStatusError(null);
    try {
      const sum = await api.setStatus(id, s);
      stickToBottom.current = true;
      setDetail((d) => (d && d.id === id ? { ...d, ...sum } : d));
      onChanged(sum);
      fetchDetail(true);
    } catch (e) {
      setStatusError(e);
    } finally {
      setStatusBusy(null);
    }
  }

  if (load.state === "loading" || (load.state === "ready" && !detail)) {
    return (
      <section class="ticket">
        <StateMessage kind="loading" title={t("ticket.loading")} />
      </section>
    );
  }
  if (load.state === "notfound") {
    return (
      <section class="ticket">
        <StateMessage kind="empty" title={t("ticket.notFound")}>
          <button type="button" class="btn" onClick={onClose}>
            {t("ticket.close")}
          </button>
        </StateMessage>
      </section>
    );
  }
  if (load.state === "error" || !detail) {
    return (
      <section class="ticket">
        <StateMessage
          kind="error"
          title={t("ticket.error", { message: errorText(load.state === "error" ? load.error : null, t) })}
          onRetry={() => fetchDetail(false)}
        />
      </section>
    );
  }

  const d = detail;
  return (
    <section class="ticket" data-testid="ticket-view" aria-label={d.subject}>
      <header class="ticket-head">
        <div class="ticket-title">
          <div class="badges">
            <PriorityBadge priority={d.priority} />
            <CategoryBadge category={d.category} />
          </div>
          <h2 data-testid="ticket-subject">{d.subject}</h2>
          <p class="muted small">
            <code>{d.id}</code>
            {" · "}
            <time dateTime={d.created_at} title={formatDateTime(d.created_at, locale)}>
              {t("ticket.created", { when: formatRelative(d.created_at, locale) })}
            </time>
          </p>
        </div>
        <div class="ticket-actions">
          <div class="segmented" role="group" aria-label={t("ticket.changeStatus")} data-testid="status-control">
            {statuses.map((s) => (
              <button
                key={s}
                type="button"
                data-testid={`status-${s}`}
                aria-pressed={d.status === s}
                class={`seg status-${s}${d.status === s ? " active" : ""}`}
                disabled={statusBusy !== null}
                onClick={() => changeStatus(s)}
              >
                {t(`status.${s}`)}
              </button>
            ))}
          </div>
          <button type="button" class="icon-btn" aria-label={t("ticket.close")} title={t("ticket.close")} onClick={onClose}>
            ×
          </button>
        </div>
      </header>
      {statusError != null && (
        <p class="error-text banner" role="alert">
          {t("ticket.statusFailed", { message: errorText(statusError, t) })}
        </p>
      )}
      <div class="ticket-body">
        <div class="conversation">
          <div class="thread-scroll" ref={scroller} aria-label={t("ticket.thread")}>
            <Thread entries={d.timeline} customerName={d.customer?.name || d.customer?.email || ""} />
          </div>
          <Composer onSend={send} focusSignal={replySignal} />
        </div>
        <ContextPanel ticket={d} />
      </div>
    </section>
  );
}
