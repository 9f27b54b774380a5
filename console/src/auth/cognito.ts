// Cloud sign-in: Cognito's hosted UI with the OIDC authorization-code flow and PKCE, through
// oidc-client-ts. beginSignIn sends the agent to the hosted UI with a code_challenge; Cognito
// sends them back to redirectUri with ?code=&state=; restore exchanges the code (with the
// code_verifier kept in this tab) for tokens at the token endpoint.
//
// The bearer for the API is the ID token, not the access token: API Gateway's JWT authorizer
// checks the app client as the audience, and the API reads the agent from the `email` and
// `custom:merchant_id` claims, which only the ID token carries.
//
// Everything oidc-client-ts stores — the user (tokens) and the in-flight sign-in state (PKCE
// verifier) — goes to sessionStorage: it survives a reload, dies with the tab, and never
// touches localStorage (the library's default for the state store).
import { UserManager, WebStorageStateStore, type User, type UserManagerSettings } from "oidc-client-ts";
import type { CognitoConfig } from "../config";
import type { Authenticator } from "./index";
import { SessionStore, sessionFromToken, type Session } from "./session";

/**
 * cognitoLogoutUrl is Cognito's sign-out endpoint. Cognito's discovery document has no
 * end_session_endpoint, so oidc-client-ts's signoutRedirect cannot find it; the hosted UI's
 * /logout takes client_id and a logout_uri that must be one of the app client's sign-out URLs.
 */
export function cognitoLogoutUrl(cfg: Pick<CognitoConfig, "domain" | "clientId" | "logoutUri">): string {
  const q = new URLSearchParams({ client_id: cfg.clientId, logout_uri: cfg.logoutUri });
  return `${cfg.domain.replace(/\/+$/, "")}/logout?${q}`;
}

/** returnPath keeps only a same-origin path to come back to after sign-in. */
export function returnPath(p: string | undefined | null): string {
  return p && /^\/(?!\/)/.test(p) && !p.includes("\\") ? p : "/";
}

/** isSignInCallback says whether url is Cognito sending the agent back (with a code or an error). */
export function isSignInCallback(url: string): boolean {
  const p = new URL(url).searchParams;
  return p.has("state") && (p.has("code") || p.has("error"));
}

export function userManagerSettings(cfg: CognitoConfig, storage: Storage): UserManagerSettings {
  return {
    authority: cfg.authority,
    client_id: cfg.clientId,
    redirect_uri: cfg.redirectUri,
    post_logout_redirect_uri: cfg.logoutUri,
    response_type: "code", // PKCE is on by default for the code flow
    scope: cfg.scope,
    userStore: new WebStorageStateStore({ store: storage }),
    stateStore: new WebStorageStateStore({ store: storage }),
    // Renewal uses the refresh token Cognito issues with the code grant: a POST to the token
    // endpoint, no hidden iframe (Cognito's hosted UI refuses to be framed).
    automaticSilentRenew: true,
    loadUserInfo: false, // the ID token already names the agent
    monitorSession: false, // Cognito has no check_session_iframe
  };
}

export interface CognitoAuthOptions {
  /** storage for tokens and sign-in state; sessionStorage unless a test says otherwise. */
  storage?: Storage;
  /** navigate leaves the page (for sign-out); location.assign unless a test says otherwise. */
  navigate?: (url: string) => void;
  /** manager replaces the UserManager built from the config. */
  manager?: UserManager;
}

export class CognitoAuth implements Authenticator {
  readonly mode = "cognito" as const;
  /** Why the last sign-in did not complete (Cognito's error, a lost state), for the sign-in page. */
  callbackError: string | null = null;
  readonly manager: UserManager;
  private navigate: (url: string) => void;

  constructor(
    private cfg: CognitoConfig,
    // In memory only: the stored copy is oidc-client-ts's user, in sessionStorage.
    readonly sessions: SessionStore = new SessionStore(null),
    opts: CognitoAuthOptions = {},
  ) {
    const storage = opts.storage ?? globalThis.sessionStorage;
    this.manager = opts.manager ?? new UserManager(userManagerSettings(cfg, storage));
    this.navigate = opts.navigate ?? ((url) => location.assign(url));
    // A renewed token replaces the session; a removed user ends it.
    this.manager.events.addUserLoaded((u) => this.adopt(u));
    this.manager.events.addUserUnloaded(() => this.sessions.clear());
  }

  /**
   * restore finishes a redirect back from the hosted UI, or picks up the user this tab already
   * has, renewing it with the refresh token when the ID token has expired.
   */
  async restore(url: string = location.href): Promise<Session | null> {
    if (isSignInCallback(url)) {
      let back = "/";
      try {
        const user = await this.manager.signinRedirectCallback(url);
        back = returnPath(user.url_state);
        this.adopt(user);
        this.callbackError = null;
      } catch (e) {
        this.callbackError = (e as Error)?.message || String(e);
        await this.manager.removeUser().catch(() => {});
      }
      // The code is single-use: drop it from the address so a reload does not replay it.
      history.replaceState(null, "", back);
      return this.sessions.get();
    }
    let user: User | null = null;
    try {
      user = await this.manager.getUser();
      if (user && user.expired && user.refresh_token) user = await this.manager.signinSilent();
    } catch {
      user = null;
      await this.manager.removeUser().catch(() => {});
    }
    if (user && !user.expired) this.adopt(user);
    return this.sessions.get();
  }

  /** beginSignIn leaves for the hosted UI; the agent comes back to the page they were on. */
  async beginSignIn(): Promise<void> {
    this.callbackError = null;
    await this.manager.signinRedirect({ url_state: returnPath(location.pathname) });
  }

  token(): string | null {
    return this.sessions.get()?.token ?? null;
  }

  /** expire forgets this tab's tokens after a 401, staying on the page to say so. */
  expire(): void {
    this.sessions.clear();
    void this.manager.removeUser().catch(() => {});
  }

  /** signOut forgets the tokens, then ends the hosted UI's session too, which returns to logoutUri. */
  signOut(): void {
    this.sessions.clear();
    const url = cognitoLogoutUrl(this.cfg);
    // Remove first: coming back from /logout must not find the user still stored.
    this.manager
      .removeUser()
      .catch(() => {})
      .finally(() => this.navigate(url));
  }

  private adopt(user: User): void {
    if (!user.id_token) {
      // Without the openid scope there is no ID token, and the API would refuse the access token.
      this.callbackError = "no ID token in Cognito's answer";
      return;
    }
    this.sessions.set(sessionFromToken(user.id_token));
  }
}
