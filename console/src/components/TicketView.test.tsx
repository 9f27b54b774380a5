import { act, fireEvent, render, screen, waitFor } from "@testing-library/preact";
import { useState } from "preact/hooks";
import { describe, expect, it, vi } from "vitest";
import { ApiClient } from "../api/client";
import { ApiError } from "../api/errors";
import type { EntryView, TicketDetail, TicketUpdate } from "../api/types";
import { I18nProvider, type Locale } from "../i18n";
import { jsonResponse, ticket, ticketDetail } from "../test/fixtures";
import { changeParts } from "./Thread";
import { tagProblem, TicketView } from "./TicketView";

// Agents are named by id (the Cognito sub); their emails are only shown.
const agents = [
  { id: "ag-anna", email: "anna@demo.test", name: "Anna Schmidt", role: "agent" },
  { id: "ag-li", email: "li.wei@demo.test", name: "Li Wei", role: "agent" },
  { id: "ag-sam", email: "sam@demo.test", name: "Sam Taylor", role: "supervisor" },
];

function detail(over: Partial<TicketDetail> = {}): TicketDetail {
  return { ...ticket("tk_1", { order_id: "10482", subject: "Payment failed for order 10482", subject_ref: { kind: "order", value: "10482" } }), context: {}, timeline: [], messages: [], ...over };
}

/** fakeApi serves one ticket and applies PATCHes to it, the way the API answers. */
function setup(start: Partial<TicketDetail> = {}, locale: Locale = "en") {
  let current = detail(start);
  const updateTicket = vi.fn(async (_id: string, change: TicketUpdate) => {
    current = {
      ...current,
      ...(change.assignee !== undefined ? { assignee: change.assignee || undefined } : {}),
      ...(change.tags ? { tags: [...new Set(change.tags.map((t) => t.toLowerCase()))].sort() } : {}),
    };
    const { context: _c, timeline: _t, messages: _m, ...sum } = current;
    return sum;
  });
  const api = {
    getTicket: vi.fn(async () => current),
    updateTicket,
    setStatus: vi.fn(),
    addMessage: vi.fn(),
  } as unknown as ApiClient;
  const onChanged = vi.fn();
  render(
    <I18nProvider initial={locale}>
      <TicketView api={api} id="tk_1" onClose={() => {}} onChanged={onChanged} replySignal={0} refreshMs={0} agents={agents} me="ag-anna" />
    </I18nProvider>,
  );
  return { updateTicket, onChanged };
}

const select = () => screen.getByTestId("assignee-select") as HTMLSelectElement;
const chips = () => screen.queryAllByTestId("tag").map((e) => e.firstChild?.textContent);

describe("TicketView assignment", () => {
  it("assign to me sends PATCH {assignee: my id} and shows it in the header", async () => {
    const { updateTicket, onChanged } = setup();
    await screen.findByTestId("ticket-view");
    expect(select().value).toBe("");
    fireEvent.click(screen.getByTestId("assign-me"));
    await waitFor(() => expect(select().value).toBe("ag-anna"));
    expect(updateTicket).toHaveBeenCalledWith("tk_1", { assignee: "ag-anna" }, 1);
    expect(onChanged).toHaveBeenCalledWith(expect.objectContaining({ id: "tk_1", assignee: "ag-anna" }));
    expect(screen.queryByTestId("assign-me")).toBeNull(); // already mine
    expect(select().selectedOptions[0].textContent).toBe("Anna Schmidt (you)");
  });

  it("assigns to a colleague and unassigns", async () => {
    const { updateTicket } = setup({ assignee: "ag-anna" });
    await screen.findByTestId("ticket-view");
    expect([...select().options].map((o) => [o.value, o.textContent])).toEqual([
      ["", "Unassigned"],
      ["ag-anna", "Anna Schmidt (you)"],
      ["ag-li", "Li Wei"],
      ["ag-sam", "Sam Taylor"],
    ]);
    fireEvent.change(select(), { target: { value: "ag-li" } });
    await waitFor(() => expect(updateTicket).toHaveBeenLastCalledWith("tk_1", { assignee: "ag-li" }, 1));
    await waitFor(() => expect(select().value).toBe("ag-li"));
    fireEvent.change(select(), { target: { value: "" } });
    await waitFor(() => expect(updateTicket).toHaveBeenLastCalledWith("tk_1", { assignee: "" }, 1));
    await waitFor(() => expect(select().value).toBe(""));
    expect(screen.getByTestId("assign-me")).toBeTruthy();
  });

  it("names an assignee no longer among the agents by the name the ticket carries", async () => {
    setup({ assignee: "ag-gone", assignee_name: "Kim Former", assignee_email: "kim@demo.test" });
    await screen.findByTestId("ticket-view");
    expect(select().value).toBe("ag-gone");
    expect(select().selectedOptions[0].textContent).toBe("Kim Former");
  });

  it("says so when the API refuses", async () => {
    const { updateTicket } = setup();
    updateTicket.mockRejectedValueOnce(new Error("no agent works here"));
    await screen.findByTestId("ticket-view");
    fireEvent.click(screen.getByTestId("assign-me"));
    expect((await screen.findByTestId("meta-error")).textContent).toBe("Couldn't change the assignee: no agent works here");
  });

  it("speaks Chinese", async () => {
    setup({}, "zh-CN");
    await screen.findByTestId("ticket-view");
    expect(screen.getByTestId("assign-me").textContent).toBe("分配给我");
    expect(select().options[0].textContent).toBe("未分配");
    expect(screen.getByTestId("tag-add").textContent).toBe("添加标签");
  });
});

describe("TicketView subject", () => {
  it.each([
    ["en", {}, "Payment failed for order 10482"],
    ["zh-CN", {}, "订单 10482 支付失败"],
    ["zh-CN", { category: "shipping_exception", subject_ref: { kind: "parcel", value: "1Z9X48V20312658874" } }, "运单 1Z9X48V20312658874 配送异常"],
    ["zh-CN", { category: "customer_message", subject_ref: { kind: "topic", value: "Colis endommagé" } }, "Colis endommagé"],
    ["zh-CN", { subject_ref: undefined }, "Payment failed for order 10482"],
  ] as [Locale, Partial<TicketDetail>, string][])("in %s, %j: %s", async (locale, over, want) => {
    setup(over, locale);
    await screen.findByTestId("ticket-view");
    expect(screen.getByTestId("ticket-subject").textContent).toBe(want);
    expect(screen.getByTestId("ticket-view").getAttribute("aria-label")).toBe(want);
  });
});

describe("TicketView tags", () => {
  it("adds a tag with the input and removes one with its ×", async () => {
    const { updateTicket } = setup({ tags: ["refund"] });
    await screen.findByTestId("ticket-view");
    expect(chips()).toEqual(["refund"]);

    fireEvent.input(screen.getByTestId("tag-input"), { target: { value: " VIP " } });
    fireEvent.click(screen.getByTestId("tag-add"));
    await waitFor(() => expect(chips()).toEqual(["refund", "vip"]));
    expect(updateTicket).toHaveBeenLastCalledWith("tk_1", { tags: ["refund", "vip"] }, 1);
    expect((screen.getByTestId("tag-input") as HTMLInputElement).value).toBe("");

    fireEvent.click(screen.getByTestId("remove-tag-refund"));
    await waitFor(() => expect(chips()).toEqual(["vip"]));
    expect(updateTicket).toHaveBeenLastCalledWith("tk_1", { tags: ["vip"] }, 1);
    expect(screen.getByLabelText("Remove tag “vip”")).toBeTruthy();
  });

  it("refuses a tag the API would refuse, without calling it", async () => {
    const { updateTicket } = setup();
    await screen.findByTestId("ticket-view");
    fireEvent.input(screen.getByTestId("tag-input"), { target: { value: "a;b" } });
    fireEvent.submit(screen.getByTestId("tag-input").closest("form")!);
    expect((await screen.findByTestId("tag-hint")).textContent).toContain("1 to 32 characters");
    expect(updateTicket).not.toHaveBeenCalled();
  });

  it("stops at ten tags", async () => {
    const { updateTicket } = setup({ tags: Array.from({ length: 10 }, (_, i) => `t${i}`) });
    await screen.findByTestId("ticket-view");
    fireEvent.input(screen.getByTestId("tag-input"), { target: { value: "eleven" } });
    fireEvent.submit(screen.getByTestId("tag-input").closest("form")!);
    expect((await screen.findByTestId("tag-hint")).textContent).toBe("A ticket has at most 10 tags.");
    expect(updateTicket).not.toHaveBeenCalled();
  });

  it.each([
    ["vip", ""],
    ["", "invalid"],
    ["x".repeat(33), "invalid"],
    ["a,b", "invalid"],
    ['say "hi"', "invalid"],
    ["<b>", "invalid"],
    ["überweisung", ""],
  ])("tagProblem(%j) = %j", (tag, want) => {
    expect(tagProblem(tag)).toBe(want);
  });
});

describe("change lines in the timeline", () => {
  it("reads the change from the line's params", () => {
    expect(changeParts({ status: "solved" })).toEqual([{ kind: "status", status: "solved" }]);
    expect(changeParts({ tags: "refund,vip", assignee: "ag-li" })).toEqual([
      { kind: "assigned", agent: "ag-li" },
      { kind: "tags", tags: ["refund", "vip"] },
    ]);
    expect(changeParts({ assignee: "" })).toEqual([{ kind: "unassigned" }]);
    expect(changeParts({ tags: "" })).toEqual([{ kind: "tags", tags: [] }]);
    expect(changeParts({ status: "archived" })).toBeNull();
    expect(changeParts({})).toBeNull();
    expect(changeParts(undefined)).toBeNull();
  });

  const lines: EntryView[] = [
    { id: "e1", kind: "status", at: "2026-01-01T10:00:00Z", author: "ag-anna", body: "status solved; assigned to li.wei@demo.test; tags: vip", params: { status: "solved", assignee: "ag-li", tags: "vip" } },
    { id: "e2", kind: "status", at: "2026-01-01T10:01:00Z", author: "ag-li", body: "status pending", params: { status: "pending" } },
    { id: "e3", kind: "status", at: "2026-01-01T10:02:00Z", author: "ag-sam", body: "assigned to sam@demo.test", params: { assignee: "ag-sam" } },
    { id: "e4", kind: "status", at: "2026-01-01T10:03:00Z", author: "ag-sam", body: "unassigned; tags: ", params: { assignee: "", tags: "" } },
    { id: "e5", kind: "status", at: "2026-01-01T10:04:00Z", author: "nobody@demo.test", body: "assigned to x@demo.test", params: { assignee: "x@demo.test" } },
    // A line from before agents had ids names them by email: still their names.
    { id: "e7", kind: "status", at: "2026-01-01T10:04:30Z", author: "li.wei@demo.test", body: "assigned to sam@demo.test", params: { assignee: "sam@demo.test" } },
    // An older line, from before params: the API's words, not parsed.
    { id: "e6", kind: "status", at: "2026-01-01T10:05:00Z", author: "sam@demo.test", body: "status solved" },
  ];

  it("words them in English with agents' names", async () => {
    setup({ timeline: lines });
    await screen.findByTestId("ticket-view");
    expect(screen.getAllByTestId("entry-status").map((e) => e.firstChild?.textContent)).toEqual([
      "Anna Schmidt set the status to Solved; assigned the ticket to Li Wei; set the tags: vip",
      "Li Wei set the status to Pending",
      "Sam Taylor took the ticket",
      "Sam Taylor unassigned the ticket; removed all tags",
      "nobody@demo.test assigned the ticket to x@demo.test",
      "Li Wei assigned the ticket to Sam Taylor",
      "status solved",
    ]);
  });

  it("words them in Chinese", async () => {
    setup({ timeline: lines }, "zh-CN");
    await screen.findByTestId("ticket-view");
    expect(screen.getAllByTestId("entry-status").map((e) => e.firstChild?.textContent)).toEqual([
      "Anna Schmidt 将状态改为已解决；将工单分配给 Li Wei；将标签设为：vip",
      "Li Wei 将状态改为等待中",
      "Sam Taylor 认领了工单",
      "Sam Taylor 取消了工单的分配；移除了所有标签",
      "nobody@demo.test 将工单分配给 x@demo.test",
      "Li Wei 将工单分配给 Sam Taylor",
      "status solved",
    ]);
  });
});

describe("TicketView after a merge", () => {
  /**
   * mergedApi answers the way the API does once tk_old was merged into tk_new: asking for
   * tk_old answers tk_new. The harness follows onMoved like App does.
   */
  function setupMerged(locale: Locale = "en", survivor: Partial<TicketDetail> = {}, follow = true) {
    const tickets: Record<string, TicketDetail> = {
      tk_new: ticketDetail("tk_new", { merged_from: ["tk_old"], ...survivor }),
      tk_other: ticketDetail("tk_other"),
    };
    const getTicket = vi.fn(async (id: string) => tickets[id === "tk_old" ? "tk_new" : id]);
    const setStatus = vi.fn(async (id: string, status: string) => ({ ...ticket(id), status }));
    const api = { getTicket, setStatus, updateTicket: vi.fn(), addMessage: vi.fn() } as unknown as ApiClient;
    const onMoved = vi.fn();
    const onOpen = vi.fn();
    let setId: (id: string) => void = () => {};
    function Harness() {
      const [id, set] = useState("tk_old");
      setId = set;
      return (
        <TicketView
          api={api}
          id={id}
          onClose={() => {}}
          onChanged={() => {}}
          replySignal={0}
          refreshMs={0}
          onOpen={onOpen}
          onMoved={(to, from) => {
            onMoved(to, from);
            if (follow) set(to);
          }}
        />
      );
    }
    render(
      <I18nProvider initial={locale}>
        <Harness />
      </I18nProvider>,
    );
    return { getTicket, setStatus, onMoved, onOpen, open: (id: string) => act(() => setId(id)) };
  }

  it("follows the survivor, says what was merged, and loads it once", async () => {
    const { getTicket, onMoved } = setupMerged();
    expect((await screen.findByTestId("merged-note")).textContent).toBe(
      "Merged from #tk_old: the ticket you opened is now part of this one.",
    );
    expect(onMoved).toHaveBeenCalledWith("tk_new", "tk_old");
    expect(screen.getByTestId("ticket-view").textContent).toContain("tk_new");
    await new Promise((r) => setTimeout(r, 20));
    expect(getTicket.mock.calls).toEqual([["tk_old"]]); // following the survivor needs no second load
    expect(screen.getByTestId("merged-note")).toBeTruthy();
  });

  it("changes the survivor, not the merged id, even before the parent follows", async () => {
    const { setStatus } = setupMerged("en", {}, false);
    await screen.findByTestId("merged-note");
    fireEvent.click(screen.getByTestId("status-solved"));
    await waitFor(() => expect(setStatus).toHaveBeenCalledWith("tk_new", "solved", 1));
  });

  it("drops the note when another ticket is opened", async () => {
    const { open } = setupMerged();
    await screen.findByTestId("merged-note");
    open("tk_other");
    await waitFor(() => expect(screen.getByTestId("ticket-view").textContent).toContain("tk_other"));
    expect(screen.queryByTestId("merged-note")).toBeNull();
  });

  it("shows no note for a ticket that answers its own id", async () => {
    setup({ merged_from: ["tk_0"] });
    await screen.findByTestId("ticket-view");
    expect(screen.queryByTestId("merged-note")).toBeNull();
    expect(screen.getByTestId("merged-from").textContent).toBe("Merged from #tk_0");
  });

  it("says it in Chinese", async () => {
    setupMerged("zh-CN", { follow_up_of: "tk_closed" });
    expect((await screen.findByTestId("merged-note")).textContent).toBe("已从 #tk_old 合并：您打开的工单现已并入此工单。");
    expect(screen.getByTestId("merged-from").textContent).toBe("合并自 #tk_old");
    expect(screen.getByTestId("follow-up-of").textContent).toBe("跟进工单 #tk_closed");
  });
});

describe("TicketView when the open ticket is merged meanwhile", () => {
  it("follows the survivor on the next refresh", async () => {
    let merged = false;
    const getTicket = vi.fn(async (id: string) =>
      merged ? ticketDetail("tk_a", { merged_from: ["tk_b"] }) : ticketDetail(id),
    );
    const api = { getTicket } as unknown as ApiClient;
    const onMoved = vi.fn();
    function Harness() {
      const [id, set] = useState("tk_b");
      return (
        <TicketView
          api={api}
          id={id}
          onClose={() => {}}
          onChanged={() => {}}
          replySignal={0}
          refreshMs={20}
          onMoved={(to, from) => {
            onMoved(to, from);
            set(to);
          }}
        />
      );
    }
    render(
      <I18nProvider initial="en">
        <Harness />
      </I18nProvider>,
    );
    await waitFor(() => expect(screen.getByTestId("ticket-view").textContent).toContain("tk_b"));
    expect(screen.queryByTestId("merged-note")).toBeNull();
    merged = true;
    expect((await screen.findByTestId("merged-note")).textContent).toContain("#tk_b");
    expect(onMoved).toHaveBeenCalledWith("tk_a", "tk_b");
    expect(screen.getByTestId("merged-from").textContent).toBe("Merged from #tk_b");
  });
});

describe("TicketView links to merged and followed-up tickets", () => {
  function setupLinks(over: Partial<TicketDetail>) {
    const api = { getTicket: vi.fn(async () => ticketDetail("tk_1", over)) } as unknown as ApiClient;
    const onOpen = vi.fn();
    render(
      <I18nProvider initial="en">
        <TicketView api={api} id="tk_1" onClose={() => {}} onChanged={() => {}} replySignal={0} refreshMs={0} onOpen={onOpen} />
      </I18nProvider>,
    );
    return { onOpen };
  }

  it("links each merged ticket and opens it in place", async () => {
    const { onOpen } = setupLinks({ merged_from: ["tk_a", "tk_b"] });
    await screen.findByTestId("ticket-view");
    expect(screen.getByTestId("merged-from").textContent).toBe("Merged from #tk_a, #tk_b");
    const links = screen.getAllByTestId("merged-link") as HTMLAnchorElement[];
    expect(links.map((a) => a.getAttribute("href"))).toEqual(["/tickets/tk_a", "/tickets/tk_b"]);
    fireEvent.click(links[1]);
    expect(onOpen).toHaveBeenCalledWith("tk_b");
  });

  it("links the ticket followed up on; a modified click is left to the browser", async () => {
    const { onOpen } = setupLinks({ follow_up_of: "tk_closed" });
    await screen.findByTestId("ticket-view");
    expect(screen.getByTestId("follow-up-of").textContent).toBe("Follow-up of #tk_closed");
    const link = screen.getByTestId("follow-up-link");
    expect(link.getAttribute("href")).toBe("/tickets/tk_closed");
    fireEvent.click(link, { ctrlKey: true });
    expect(onOpen).not.toHaveBeenCalled();
    fireEvent.click(link);
    expect(onOpen).toHaveBeenCalledWith("tk_closed");
  });

  it("shows neither when the API sends neither (or an empty list)", async () => {
    setupLinks({ merged_from: [] });
    await screen.findByTestId("ticket-view");
    expect(screen.queryByTestId("merged-from")).toBeNull();
    expect(screen.queryByTestId("follow-up-of")).toBeNull();
  });
});

describe("TicketView and closed tickets", () => {
  const final = "a closed ticket is final; new events about it open a follow-up ticket";

  /** statusApi serves tk_1 as `status`; a PATCH of it is the API's 409 once the ticket is (or got) closed. */
  function setupStatus(status: TicketDetail["status"], locale: Locale = "en", closedMeanwhile = true) {
    let current = detail({ status });
    const setStatus = vi.fn(async (id: string, to: string) => {
      if (closedMeanwhile) current = { ...current, status: "closed" };
      if (current.status === "closed" && to !== "closed") throw new ApiError(409, "conflict", final);
      if (!closedMeanwhile) throw new ApiError(409, "conflict", "some other conflict");
      current = { ...current, status: to as TicketDetail["status"] };
      return ticket(id, { status: current.status });
    });
    const getTicket = vi.fn(async () => current);
    const api = { getTicket, setStatus, updateTicket: vi.fn(), addMessage: vi.fn() } as unknown as ApiClient;
    render(
      <I18nProvider initial={locale}>
        <TicketView api={api} id="tk_1" onClose={() => {}} onChanged={() => {}} replySignal={0} refreshMs={0} />
      </I18nProvider>,
    );
    return { setStatus, getTicket };
  }

  const button = (s: string) => screen.getByTestId(`status-${s}`) as HTMLButtonElement;

  it("offers no other status on a closed ticket, and says why", async () => {
    const { setStatus } = setupStatus("closed");
    await screen.findByTestId("ticket-view");
    expect(["open", "pending", "solved"].map((s) => button(s).disabled)).toEqual([true, true, true]);
    expect(button("closed").disabled).toBe(false);
    expect(button("closed").getAttribute("aria-pressed")).toBe("true");
    expect(screen.getByTestId("closed-hint").textContent).toBe("Closed is final: new events about this ticket open a follow-up ticket.");
    fireEvent.click(button("open"));
    expect(setStatus).not.toHaveBeenCalled();
  });

  it.each<[Locale, string]>([
    ["en", "Couldn't change the status: a closed ticket is final; new events about it open a follow-up ticket."],
    ["zh-CN", "无法更改状态：已关闭的工单不能再更改，之后有关它的新事件会开启跟进工单。"],
  ])("on a 409 (closed meanwhile) shows it closed and says why (%s)", async (locale, want) => {
    const { setStatus, getTicket } = setupStatus("solved", locale);
    await screen.findByTestId("ticket-view");
    expect(button("open").disabled).toBe(false);
    fireEvent.click(button("open"));
    expect((await screen.findByTestId("status-error")).textContent).toBe(want);
    expect(setStatus).toHaveBeenCalledWith("tk_1", "open", 1);
    expect(getTicket).toHaveBeenCalledTimes(2); // re-read after the 409
    expect(button("closed").getAttribute("aria-pressed")).toBe("true");
    expect(button("open").disabled).toBe(true);
  });

  it("shows the API's message for a 409 that is not about a closed ticket", async () => {
    setupStatus("solved", "en", false);
    await screen.findByTestId("ticket-view");
    fireEvent.click(button("pending"));
    expect((await screen.findByTestId("status-error")).textContent).toBe("Couldn't change the status: some other conflict");
    expect(button("open").disabled).toBe(false);
    expect(screen.queryByTestId("closed-hint")).toBeNull();
  });
});

describe("TicketView merge lines", () => {
  it("links the merged ticket in the timeline and opens it in place", async () => {
    const onOpen = vi.fn();
    const timeline: EntryView[] = [
      { id: "merged-tk_0", kind: "event", at: "2026-01-01T10:00:00Z", event_type: "ticket.merged", body: "Merged ticket tk_0 (…) into this one.", params: { ticket_id: "tk_0" } },
    ];
    const api = { getTicket: vi.fn(async () => ticketDetail("tk_1", { timeline, merged_from: ["tk_0"] })) } as unknown as ApiClient;
    render(
      <I18nProvider initial="en">
        <TicketView api={api} id="tk_1" onClose={() => {}} onChanged={() => {}} replySignal={0} refreshMs={0} onOpen={onOpen} />
      </I18nProvider>,
    );
    const link = await screen.findByTestId("event-ticket-link");
    expect(screen.getByTestId("entry-event").textContent).toContain("Merged ticket #tk_0 into this one.");
    fireEvent.click(link);
    expect(onOpen).toHaveBeenCalledWith("tk_0");
  });
});

/**
 * staleServer answers the ticket API the way functions/api does for If-Match: each write
 * grows the version, a PATCH whose If-Match names another version is a 412 "stale" that
 * changes nothing, and POST messages takes none. news() is a write the agent did not make
 * (a customer's answer arriving).
 */
function staleServer(refreshMs = 0, locale: Locale = "en") {
  let t: TicketDetail = detail({
    version: 3,
    timeline: [{ id: "e1", kind: "customer", at: "2026-01-01T10:00:00Z", body: "My card was charged twice" }],
  });
  const calls: { method: string; ifMatch?: string; body?: string }[] = [];
  let n = 1;
  const entry = (kind: EntryView["kind"], body: string, params?: Record<string, string>): EntryView => ({
    id: `e${++n}`,
    kind,
    at: `2026-01-01T10:${String(n).padStart(2, "0")}:00Z`,
    body,
    params,
  });
  const fetchFn = vi.fn(async (_url: string | URL | Request, init?: RequestInit) => {
    const method = init?.method ?? "GET";
    const headers = (init?.headers ?? {}) as Record<string, string>;
    calls.push({ method, ifMatch: headers["If-Match"], body: init?.body as string | undefined });
    if (method === "GET") return jsonResponse(200, t);
    if (method === "POST") {
      const e = entry("reply", JSON.parse(init?.body as string).body);
      t = { ...t, version: t.version + 1, timeline: [...t.timeline, e] };
      return jsonResponse(201, e);
    }
    if (headers["If-Match"] !== `"${t.id}.${t.version}"`) {
      return jsonResponse(412, { error: "stale", message: `the ticket changed since version ${headers["If-Match"]}` });
    }
    const change = JSON.parse(init?.body as string) as TicketUpdate;
    t = {
      ...t,
      ...change,
      version: t.version + 1,
      timeline: [...t.timeline, entry("status", "changed", change.status ? { status: change.status } : { tags: (change.tags ?? []).join(",") })],
    };
    const { context: _c, timeline: _t, messages: _m, ...sum } = t;
    return jsonResponse(200, sum);
  });
  const api = new ApiClient({ baseUrl: "http://api.test", token: () => "tok", onUnauthorized: () => {}, fetch: fetchFn as typeof fetch });
  render(
    <I18nProvider initial={locale}>
      <TicketView api={api} id="tk_1" onClose={() => {}} onChanged={() => {}} replySignal={0} refreshMs={refreshMs} agents={agents} me="ag-anna" />
    </I18nProvider>,
  );
  return {
    patches: () => calls.filter((c) => c.method === "PATCH"),
    posts: () => calls.filter((c) => c.method === "POST"),
    news() {
      t = { ...t, version: t.version + 1, priority: "high", timeline: [...t.timeline, entry("event", "Chargeback opened")] };
    },
  };
}

const pressed = (s: string) => screen.getByTestId(`status-${s}`).getAttribute("aria-pressed");

describe("TicketView sends changes for the version shown", () => {
  it("sends If-Match with the shown ticket's id and version on each PATCH, and none on messages", async () => {
    const srv = staleServer();
    await screen.findByTestId("ticket-view");
    fireEvent.click(screen.getByTestId("status-pending"));
    await waitFor(() => expect(pressed("pending")).toBe("true"));
    fireEvent.click(screen.getByTestId("assign-me"));
    await waitFor(() => expect(select().value).toBe("ag-anna"));
    fireEvent.input(screen.getByTestId("tag-input"), { target: { value: "vip" } });
    fireEvent.click(screen.getByTestId("tag-add"));
    await waitFor(() => expect(chips()).toEqual(["vip"]));
    fireEvent.click(screen.getByTestId("remove-tag-vip"));
    await waitFor(() => expect(chips()).toEqual([]));
    expect(srv.patches().map((c) => [c.body, c.ifMatch])).toEqual([
      ['{"status":"pending"}', '"tk_1.3"'],
      ['{"assignee":"ag-anna"}', '"tk_1.4"'],
      ['{"tags":["vip"]}', '"tk_1.5"'],
      ['{"tags":[]}', '"tk_1.6"'],
    ]);
    fireEvent.input(screen.getByTestId("composer-body"), { target: { value: "We are on it" } });
    fireEvent.click(screen.getByTestId("composer-send"));
    await waitFor(() => expect(srv.posts()).toHaveLength(1));
    expect(srv.posts()[0].ifMatch).toBeUndefined();
    expect(screen.queryByTestId("stale-notice")).toBeNull();
  });

  it("on a 412 reloads, marks what is new, changes nothing, and a second click goes through", async () => {
    const srv = staleServer();
    await screen.findByTestId("ticket-view");
    srv.news(); // a chargeback joins the ticket after the agent opened it
    fireEvent.click(screen.getByTestId("status-solved"));
    const notice = await screen.findByTestId("stale-notice");
    expect(notice.textContent).toContain("This ticket changed while you had it open — review the new activity and try again.");
    expect(screen.getByTestId("stale-message").textContent).toBe('the ticket changed since version "tk_1.3"');
    expect(pressed("open")).toBe("true"); // not solved, not even for a moment
    expect(pressed("solved")).toBe("false");
    await waitFor(() => expect(screen.getByTestId("entry-event").textContent).toContain("Chargeback opened"));
    expect(screen.getByTestId("entry-event").getAttribute("data-new")).toBe("true");
    expect(screen.getByTestId("entry-customer").getAttribute("data-new")).toBeNull();
    expect(screen.getAllByTestId("new-dot")).toHaveLength(1);
    expect(srv.patches()).toHaveLength(1); // not retried

    fireEvent.click(screen.getByTestId("status-solved"));
    await waitFor(() => expect(pressed("solved")).toBe("true"));
    expect(srv.patches().map((c) => c.ifMatch)).toEqual(['"tk_1.3"', '"tk_1.4"']);
    expect(screen.queryByTestId("stale-notice")).toBeNull();
    expect(screen.queryAllByTestId("new-dot")).toHaveLength(0);
  });

  it("keeps the tag being added on a 412 and says it in Chinese", async () => {
    const srv = staleServer(0, "zh-CN");
    await screen.findByTestId("ticket-view");
    srv.news();
    fireEvent.input(screen.getByTestId("tag-input"), { target: { value: "chargeback" } });
    fireEvent.click(screen.getByTestId("tag-add"));
    expect((await screen.findByTestId("stale-notice")).textContent).toContain("你打开此工单后它有了变化——请查看新的动态后再试一次。");
    expect(screen.queryByTestId("meta-error")).toBeNull();
    expect(chips()).toEqual([]);
    expect((screen.getByTestId("tag-input") as HTMLInputElement).value).toBe("chargeback");
    await waitFor(() => expect(screen.getByTestId("new-dot").getAttribute("aria-label")).toBe("新"));
    fireEvent.click(screen.getByTestId("tag-add"));
    await waitFor(() => expect(chips()).toEqual(["chargeback"]));
    expect(srv.patches().map((c) => c.ifMatch)).toEqual(['"tk_1.3"', '"tk_1.4"']);
  });

  it("sends the version a live refresh loaded", async () => {
    const srv = staleServer(20);
    await screen.findByTestId("ticket-view");
    srv.news();
    await screen.findByTestId("entry-event"); // the refresh read the news
    fireEvent.click(screen.getByTestId("status-solved"));
    await waitFor(() => expect(pressed("solved")).toBe("true"));
    expect(srv.patches().map((c) => c.ifMatch)).toEqual(['"tk_1.4"']);
    expect(screen.queryByTestId("stale-notice")).toBeNull();
  });
});
