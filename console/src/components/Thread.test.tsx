import { cleanup, fireEvent, render, screen } from "@testing-library/preact";
import { describe, expect, it, vi } from "vitest";
import type { EntryView } from "../api/types";
import { I18nProvider, type Locale } from "../i18n";
import { Thread } from "./Thread";

/** line renders one event line and returns its words (without the event type and time). */
function line(event_type: string, params: Record<string, string> | undefined, locale: Locale, body = "the API's words"): string {
  const e: EntryView = { id: "e1", kind: "event", at: "2026-11-10T10:00:00Z", event_type, body, ...(params ? { params } : {}) };
  render(
    <I18nProvider initial={locale}>
      <Thread entries={[e]} customerName="" />
    </I18nProvider>,
  );
  const text = screen.getByTestId("entry-event").querySelector("span")?.textContent ?? "";
  return text.replace(/[\u00a0\u202f]/g, " ");
}

const shipment = { carrier: "dhl", tracking_number: "JD014600006281230458", shipment_status: "Exception" };

describe("event lines from params", () => {
  it.each<[string, Record<string, string>, string, string]>([
    [
      "payment.failed",
      { amount: "8990", currency: "eur", decline_code: "insufficient_funds", failure_message: "Your card has insufficient funds." },
      "Payment of €89.90 failed: the card has insufficient funds.",
      "支付 €89.90 失败：卡内余额不足。",
    ],
    [
      "payment.failed",
      { amount: "8990", currency: "eur" },
      "Payment of €89.90 failed.",
      "支付 €89.90 失败。",
    ],
    [
      "payment.succeeded",
      { amount: "8990", currency: "eur" },
      "Payment of €89.90 captured.",
      "支付 €89.90 成功。",
    ],
    [
      "ticket.merged",
      { ticket_id: "tk_old" },
      "Merged ticket #tk_old into this one.",
      "已将工单 #tk_old 合并到此工单。",
    ],
    [
      "payment.dispute_opened",
      { amount: "12900", currency: "usd", dispute_reason: "product_not_received", dispute_status: "needs_response", evidence_due_by: "2026-11-20T12:00:00Z" },
      "Chargeback opened for $129.00 — reason: product not received. Evidence due Nov 20, 2026.",
      "收到 US$129.00 的拒付，原因：未收到商品。证据截止日期：2026年11月20日。",
    ],
    [
      "payment.dispute_opened",
      { amount: "12900", currency: "usd", dispute_reason: "some_new_reason" },
      "Chargeback opened for $129.00 — reason: some new reason.",
      "收到 US$129.00 的拒付，原因：Some new reason。",
    ],
    [
      "payment.dispute_closed",
      { amount: "12900", currency: "usd", dispute_reason: "product_not_received", dispute_status: "won" },
      "Chargeback of $129.00 closed: won.",
      "US$129.00 的拒付已结案：已胜诉。",
    ],
    [
      "payment.refunded",
      { amount: "2000", currency: "gbp", refund_status: "succeeded" },
      "Refund of £20.00: succeeded.",
      "退款 £20.00：成功。",
    ],
    [
      "payment.refund_updated",
      { amount: "2000", currency: "gbp", refund_status: "pending" },
      "Refund of £20.00: pending.",
      "退款 £20.00：处理中。",
    ],
    [
      "shipment.exception",
      { ...shipment, sub_status_message: "Held by customs", last_scan: "Shipment on hold. " },
      "DHL parcel JD014600006281230458 — Exception: Held by customs. Last scan: Shipment on hold.",
      "DHL 包裹 JD014600006281230458：异常（Held by customs）。最后扫描：Shipment on hold。",
    ],
    [
      "shipment.exception",
      { ...shipment, shipment_status: "FailedAttempt", carrier: "ups" },
      "UPS parcel JD014600006281230458 — Failed attempt.",
      "UPS 包裹 JD014600006281230458：派送失败。",
    ],
    [
      "shipment.updated",
      { tracking_number: "1Z999", shipment_status: "InTransit", sub_status_message: "In Transit", last_scan: "Departed facility", expected_delivery: "2026-11-14" },
      "Parcel 1Z999 — In transit. Last scan: Departed facility.",
      "包裹 1Z999：运输中。最后扫描：Departed facility。",
    ],
    [
      "shipment.delayed",
      { ...shipment, shipment_status: "InTransit", expected_delivery: "2026-11-14" },
      "DHL parcel JD014600006281230458 — In transit. Expected delivery Nov 14, 2026.",
      "DHL 包裹 JD014600006281230458：运输中。预计送达：2026年11月14日。",
    ],
  ])("%s renders in English and Chinese (%j)", (type, params, want, wantZH) => {
    expect(line(type, params, "en")).toBe(want);
    cleanup();
    expect(line(type, params, "zh-CN")).toBe(wantZH);
  });

  it("shows JPY without decimals (zh-CN writes JP¥: ¥ alone is the yuan there)", () => {
    const params = { amount: "12800", currency: "jpy", decline_code: "expired_card" };
    expect(line("payment.failed", params, "en")).toBe("Payment of ¥12,800 failed: the card has expired.");
    cleanup();
    expect(line("payment.failed", params, "zh-CN")).toBe("支付 JP¥12,800 失败：银行卡已过期。");
  });

  it("shows a three-decimal currency's refund in thousandths (KWD 1.234, not 12.34)", () => {
    const params = { amount: "1234", currency: "kwd", refund_status: "succeeded" };
    expect(line("payment.refunded", params, "en").replace(/\u00a0/g, " ")).toContain("KWD 1.234");
    cleanup();
    expect(line("payment.refunded", params, "zh-CN").replace(/\u00a0/g, " ")).toContain("KWD 1.234");
  });

  it("falls back from an unknown decline code to Stripe's message, then to the code", () => {
    expect(line("payment.failed", { amount: "500", currency: "eur", decline_code: "new_code", failure_message: "Try again later" }, "en")).toBe(
      "Payment of €5.00 failed: try again later.",
    );
    cleanup();
    expect(line("payment.failed", { amount: "500", currency: "eur", decline_code: "new_code" }, "en")).toBe("Payment of €5.00 failed (decline code new_code).");
    cleanup();
    expect(line("payment.failed", { amount: "500", currency: "eur", decline_code: "new_code" }, "zh-CN")).toBe("支付 €5.00 失败（拒绝代码 new_code）。");
  });

  it.each<[string, Record<string, string> | undefined]>([
    ["payment.failed", undefined], // an older entry
    ["payment.failed", { decline_code: "insufficient_funds" }], // no amount
    ["payment.failed", { amount: "89.90", currency: "eur" }], // not minor units
    ["payment.refunded", { amount: "2000", currency: "gbp" }], // no refund status
    ["shipment.exception", { carrier: "dhl" }], // no tracking number or status
    ["payment.captured", { amount: "2000", currency: "gbp" }], // a type the console does not know
    ["payment.succeeded", { currency: "eur" }], // no amount
    ["ticket.merged", { ticket_id: " " }], // no ticket
  ])("shows the API's body for %s with %j", (type, params) => {
    expect(line(type, params, "zh-CN", "Payment of 89.90 EUR failed.")).toBe("Payment of 89.90 EUR failed.");
  });
});

describe("a merge line", () => {
  const merged: EntryView = {
    id: "merged-tk_old",
    kind: "event",
    at: "2026-11-10T10:00:00Z",
    event_type: "ticket.merged",
    body: "Merged ticket tk_old (Payment failed for order 10482) into this one.",
    params: { ticket_id: "tk_old" },
  };

  it.each<[Locale, string]>([
    ["en", "Merged ticket "],
    ["zh-CN", "已将工单 "],
  ])("links the ticket folded in, which opens in place (%s)", (locale, before) => {
    const onOpen = vi.fn();
    render(
      <I18nProvider initial={locale}>
        <Thread entries={[merged]} customerName="" onOpen={onOpen} />
      </I18nProvider>,
    );
    const link = screen.getByTestId("event-ticket-link") as HTMLAnchorElement;
    expect(link.getAttribute("href")).toBe("/tickets/tk_old");
    expect(link.textContent).toBe("#tk_old");
    expect(link.previousSibling?.textContent).toBe(before);
    fireEvent.click(link);
    expect(onOpen).toHaveBeenCalledWith("tk_old");
  });

  it("shows the API's words, without a link, when the line has no ticket_id", () => {
    render(
      <I18nProvider initial="zh-CN">
        <Thread entries={[{ ...merged, params: {} }]} customerName="" />
      </I18nProvider>,
    );
    expect(screen.getByTestId("entry-event").querySelector("span")?.textContent).toBe(merged.body);
    expect(screen.queryByTestId("event-ticket-link")).toBeNull();
  });
});

describe("message authors", () => {
  it("names an agent author by id: the line's name, else the agents list, else the id", () => {
    const at = "2026-11-10T10:00:00Z";
    const entries: EntryView[] = [
      { id: "m1", kind: "reply", at, author: "ag-kim", author_name: "Kim Park", author_email: "kim@demo.test", body: "Hello" },
      { id: "m2", kind: "note", at, author: "ag-li", body: "Called them" },
      { id: "m3", kind: "note", at, author: "ag-gone", body: "Old note" },
    ];
    render(
      <I18nProvider initial="en">
        <Thread entries={entries} customerName="" agents={[{ id: "ag-li", email: "li.wei@demo.test", name: "Li Wei", role: "agent" }]} />
      </I18nProvider>,
    );
    const authors = [...document.querySelectorAll(".msg-head strong")].map((e) => [e.textContent, e.getAttribute("title")]);
    expect(authors).toEqual([
      ["Kim Park", "kim@demo.test"],
      ["Li Wei", "li.wei@demo.test"],
      ["ag-gone", "ag-gone"],
    ]);
    cleanup();
  });
});
