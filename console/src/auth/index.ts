// Package-level seam for signing in. The console talks to an Authenticator and never to a
// particular identity provider:
//
//   - "local" (default): LocalAuth, POST /dev/login with a seeded agent's email (make dev).
//   - "cognito" (cloud): CognitoAuth, Cognito's hosted UI with the authorization-code flow and
//     PKCE (oidc-client-ts); the ID token is the bearer.
//   - "invalid": a /config.json the console cannot use; MisconfiguredAuth says why.
//
// Tokens stay in memory and sessionStorage, never localStorage.
import type { AuthConfig } from "../config";
import { CognitoAuth } from "./cognito";
import { LocalAuth } from "./local";
import { SessionStore, type Session } from "./session";

export interface Authenticator {
  readonly mode: AuthConfig["mode"];
  readonly sessions: SessionStore;
  /** restore returns the session this tab already has (or finishes a redirect sign-in). */
  restore(): Promise<Session | null>;
  /** token is the bearer token for API calls, or null when signed out. */
  token(): string | null;
  /** expire drops the session because the API refused it (401); the page stays to say so. */
  expire(): void;
  /** signOut is the agent signing out; with a hosted sign-in it also ends that session. */
  signOut(): void;
}

/** MisconfiguredAuth stands in when /config.json asks for something the console cannot do. */
export class MisconfiguredAuth implements Authenticator {
  readonly mode = "invalid" as const;
  constructor(
    readonly problem: string,
    readonly sessions: SessionStore = new SessionStore(null),
  ) {}
  async restore() {
    return null;
  }
  token() {
    return null;
  }
  expire() {
    this.sessions.clear();
  }
  signOut() {
    this.sessions.clear();
  }
}

export function createAuthenticator(cfg: AuthConfig, apiBase: string): Authenticator {
  switch (cfg.mode) {
    case "local":
      return new LocalAuth(new SessionStore(), apiBase);
    case "cognito":
      return new CognitoAuth(cfg);
    case "invalid":
      return new MisconfiguredAuth(cfg.problem);
  }
}

export { CognitoAuth, cognitoLogoutUrl } from "./cognito";
export { LocalAuth, seededAgents } from "./local";
export { SessionStore, type Session } from "./session";
