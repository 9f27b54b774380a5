import { useCallback, useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import type { ApiClient } from "../api/client";
import { ApiError } from "../api/errors";
import { statuses, type Agent, type Attachment, type TicketDetail, type TicketStatus, type TicketSummary, type TicketUpdate } from "../api/types";
import { formatDateTime, formatRelative } from "../format";
import { useI18n } from "../i18n";
import { ticketSubject } from "../i18n/subjects";
import { Composer, type MessageKind } from "./Composer";
import { ContextPanel } from "./ContextPanel";
import { Thread } from "./Thread";
import { agentName, CategoryBadge, errorText, PriorityBadge, StateMessage, TicketLink } from "./ui";

type Load = { state: "loading" } | { state: "ready" } | { state: "notfound" } | { state: "error"; error: unknown };

export interface TicketViewProps {
  api: ApiClient;
  id: string;
  onClose: () => void;
  onChanged: (t: TicketSummary) => void;
  /** Bumped by the "r" shortcut: focus the reply box. */
  replySignal: number;
  refreshMs?: number;
  /** The merchant's agents, to assign to. */
  agents?: Agent[];
  /** The signed-in agent's id, for "Assign to me". */
  me?: string;
  /** Opens another ticket (a merged or followed-up one's link). */
  onOpen?: (id: string) => void;
  /**
   * The API answered `id` with another ticket, its survivor: `from` was merged into
   * `survivor`. The console then follows the survivor; this view shows it meanwhile.
   */
  onMoved?: (survivor: string, from: string) => void;
  /** Opens the tab an attachment downloads in; blankTab by default. */
  openTab?: () => DownloadTab;
}

/** DownloadTab is a tab opened on the click, pointed at the download link once the API answers. */
export interface DownloadTab {
  go(url: string): void;
  close(): void;
}

/**
 * blankTab opens an empty tab at once, on the click, and points it at the presigned URL when
 * the API has answered. Opening the tab only after the await would be a popup without a user
 * gesture, which Safari blocks outright (Chrome and Firefox allow it for a few seconds). The tab
 * is cut off from the console (opener = null) before anything loads in it; the URL answers as
 * an attachment, so browsers download it (Chrome then closes the empty tab). If no tab could
 * be opened, the URL is tried in a new tab directly.
 */
export function blankTab(): DownloadTab {
  const w = window.open("", "_blank");
  if (w) w.opener = null;
  return {
    go(url) {
      if (w && !w.closed) w.location.href = url;
      else window.open(url, "_blank", "noopener,noreferrer");
    },
    close() {
      w?.close();
    },
  };
}

/** The API's tag rules (functions/api/handlers.go), checked here to say so before sending. */
export const maxTags = 10;
const maxTagLen = 32;

/** tagProblem says what is wrong with a tag the agent typed, or "" when it is fine. */
export function tagProblem(tag: string): "" | "invalid" {
  const s = tag.trim();
  return s.length === 0 || [...s].length > maxTagLen || /[,;<>"\n]/.test(s) ? "invalid" : "";
}

/** isStale says whether err is the API's 412: the change was sent for a version of the ticket that news has overtaken. */
function isStale(err: unknown): err is ApiError {
  return err instanceof ApiError && err.stale;
}

/**
 * Stale is a change the API refused as stale (412): the server's message, and the timeline
 * entries the agent had seen when they made it, so the ones read since are marked new.
 */
type Stale = { message: string; seen: ReadonlySet<string> };

/** isConflict says whether err is the API's 409: a change the ticket's state does not allow. */
function isConflict(err: unknown): boolean {
  return err instanceof ApiError && err.status === 409;
}

type MetaError = { what: "assignee" | "tags"; error: unknown } | null;

export function TicketView({
  api,
  id,
  onClose,
  onChanged,
  replySignal,
  refreshMs = 10_000,
  agents = [],
  me = "",
  onOpen,
  onMoved,
  openTab = blankTab,
}: TicketViewProps) {
  const { t, locale } = useI18n();
  const [detail, setDetail] = useState<TicketDetail | null>(null);
  const [load, setLoad] = useState<Load>({ state: "loading" });
  const [statusBusy, setStatusBusy] = useState<TicketStatus | null>(null);
  const [statusError, setStatusError] = useState<unknown>(null);
  const [metaBusy, setMetaBusy] = useState(false);
  const [metaError, setMetaError] = useState<MetaError>(null);
  const [tagText, setTagText] = useState("");
  const [tagHint, setTagHint] = useState("");
  const [stale, setStale] = useState<Stale | null>(null);
  const scroller = useRef<HTMLDivElement>(null);
  const stickToBottom = useRef(true);
  const current = useRef(id);
  current.current = id;
  // The ticket shown, which may be the survivor of the one asked for.
  const shown = useRef<string | null>(null);
  shown.current = detail?.id ?? null;
  // The id that was asked for and led to a survivor, while that survivor is shown.
  const [movedFrom, setMovedFrom] = useState<{ from: string; to: string } | null>(null);
  const movedRef = useRef(onMoved);
  movedRef.current = onMoved;

  const fetchDetail = useCallback(
    async (silent: boolean) => {
      const want = id;
      if (!silent) {
        setLoad({ state: "loading" });
        setDetail(null);
        setStatusError(null);
        setMetaError(null);
        setTagHint("");
        setTagText("");
        setStale(null);
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
        if (d.id && d.id !== want) {
          setMovedFrom({ from: want, to: d.id });
          movedRef.current?.(d.id, want);
        }
      } catch (e) {
        if (current.current !== want || silent) return; // a failed background refresh keeps what is shown
        setLoad((e as { status?: number }).status === 404 ? { state: "notfound" } : { state: "error", error: e });
      }
    },
    [api, id],
  );

  useEffect(() => {
    setMovedFrom((m) => (m && m.to === id ? m : null));
    // Following a survivor that is already shown needs no second load.
    if (shown.current !== id) fetchDetail(false);
  }, [fetchDetail, id]);

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

  // Changes go to the ticket shown: after a merge that is the survivor, not the id asked for.
  const target = detail?.id ?? id;

  async function send(kind: MessageKind, body: string, key: string) {
    const entry = await api.addMessage(target, kind, body, key);
    stickToBottom.current = true;
    setStale(null);
    setDetail((d) => (d && d.id === target ? { ...d, timeline: [...d.timeline, entry], messages: [...d.messages, entry] } : d));
    fetchDetail(true);
  }

  /**
   * openAttachment asks the API for the attachment's link (with the agent's token), then opens
   * it in the tab opened on the click; a failed ask closes that tab again.
   */
  const openAttachment = useCallback(
    async (a: Attachment) => {
      const tab = openTab();
      try {
        const link = await api.attachmentLink(target, a.id);
        tab.go(link.url);
      } catch (e) {
        tab.close();
        throw e;
      }
    },
    [api, target, openTab],
  );

  /** applied shows a PATCH's answer: the header at once, the new timeline line on a re-read. */
  function applied(sum: TicketSummary) {
    stickToBottom.current = true;
    setStale(null);
    setDetail((d) => (d && d.id === sum.id ? { ...d, ...sum } : d));
    onChanged(sum);
    fetchDetail(true);
  }

  /**
   * reloadStale answers a 412: the change was made from a view (seen) that news has overtaken,
   * and nothing changed. It is not retried: the ticket is read again (header and timeline), the
   * entries the agent had not seen are marked new, and the agent decides again, with the new
   * version. Entries seen before an earlier 412 that is still shown stay the baseline.
   */
  async function reloadStale(e: ApiError, seen: TicketDetail) {
    const ids = new Set(seen.timeline.map((x) => x.id));
    setStale((prev) => ({ message: e.detail, seen: prev?.seen ?? ids }));
    await fetchDetail(true);
  }

  async function changeStatus(s: TicketStatus) {
    if (!detail || s === detail.status || statusBusy) return;
    setStatusBusy(s);
    setStatusError(null);
    try {
      applied(await api.setStatus(target, s, detail.version));
    } catch (e) {
      if (isStale(e)) return await reloadStale(e, detail);
      // 409: the ticket is closed (maybe by someone else meanwhile), and closed is final. Show
      // it as it is before saying why, so the header stops offering the change.
      if (isConflict(e)) await fetchDetail(true);
      setStatusError(e);
    } finally {
      setStatusBusy(null);
    }
  }

  /** change sends an assignee or tags change; true when it went through. */
  async function change(what: "assignee" | "tags", body: TicketUpdate): Promise<boolean> {
    if (metaBusy || !detail) return false;
    setMetaBusy(true);
    setMetaError(null);
    try {
      applied(await api.updateTicket(target, body, detail.version));
      return true;
    } catch (e) {
      // Stale: what the agent typed (a tag) stays, to send again once they have looked.
      if (isStale(e)) await reloadStale(e, detail);
      else setMetaError({ what, error: e });
      return false;
    } finally {
      setMetaBusy(false);
    }
  }

  function assign(agentId: string) {
    if (!detail || (detail.assignee ?? "") === agentId) return;
    change("assignee", { assignee: agentId });
  }

  async function addTag(e: Event) {
    e.preventDefault();
    if (!detail) return;
    const tag = tagText.trim().toLowerCase();
    const tags = detail.tags ?? [];
    if (!tag) return;
    if (tagProblem(tag)) return setTagHint(t("ticket.tagInvalid"));
    if (tags.includes(tag)) {
      setTagText("");
      return setTagHint("");
    }
    if (tags.length >= maxTags) return setTagHint(t("ticket.tagLimit", { max: maxTags }));
    setTagHint("");
    if (await change("tags", { tags: [...tags, tag] })) setTagText("");
  }

  function removeTag(tag: string) {
    if (!detail) return;
    change("tags", { tags: (detail.tags ?? []).filter((x) => x !== tag) });
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
  const closed = d.status === "closed";
  const mergedFrom = (d.merged_from ?? []).filter((m) => m && m !== d.id);
  const subject = ticketSubject(d, t);
  const tags = d.tags ?? [];
  const assignee = d.assignee ?? "";
  const agentLabel = (a: Agent) => (a.id === me ? t("ticket.you", { name: a.name || a.email }) : a.name || a.email);
  return (
    <section class="ticket" data-testid="ticket-view" aria-label={subject}>
      <header class="ticket-head">
        <div class="ticket-head-main">
          <div class="ticket-title">
            <div class="badges">
              <PriorityBadge priority={d.priority} />
              <CategoryBadge category={d.category} />
            </div>
            <h2 data-testid="ticket-subject">{subject}</h2>
            <p class="muted small">
              <code>{d.id}</code>
              {" · "}
              <time dateTime={d.created_at} title={formatDateTime(d.created_at, locale)}>
                {t("ticket.created", { when: formatRelative(d.created_at, locale) })}
              </time>
            </p>
            {(d.follow_up_of || mergedFrom.length > 0) && (
              <p class="muted small ticket-links">
                {d.follow_up_of && (
                  <span data-testid="follow-up-of">
                    {t("ticket.followUpOf")} <TicketLink id={d.follow_up_of} onOpen={onOpen} testid="follow-up-link" />
                  </span>
                )}
                {d.follow_up_of && mergedFrom.length > 0 && " · "}
                {mergedFrom.length > 0 && (
                  <span data-testid="merged-from">
                    {t("ticket.mergedFrom")}{" "}
                    {mergedFrom.map((m, i) => (
                      <span key={m}>
                        {i > 0 && ", "}
                        <TicketLink id={m} onOpen={onOpen} testid="merged-link" />
                      </span>
                    ))}
                  </span>
                )}
              </p>
            )}
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
                  // A closed ticket is final (the API answers 409): nothing else is offered.
                  disabled={statusBusy !== null || (closed && s !== "closed")}
                  title={closed && s !== "closed" ? t("ticket.closedHint") : undefined}
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
        </div>
        <div class="ticket-meta">
          <div class="meta-group" data-testid="assignee-control">
            <label class="meta-label" for="ticket-assignee">
              {t("ticket.assignee")}
            </label>
            <select
              id="ticket-assignee"
              data-testid="assignee-select"
              value={assignee}
              disabled={metaBusy}
              onChange={(e) => assign((e.currentTarget as HTMLSelectElement).value)}
            >
              <option value="">{t("ticket.unassigned")}</option>
              {agents.map((a) => (
                <option key={a.id} value={a.id}>
                  {agentLabel(a)}
                </option>
              ))}
              {assignee && !agents.some((a) => a.id === assignee) && (
                <option value={assignee}>{d.assignee_name || d.assignee_email || agentName(assignee, agents)}</option>
              )}
            </select>
            {me && assignee !== me && (
              <button type="button" class="btn small" data-testid="assign-me" disabled={metaBusy} onClick={() => assign(me)}>
                {t("ticket.assignToMe")}
              </button>
            )}
          </div>
          <div class="meta-group tag-editor" data-testid="tag-editor">
            <span class="meta-label">{t("ticket.tags")}</span>
            {tags.length === 0 && <span class="muted small">{t("ticket.noTags")}</span>}
            {tags.map((tag) => (
              <span key={tag} class="tag removable" data-testid="tag">
                {tag}
                <button
                  type="button"
                  class="tag-remove"
                  data-testid={`remove-tag-${tag}`}
                  aria-label={t("ticket.removeTag", { tag })}
                  title={t("ticket.removeTag", { tag })}
                  disabled={metaBusy}
                  onClick={() => removeTag(tag)}
                >
                  ×
                </button>
              </span>
            ))}
            <form class="tag-add" onSubmit={addTag}>
              <input
                type="text"
                data-testid="tag-input"
                aria-label={t("ticket.addTag")}
                placeholder={t("ticket.tagPlaceholder")}
                maxLength={maxTagLen}
                value={tagText}
                onInput={(e) => {
                  setTagText((e.currentTarget as HTMLInputElement).value);
                  setTagHint("");
                }}
              />
              <button type="submit" class="btn small" data-testid="tag-add" disabled={metaBusy || !tagText.trim()}>
                {t("ticket.addTag")}
              </button>
            </form>
            {tagHint && (
              <span class="error-text small" role="alert" data-testid="tag-hint">
                {tagHint}
              </span>
            )}
          </div>
        </div>
      </header>
      {movedFrom && movedFrom.to === d.id && (
        <p class="notice banner" role="status" data-testid="merged-note">
          {t("ticket.mergedNote", { id: movedFrom.from })}
        </p>
      )}
      {stale && (
        <div class="notice banner stale-notice" role="alert" data-testid="stale-notice">
          <p>{t("ticket.stale")}</p>
          {stale.message && (
            <p class="muted small" data-testid="stale-message">
              {stale.message}
            </p>
          )}
        </div>
      )}
      {statusError != null && (
        <p class="error-text banner" role="alert" data-testid="status-error">
          {isConflict(statusError) && closed ? t("ticket.statusConflict") : t("ticket.statusFailed", { message: errorText(statusError, t) })}
        </p>
      )}
      {closed && statusError == null && (
        <p class="notice banner small" role="note" data-testid="closed-hint">
          {t("ticket.closedHint")}
        </p>
      )}
      {metaError != null && (
        <p class="error-text banner" role="alert" data-testid="meta-error">
          {t(metaError.what === "assignee" ? "ticket.assignFailed" : "ticket.tagsFailed", { message: errorText(metaError.error, t) })}
        </p>
      )}
      <div class="ticket-body">
        <div class="conversation">
          <div class="thread-scroll" ref={scroller} aria-label={t("ticket.thread")}>
            <Thread entries={d.timeline} customerName={d.customer?.name || d.customer?.email || ""} agents={agents} onOpen={onOpen} openAttachment={openAttachment} seen={stale?.seen} />
          </div>
          <Composer onSend={send} focusSignal={replySignal} />
        </div>
        <ContextPanel ticket={d} />
      </div>
    </section>
  );
}
