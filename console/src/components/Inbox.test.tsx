import { fireEvent, render, screen, waitFor } from "@testing-library/preact";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { ApiClient } from "../api/client";
import type { TicketFilter, TicketList } from "../api/types";
import { I18nProvider } from "../i18n";
import { ApiError } from "../api/errors";
import { ticket } from "../test/fixtures";
import { Inbox, maxReadsPerLoad, nextIndex } from "./Inbox";

type ListFn = (f: TicketFilter, cursor?: string, limit?: number) => Promise<TicketList>;

function fakeApi(list: ListFn) {
  return { listTickets: vi.fn(list) } as unknown as ApiClient & { listTickets: ReturnType<typeof vi.fn> };
}

function setup(props: Partial<Parameters<typeof Inbox>[0]> = {}, list?: ListFn) {
  const api = fakeApi(list ?? (async () => ({ tickets: [ticket("a"), ticket("b"), ticket("c")] })));
  const onOpen = vi.fn();
  const onReply = vi.fn();
  const view = render(
    <I18nProvider initial="en">
      <Inbox api={api} onOpen={onOpen} onReply={onReply} refreshMs={0} {...props} />
      <input data-testid="elsewhere" />
    </I18nProvider>,
  );
  return { api, onOpen, onReply, view };
}

const selectedID = () => document.querySelector('[aria-selected="true"]')?.getAttribute("data-id") ?? null;
const press = (key: string, target: Element | Document = document) => fireEvent.keyDown(target, { key });

describe("Inbox keyboard navigation", () => {
  it("moves with j and k, clamped at the ends, and opens with Enter", async () => {
    const { onOpen } = setup();
    await screen.findAllByTestId("ticket-row");
    expect(selectedID()).toBe(null);

    press("j");
    expect(selectedID()).toBe("a");
    press("j");
    press("j");
    press("j");
    expect(selectedID()).toBe("c");
    press("k");
    expect(selectedID()).toBe("b");

    press("Enter");
    expect(onOpen).toHaveBeenCalledWith("b");
  });

  it("starts from the open ticket", async () => {
    setup({ openId: "b" });
    await screen.findAllByTestId("ticket-row");
    expect(selectedID()).toBe("b");
    press("k");
    expect(selectedID()).toBe("a");
  });

  it("leaves keys alone while the agent types", async () => {
    const { onOpen, onReply } = setup({ openId: "a" });
    await screen.findAllByTestId("ticket-row");
    const input = screen.getByTestId("elsewhere");
    press("j", input);
    press("r", input);
    press("Enter", input);
    expect(selectedID()).toBe("a");
    expect(onReply).not.toHaveBeenCalled();
    expect(onOpen).not.toHaveBeenCalled();
  });

  it("r replies only while a ticket is open", async () => {
    const closed = setup();
    await screen.findAllByTestId("ticket-row");
    press("r");
    expect(closed.onReply).not.toHaveBeenCalled();
    closed.view.unmount();

    const open = setup({ openId: "a" });
    await screen.findAllByTestId("ticket-row");
    press("r");
    expect(open.onReply).toHaveBeenCalledTimes(1);
  });

  it("ignores shortcuts with modifier keys", async () => {
    setup();
    await screen.findAllByTestId("ticket-row");
    fireEvent.keyDown(document, { key: "j", ctrlKey: true });
    expect(selectedID()).toBe(null);
  });

  it("computes the next index", () => {
    expect(nextIndex(-1, 1, 3)).toBe(0);
    expect(nextIndex(-1, -1, 3)).toBe(2);
    expect(nextIndex(2, 1, 3)).toBe(2);
    expect(nextIndex(0, -1, 3)).toBe(0);
    expect(nextIndex(0, 1, 0)).toBe(-1);
  });
});

describe("Inbox loading, filters and refresh", () => {
  it("says so when there are no tickets", async () => {
    setup({}, async () => ({ tickets: [] }));
    expect((await screen.findByTestId("state-empty")).textContent).toContain("No tickets with status “Open”");
  });

  it("shows the error and retries", async () => {
    let calls = 0;
    setup({}, async () => {
      if (calls++ === 0) throw new Error("boom");
      return { tickets: [ticket("a")] };
    });
    expect((await screen.findByTestId("state-error")).textContent).toContain("boom");
    fireEvent.click(screen.getByText("Try again"));
    await screen.findByTestId("ticket-row");
  });

  it("sends the filters and pages with Load more", async () => {
    const { api } = setup({ pageSize: 2 }, async (_f, cursor) =>
      cursor ? { tickets: [ticket("c")] } : { tickets: [ticket("a"), ticket("b")], next_cursor: "p2" },
    );
    await screen.findAllByTestId("ticket-row");
    fireEvent.change(screen.getByTestId("filter-category"), { target: { value: "chargeback" } });
    const want = { status: "open", category: "chargeback", priority: "", assignee: "", language: "", sort: "", q: "" };
    await waitFor(() => expect(api.listTickets).toHaveBeenLastCalledWith(want, undefined, 2));
    fireEvent.click(await screen.findByTestId("load-more"));
    await waitFor(() => expect(screen.getAllByTestId("ticket-row")).toHaveLength(3));
    expect(api.listTickets).toHaveBeenLastCalledWith(want, "p2", 2);
    expect(screen.queryByTestId("load-more")).toBeNull();
  });

  it("refreshes in place, keeping the selection", async () => {
    let round = 0;
    setup({ refreshMs: 30 }, async () => {
      round++;
      return round === 1
        ? { tickets: [ticket("a"), ticket("b")] }
        : { tickets: [ticket("new"), ticket("a"), ticket("b", { category: "refund", subject: "Refund on order b" })] };
    });
    await screen.findAllByTestId("ticket-row");
    press("j");
    press("j");
    expect(selectedID()).toBe("b");
    await screen.findByText("Payment failed for order new");
    expect(screen.getByText("Refund on order b")).toBeTruthy();
    expect(selectedID()).toBe("b");
  });
});

describe("Inbox search, filters, unread and local time", () => {
  it("searches with q, shows only the answer, and the clear button restores the paged list", async () => {
    const { api } = setup({ pageSize: 2 }, async (f) =>
      f.q ? { tickets: [ticket("hit", { order_id: "10482", subject_ref: { kind: "order", value: "10482" } })] } : { tickets: [ticket("a"), ticket("b")], next_cursor: "p2" },
    );
    await screen.findAllByTestId("ticket-row");
    fireEvent.input(screen.getByTestId("search"), { target: { value: " #10482 " } });
    fireEvent.click(screen.getByTestId("search-submit"));
    await waitFor(() => expect(screen.getAllByTestId("ticket-row")).toHaveLength(1));
    expect(api.listTickets).toHaveBeenLastCalledWith(expect.objectContaining({ q: "#10482", status: "open" }), undefined, 2);
    expect(screen.getByText("Payment failed for order 10482")).toBeTruthy();
    expect(screen.getByTestId("search-note").textContent).toContain("#10482");
    expect(screen.queryByTestId("load-more")).toBeNull();

    fireEvent.click(screen.getByTestId("search-clear"));
    await waitFor(() => expect(screen.getAllByTestId("ticket-row")).toHaveLength(2));
    expect(api.listTickets).toHaveBeenLastCalledWith(expect.objectContaining({ q: "" }), undefined, 2);
    expect((screen.getByTestId("search") as HTMLInputElement).value).toBe("");
    expect(screen.getByTestId("load-more")).toBeTruthy();
  });

  it("says so when a search finds nothing", async () => {
    setup({}, async (f) => (f.q ? { tickets: [] } : { tickets: [ticket("a")] }));
    await screen.findAllByTestId("ticket-row");
    fireEvent.input(screen.getByTestId("search"), { target: { value: "nobody@example.com" } });
    fireEvent.submit(screen.getByTestId("search").closest("form")!);
    expect((await screen.findByTestId("state-empty")).textContent).toContain("No ticket matches “nobody@example.com”");
  });

  it("filters by assignee, language and sort", async () => {
    const agents = [
      { id: "ag-anna", email: "anna@demo.test", name: "Anna Schmidt", role: "agent" },
      { id: "ag-li", email: "li.wei@demo.test", name: "Li Wei", role: "agent" },
    ];
    const { api } = setup({ agents, me: "ag-anna" });
    await screen.findAllByTestId("ticket-row");
    const options = [...screen.getByTestId("filter-assignee").querySelectorAll("option")].map((o) => [o.value, o.textContent]);
    expect(options).toEqual([
      ["", "Anyone"],
      ["me", "Me"],
      ["none", "Unassigned"],
      ["ag-li", "Li Wei"],
    ]);
    fireEvent.change(screen.getByTestId("filter-assignee"), { target: { value: "me" } });
    fireEvent.change(screen.getByTestId("filter-language"), { target: { value: "zh-CN" } });
    fireEvent.change(screen.getByTestId("sort"), { target: { value: "priority" } });
    await waitFor(() =>
      expect(api.listTickets).toHaveBeenLastCalledWith(expect.objectContaining({ assignee: "me", language: "zh-CN", sort: "priority" }), undefined, 25),
    );
    const langs = [...screen.getByTestId("filter-language").querySelectorAll("option")].map((o) => o.value);
    expect(langs).toEqual(["", "de", "en", "fr", "es", "it", "nl", "pl", "zh-CN", "ja"]);
  });

  it("marks unread tickets, and the mark goes when the ticket is opened", async () => {
    const { view, onOpen, api } = setup({}, async () => ({ tickets: [ticket("a", { unread: true }), ticket("b")] }));
    await screen.findAllByTestId("ticket-row");
    const row = (id: string) => document.querySelector(`[data-id="${id}"]`)!;
    expect(row("a").classList.contains("unread")).toBe(true);
    expect(row("a").querySelector('[data-testid="unread-dot"]')?.getAttribute("aria-label")).toBe("Unread");
    expect(row("b").classList.contains("unread")).toBe(false);
    expect(screen.getAllByTestId("unread-dot")).toHaveLength(1);

    fireEvent.click(row("a"));
    expect(onOpen).toHaveBeenCalledWith("a");
    // App opens it: the row is read from then on, even after the ticket is closed again.
    const again = (openId: string | null) =>
      view.rerender(
        <I18nProvider initial="en">
          <Inbox api={api} onOpen={onOpen} refreshMs={0} openId={openId} />
          <input data-testid="elsewhere" />
        </I18nProvider>,
      );
    again("a");
    expect(screen.queryAllByTestId("unread-dot")).toHaveLength(0);
    expect(row("a").classList.contains("unread")).toBe(false);
    again(null);
    expect(screen.queryAllByTestId("unread-dot")).toHaveLength(0);
  });

  it("shows tags as chips and the assignee by name", async () => {
    setup({ agents: [{ id: "ag-li", email: "li.wei@demo.test", name: "Li Wei", role: "agent" }], me: "ag-anna" }, async () => ({
      tickets: [
        ticket("a", { tags: ["refund", "vip"], assignee: "ag-li" }),
        ticket("b", { assignee: "ag-anna" }),
        ticket("c", { assignee: "ag-kim", assignee_name: "Kim Park", assignee_email: "kim@demo.test" }), // not in the agents list
      ],
    }));
    await screen.findAllByTestId("ticket-row");
    expect(screen.getAllByTestId("row-tag").map((e) => e.textContent)).toEqual(["refund", "vip"]);
    expect(screen.getAllByTestId("row-assignee").map((e) => e.textContent)).toEqual(["Li Wei", "Me", "Kim Park"]);
  });
});

describe("Inbox subjects", () => {
  const list = async () => ({
    tickets: [
      ticket("a", { subject_ref: { kind: "order", value: "10482" } }),
      ticket("b", { category: "customer_message", subject: "Message about wang.fang@example.cn", subject_ref: { kind: "customer", value: "wang.fang@example.cn" } }),
      ticket("c", { category: "customer_message", subject: "Where is my parcel?", subject_ref: { kind: "topic", value: "Where is my parcel?" } }),
      ticket("d", { subject: "Payment failed for order 77 (old data)", subject_ref: undefined }),
    ],
  });
  const subjects = () => [...document.querySelectorAll(".row-subject")].map((e) => e.textContent);

  it.each([
    ["en", ["Payment failed for order 10482", "Message about wang.fang@example.cn", "Where is my parcel?", "Payment failed for order 77 (old data)"]],
    ["zh-CN", ["订单 10482 支付失败", "关于 wang.fang@example.cn 的消息", "Where is my parcel?", "Payment failed for order 77 (old data)"]],
  ] as const)("words them in %s; a topic as written; no subject_ref shows the API's subject", async (locale, want) => {
    render(
      <I18nProvider initial={locale}>
        <Inbox api={fakeApi(list)} onOpen={() => {}} refreshMs={0} />
      </I18nProvider>,
    );
    await screen.findAllByTestId("ticket-row");
    expect(subjects()).toEqual(want);
  });
});

describe("Inbox customer local time", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it.each([
    ["en", "2:05 PM local"],
    ["zh-CN", "当地时间 14:05"],
  ] as const)("shows a German customer's time in %s", async (locale, want) => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2026-01-15T13:05:00Z")); // 14:05 in Berlin (CET)
    render(
      <I18nProvider initial={locale}>
        <Inbox
          api={fakeApi(async () => ({ tickets: [ticket("de", { customer: { email: "k@example.de", country: "DE" } }), ticket("xx", { customer: { country: "AQ" } })] }))}
          onOpen={() => {}}
          refreshMs={0}
        />
      </I18nProvider>,
    );
    await screen.findAllByTestId("ticket-row");
    const times = screen.getAllByTestId("local-time");
    expect(times).toHaveLength(1); // no zone for Antarctica: no time rather than a wrong one
    expect(times[0].textContent!.replace(/[\u00a0\u202f]/g, " ")).toBe(` · ${want}`);
  });
});

/**
 * signedApi answers like the API: pages of `per` tickets out of `total` per query, and a
 * next_cursor that names its query, so a cursor sent with another query is a 400 (as the
 * API's signed cursors are).
 */
function signedApi(total: (f: TicketFilter) => number, per = 2) {
  const key = (f: TicketFilter) => JSON.stringify([f.q ?? "", f.status, f.category, f.priority, f.assignee, f.language, f.sort]);
  return async (f: TicketFilter, cursor?: string): Promise<TicketList> => {
    let from = 0;
    if (cursor) {
      const [k, at] = JSON.parse(cursor) as [string, number];
      if (k !== key(f)) throw new ApiError(400, "invalid", "cursor is not for this query");
      from = at;
    }
    const n = total(f);
    const ids = Array.from({ length: Math.max(0, Math.min(per, n - from)) }, (_, i) => `${f.q ? "s" : "t"}${from + i}`);
    return { tickets: ids.map((id) => ticket(id)), ...(from + per < n ? { next_cursor: JSON.stringify([key(f), from + per]) } : {}) };
  };
}

const rowIDs = () => screen.queryAllByTestId("ticket-row").map((r) => r.getAttribute("data-id"));

describe("Inbox paging", () => {
  it("a search's Load more continues the search with its cursor, to its end", async () => {
    const { api } = setup({ pageSize: 2 }, signedApi((f) => (f.q ? 5 : 3)));
    await waitFor(() => expect(rowIDs()).toEqual(["t0", "t1"]));
    fireEvent.input(screen.getByTestId("search"), { target: { value: "anna@example.de" } });
    fireEvent.click(screen.getByTestId("search-submit"));
    await waitFor(() => expect(rowIDs()).toEqual(["s0", "s1"]));
    fireEvent.click(screen.getByTestId("load-more"));
    await waitFor(() => expect(rowIDs()).toEqual(["s0", "s1", "s2", "s3"]));
    expect(api.listTickets).toHaveBeenLastCalledWith(expect.objectContaining({ q: "anna@example.de" }), expect.stringContaining("anna@example.de"), 2);
    fireEvent.click(screen.getByTestId("load-more"));
    await waitFor(() => expect(rowIDs()).toEqual(["s0", "s1", "s2", "s3", "s4"]));
    expect(screen.queryByTestId("load-more")).toBeNull();
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("starts over when q, a filter or the sort changes, and never sends a cursor with another query", async () => {
    const { api } = setup({ pageSize: 2 }, signedApi(() => 4));
    await waitFor(() => expect(rowIDs()).toEqual(["t0", "t1"]));
    const changes: [string, () => void][] = [
      ["search", () => {
        fireEvent.input(screen.getByTestId("search"), { target: { value: "#10482" } });
        fireEvent.click(screen.getByTestId("search-submit"));
      }],
      ["category", () => fireEvent.change(screen.getByTestId("filter-category"), { target: { value: "payment" } })],
      ["sort", () => fireEvent.change(screen.getByTestId("sort"), { target: { value: "oldest" } })],
      ["clear", () => fireEvent.click(screen.getByTestId("search-clear"))],
    ];
    for (const [what, change] of changes) {
      fireEvent.click(screen.getByTestId("load-more")); // a cursor in hand for the old query
      await waitFor(() => expect(rowIDs()).toHaveLength(4));
      const before = api.listTickets.mock.calls.length;
      change();
      await waitFor(() => expect(rowIDs(), what).toHaveLength(2));
      expect(api.listTickets.mock.calls.slice(before).map((c) => c[1]), what).toEqual([undefined]);
    }
    // The fake refuses another query's cursor: none was sent, so nothing failed.
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("lists category payment among the filters, in both languages", async () => {
    setup();
    await screen.findAllByTestId("ticket-row");
    const option = screen.getByTestId("filter-category").querySelector('option[value="payment"]');
    expect(option?.textContent).toBe("Payment");
  });

  it("follows short and empty pages while next_cursor is set, up to a full page", async () => {
    const pages: Record<string, TicketList> = {
      "": { tickets: [], next_cursor: "c1" },
      c1: { tickets: [ticket("a")], next_cursor: "c2" },
      c2: { tickets: [ticket("b"), ticket("c")], next_cursor: "c3" },
      c3: { tickets: [ticket("d")] },
    };
    const { api } = setup({ pageSize: 3 }, async (_f, cursor) => pages[cursor ?? ""]);
    await waitFor(() => expect(rowIDs()).toEqual(["a", "b", "c"]));
    expect(api.listTickets.mock.calls.map((c) => [c[1], c[2]])).toEqual([
      [undefined, 3],
      ["c1", 3],
      ["c2", 2],
    ]);
    fireEvent.click(screen.getByTestId("load-more")); // c3 is still to read: a short page is not the end
    await waitFor(() => expect(rowIDs()).toEqual(["a", "b", "c", "d"]));
    expect(screen.queryByTestId("load-more")).toBeNull();
  });

  it("stops after a few empty pages and says more may match, not that there are none", async () => {
    let found = false;
    const { api } = setup({ pageSize: 3 }, async (_f, cursor) => {
      const n = Number(cursor ?? 0) + 1;
      if (found && cursor) return { tickets: [ticket("late")] };
      return { tickets: [], next_cursor: String(n) };
    });
    const more = await screen.findByTestId("state-more");
    expect(more.textContent).toContain("Nothing found yet.");
    expect(screen.queryByTestId("state-empty")).toBeNull();
    expect(api.listTickets).toHaveBeenCalledTimes(maxReadsPerLoad);

    fireEvent.click(screen.getByTestId("load-more"));
    await waitFor(() => expect(api.listTickets).toHaveBeenCalledTimes(2 * maxReadsPerLoad));
    expect(api.listTickets).toHaveBeenLastCalledWith(expect.anything(), String(2 * maxReadsPerLoad - 1), 3);
    await screen.findByTestId("state-more");

    found = true;
    fireEvent.click(screen.getByTestId("load-more"));
    await waitFor(() => expect(rowIDs()).toEqual(["late"]));
    expect(screen.queryByTestId("state-more")).toBeNull();
    expect(screen.queryByTestId("load-more")).toBeNull();
  });

  it("says there are no tickets when an empty page has no cursor", async () => {
    setup({}, async () => ({ tickets: [] }));
    await screen.findByTestId("state-empty");
    expect(screen.queryByTestId("state-more")).toBeNull();
  });

  it("a live refresh re-reads in a bounded number of requests", async () => {
    const rounds: number[] = [];
    setup({ refreshMs: 20, pageSize: 3 }, async (_f, cursor) => {
      if (!cursor) rounds.push(0);
      rounds[rounds.length - 1]++;
      return { tickets: [], next_cursor: String(Number(cursor ?? 0) + 1) };
    });
    await screen.findByTestId("state-more");
    await waitFor(() => expect(rounds.length).toBeGreaterThanOrEqual(4), { timeout: 2000 });
    expect(rounds.slice(0, -1).every((n) => n === maxReadsPerLoad)).toBe(true);
  });

  it("says so in Chinese", async () => {
    render(
      <I18nProvider initial="zh-CN">
        <Inbox api={fakeApi(async () => ({ tickets: [], next_cursor: "c" }))} onOpen={() => {}} refreshMs={0} />
      </I18nProvider>,
    );
    expect((await screen.findByTestId("state-more")).textContent).toContain("暂未找到。");
    expect(screen.getByTestId("load-more").textContent).toBe("继续查找");
    expect(screen.getByTestId("filter-category").querySelector('option[value="payment"]')?.textContent).toBe("支付");
  });
});
