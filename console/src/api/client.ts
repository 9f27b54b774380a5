import { ApiError, errorFromResponse } from "./errors";
import type {
  AgentList,
  AttachmentLink,
  EntryView,
  Me,
  TicketDetail,
  TicketFilter,
  TicketList,
  TicketStatus,
  TicketSummary,
  TicketUpdate,
} from "./types";

export interface ClientOptions {
  baseUrl?: string;
  /** token returns the bearer token, or null when signed out. */
  token: () => string | null;
  /** onUnauthorized runs once per 401 answer: the session is over; show sign-in. */
  onUnauthorized: () => void;
  fetch?: typeof fetch;
}

/**
 * ifMatch is the If-Match of a change to the ticket id as seen at version: its ETag,
 * "<id>.<version>" in quotes, built from the body because the header is not readable
 * cross-origin.
 */
export function ifMatch(id: string, version: number): string {
  return `"${id}.${version}"`;
}

/** ApiClient calls the console API (/api/v1) with the session's bearer token. */
export class ApiClient {
  private base: string;
  private fetchFn: typeof fetch;

  constructor(private opts: ClientOptions) {
    this.base = (opts.baseUrl ?? "").replace(/\/$/, "") + "/api/v1";
    this.fetchFn = opts.fetch ?? ((...a) => fetch(...a));
  }

  me(signal?: AbortSignal) {
    return this.call<Me>("GET", "/me", undefined, signal);
  }

  listAgents(signal?: AbortSignal) {
    return this.call<AgentList>("GET", "/agents", undefined, signal);
  }

  /**
   * listTickets reads one page of the inbox or of a search (f.q). cursor must be the
   * next_cursor of a page of this very filter (q, filters and sort): the API signs cursors for
   * their query and answers another query's with a 400.
   */
  listTickets(f: TicketFilter, cursor?: string, limit?: number, signal?: AbortSignal) {
    const q = new URLSearchParams();
    const search = f.q?.trim();
    if (search) q.set("q", search);
    if (f.status) q.set("status", f.status);
    if (f.category) q.set("category", f.category);
    if (f.priority) q.set("priority", f.priority);
    if (f.assignee) q.set("assignee", f.assignee);
    if (f.language) q.set("language", f.language);
    if (f.sort) q.set("sort", f.sort);
    if (limit) q.set("limit", String(limit));
    if (cursor) q.set("cursor", cursor);
    const qs = q.toString();
    return this.call<TicketList>("GET", "/tickets" + (qs ? "?" + qs : ""), undefined, signal);
  }

  getTicket(id: string, signal?: AbortSignal) {
    return this.call<TicketDetail>("GET", `/tickets/${encodeURIComponent(id)}`, undefined, signal);
  }

  /**
   * updateTicket changes status, assignee and/or tags; each change adds a timeline line.
   * version is the ticket's version as the agent saw it (the detail shown, id's body): it goes
   * as If-Match, so a ticket that news has overtaken since (a chargeback, the customer's
   * answer, a colleague's change) is a 412 "stale" and changes nothing, rather than being
   * solved or reassigned over news the agent never saw.
   */
  updateTicket(id: string, change: TicketUpdate, version: number) {
    return this.call<TicketSummary>("PATCH", `/tickets/${encodeURIComponent(id)}`, change, undefined, { "If-Match": ifMatch(id, version) });
  }

  setStatus(id: string, status: TicketStatus, version: number) {
    return this.updateTicket(id, { status }, version);
  }

  /**
   * addMessage posts a reply or a note. It sends no If-Match: a reply only adds to the
   * timeline, and must not be refused because news arrived while the agent wrote it. key is the draft's Idempotency-Key: the same key with
   * the same text is stored once however often it is sent; the API refuses it (422) with
   * other text.
   */
  addMessage(id: string, kind: "reply" | "note", body: string, key?: string) {
    return this.call<EntryView>("POST", `/tickets/${encodeURIComponent(id)}/messages`, { kind, body }, undefined,
      key ? { "Idempotency-Key": key } : undefined);
  }

  /**
   * attachmentLink asks for a short-lived download URL of one of a ticket's email attachments.
   * The file itself is fetched from that URL, not through the API: it needs no token, and large
   * files do not pass through the API's function. A refused (not stored) attachment is a 404.
   */
  attachmentLink(ticketId: string, attachmentId: string) {
    return this.call<AttachmentLink>(
      "GET",
      `/tickets/${encodeURIComponent(ticketId)}/attachments/${encodeURIComponent(attachmentId)}`,
    );
  }

  private async call<T>(method: string, path: string, body?: unknown, signal?: AbortSignal, extra?: Record<string, string>): Promise<T> {
    const headers: Record<string, string> = { Accept: "application/json", ...extra };
    const token = this.opts.token();
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let res: Response;
    try {
      res = await this.fetchFn(this.base + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
      });
    } catch (e) {
      if ((e as Error)?.name === "AbortError") throw e;
      throw new ApiError(0, "network", "");
    }
    if (res.status === 401) {
      const err = await errorFromResponse(res);
      this.opts.onUnauthorized();
      throw err;
    }
    if (!res.ok) throw await errorFromResponse(res);
    return (await res.json()) as T;
  }
}

export { ApiError } from "./errors";
