/// <reference types="vite/client" />

interface ImportMetaEnv {
  readonly VITE_BORDERDESK_API_BASE?: string;
  readonly VITE_BORDERDESK_AUTH?: "local" | "oidc";
  readonly VITE_BORDERDESK_OIDC_ISSUER?: string;
  readonly VITE_BORDERDESK_OIDC_CLIENT_ID?: string;
}
