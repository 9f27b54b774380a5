import type { TicketDetail, TicketSummary } from "../api/types";

export function ticket(id: string, over: Partial<TicketSummary> = {}): TicketSummary {
  return {
    id,
    // As the API sends them: the English subject and what it names. Tests that change
    // category or subject_ref see the console's wording; the subject is the fallback.
    subject: `Payment failed for order ${id}`,
    subject_ref: { kind: "order", value: id },
    status: "open",
    category: "payment_failed",
    priority: "normal",
    customer: { email: `${id}@example.com`, country: "FR" },
    tags: [],
    unread: false,
    version: 1,
    created_at: "2026-01-01T10:00:00Z",
    updated_at: "2026-01-01T10:00:00Z",
    ...over,
  };
}

/**
 * ticketDetail is GET /tickets/{id}'s answer. merged_from and contacts are left out, as the API
 * leaves them out when there are none.
 */
export function ticketDetail(id: string, over: Partial<TicketDetail> = {}): TicketDetail {
  return { ...ticket(id), context: {}, timeline: [], messages: [], ...over };
}

/** jsonResponse is what fetch resolves to for a JSON answer. */
export function jsonResponse(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}
