/// <reference types="vite/client" />

interface ImportMetaEnv {
  readonly VITE_BORDERDESK_API_BASE?: string;
}
