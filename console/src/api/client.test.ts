import { describe, expect, it, vi } from "vitest";
import { jsonResponse } from "../test/fixtures";
import { ApiClient, ApiError } from "./client";

function client(answer: () => Promise<Response>, token: string | null = "tok") {
  const fetchFn = vi.fn((_url: RequestInfo | URL, _init?: RequestInit) => answer());
  const onUnauthorized = vi.fn();
  const api = new ApiClient({ baseUrl: "http://api.test/", token: () => token, onUnauthorized, fetch: fetchFn as typeof fetch });
  return { api, fetchFn, onUnauthorized };
}

describe("ApiClient", () => {
  it("sends the bearer token and the filters", async () => {
    const { api, fetchFn } = client(async () => jsonResponse(200, { tickets: [] }));
    await api.listTickets({ status: "open", category: "refund", priority: "" }, "c1", 50);
    const [url, init] = fetchFn.mock.calls[0];
    expect(url).toBe("http://api.test/api/v1/tickets?status=open&category=refund&limit=50&cursor=c1");
    expect((init?.headers as Record<string, string>).Authorization).toBe("Bearer tok");
  });

  it("on 401 ends the session once and throws", async () => {
    const { api, onUnauthorized } = client(async () => jsonResponse(401, { error: "unauthorized", message: "token expired" }));
    const err = await api.me().catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(401);
    expect(err.unauthorized).toBe(true);
    expect(err.detail).toBe("token expired");
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
  });

  it("does not end the session on other errors", async () => {
    const { api, onUnauthorized } = client(async () => jsonResponse(404, { error: "not_found", message: "no such ticket" }));
    const err = await api.getTicket("tk_1").catch((e) => e);
    expect(err.notFound).toBe(true);
    expect(err.code).toBe("not_found");
    expect(onUnauthorized).not.toHaveBeenCalled();
  });

  it("copes with a non-JSON error page", async () => {
    const { api } = client(async () => new Response("<html>bad gateway</html>", { status: 502 }));
    const err = await api.me().catch((e) => e);
    expect(err.status).toBe(502);
    expect(err.code).toBe("http_502");
  });

  it("reports a network failure as status 0", async () => {
    const { api, onUnauthorized } = client(async () => {
      throw new TypeError("Failed to fetch");
    });
    const err = await api.me().catch((e) => e);
    expect(err.status).toBe(0);
    expect(err.code).toBe("network");
    expect(onUnauthorized).not.toHaveBeenCalled();
  });

  it("posts replies and status changes as JSON", async () => {
    const { api, fetchFn } = client(async () => jsonResponse(201, { id: "e1", kind: "reply", at: "", body: "hi" }));
    await api.addMessage("tk/1", "reply", "hi");
    await api.setStatus("tk/1", "solved", 3);
    expect(fetchFn.mock.calls[0][0]).toBe("http://api.test/api/v1/tickets/tk%2F1/messages");
    expect(fetchFn.mock.calls[0][1]?.body).toBe('{"kind":"reply","body":"hi"}');
    expect(fetchFn.mock.calls[1][1]?.method).toBe("PATCH");
    expect(fetchFn.mock.calls[1][1]?.body).toBe('{"status":"solved"}');
  });

  it("sends a message's Idempotency-Key when it has one", async () => {
    const { api, fetchFn } = client(async () => jsonResponse(201, { id: "e1", kind: "reply", at: "", body: "hi" }));
    await api.addMessage("tk_1", "reply", "hi", "draft-1");
    await api.addMessage("tk_1", "note", "x");
    const headers = (i: number) => fetchFn.mock.calls[i][1]?.headers as Record<string, string>;
    expect(headers(0)["Idempotency-Key"]).toBe("draft-1");
    expect(headers(1)["Idempotency-Key"]).toBeUndefined();
  });

  it("sends search, assignee, language and sort; a search pages with its cursor", async () => {
    const { api, fetchFn } = client(async () => jsonResponse(200, { tickets: [] }));
    await api.listTickets({ status: "open", assignee: "me", language: "zh-CN", sort: "priority" }, "c1", 25);
    expect(fetchFn.mock.calls[0][0]).toBe("http://api.test/api/v1/tickets?status=open&assignee=me&language=zh-CN&sort=priority&limit=25&cursor=c1");
    await api.listTickets({ status: "open", q: " #10482 " }, "c1", 25);
    expect(fetchFn.mock.calls[1][0]).toBe("http://api.test/api/v1/tickets?q=%2310482&status=open&limit=25&cursor=c1");
    await api.listTickets({ status: "open", q: "#10482" }, undefined, 25);
    expect(fetchFn.mock.calls[2][0]).toBe("http://api.test/api/v1/tickets?q=%2310482&status=open&limit=25");
  });

  it("assigns, tags and lists agents", async () => {
    const { api, fetchFn } = client(async () => jsonResponse(200, { agents: [] }));
    await api.updateTicket("tk_1", { assignee: "" }, 4);
    await api.updateTicket("tk_1", { tags: ["vip"] }, 5);
    await api.listAgents();
    expect(fetchFn.mock.calls[0][1]?.method).toBe("PATCH");
    expect(fetchFn.mock.calls[0][1]?.body).toBe('{"assignee":""}');
    expect(fetchFn.mock.calls[1][1]?.body).toBe('{"tags":["vip"]}');
    expect(fetchFn.mock.calls[2][0]).toBe("http://api.test/api/v1/agents");
  });

  it("sends every change with If-Match for the version seen, and messages without", async () => {
    const { api, fetchFn } = client(async () => jsonResponse(200, { id: "e1", kind: "reply", at: "", body: "hi" }));
    await api.setStatus("tk_1", "solved", 7);
    await api.updateTicket("tk_1", { assignee: "ag-li" }, 8);
    await api.updateTicket("tk_1", { tags: ["vip"] }, 9);
    await api.addMessage("tk_1", "reply", "hi", "draft-1");
    await api.addMessage("tk_1", "note", "x");
    const headers = (i: number) => fetchFn.mock.calls[i][1]?.headers as Record<string, string>;
    expect([0, 1, 2].map((i) => headers(i)["If-Match"])).toEqual(['"tk_1.7"', '"tk_1.8"', '"tk_1.9"']);
    expect(headers(3)["If-Match"]).toBeUndefined();
    expect(headers(4)["If-Match"]).toBeUndefined();
  });

  it("reads a 412 as stale, with the API's message", async () => {
    const { api } = client(async () => jsonResponse(412, { error: "stale", message: "the ticket changed since version 2: 1 change" }));
    const err = await api.setStatus("tk_1", "solved", 2).catch((e) => e);
    expect(err.stale).toBe(true);
    expect(err.code).toBe("stale");
    expect(err.detail).toBe("the ticket changed since version 2: 1 change");
  });
});
