// Runtime configuration. The console is one static build for every environment: a deployment
// puts a /config.json next to index.html (the CDK stack writes it, see infra/cdk/console.go);
// without one, local mode against the same origin — what `make dev` serves — with
// VITE_BORDERDESK_API_BASE as the only build-time knob.
//
// The cloud file:
//
//   {"mode": "cognito", "apiBaseUrl": "https://<api>",
//    "cognito": {"authority": "https://cognito-idp.<region>.amazonaws.com/<poolId>",
//                "clientId": "…", "domain": "https://<prefix>.auth.<region>.amazoncognito.com",
//                "redirectUri": "https://<cloudfront>/", "logoutUri": "https://<cloudfront>/"}}

export interface CognitoConfig {
  /** The user pool's OIDC issuer; discovery is read from <authority>/.well-known/openid-configuration. */
  authority: string;
  clientId: string;
  /** The hosted UI's base URL; its /logout is not in discovery (no end_session_endpoint). */
  domain: string;
  /** Where the hosted UI sends the agent back with ?code=; one of the app client's callback URLs. */
  redirectUri: string;
  /** Where Cognito's /logout returns to; one of the app client's sign-out URLs, exactly. */
  logoutUri: string;
  /** OAuth scopes; the app client allows openid, email and profile. */
  scope: string;
}

export type AuthConfig =
  | { mode: "local" }
  | ({ mode: "cognito" } & CognitoConfig)
  // A /config.json the console cannot use: sign-in says why instead of guessing.
  | { mode: "invalid"; problem: string };

export interface AppConfig {
  /** Base URL of the API; "" means the console's own origin. */
  apiBase: string;
  auth: AuthConfig;
}

export const defaultConfig: AppConfig = {
  apiBase: import.meta.env.VITE_BORDERDESK_API_BASE ?? "",
  auth: { mode: "local" },
};

const defaultScope = "openid email profile";

/** ConfigError is a /config.json that is JSON but not a usable configuration. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

function str(v: unknown): string {
  return typeof v === "string" ? v.trim() : "";
}

/** url checks that v is an absolute https URL (http only for localhost, for testing a stack locally). */
function url(v: unknown, field: string): string {
  const s = str(v);
  if (!s) throw new ConfigError(`${field} is missing`);
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    throw new ConfigError(`${field} is not a URL: ${s}`);
  }
  const local = u.hostname === "localhost" || u.hostname === "127.0.0.1";
  if (u.protocol !== "https:" && !(local && u.protocol === "http:")) {
    throw new ConfigError(`${field} must be an https URL: ${s}`);
  }
  return s;
}

/**
 * parseConfig reads the object in /config.json. No "mode" (or "local") is local mode; "cognito"
 * needs every cognito field and apiBaseUrl, since CloudFront serves only the console. A value
 * that is wrong throws ConfigError, which the sign-in page shows.
 */
export function parseConfig(raw: unknown, defaults: AppConfig = defaultConfig): AppConfig {
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) throw new ConfigError("config.json is not a JSON object");
  const r = raw as Record<string, unknown>;
  const mode = str(r.mode) || "local";
  switch (mode) {
    case "local":
      return { apiBase: r.apiBaseUrl === undefined ? defaults.apiBase : str(r.apiBaseUrl).replace(/\/+$/, ""), auth: { mode: "local" } };
    case "cognito": {
      const c = r.cognito;
      if (!c || typeof c !== "object") throw new ConfigError("cognito settings are missing");
      const cg = c as Record<string, unknown>;
      const clientId = str(cg.clientId);
      if (!clientId) throw new ConfigError("cognito.clientId is missing");
      return {
        apiBase: url(r.apiBaseUrl, "apiBaseUrl").replace(/\/+$/, ""),
        auth: {
          mode: "cognito",
          authority: url(cg.authority, "cognito.authority").replace(/\/+$/, ""),
          clientId,
          domain: url(cg.domain, "cognito.domain").replace(/\/+$/, ""),
          redirectUri: url(cg.redirectUri, "cognito.redirectUri"),
          logoutUri: url(cg.logoutUri, "cognito.logoutUri"),
          scope: str(cg.scope) || defaultScope,
        },
      };
    }
    default:
      throw new ConfigError(`unknown mode "${mode}"`);
  }
}

/**
 * loadConfig reads /config.json over the defaults. A missing file is normal: the local
 * runtime answers unknown paths with index.html (SPA fallback), so anything that is not JSON
 * counts as "no file". A JSON file that is wrong is not ignored: falling back to local mode
 * would offer a sign-in that cannot work.
 */
export async function loadConfig(fetchFn: typeof fetch = fetch): Promise<AppConfig> {
  let res: Response;
  try {
    res = await fetchFn("/config.json", { cache: "no-store" });
  } catch {
    return defaultConfig;
  }
  const type = res.headers.get("content-type") ?? "";
  if (!res.ok || !type.includes("json")) return defaultConfig;
  try {
    return parseConfig(await res.json());
  } catch (e) {
    const problem = e instanceof ConfigError ? e.message : "config.json is not valid JSON";
    return { apiBase: defaultConfig.apiBase, auth: { mode: "invalid", problem } };
  }
}
