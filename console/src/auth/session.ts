// The signed-in session lives in memory and in sessionStorage: it survives a reload of the tab
// but not closing it, and it is never shared with other tabs or written to localStorage.
// (CognitoAuth keeps its copy in oidc-client-ts's user store, also sessionStorage, and gives
// its SessionStore no storage: one stored copy of the tokens, not two.)

export interface Session {
  token: string;
  /** The token's sub: who the agent is (their agent id). */
  sub?: string;
  /** The token's email, for display only. */
  email?: string;
  merchantId?: string;
  /** Expiry from the token's exp claim, in ms since the epoch, when the token says. */
  expiresAt?: number;
}

const KEY = "borderdesk.session";

function tabStorage(): Storage | undefined {
  try {
    return globalThis.sessionStorage; // reading it throws where storage is blocked
  } catch {
    return undefined;
  }
}

export class SessionStore {
  private current: Session | null = null;
  private listeners = new Set<(s: Session | null) => void>();

  private storage: Storage | undefined;

  /** storage null keeps the session in memory only. */
  constructor(storage: Storage | null | undefined = tabStorage()) {
    this.storage = storage ?? undefined;
  }

  get(): Session | null {
    if (this.current && this.current.expiresAt && this.current.expiresAt <= Date.now()) {
      this.clear();
    }
    return this.current;
  }

  /** restore loads a session saved earlier in this tab, dropping it when expired or corrupt. */
  restore(): Session | null {
    try {
      const raw = this.storage?.getItem(KEY);
      if (raw) {
        const s = JSON.parse(raw) as Session;
        if (typeof s.token === "string" && s.token) this.current = s;
      }
    } catch {
      this.storage?.removeItem(KEY);
    }
    return this.get();
  }

  set(s: Session): void {
    this.current = s;
    try {
      this.storage?.setItem(KEY, JSON.stringify(s));
    } catch {
      // Storage full or disabled: the session still works until reload.
    }
    this.emit();
  }

  clear(): void {
    const had = this.current !== null;
    this.current = null;
    try {
      this.storage?.removeItem(KEY);
    } catch {
      /* ignore */
    }
    if (had) this.emit();
  }

  subscribe(fn: (s: Session | null) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private emit(): void {
    for (const fn of this.listeners) fn(this.current);
  }
}

/**
 * sessionFromToken reads the (unverified) JWT claims the console uses: sub (who the agent is),
 * email (shown), merchant (Cognito's custom:merchant_id) and expiry. The API verifies the token; this only reads it.
 */
export function sessionFromToken(token: string, extra: Partial<Session> = {}): Session {
  const s: Session = { token, ...extra };
  try {
    const part = token.split(".")[1] ?? "";
    const json = atob(part.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(part.length / 4) * 4, "="));
    const claims = JSON.parse(json) as { exp?: number; sub?: string; email?: string; "custom:merchant_id"?: string };
    if (typeof claims.exp === "number") s.expiresAt = claims.exp * 1000;
    if (!s.sub && typeof claims.sub === "string") s.sub = claims.sub;
    if (!s.email && typeof claims.email === "string") s.email = claims.email;
    const merchant = claims["custom:merchant_id"];
    if (!s.merchantId && typeof merchant === "string") s.merchantId = merchant;
  } catch {
    // Not a JWT the console can read; the API still decides whether it is valid.
  }
  return s;
}
