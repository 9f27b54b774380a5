import { render, screen } from "@testing-library/preact";
import { describe, expect, it } from "vitest";
import type { Customer, TicketDetail } from "../api/types";
import { I18nProvider, type Locale } from "../i18n";
import { ticketDetail } from "../test/fixtures";
import { ContextPanel, otherContacts } from "./ContextPanel";

function show(over: Partial<TicketDetail>, locale: Locale = "en") {
  render(
    <I18nProvider initial={locale}>
      <ContextPanel ticket={ticketDetail("tk_1", over)} />
    </I18nProvider>,
  );
}

const contactTexts = () => screen.queryAllByTestId("contact").map((li) => li.textContent);

describe("ContextPanel contacts", () => {
  it("lists the other people known on the ticket in the customer card", () => {
    show({
      customer: { email: "jonas@example.de", name: "Jonas Weber", country: "DE" },
      contacts: [
        { email: "billing@weber.example", name: "Anja Weber", country: "AT" },
        { email: "jonas.w@example.com" },
      ],
    });
    const card = screen.getByTestId("ctx-customer");
    expect(card.textContent).toContain("Other contacts");
    expect(contactTexts()).toEqual(["Anja Weber · billing@weber.example · Austria", "jonas.w@example.com"]);
    const mail = screen.getAllByTestId("contact")[0].querySelector("a")!;
    expect(mail.getAttribute("href")).toBe("mailto:billing@weber.example");
  });

  it("leaves the section out when there are none", () => {
    show({ customer: { email: "jonas@example.de" } });
    expect(screen.queryByTestId("contacts")).toBeNull();
    expect(screen.getByTestId("ctx-customer").textContent).not.toContain("Other contacts");
  });

  it("shows contacts even when the customer is unknown", () => {
    show({ customer: {}, contacts: [{ email: "billing@weber.example" }] });
    expect(contactTexts()).toEqual(["billing@weber.example"]);
  });

  it("speaks Chinese", () => {
    show({ customer: { email: "a@b.de" }, contacts: [{ name: "王芳", email: "wang@example.cn", country: "CN" }] }, "zh-CN");
    expect(screen.getByTestId("ctx-customer").textContent).toContain("其他联系人");
    expect(contactTexts()).toEqual(["王芳 · wang@example.cn · 中国"]);
  });
});

describe("otherContacts", () => {
  const customer: Customer = { email: "Jonas@Example.de", name: "Jonas" };
  it.each<[string, Customer[] | undefined, Customer[]]>([
    ["absent", undefined, []],
    ["empty", [], []],
    ["the customer again (any case)", [{ email: "jonas@example.de" }], []],
    ["nobody", [{}, { country: "DE" }], []],
    ["the same contact twice", [{ email: "b@x.de" }, { email: "B@x.de", name: "B" }], [{ email: "b@x.de" }]],
    ["a name without an email", [{ name: "Anja" }], [{ name: "Anja" }]],
  ])("%s", (_name, contacts, want) => {
    expect(otherContacts(customer, contacts)).toEqual(want);
  });
});
