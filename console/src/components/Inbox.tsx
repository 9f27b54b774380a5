import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import type { ApiClient } from "../api/client";
import {
  categories,
  customerLanguages,
  priorities,
  sorts,
  statuses,
  type Agent,
  type TicketFilter,
  type TicketSummary,
} from "../api/types";
import { countryName, countryTimeZone, formatDateTime, formatLocalTime, formatRelative, languageName } from "../format";
import { useI18n } from "../i18n";
import { ticketSubject } from "../i18n/subjects";
import { agentName, CategoryBadge, errorText, isTyping, PriorityBadge, StateMessage, StatusBadge, useNow } from "./ui";

export interface InboxProps {
  api: ApiClient;
  /** The ticket shown beside the inbox, if any. */
  openId?: string | null;
  onOpen: (id: string) => void;
  /** onReply runs for the "r" shortcut while a ticket is open. */
  onReply?: () => void;
  /** A ticket changed elsewhere (status); its row is updated in place. */
  changed?: TicketSummary | null;
  refreshMs?: number;
  pageSize?: number;
  initialFilter?: TicketFilter;
  /** The merchant's agents, for the assignee filter and names. */
  agents?: Agent[];
  /** The signed-in agent's id. */
  me?: string;
}

type Load = { state: "loading" } | { state: "ready" } | { state: "error"; error: unknown };

/**
 * Next is where the list goes on: the API's next_cursor with the very filter its page was read
 * with. A cursor is signed for its query, so it is only ever sent with that filter.
 */
type Next = { cursor: string; filter: TicketFilter } | undefined;

/**
 * The most requests one load (the first page, "Load more", a refresh) makes on its own. Each
 * request has a read budget, and a rare filter can spend it and answer a short or empty page
 * with a cursor: the inbox follows on a few times to fill the page, then stops and lets the
 * agent ask for more, rather than walking the whole table from a browser (again on every
 * live refresh).
 */
export const maxReadsPerLoad = 4;
/** A refresh re-reads what was loaded, in at most this many requests. */
const maxReadsPerRefresh = 20;

interface Pages {
  tickets: TicketSummary[];
  next?: string;
  reads: number;
}

/** readPages follows next_cursor from cursor until it has want tickets, the end, or maxReads requests. */
async function readPages(api: ApiClient, f: TicketFilter, cursor: string | undefined, want: number, maxReads: number): Promise<Pages> {
  let tickets: TicketSummary[] = [];
  let reads = 0;
  do {
    const page = await api.listTickets(f, cursor, Math.min(100, want - tickets.length));
    reads++;
    tickets = tickets.concat(page.tickets ?? []);
    cursor = page.next_cursor || undefined;
  } while (cursor && tickets.length < want && reads < maxReads);
  return { tickets, next: cursor, reads };
}

export const defaultFilter: TicketFilter = { status: "open", category: "", priority: "", assignee: "", language: "", sort: "", q: "" };

function uniqueByID(list: TicketSummary[]): TicketSummary[] {
  const seen = new Set<string>();
  return list.filter((t) => (seen.has(t.id) ? false : (seen.add(t.id), true)));
}

/** nextIndex is where j (+1) or k (-1) moves the selection in a list of n rows. */
export function nextIndex(current: number, step: 1 | -1, n: number): number {
  if (n === 0) return -1;
  if (current < 0) return step > 0 ? 0 : n - 1;
  return Math.min(n - 1, Math.max(0, current + step));
}

export function Inbox(props: InboxProps) {
  const { api, onOpen, onReply, openId, refreshMs = 10_000, pageSize = 25, agents = [], me = "" } = props;
  const { t, locale } = useI18n();
  useNow(); // a render each minute, so local times move on between refreshes
  const now = Date.now();
  const [filter, setFilter] = useState<TicketFilter>({ ...defaultFilter, ...props.initialFilter });
  const [query, setQuery] = useState(filter.q ?? "");
  // When the agent opened each ticket here, by its updated_at then: the row is read until the
  // ticket has newer activity, whatever a refresh that was already under way says.
  const [seen, setSeen] = useState<Record<string, string>>({});
  const [tickets, setTickets] = useState<TicketSummary[]>([]);
  const [next, setNext] = useState<Next>();
  const [load, setLoad] = useState<Load>({ state: "loading" });
  const [moreBusy, setMoreBusy] = useState(false);
  const [moreError, setMoreError] = useState<unknown>(null);
  const [refreshFailed, setRefreshFailed] = useState(false);
  const [selected, setSelected] = useState<string | null>(openId ?? null);
  const listRef = useRef<HTMLUListElement>(null);

  // Answers that arrive after the filter changed, or after the list changed under a refresh,
  // are dropped: gen counts filter changes, version counts list changes.
  const gen = useRef(0);
  const version = useRef(0);
  // The requests it took to load the rows shown, so a refresh can re-read as far.
  const reads = useRef(0);
  const live = useRef({ tickets, next, load, moreBusy, selected, filter });
  live.current = { tickets, next, load, moreBusy, selected, filter };

  const loadFirst = useCallback(
    async (f: TicketFilter) => {
      const g = ++gen.current;
      version.current++;
      setLoad({ state: "loading" });
      setNext(undefined);
      setMoreBusy(false);
      setMoreError(null);
      try {
        const got = await readPages(api, f, undefined, pageSize, maxReadsPerLoad);
        if (g !== gen.current) return;
        reads.current = got.reads;
        setTickets(uniqueByID(got.tickets));
        setNext(got.next ? { cursor: got.next, filter: f } : undefined);
        setLoad({ state: "ready" });
        setRefreshFailed(false);
      } catch (e) {
        if (g === gen.current) setLoad({ state: "error", error: e });
      }
    },
    [api, pageSize],
  );

  useEffect(() => {
    loadFirst(filter);
  }, [filter, loadFirst]);

  async function loadMore() {
    const from = live.current.next;
    if (!from || live.current.moreBusy) return;
    const g = gen.current;
    version.current++;
    setMoreBusy(true);
    setMoreError(null);
    try {
      const got = await readPages(api, from.filter, from.cursor, pageSize, maxReadsPerLoad);
      if (g !== gen.current) return;
      version.current++;
      reads.current += got.reads;
      setTickets((prev) => uniqueByID([...prev, ...got.tickets]));
      setNext(got.next ? { cursor: got.next, filter: from.filter } : undefined);
    } catch (e) {
      if (g === gen.current) setMoreError(e);
    } finally {
      if (g === gen.current) setMoreBusy(false);
    }
  }

  // Live refresh: re-read as many rows as are shown, in place. Rows are keyed by id, so the
  // selection, the open ticket and the scroll position survive.
  const refresh = useCallback(async () => {
    const cur = live.current;
    if (cur.load.state !== "ready" || cur.moreBusy) return;
    if (typeof document !== "undefined" && document.hidden) return;
    const g = gen.current;
    const v = version.current;
    const want = Math.max(pageSize, cur.tickets.length);
    const f = cur.filter;
    try {
      const got = await readPages(api, f, undefined, want, Math.min(maxReadsPerRefresh, Math.max(maxReadsPerLoad, reads.current)));
      if (g !== gen.current || v !== version.current) return;
      reads.current = got.reads;
      setTickets(uniqueByID(got.tickets));
      setNext(got.next ? { cursor: got.next, filter: f } : undefined);
      setRefreshFailed(false);
    } catch {
      if (g === gen.current) setRefreshFailed(true);
    }
  }, [api, pageSize]);

  useEffect(() => {
    if (!refreshMs) return;
    const timer = setInterval(refresh, refreshMs);
    const onVisible = () => {
      if (!document.hidden) refresh();
    };
    document.addEventListener("visibilitychange", onVisible);
    return () => {
      clearInterval(timer);
      document.removeEventListener("visibilitychange", onVisible);
    };
  }, [refresh, refreshMs]);

  useEffect(() => {
    const c = props.changed;
    if (!c) return;
    version.current++;
    setTickets((prev) => prev.map((x) => (x.id === c.id ? c : x)));
  }, [props.changed]);

  useEffect(() => {
    if (openId) setSelected(openId);
  }, [openId]);

  // Opening a ticket reads it (the API marks it read on GET).
  useEffect(() => {
    if (!openId) return;
    const row = live.current.tickets.find((x) => x.id === openId);
    if (row && seen[openId] !== row.updated_at) setSeen((m) => ({ ...m, [openId]: row.updated_at }));
  }, [openId, tickets, seen]);

  const isUnread = (x: TicketSummary) => x.unread && x.id !== openId && !(seen[x.id] && Date.parse(x.updated_at) <= Date.parse(seen[x.id]));

  // Keyboard: j/k move the selection, Enter opens it, r replies on the open ticket.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || isTyping(e)) return;
      const { tickets: list, selected: sel } = live.current;
      if (e.key === "j" || e.key === "k") {
        const i = nextIndex(
          list.findIndex((x) => x.id === sel),
          e.key === "j" ? 1 : -1,
          list.length,
        );
        if (i < 0) return;
        e.preventDefault();
        setSelected(list[i].id);
      } else if (e.key === "Enter") {
        const tag = (e.target as HTMLElement | null)?.tagName?.toLowerCase();
        if (tag === "button" || tag === "a" || !sel) return;
        e.preventDefault();
        onOpen(sel);
      } else if (e.key === "r" && onReply && openId) {
        e.preventDefault();
        onReply();
      }
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [onOpen, onReply, openId]);

  useEffect(() => {
    if (!selected || !listRef.current) return;
    const row = Array.from(listRef.current.children).find((el) => (el as HTMLElement).dataset.id === selected);
    (row as HTMLElement | undefined)?.scrollIntoView?.({ block: "nearest" });
  }, [selected]);

  const set = (key: keyof TicketFilter) => (e: Event) =>
    setFilter((f) => ({ ...f, [key]: (e.currentTarget as HTMLSelectElement).value }));

  const search = (q: string) => {
    setQuery(q);
    setFilter((f) => (f.q === q.trim() ? f : { ...f, q: q.trim() }));
  };

  const narrowed = Boolean(filter.category || filter.priority || filter.assignee || filter.language);
  let body;
  if (load.state === "loading") {
    body = <StateMessage kind="loading" title={t("inbox.loading")} />;
  } else if (load.state === "error") {
    body = (
      <StateMessage kind="error" title={t("inbox.error", { message: errorText(load.error, t) })} onRetry={() => loadFirst(filter)} />
    );
  } else if (tickets.length === 0 && next) {
    // A short read, not the end: the API stopped at its read budget and more may match.
    body = (
      <StateMessage kind="more" title={t("inbox.stillLooking")} hint={t("inbox.stillLookingHint")}>
        {moreError != null && <p class="error-text" role="alert">{t("inbox.error", { message: errorText(moreError, t) })}</p>}
        <button type="button" class="btn" data-testid="load-more" disabled={moreBusy} onClick={loadMore}>
          {moreBusy ? t("inbox.loadingMore") : t("inbox.keepLooking")}
        </button>
      </StateMessage>
    );
  } else if (tickets.length === 0 && filter.q) {
    body = <StateMessage kind="empty" title={t("inbox.noMatch", { q: filter.q })} hint={t("inbox.noMatchHint")} />;
  } else if (tickets.length === 0) {
    body = (
      <StateMessage
        kind="empty"
        title={
          narrowed
            ? t("inbox.emptyFiltered")
            : filter.status
              ? t("inbox.emptyStatus", { status: t(`status.${filter.status}`) })
              : t("inbox.empty")
        }
        hint={t("inbox.emptyHint")}
      />
    );
  } else {
    body = (
      <>
        <ul class="ticket-list" role="listbox" aria-label={t("inbox.title")} ref={listRef} data-testid="ticket-list">
          {tickets.map((x) => {
            const unread = isUnread(x);
            const localTime = formatLocalTime(countryTimeZone(x.customer?.country), locale, now);
            const tags = x.tags ?? [];
            return (
              <li
                key={x.id}
                role="option"
                data-id={x.id}
                data-testid="ticket-row"
                data-unread={unread ? "true" : undefined}
                aria-selected={x.id === selected}
                class={`ticket-row${x.id === selected ? " selected" : ""}${x.id === openId ? " open" : ""}${unread ? " unread" : ""}`}
                onClick={() => {
                  setSelected(x.id);
                  onOpen(x.id);
                }}
              >
                <div class="row-top">
                  <PriorityBadge priority={x.priority} />
                  <CategoryBadge category={x.category} />
                  <time class="row-time" dateTime={x.updated_at} title={formatDateTime(x.updated_at, locale)}>
                    {formatRelative(x.updated_at, locale, now)}
                  </time>
                </div>
                <div class="row-subject">
                  {unread && (
                    <span class="unread-dot" data-testid="unread-dot" role="img" aria-label={t("inbox.unread")} title={t("inbox.unread")} />
                  )}
                  {ticketSubject(x, t)}
                </div>
                <div class="row-bottom">
                  <span class="row-customer">
                    {x.customer?.email || x.customer?.name || t("inbox.unknownCustomer")}
                    {x.customer?.country && <span class="row-country"> · {countryName(x.customer.country, locale)}</span>}
                    {localTime && (
                      <span class="row-local-time" data-testid="local-time">
                        {" · "}
                        {t("inbox.localTime", { time: localTime })}
                      </span>
                    )}
                  </span>
                  {x.status !== filter.status && <StatusBadge status={x.status} />}
                </div>
                {(tags.length > 0 || x.assignee) && (
                  <div class="row-meta">
                    <span class="tags">
                      {tags.map((tag) => (
                        <span key={tag} class="tag" data-testid="row-tag">
                          {tag}
                        </span>
                      ))}
                    </span>
                    {x.assignee && (
                      <span
                        class="row-assignee"
                        data-testid="row-assignee"
                        title={t("inbox.assignedTo", { name: x.assignee_email || x.assignee_name || agentName(x.assignee, agents) })}
                      >
                        {x.assignee === me ? t("filter.me") : x.assignee_name || agentName(x.assignee, agents)}
                      </span>
                    )}
                  </div>
                )}
              </li>
            );
          })}
        </ul>
        <div class="list-foot">
          {moreError != null && <p class="error-text" role="alert">{t("inbox.error", { message: errorText(moreError, t) })}</p>}
          {next ? (
            <button type="button" class="btn" data-testid="load-more" disabled={moreBusy} onClick={loadMore}>
              {moreBusy ? t("inbox.loadingMore") : t("inbox.loadMore")}
            </button>
          ) : null}
          <span class="muted small">{t("inbox.count", { count: tickets.length })}</span>
        </div>
      </>
    );
  }

  return (
    <section class="inbox" aria-label={t("inbox.title")}>
      <div class="inbox-head">
        <h2>{t("inbox.title")}</h2>
        <span class="muted small shortcuts">{t("inbox.shortcuts")}</span>
      </div>
      <form
        class="search"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          search(query);
        }}
      >
        <input
          type="search"
          data-testid="search"
          aria-label={t("search.label")}
          placeholder={t("search.placeholder")}
          value={query}
          maxLength={200}
          onInput={(e) => setQuery((e.currentTarget as HTMLInputElement).value)}
          onKeyDown={(e) => {
            if (e.key === "Escape") {
              e.preventDefault();
              search("");
            }
          }}
        />
        {(query || filter.q) && (
          <button
            type="button"
            class="icon-btn small"
            data-testid="search-clear"
            aria-label={t("search.clear")}
            title={t("search.clear")}
            onClick={() => search("")}
          >
            ×
          </button>
        )}
        <button type="submit" class="btn" data-testid="search-submit">
          {t("search.submit")}
        </button>
      </form>
      {filter.q && (
        <p class="search-note muted small" data-testid="search-note">
          {t("inbox.searchResults", { q: filter.q })}
        </p>
      )}
      <div class="filters">
        <label>
          <span>{t("filter.status")}</span>
          <select data-testid="filter-status" value={filter.status} onChange={set("status")}>
            <option value="">{t("filter.any")}</option>
            {statuses.map((s) => (
              <option key={s} value={s}>
                {t(`status.${s}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>{t("filter.category")}</span>
          <select data-testid="filter-category" value={filter.category} onChange={set("category")}>
            <option value="">{t("filter.any")}</option>
            {categories.map((c) => (
              <option key={c} value={c}>
                {t(`category.${c}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>{t("filter.priority")}</span>
          <select data-testid="filter-priority" value={filter.priority} onChange={set("priority")}>
            <option value="">{t("filter.any")}</option>
            {priorities.map((p) => (
              <option key={p} value={p}>
                {t(`priority.${p}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>{t("filter.assignee")}</span>
          <select data-testid="filter-assignee" value={filter.assignee} onChange={set("assignee")}>
            <option value="">{t("filter.anyone")}</option>
            <option value="me">{t("filter.me")}</option>
            <option value="none">{t("filter.unassigned")}</option>
            {agents
              .filter((a) => a.id !== me)
              .map((a) => (
                <option key={a.id} value={a.id}>
                  {a.name || a.email}
                </option>
              ))}
          </select>
        </label>
        <label>
          <span>{t("filter.language")}</span>
          <select data-testid="filter-language" value={filter.language} onChange={set("language")}>
            <option value="">{t("filter.anyLanguage")}</option>
            {customerLanguages.map((l) => (
              <option key={l} value={l}>
                {languageName(l, locale)}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>{t("filter.sort")}</span>
          <select data-testid="sort" value={filter.sort || "updated"} onChange={set("sort")}>
            {sorts.map((s) => (
              <option key={s} value={s}>
                {t(`sort.${s}`)}
              </option>
            ))}
          </select>
        </label>
      </div>
      {refreshFailed && (
        <p class="refresh-error" role="status">
          {t("inbox.refreshError")}
        </p>
      )}
      <div class="inbox-body">{body}</div>
    </section>
  );
}
