import { fireEvent, render, screen, waitFor } from "@testing-library/preact";
import { describe, expect, it, vi } from "vitest";
import type { ApiClient } from "../api/client";
import type { TicketFilter, TicketList } from "../api/types";
import { I18nProvider } from "../i18n";
import { ticket } from "../test/fixtures";
import { Inbox, nextIndex } from "./Inbox";

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
    const { api } = setup({}, async (_f, cursor) =>
      cursor ? { tickets: [ticket("c")] } : { tickets: [ticket("a"), ticket("b")], next_cursor: "p2" },
    );
    await screen.findAllByTestId("ticket-row");
    fireEvent.change(screen.getByTestId("filter-category"), { target: { value: "chargeback" } });
    await waitFor(() => expect(api.listTickets).toHaveBeenLastCalledWith({ status: "open", category: "chargeback", priority: "" }, undefined, 25));
    fireEvent.click(await screen.findByTestId("load-more"));
    await waitFor(() => expect(screen.getAllByTestId("ticket-row")).toHaveLength(3));
    expect(api.listTickets).toHaveBeenLastCalledWith({ status: "open", category: "chargeback", priority: "" }, "p2", 25);
    expect(screen.queryByTestId("load-more")).toBeNull();
  });

  it("refreshes in place, keeping the selection", async () => {
    let round = 0;
    setup({ refreshMs: 30 }, async () => {
      round++;
      return round === 1
        ? { tickets: [ticket("a"), ticket("b")] }
        : { tickets: [ticket("new", { subject: "Fresh one" }), ticket("a"), ticket("b", { subject: "B changed" })] };
    });
    await screen.findAllByTestId("ticket-row");
    press("j");
    press("j");
    expect(selectedID()).toBe("b");
    await screen.findByText("Fresh one");
    expect(screen.getByText("B changed")).toBeTruthy();
    expect(selectedID()).toBe("b");
  });
});
