import { render, screen } from "@testing-library/preact";
import { afterEach, describe, expect, it, vi } from "vitest";
import { LocalAuth, SessionStore } from "../auth";
import { I18nProvider } from "../i18n";
import { jsonResponse } from "../test/fixtures";
import { App, ticketFromPath } from "./App";

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("App", () => {
  it("goes back to sign-in, saying why, when the API answers 401", async () => {
    vi.stubGlobal(
      "fetch",
      vi.fn(async () => jsonResponse(401, { error: "unauthorized", message: "token expired" })),
    );
    const sessions = new SessionStore(sessionStorage);
    sessions.set({ token: "stale", email: "anna@demo.test" });
    render(
      <I18nProvider initial="en">
        <App auth={new LocalAuth(sessions)} />
      </I18nProvider>,
    );
    expect(await screen.findByText("Your session has ended. Please sign in again.")).toBeTruthy();
    expect(screen.getByTestId("pick-anna@demo.test")).toBeTruthy();
    expect(sessionStorage.getItem("borderdesk.session")).toBeNull();
  });

  it("signs in through /dev/login and keeps the token in sessionStorage only", async () => {
    const fetchFn = vi.fn(async (url: RequestInfo | URL) =>
      String(url).endsWith("/dev/login")
        ? jsonResponse(200, { token: "h.eyJlbWFpbCI6ImFubmFAZGVtby50ZXN0In0.s", merchant_id: "demo" })
        : jsonResponse(200, { tickets: [] }),
    );
    vi.stubGlobal("fetch", fetchFn);
    const auth = new LocalAuth(new SessionStore(sessionStorage));
    await auth.signIn("anna@demo.test");
    expect(JSON.parse(sessionStorage.getItem("borderdesk.session")!)).toMatchObject({ token: expect.any(String), merchantId: "demo" });
    expect(Object.keys(localStorage)).not.toContain("borderdesk.session");
    auth.signOut();
    expect(sessionStorage.getItem("borderdesk.session")).toBeNull();
  });

  it("reads the open ticket from the address", () => {
    expect(ticketFromPath("/tickets/tk_1")).toBe("tk_1");
    expect(ticketFromPath("/")).toBe(null);
    expect(ticketFromPath("/tickets/")).toBe(null);
  });
});
