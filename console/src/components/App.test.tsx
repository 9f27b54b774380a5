import { fireEvent, render, screen, waitFor } from "@testing-library/preact";
import { afterEach, describe, expect, it, vi } from "vitest";
import { CognitoAuth, LocalAuth, MisconfiguredAuth, SessionStore } from "../auth";
import type { CognitoConfig } from "../config";
import { I18nProvider } from "../i18n";
import { jsonResponse, ticket, ticketDetail } from "../test/fixtures";
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

  describe("merged tickets", () => {
    // The API after tk_old was merged into tk_new: tk_old's id answers tk_new.
    function mergedApi() {
      const survivor = ticketDetail("tk_new", { merged_from: ["tk_old"], follow_up_of: "tk_closed" });
      const calls: string[] = [];
      const fetchFn = vi.fn(async (url: RequestInfo | URL) => {
        const path = new URL(String(url), "http://console.test").pathname;
        calls.push(path);
        if (path === "/api/v1/me") return jsonResponse(200, { id: "ag-anna", email: "anna@demo.test", role: "agent", merchant: { id: "demo", name: "Demo" } });
        if (path === "/api/v1/agents") return jsonResponse(200, { agents: [] });
        if (path === "/api/v1/tickets") return jsonResponse(200, { tickets: [ticket("tk_new"), ticket("tk_closed", { status: "closed" })] });
        if (path === "/api/v1/tickets/tk_old" || path === "/api/v1/tickets/tk_new") return jsonResponse(200, survivor);
        if (path === "/api/v1/tickets/tk_closed") return jsonResponse(200, ticketDetail("tk_closed", { status: "closed" }));
        return jsonResponse(404, { error: "not_found", message: "no such ticket" });
      });
      vi.stubGlobal("fetch", fetchFn);
      const sessions = new SessionStore(sessionStorage);
      sessions.set({ token: "h.e.s", email: "anna@demo.test" });
      render(
        <I18nProvider initial="en">
          <App auth={new LocalAuth(sessions)} />
        </I18nProvider>,
      );
      return { calls };
    }

    afterEach(() => {
      history.replaceState(null, "", "/");
      sessionStorage.clear();
    });

    it("a bookmark to a merged ticket lands on its survivor, quietly", async () => {
      history.replaceState(null, "", "/tickets/tk_old");
      const depth = history.length;
      const { calls } = mergedApi();
      expect((await screen.findByTestId("merged-note")).textContent).toBe(
        "Merged from #tk_old: the ticket you opened is now part of this one.",
      );
      await waitFor(() => expect(location.pathname).toBe("/tickets/tk_new"));
      expect(history.length).toBe(depth); // replaced, not pushed: Back does not return to tk_old
      await waitFor(() => expect(document.querySelector('[data-id="tk_new"]')?.classList.contains("open")).toBe(true));
      expect(calls.filter((p) => p.startsWith("/api/v1/tickets/"))).toEqual(["/api/v1/tickets/tk_old"]);
    });

    it("the follow-up link opens the closed ticket in place and in the address", async () => {
      history.replaceState(null, "", "/tickets/tk_new");
      mergedApi();
      fireEvent.click(await screen.findByTestId("follow-up-link"));
      await waitFor(() => expect(location.pathname).toBe("/tickets/tk_closed"));
      await waitFor(() => expect(screen.getByTestId("ticket-view").textContent).toContain("tk_closed"));
      expect(screen.queryByTestId("merged-note")).toBeNull();
    });
  });

  it("reads the open ticket from the address", () => {
    expect(ticketFromPath("/tickets/tk_1")).toBe("tk_1");
    expect(ticketFromPath("/")).toBe(null);
    expect(ticketFromPath("/tickets/")).toBe(null);
  });

  describe("cloud mode", () => {
    const cfg: CognitoConfig = {
      authority: "https://cognito-idp.eu-central-1.amazonaws.com/eu-central-1_Abc123",
      clientId: "client123",
      domain: "https://borderdesk-test.auth.eu-central-1.amazoncognito.com",
      redirectUri: "https://d111.cloudfront.net/",
      logoutUri: "https://d111.cloudfront.net/",
      scope: "openid email profile",
    };

    it("offers the hosted sign-in, and says why the last one failed", () => {
      const auth = new CognitoAuth(cfg);
      auth.callbackError = "User is disabled.";
      render(
        <I18nProvider initial="en">
          <App auth={auth} />
        </I18nProvider>,
      );
      expect(screen.getByTestId("cloud-sign-in").textContent).toBe("Continue to sign-in");
      expect(screen.getByTestId("callback-error").textContent).toBe("Sign-in did not complete: User is disabled.");
      expect(screen.queryByTestId("pick-anna@demo.test")).toBeNull();
    });

    it("a 401 returns to sign-in without leaving for Cognito's logout", async () => {
      vi.stubGlobal("fetch", vi.fn(async () => jsonResponse(401, { error: "unauthorized", message: "token expired" })));
      const navigate = vi.fn();
      const auth = new CognitoAuth(cfg, undefined, { navigate });
      auth.sessions.set({ token: "h.e.s", email: "anna@demo.test" });
      render(
        <I18nProvider initial="en">
          <App auth={auth} apiBase="https://api.example.com" />
        </I18nProvider>,
      );
      expect(await screen.findByText("Your session has ended. Please sign in again.")).toBeTruthy();
      expect(screen.getByTestId("cloud-sign-in")).toBeTruthy();
      await new Promise((r) => setTimeout(r, 50)); // signOut would navigate once the user is removed
      expect(navigate).not.toHaveBeenCalled();
    });

    it("says what is wrong with config.json", () => {
      render(
        <I18nProvider initial="zh-CN">
          <App auth={new MisconfiguredAuth("cognito.clientId is missing")} />
        </I18nProvider>,
      );
      expect(screen.getByTestId("config-error").textContent).toBe("此控制台的登录配置有误：cognito.clientId is missing");
    });
  });
});
