// Runtime configuration. The console is one static build for every environment: a deployment
// may put a /config.json next to index.html; without one, build-time env (VITE_BORDERDESK_*)
// applies; without that, local mode against the same origin — what `make dev` serves.

export type AuthConfig =
  | { mode: "local" }
  // Cloud mode, not implemented yet: Cognito hosted UI with the authorization-code + PKCE flow.
  | { mode: "oidc"; issuer: string; clientId: string; redirectUri?: string; scope?: string };

export interface AppConfig {
  /** Base URL of the API; "" means the console's own origin. */
  apiBase: string;
  auth: AuthConfig;
}

export const defaultConfig: AppConfig = {
  apiBase: import.meta.env.VITE_BORDERDESK_API_BASE ?? "",
  auth: envAuth(),
};

function envAuth(): AuthConfig {
  const env = import.meta.env;
  if (env.VITE_BORDERDESK_AUTH === "oidc") {
    return {
      mode: "oidc",
      issuer: env.VITE_BORDERDESK_OIDC_ISSUER ?? "",
      clientId: env.VITE_BORDERDESK_OIDC_CLIENT_ID ?? "",
    };
  }
  return { mode: "local" };
}

/**
 * loadConfig reads /config.json over the defaults. A missing file is normal: the local
 * runtime answers unknown paths with index.html (SPA fallback), so anything that is not a JSON
 * object counts as "no file".
 */
export async function loadConfig(fetchFn: typeof fetch = fetch): Promise<AppConfig> {
  try {
    const res = await fetchFn("/config.json", { cache: "no-store" });
    const type = res.headers.get("content-type") ?? "";
    if (!res.ok || !type.includes("json")) return defaultConfig;
    const raw = (await res.json()) as Partial<AppConfig>;
    if (!raw || typeof raw !== "object") return defaultConfig;
    return {
      apiBase: typeof raw.apiBase === "string" ? raw.apiBase : defaultConfig.apiBase,
      auth: raw.auth && typeof raw.auth === "object" && "mode" in raw.auth ? raw.auth : defaultConfig.auth,
    };
  } catch {
    return defaultConfig;
  }
}
