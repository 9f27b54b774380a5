// Package-level seam for signing in. The console talks to an Authenticator and never to a
// particular identity provider:
//
//   - "local" (default): LocalAuth, POST /dev/login with a seeded agent's email (make dev).
//   - "oidc" (cloud, to do): an OIDCAuth for Cognito's hosted UI using the authorization-code
//     flow with PKCE. It would implement the same interface: beginSignIn() redirects to the
//     authorize endpoint with a code_challenge; restore() finishes the redirect (exchanges
//     ?code= with the stored code_verifier at the token endpoint) or restores the session;
//     token() returns the access token, refreshing it when near expiry; signOut() clears the
//     session and visits the logout endpoint. The token stays in memory + sessionStorage, as
//     here. Wire it in createAuthenticator below; SignIn shows its button for mode "oidc".
import type { AuthConfig } from "../config";
import { LocalAuth } from "./local";
import { SessionStore, type Session } from "./session";

export interface Authenticator {
  readonly mode: AuthConfig["mode"];
  readonly sessions: SessionStore;
  /** restore returns the session this tab already has (or finishes a redirect sign-in). */
  restore(): Promise<Session | null>;
  /** token is the bearer token for API calls, or null when signed out. */
  token(): string | null;
  signOut(): void;
}

/** UnavailableAuth stands in for a sign-in method this build does not have yet. */
export class UnavailableAuth implements Authenticator {
  constructor(
    readonly mode: AuthConfig["mode"],
    readonly sessions: SessionStore,
  ) {}
  async restore() {
    return null;
  }
  token() {
    return null;
  }
  signOut() {
    this.sessions.clear();
  }
}

export function createAuthenticator(cfg: AuthConfig, apiBase: string, sessions = new SessionStore()): Authenticator {
  switch (cfg.mode) {
    case "local":
      return new LocalAuth(sessions, apiBase);
    case "oidc":
      return new UnavailableAuth("oidc", sessions);
  }
}

export { LocalAuth, seededAgents } from "./local";
export { SessionStore, type Session } from "./session";
