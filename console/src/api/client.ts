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

  /** updateTicket changes status, assignee and/or tags; each change adds a timeline line. */
  updateTicket(id: string, change: TicketUpdate) {
    return this.call<TicketSummary>("PATCH", `/tickets/${encodeURIComponent(id)}`, change);
  }

  setStatus(id: string, status: TicketStatus) {
    return this.updateTicket(id, { status });
  }

  /**
   * addMessage posts a reply or a note. key is the draft's Idempotency-Key: the same key with
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
