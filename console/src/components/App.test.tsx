import { render, screen } from "@testing-library/preact";
import { afterEach, describe, expect, it, vi } from "vitest";
import { CognitoAuth, LocalAuth, MisconfiguredAuth, SessionStore } from "../auth";
import type { CognitoConfig } from "../config";
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
