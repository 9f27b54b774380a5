import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { CognitoConfig } from "../config";
import { jsonResponse } from "../test/fixtures";
import { CognitoAuth, cognitoLogoutUrl, isSignInCallback, returnPath } from "./cognito";

const cfg: CognitoConfig = {
  authority: "https://cognito-idp.eu-central-1.amazonaws.com/eu-central-1_Abc123",
  clientId: "client123",
  domain: "https://borderdesk-test.auth.eu-central-1.amazoncognito.com",
  redirectUri: "https://d111.cloudfront.net/",
  logoutUri: "https://d111.cloudfront.net/",
  scope: "openid email profile",
};

/** jwt makes an unsigned token with claims; oidc-client-ts reads claims, the API checks signatures. */
function jwt(claims: Record<string, unknown>): string {
  const b64 = (o: unknown) => btoa(JSON.stringify(o)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
  return `${b64({ alg: "RS256", kid: "k1" })}.${b64(claims)}.c2ln`;
}

const exp = () => Math.floor(Date.now() / 1000) + 3600;
const idClaims = () => ({
  sub: "0f5c-agent",
  iss: cfg.authority,
  aud: cfg.clientId,
  token_use: "id",
  email: "anna@demo.test",
  "custom:merchant_id": "demo",
  exp: exp(),
  iat: Math.floor(Date.now() / 1000),
});

/** cognito fakes the user pool's discovery document and token endpoint, recording token requests. */
function fakeCognito(idToken = jwt(idClaims())) {
  const tokenRequests: URLSearchParams[] = [];
  const fetchFn = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input instanceof Request ? input.url : input);
    if (url === `${cfg.authority}/.well-known/openid-configuration`) {
      // What Cognito publishes: endpoints on the hosted UI's domain, no end_session_endpoint.
      return jsonResponse(200, {
        issuer: cfg.authority,
        authorization_endpoint: `${cfg.domain}/oauth2/authorize`,
        token_endpoint: `${cfg.domain}/oauth2/token`,
        userinfo_endpoint: `${cfg.domain}/oauth2/userInfo`,
        revocation_endpoint: `${cfg.domain}/oauth2/revoke`,
        jwks_uri: `${cfg.authority}/.well-known/jwks.json`,
        response_types_supported: ["code", "token"],
        scopes_supported: ["openid", "email", "phone", "profile"],
        code_challenge_methods_supported: ["S256"],
      });
    }
    if (url === `${cfg.domain}/oauth2/token`) {
      tokenRequests.push(new URLSearchParams(String(init?.body ?? "")));
      return jsonResponse(200, {
        id_token: idToken,
        access_token: jwt({ sub: "0f5c-agent", token_use: "access", exp: exp() }),
        refresh_token: "refresh-opaque",
        token_type: "Bearer",
        expires_in: 3600,
      });
    }
    return jsonResponse(404, {});
  });
  vi.stubGlobal("fetch", fetchFn);
  return { fetchFn, tokenRequests, idToken };
}

/** signInRedirect starts sign-in and returns the hosted UI address the browser was sent to. */
async function signInRedirect(auth: CognitoAuth): Promise<URL> {
  const assign = vi.spyOn(window.location, "assign").mockImplementation(() => {});
  void auth.beginSignIn();
  await vi.waitFor(() => expect(assign).toHaveBeenCalled());
  const url = new URL(String(assign.mock.calls[0][0]));
  assign.mockRestore();
  return url;
}

describe("cognitoLogoutUrl", () => {
  it("builds the hosted UI's /logout with client_id and logout_uri", () => {
    const url = cognitoLogoutUrl(cfg);
    expect(url).toBe(
      "https://borderdesk-test.auth.eu-central-1.amazoncognito.com/logout?client_id=client123&logout_uri=https%3A%2F%2Fd111.cloudfront.net%2F",
    );
    const u = new URL(url);
    expect(u.searchParams.get("logout_uri")).toBe(cfg.logoutUri);
  });

  it("copes with a trailing slash on the domain", () => {
    expect(cognitoLogoutUrl({ ...cfg, domain: cfg.domain + "/" })).toMatch(/amazoncognito\.com\/logout\?/);
  });
});

describe("redirect helpers", () => {
  it.each([
    ["/tickets/tk_1", "/tickets/tk_1"],
    ["/", "/"],
    ["//evil.example/x", "/"],
    ["/\\evil.example", "/"],
    ["https://evil.example/", "/"],
    [undefined, "/"],
  ])("returnPath(%s) = %s", (p, want) => {
    expect(returnPath(p)).toBe(want);
  });

  it("recognises Cognito's answers", () => {
    expect(isSignInCallback("https://d111.cloudfront.net/?code=abc&state=s1")).toBe(true);
    expect(isSignInCallback("https://d111.cloudfront.net/?error=access_denied&state=s1")).toBe(true);
    expect(isSignInCallback("https://d111.cloudfront.net/tickets/tk_1")).toBe(false);
    expect(isSignInCallback("https://d111.cloudfront.net/?code=abc")).toBe(false);
  });
});

describe("CognitoAuth", () => {
  // Spied on the localStorage object itself: happy-dom's storages are proxies, so a spy on
  // Storage.prototype cannot tell which storage a write went to.
  let setItem: ReturnType<typeof vi.spyOn>;
  beforeEach(() => {
    setItem = vi.spyOn(localStorage, "setItem");
    history.replaceState(null, "", "/tickets/tk_9");
  });
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.restoreAllMocks();
  });

  const localStorageWrites = () => setItem.mock.calls.length;

  it("signs in with code + PKCE, uses the ID token, and keeps tokens out of localStorage", async () => {
    const { tokenRequests, idToken } = fakeCognito();
    const auth = new CognitoAuth(cfg);

    const authorize = await signInRedirect(auth);
    expect(authorize.origin + authorize.pathname).toBe(`${cfg.domain}/oauth2/authorize`);
    const q = authorize.searchParams;
    expect(q.get("response_type")).toBe("code");
    expect(q.get("client_id")).toBe(cfg.clientId);
    expect(q.get("redirect_uri")).toBe(cfg.redirectUri);
    expect(q.get("scope")).toBe("openid email profile");
    expect(q.get("code_challenge_method")).toBe("S256");
    expect(q.get("code_challenge")).toMatch(/^[A-Za-z0-9_-]{43}$/);

    // Cognito sends the agent back with a code and the state.
    const session = await auth.restore(`${cfg.redirectUri}?code=the-code&state=${q.get("state")}`);

    expect(tokenRequests).toHaveLength(1);
    expect(tokenRequests[0].get("grant_type")).toBe("authorization_code");
    expect(tokenRequests[0].get("code")).toBe("the-code");
    expect(tokenRequests[0].get("code_verifier")).toMatch(/^[A-Za-z0-9_-]{43,128}$/);
    expect(session).toMatchObject({ email: "anna@demo.test", merchantId: "demo" });
    expect(auth.token()).toBe(idToken); // the ID token, which carries email and custom:merchant_id
    // Back on the page they started from, without the code in the address.
    expect(location.pathname).toBe("/tickets/tk_9");
    expect(location.search).toBe("");

    expect(localStorageWrites()).toBe(0);
    expect(Object.keys(localStorage)).toEqual([]);
    expect(Object.keys(sessionStorage).some((k) => k.startsWith("oidc.user:"))).toBe(true);
  });

  it("restores the stored user after a reload, still without localStorage", async () => {
    fakeCognito();
    const first = new CognitoAuth(cfg);
    const authorize = await signInRedirect(first);
    await first.restore(`${cfg.redirectUri}?code=c&state=${authorize.searchParams.get("state")}`);

    const reloaded = new CognitoAuth(cfg);
    const session = await reloaded.restore("https://d111.cloudfront.net/");
    expect(session?.email).toBe("anna@demo.test");
    expect(reloaded.token()).toBe(first.token());
    expect(localStorageWrites()).toBe(0);
  });

  it("signs out: removes the user, then goes to Cognito's /logout", async () => {
    fakeCognito();
    const navigate = vi.fn();
    const auth = new CognitoAuth(cfg, undefined, { navigate });
    const authorize = await signInRedirect(auth);
    await auth.restore(`${cfg.redirectUri}?code=c&state=${authorize.searchParams.get("state")}`);

    auth.signOut();
    expect(auth.token()).toBeNull();
    await vi.waitFor(() => expect(navigate).toHaveBeenCalledTimes(1));
    expect(navigate).toHaveBeenCalledWith(cognitoLogoutUrl(cfg));
    expect(Object.keys(sessionStorage).some((k) => k.startsWith("oidc.user:"))).toBe(false);
    expect(localStorageWrites()).toBe(0);
  });

  it("on a 401 forgets the tokens without leaving the page", async () => {
    fakeCognito();
    const navigate = vi.fn();
    const auth = new CognitoAuth(cfg, undefined, { navigate });
    const authorize = await signInRedirect(auth);
    await auth.restore(`${cfg.redirectUri}?code=c&state=${authorize.searchParams.get("state")}`);

    auth.expire();
    expect(auth.token()).toBeNull();
    await vi.waitFor(() => expect(Object.keys(sessionStorage).some((k) => k.startsWith("oidc.user:"))).toBe(false));
    expect(navigate).not.toHaveBeenCalled();
  });

  it("says why when Cognito sends back an error", async () => {
    fakeCognito();
    const auth = new CognitoAuth(cfg);
    const authorize = await signInRedirect(auth);
    const session = await auth.restore(
      `${cfg.redirectUri}?error=access_denied&error_description=User+is+disabled.&state=${authorize.searchParams.get("state")}`,
    );
    expect(session).toBeNull();
    expect(auth.callbackError).toMatch(/User is disabled/);
    expect(location.search).toBe("");
  });

  it("does not take an expired ID token", async () => {
    fakeCognito(jwt({ ...idClaims(), exp: Math.floor(Date.now() / 1000) - 10 }));
    const auth = new CognitoAuth(cfg);
    const authorize = await signInRedirect(auth);
    await auth.restore(`${cfg.redirectUri}?code=c&state=${authorize.searchParams.get("state")}`);
    expect(auth.token()).toBeNull();
  });
});
