/// <reference types="node" />
import { readFileSync } from "node:fs";
import { fireEvent, render, screen, waitFor } from "@testing-library/preact";
import { describe, expect, it, vi } from "vitest";
import type { ApiClient } from "../api/client";
import { ApiError } from "../api/errors";
import { deliveryStates, type Delivery, type EmailMeta, type EntryView, type TicketDetail } from "../api/types";
import { I18nProvider, translate, type Locale } from "../i18n";
import { jsonResponse, ticketDetail } from "../test/fixtures";
import { ApiClient as RealClient } from "../api/client";
import { deliveryText, failedChecks, formattedCSP, formattedDoc, plainReason } from "./Email";
import { Thread } from "./Thread";
import { TicketView } from "./TicketView";

// Entries as GET /api/v1/tickets/{id} sends them once mail is a channel (the contract in
// issue 8: channel, email, delivery, all optional).
const mailed: EmailMeta = {
  subject: "Wo ist meine Bestellung #10482?",
  quoted: "Am Di., 1. Dez. 2026 um 09:00 schrieb Support:\n> Ihre Bestellung ist unterwegs.\n-- \nJonas",
  attachments: [
    { id: "a1", filename: "foto.jpg", content_type: "image/jpeg", size: 482113 },
    { id: "a2", filename: "big.mov", content_type: "video/quicktime", size: 31457280, refused: "over the 10 MiB limit" },
  ],
  trust: {},
};

function customer(over: Partial<EntryView> = {}): EntryView {
  return {
    id: "m1",
    kind: "customer",
    at: "2026-12-02T09:00:00Z",
    author: "jonas@example.de",
    body: "Hallo, wo bleibt mein Paket?",
    channel: "email",
    email: mailed,
    ...over,
  };
}

function reply(delivery?: Delivery, over: Partial<EntryView> = {}): EntryView {
  return { id: "r1", kind: "reply", at: "2026-12-02T10:00:00Z", author: "ag-anna", body: "Es ist unterwegs.", ...(delivery ? { delivery } : {}), ...over };
}

function show(entries: EntryView[], locale: Locale = "en", openAttachment?: (a: { id: string }) => Promise<void>) {
  return render(
    <I18nProvider initial={locale}>
      <Thread entries={entries} customerName="Jonas" openAttachment={openAttachment} />
    </I18nProvider>,
  );
}

const text = (el: Element | null) => (el?.textContent ?? "").replace(/[\u00a0\u202f]/g, " ");

describe("channel", () => {
  it.each<[string, Locale, string]>([
    ["email", "en", "Email"],
    ["web", "en", "Web form"],
    ["email", "zh-CN", "邮件"],
    ["web", "zh-CN", "网页表单"],
  ])("a customer message by %s says so in %s", (channel, locale, want) => {
    show([customer({ channel, email: undefined })], locale);
    const label = screen.getByTestId("channel");
    expect(text(label)).toBe(want);
    expect(label.getAttribute("data-channel")).toBe(channel);
  });

  it("shows nothing for an entry without a channel, or one it does not know", () => {
    show([customer({ channel: undefined, email: undefined }), customer({ id: "m2", channel: "whatsapp", email: undefined })]);
    expect(screen.queryByTestId("channel")).toBeNull();
    expect(screen.getAllByTestId("entry-customer")).toHaveLength(2);
  });

  it("is not shown on replies even if one carried it", () => {
    show([reply(undefined, { channel: "email" })]);
    expect(screen.queryByTestId("channel")).toBeNull();
  });
});

describe("a customer email", () => {
  it("shows the subject and the new text, with the quoted text folded away", () => {
    show([customer()]);
    expect(text(screen.getByTestId("email-subject"))).toBe("Subject: Wo ist meine Bestellung #10482?");
    expect(text(screen.getByTestId("email").querySelector(".msg-body"))).toBe("Hallo, wo bleibt mein Paket?");
    const quoted = screen.getByTestId("quoted");
    expect(quoted.hidden).toBe(true);
    const toggle = screen.getByTestId("quoted-toggle");
    expect(toggle.getAttribute("aria-expanded")).toBe("false");
    expect(toggle.getAttribute("aria-controls")).toBe(quoted.id);
    expect(text(toggle)).toBe("Show quoted text");
  });

  it("the quoted-text toggle opens and closes it, and is a real button (keyboard: Enter and Space)", () => {
    show([customer()]);
    const toggle = screen.getByTestId("quoted-toggle");
    expect(toggle.tagName).toBe("BUTTON");
    expect(toggle.getAttribute("type")).toBe("button");
    fireEvent.click(toggle);
    expect(toggle.getAttribute("aria-expanded")).toBe("true");
    expect(text(toggle)).toBe("Hide quoted text");
    const quoted = screen.getByTestId("quoted");
    expect(quoted.hidden).toBe(false);
    expect(quoted.textContent).toBe(mailed.quoted);
    fireEvent.click(toggle);
    expect(toggle.getAttribute("aria-expanded")).toBe("false");
    expect(screen.getByTestId("quoted").hidden).toBe(true);
  });

  it("has no toggle when nothing was quoted, and no subject line without a subject", () => {
    show([customer({ email: { trust: {} } })]);
    expect(screen.getByTestId("email")).toBeTruthy();
    expect(screen.queryByTestId("quoted-toggle")).toBeNull();
    expect(screen.queryByTestId("quoted")).toBeNull();
    expect(screen.queryByTestId("email-subject")).toBeNull();
    expect(screen.queryByTestId("attachments")).toBeNull();
  });

  it("words its parts in Chinese", () => {
    show([customer()], "zh-CN", vi.fn());
    expect(text(screen.getByTestId("quoted-toggle"))).toBe("显示引用内容");
    expect(text(screen.getByTestId("email-subject"))).toBe("主题： Wo ist meine Bestellung #10482?");
    expect(screen.getAllByTestId("attachment-download")[0].textContent).toBe("下载");
    expect(text(screen.getByTestId("attachment-refused"))).toBe("未保存：over the 10 MiB limit");
  });

  it("renders markup in the text, subject, quote and file names as text, never as HTML", () => {
    const evil = `<img src=x onerror="window.__pwned=1">`;
    show([
      customer({
        body: `Hallo ${evil}`,
        email: {
          subject: `Re: ${evil}`,
          quoted: `> ${evil}`,
          attachments: [{ id: "a1", filename: `${evil}.jpg`, content_type: "image/jpeg", size: 10 }],
          trust: {},
        },
      }),
      customer({ id: "m2", body: evil, channel: "web", email: undefined }),
    ]);
    const thread = screen.getByTestId("thread");
    expect(thread.querySelector("img")).toBeNull();
    expect(thread.querySelector("[onerror]")).toBeNull();
    expect(thread.textContent).toContain(`Hallo ${evil}`);
    expect(text(screen.getByTestId("email-subject"))).toContain(`Re: ${evil}`);
    expect(screen.getByTestId("quoted").textContent).toBe(`> ${evil}`);
    expect(screen.getByTestId("attachment").textContent).toContain(`${evil}.jpg`);
    expect(text(screen.getAllByTestId("entry-customer")[1].querySelector(".msg-body"))).toBe(evil);
    expect((window as { __pwned?: number }).__pwned).toBeUndefined();
  });
});

describe("the formatted view", () => {
  const html = `<p>Hallo <b>Team</b></p><a href="https://evil.example/x">Link</a><img src="https://tracker.example/p.gif"><script>parent.x=1</script><meta http-equiv="refresh" content="0;url=https://evil.example">`;

  it("is off until asked for, then shows the HTML only in a frame that can run and load nothing", () => {
    show([customer({ email: { ...mailed, html } })]);
    expect(screen.queryByTestId("email-formatted")).toBeNull();
    const toggle = screen.getByTestId("formatted-toggle");
    expect(toggle.getAttribute("aria-pressed")).toBe("false");
    fireEvent.click(toggle);
    expect(toggle.getAttribute("aria-pressed")).toBe("true");
    const frame = screen.getByTestId("email-formatted") as HTMLIFrameElement;
    expect(frame.tagName).toBe("IFRAME");
    // An empty sandbox: no allow-scripts, no allow-same-origin, nothing.
    expect(frame.getAttribute("sandbox")).toBe("");
    const doc = frame.getAttribute("srcdoc") ?? "";
    expect(doc).toContain(`<meta http-equiv="Content-Security-Policy" content="${formattedCSP}">`);
    expect(doc).toContain("<b>Team</b>");
    // Nothing of the HTML reaches the console's own document.
    expect(screen.getByTestId("email").querySelector("b")).toBeNull();
    // And back to the plain text.
    fireEvent.click(toggle);
    expect(screen.queryByTestId("email-formatted")).toBeNull();
    expect(text(screen.getByTestId("email").querySelector(".msg-body"))).toBe("Hallo, wo bleibt mein Paket?");
  });

  it("formattedDoc puts the CSP first and drops scripts, meta refreshes and link targets", () => {
    expect(formattedCSP).toBe("default-src 'none'; img-src data:; style-src 'unsafe-inline'");
    const doc = formattedDoc(html);
    const head = doc.slice(0, doc.indexOf("<body>"));
    expect(head).toContain(`http-equiv="Content-Security-Policy"`);
    const body = doc.slice(doc.indexOf("<body>"));
    expect(body).not.toContain("<script");
    expect(body).not.toContain("<meta");
    expect(body).not.toContain("href=");
    expect(body).toContain(`title="https://evil.example/x"`);
    expect(body).toContain("Link");
    expect(formattedDoc(`<p onclick="x()" onmouseover="y()">a</p>`)).not.toMatch(/onclick|onmouseover/);
  });

  it("is not offered without an HTML part", () => {
    show([customer()]);
    expect(screen.queryByTestId("formatted-toggle")).toBeNull();
  });
});

describe("attachments", () => {
  it("lists each with its type, a size in the agent's locale, and a download button; a refused one greyed with its reason and no button", () => {
    show([customer()], "en", vi.fn());
    const [ok, refused] = screen.getAllByTestId("attachment");
    expect(text(ok)).toContain("foto.jpg");
    expect(text(ok)).toContain("image/jpeg · 471 kB");
    expect(ok.querySelector(".icon-image")).not.toBeNull();
    expect(ok.querySelector("[data-testid=attachment-download]")?.getAttribute("aria-label")).toBe("Download foto.jpg");

    expect(refused.classList.contains("refused")).toBe(true);
    expect(refused.getAttribute("aria-disabled")).toBe("true");
    expect(text(refused)).toContain("video/quicktime · 30 MB");
    expect(text(refused.querySelector("[data-testid=attachment-refused]"))).toBe("Not stored: over the 10 MiB limit");
    expect(refused.querySelector("button")).toBeNull();
    expect(screen.getAllByTestId("attachment-download")).toHaveLength(1);
  });

  it("lists attachments without a button where nothing can download them", () => {
    show([customer()]);
    expect(screen.getAllByTestId("attachment")).toHaveLength(2);
    expect(screen.queryByTestId("attachment-download")).toBeNull();
  });

  it("formats sizes by the UI locale", () => {
    show([customer({ email: { attachments: [{ id: "a", filename: "r.pdf", content_type: "application/pdf", size: 1536 }] } })], "zh-CN");
    expect(text(screen.getByTestId("attachment"))).toContain("application/pdf · 1.5 kB");
    expect(screen.getByTestId("attachment").querySelector(".icon-pdf")).not.toBeNull();
  });

  it("says when a download could not be opened, and the button works again", async () => {
    const open = vi.fn().mockRejectedValueOnce(new ApiError(404, "not_found", "ticket not found")).mockResolvedValueOnce(undefined);
    show([customer()], "en", open);
    fireEvent.click(screen.getByTestId("attachment-download"));
    expect(await screen.findByTestId("attachment-error")).toBeTruthy();
    expect(text(screen.getByTestId("attachment-error"))).toBe("Couldn't open foto.jpg: ticket not found");
    fireEvent.click(screen.getByTestId("attachment-download"));
    await waitFor(() => expect(screen.queryByTestId("attachment-error")).toBeNull());
    expect(open).toHaveBeenCalledTimes(2);
    expect(open.mock.calls[0][0].id).toBe("a1");
  });
});

describe("trust", () => {
  it.each<[string, EmailMeta["trust"], Locale, string]>([
    ["SPF and DMARC failed", { spam: "PASS", virus: "PASS", spf: "FAIL", dkim: "PASS", dmarc: "FAIL", suspicious: true }, "en",
      "This mail failed SPF/DMARC checks — it may not be from the customer."],
    ["the same in Chinese", { spf: "FAIL", dmarc: "FAIL", suspicious: true }, "zh-CN", "此邮件未通过 SPF/DMARC 检查——可能并非客户本人发送。"],
    ["a virus", { virus: "fail", suspicious: true }, "en", "This mail failed virus checks — it may not be from the customer."],
    ["suspicious without a named failure", { spf: "GRAY", suspicious: true }, "en",
      "This mail failed the sender checks — it may not be from the customer."],
  ])("warns when %s", (_name, trust, locale, want) => {
    show([customer({ email: { ...mailed, trust } })], locale);
    expect(text(screen.getByTestId("trust-warning"))).toBe(want);
  });

  it.each<[string, EmailMeta["trust"]]>([
    ["unchecked (local)", {}],
    ["all passed", { spam: "PASS", virus: "PASS", spf: "PASS", dkim: "PASS", dmarc: "PASS" }],
    ["a failure the server did not call suspicious", { spf: "FAIL" }],
    ["no trust at all", undefined],
  ])("does not warn when %s", (_name, trust) => {
    show([customer({ email: { ...mailed, trust } })]);
    expect(screen.queryByTestId("trust-warning")).toBeNull();
  });

  it("failedChecks names only verdicts that are FAIL, in a fixed order", () => {
    expect(failedChecks({ dmarc: "FAIL", spf: "FAIL", dkim: "PROCESSING_FAILED", spam: "GRAY" })).toEqual(["spf", "dmarc"]);
    expect(failedChecks(undefined)).toEqual([]);
  });
});

describe("delivery of a reply", () => {
  const cases: [Delivery, string, string, string][] = [
    [{ state: "queued" }, "Queued", "排队中", "icon-clock"],
    [{ state: "sending" }, "Sending", "发送中", "icon-clock"],
    [{ state: "sent", at: "2026-12-02T10:00:05Z" }, "Sent", "已发送", "icon-check"],
    [{ state: "delivered", at: "2026-12-02T10:00:09Z" }, "Delivered", "已送达", "icon-checks"],
    [{ state: "delayed", reason: "the receiving server is not answering yet" }, "Delayed: the receiving server is not answering yet", "延迟送达：the receiving server is not answering yet", "icon-clock"],
    [{ state: "bounced", reason: "not delivered: mailbox does not exist (550 5.1.1)" }, "Not delivered: mailbox does not exist (550 5.1.1)", "未送达：mailbox does not exist (550 5.1.1)", "icon-alert"],
    [{ state: "complained" }, "Marked as spam by the recipient", "被收件人标记为垃圾邮件", "icon-alert"],
    [{ state: "failed", reason: "the sender address is not verified" }, "Could not be sent: the sender address is not verified", "无法发送：the sender address is not verified", "icon-alert"],
  ];
  it.each(cases)("%o reads %j / %j", (d, wantEn, wantZh, icon) => {
    show([reply(d)]);
    const badge = screen.getByTestId("delivery");
    expect(badge.getAttribute("data-state")).toBe(d.state);
    expect(text(badge.querySelector("span"))).toBe(wantEn);
    expect(badge.querySelector(`.${icon}`)).not.toBeNull();
    const bad = ["bounced", "complained", "failed"].includes(d.state);
    expect(badge.classList.contains("delivery-bad")).toBe(bad);
    if (d.at) expect(badge.querySelector("time")?.getAttribute("dateTime")).toBe(d.at);
    const zh = (k: Parameters<typeof translate>[1], v?: Record<string, string | number>) => translate("zh-CN", k, v);
    expect(deliveryText(d, zh)).toBe(wantZh);
  });

  it("shows an unknown state as the API sent it, and nothing on a reply without delivery or on notes", () => {
    show([reply({ state: "archived" }), reply(undefined, { id: "r2" }), { ...reply({ state: "sent" }, { id: "n1" }), kind: "note" }]);
    const badges = screen.getAllByTestId("delivery");
    expect(badges).toHaveLength(1);
    expect(text(badges[0].querySelector("span"))).toBe("archived");
  });

  it("plainReason drops only an English lead-in the console words itself", () => {
    expect(plainReason("not delivered: mailbox does not exist (550 5.1.1)")).toBe("mailbox does not exist (550 5.1.1)");
    expect(plainReason("Not Delivered:   x")).toBe("x");
    expect(plainReason("mailbox full")).toBe("mailbox full");
    expect(plainReason("not sent: jonas@example.de bounced on 2 Dec (mailbox does not exist)")).toBe("jonas@example.de bounced on 2 Dec (mailbox does not exist)");
    expect(plainReason("not delivered:")).toBe("not delivered:");
  });
});

describe("TicketView and email", () => {
  function fakeApi(first: TicketDetail, attachment = vi.fn()) {
    let current = first;
    const api = {
      getTicket: vi.fn(async () => current),
      attachmentLink: attachment,
      updateTicket: vi.fn(),
      setStatus: vi.fn(),
      addMessage: vi.fn(),
    } as unknown as ApiClient;
    return { api, set: (d: TicketDetail) => (current = d) };
  }

  it("live refresh moves a reply's delivery state on", async () => {
    const { api, set } = fakeApi(ticketDetail("tk_1", { timeline: [customer(), reply({ state: "sending" })] }));
    render(
      <I18nProvider initial="en">
        <TicketView api={api} id="tk_1" onClose={() => {}} onChanged={() => {}} replySignal={0} refreshMs={20} />
      </I18nProvider>,
    );
    expect((await screen.findByTestId("delivery")).getAttribute("data-state")).toBe("sending");
    set(ticketDetail("tk_1", { timeline: [customer(), reply({ state: "bounced", reason: "not delivered: mailbox does not exist (550 5.1.1)" })] }));
    await waitFor(() => expect(screen.getByTestId("delivery").getAttribute("data-state")).toBe("bounced"));
    expect(text(screen.getByTestId("delivery").querySelector("span"))).toBe("Not delivered: mailbox does not exist (550 5.1.1)");
  });

  it("download calls the attachment endpoint with the agent's token, then opens the URL it returned", async () => {
    const url = "http://127.0.0.1:9000/mail/m_1/a1?X-Amz-Signature=abc";
    const fetchFn = vi.fn(async (input: RequestInfo | URL, _init?: RequestInit) => {
      const path = String(input);
      if (path.endsWith("/api/v1/tickets/tk_1")) return jsonResponse(200, ticketDetail("tk_1", { timeline: [customer()] }));
      if (path.endsWith("/api/v1/tickets/tk_1/attachments/a1"))
        return jsonResponse(200, { url, expires_at: "2026-12-02T10:05:00Z", filename: "foto.jpg", content_type: "image/jpeg", size: 482113 });
      return jsonResponse(404, { error: "not_found", message: "not found" });
    });
    const api = new RealClient({ token: () => "tok-anna", onUnauthorized: () => {}, fetch: fetchFn as typeof fetch });
    const opened: string[] = [];
    const tab = {
      go: vi.fn((u: string) => {
        // The link is asked for first: the tab goes nowhere before the API has answered.
        expect(fetchFn.mock.calls.some(([p]) => String(p).endsWith("/attachments/a1"))).toBe(true);
        opened.push(u);
      }),
      close: vi.fn(),
    };
    const openTab = vi.fn(() => {
      // The tab itself opens on the click, before the API is asked (a popup after an await is blocked).
      expect(fetchFn.mock.calls.some(([p]) => String(p).endsWith("/attachments/a1"))).toBe(false);
      return tab;
    });
    render(
      <I18nProvider initial="en">
        <TicketView api={api} id="tk_1" onClose={() => {}} onChanged={() => {}} replySignal={0} refreshMs={0} openTab={openTab} />
      </I18nProvider>,
    );
    fireEvent.click(await screen.findByTestId("attachment-download"));
    await waitFor(() => expect(opened).toEqual([url]));
    expect(openTab).toHaveBeenCalledTimes(1);
    expect(tab.close).not.toHaveBeenCalled();
    const call = fetchFn.mock.calls.find(([p]) => String(p).endsWith("/attachments/a1"));
    expect(call?.[1]?.method).toBe("GET");
    expect((call?.[1]?.headers as Record<string, string>).Authorization).toBe("Bearer tok-anna");
    expect(screen.queryByTestId("attachment-error")).toBeNull();
  });

  it("by default opens an empty tab on the click, cuts it off from the console, then points it at the URL", async () => {
    const url = "https://mail-bucket.s3.amazonaws.com/a1?X-Amz-Signature=abc";
    let answer: (v: unknown) => void = () => {};
    const link = vi.fn(() => new Promise((r) => (answer = r)));
    const { api } = fakeApi(ticketDetail("tk_1", { timeline: [customer()] }), link);
    const win = { opener: window as unknown, closed: false, location: { href: "" }, close: vi.fn() };
    const open = vi.spyOn(window, "open").mockImplementation(() => win as unknown as Window);
    try {
      render(
        <I18nProvider initial="en">
          <TicketView api={api} id="tk_1" onClose={() => {}} onChanged={() => {}} replySignal={0} refreshMs={0} />
        </I18nProvider>,
      );
      fireEvent.click(await screen.findByTestId("attachment-download"));
      await waitFor(() => expect(link).toHaveBeenCalledWith("tk_1", "a1"));
      expect(open).toHaveBeenCalledWith("", "_blank");
      expect(win.opener).toBeNull();
      expect(win.location.href).toBe("");
      answer({ url, expires_at: "", filename: "foto.jpg", content_type: "image/jpeg", size: 1 });
      await waitFor(() => expect(win.location.href).toBe(url));
      expect(open).toHaveBeenCalledTimes(1);
      expect(win.close).not.toHaveBeenCalled();
    } finally {
      open.mockRestore();
    }
  });

  it("when no tab could be opened on the click, tries the URL in a new tab without an opener", async () => {
    const url = "https://mail-bucket.s3.amazonaws.com/a1?X-Amz-Signature=abc";
    const link = vi.fn(async () => ({ url, expires_at: "", filename: "foto.jpg", content_type: "image/jpeg", size: 1 }));
    const { api } = fakeApi(ticketDetail("tk_1", { timeline: [customer()] }), link);
    const open = vi.spyOn(window, "open").mockImplementation(() => null);
    try {
      render(
        <I18nProvider initial="en">
          <TicketView api={api} id="tk_1" onClose={() => {}} onChanged={() => {}} replySignal={0} refreshMs={0} />
        </I18nProvider>,
      );
      fireEvent.click(await screen.findByTestId("attachment-download"));
      await waitFor(() => expect(open).toHaveBeenLastCalledWith(url, "_blank", "noopener,noreferrer"));
      expect(open).toHaveBeenNthCalledWith(1, "", "_blank");
    } finally {
      open.mockRestore();
    }
  });

  it("a 404 for the link (another merchant's, refused or unknown) closes the tab again and says so", async () => {
    const link = vi.fn(async () => {
      throw new ApiError(404, "not_found", "attachment not found");
    });
    const { api } = fakeApi(ticketDetail("tk_1", { timeline: [customer()] }), link);
    const tab = { go: vi.fn(), close: vi.fn() };
    render(
      <I18nProvider initial="en">
        <TicketView api={api} id="tk_1" onClose={() => {}} onChanged={() => {}} replySignal={0} refreshMs={0} openTab={() => tab} />
      </I18nProvider>,
    );
    fireEvent.click(await screen.findByTestId("attachment-download"));
    expect(text(await screen.findByTestId("attachment-error"))).toBe("Couldn't open foto.jpg: attachment not found");
    expect(tab.go).not.toHaveBeenCalled();
    expect(tab.close).toHaveBeenCalledTimes(1);
  });
});

// The console's types against the API's own description of them (functions/api/openapi.json):
// a field renamed or a state added on one side fails here, not in front of an agent.
describe("the contract with functions/api/openapi.json", () => {
  type Schema = { properties: Record<string, { enum?: string[] }>; required?: string[] };
  const spec = JSON.parse(readFileSync(`${import.meta.dirname}/../../../functions/api/openapi.json`, "utf8")) as {
    components: { schemas: Record<string, Schema> };
  };
  const schema = (name: string) => spec.components.schemas[name];
  const fits = (name: string, value: object) => {
    const s = schema(name);
    expect(Object.keys(value).filter((k) => !(k in s.properties)), `${name}: fields the API does not have`).toEqual([]);
    expect((s.required ?? []).filter((k) => !(k in value)), `${name}: required fields missing`).toEqual([]);
  };

  it("knows every delivery state the API sends, and no other", () => {
    expect([...(schema("DeliveryView").properties.state.enum ?? [])].sort()).toEqual([...deliveryStates].sort());
  });

  it("the fixtures are shaped as the API's EntryView, EmailView, AttachmentView, Trust, DeliveryView and AttachmentLink", () => {
    const full: Required<Delivery> = { state: "bounced", reason: "not delivered: x", at: "2026-12-02T10:00:00Z" };
    fits("EntryView", customer());
    fits("EntryView", reply(full));
    fits("DeliveryView", full);
    const email: Required<EmailMeta> = { ...mailed, subject: "s", quoted: "q", html: "<p>h</p>", attachments: mailed.attachments ?? [], trust: { spam: "PASS", virus: "PASS", spf: "FAIL", dkim: "PASS", dmarc: "FAIL", suspicious: true } };
    fits("EmailView", email);
    fits("Trust", email.trust);
    for (const a of email.attachments) fits("AttachmentView", a);
    fits("AttachmentLink", { url: "u", expires_at: "2026-12-02T10:05:00Z", filename: "f", content_type: "image/png", size: 1 });
    // And the fields the console reads are all ones the API describes.
    for (const k of ["channel", "email", "delivery"]) expect(schema("EntryView").properties).toHaveProperty(k);
    for (const k of ["subject", "quoted", "html", "attachments", "trust"]) expect(schema("EmailView").properties).toHaveProperty(k);
    for (const k of ["refused", "size", "content_type", "filename", "id"]) expect(schema("AttachmentView").properties).toHaveProperty(k);
  });
});
