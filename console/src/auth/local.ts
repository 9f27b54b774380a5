import { ApiError, errorFromResponse } from "../api/errors";
import type { Authenticator } from "./index";
import { SessionStore, sessionFromToken, type Session } from "./session";

/** The agents `make dev` seeds (infra/local/seed.go); the API has no endpoint listing them. */
export const seededAgents = [
  { email: "anna@demo.test", name: "Anna Schmidt", merchant: "demo" },
  { email: "li.wei@demo.test", name: "Li Wei", merchant: "demo" },
  { email: "sam@demo.test", name: "Sam Taylor", merchant: "demo" },
  { email: "jo@acme.test", name: "Jo Martin", merchant: "acme" },
] as const;

/**
 * LocalAuth signs in through the local runtime's POST /dev/login, which issues a token for any
 * seeded agent without a password. No cloud build serves that route.
 */
export class LocalAuth implements Authenticator {
  readonly mode = "local" as const;

  constructor(
    readonly sessions: SessionStore,
    private apiBase = "",
    private fetchFn: typeof fetch = (...a) => fetch(...a),
  ) {}

  async restore(): Promise<Session | null> {
    return this.sessions.restore();
  }

  async signIn(email: string): Promise<Session> {
    let res: Response;
    try {
      res = await this.fetchFn(`${this.apiBase}/dev/login`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ email: email.trim() }),
      });
    } catch {
      throw new ApiError(0, "network", "");
    }
    if (!res.ok) throw await errorFromResponse(res);
    const body = (await res.json()) as { token: string; merchant_id?: string };
    const s = sessionFromToken(body.token, { email: email.trim(), merchantId: body.merchant_id });
    this.sessions.set(s);
    return s;
  }

  token(): string | null {
    return this.sessions.get()?.token ?? null;
  }

  expire(): void {
    this.sessions.clear();
  }

  signOut(): void {
    this.sessions.clear();
  }
}
