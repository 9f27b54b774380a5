import { defineConfig } from "vitest/config";

// The console is a static SPA: `vite build` writes dist/, which the local runtime serves at "/"
// (BORDERDESK_CONSOLE_DIR) and the cloud stack uploads to S3 behind CloudFront.
export default defineConfig({
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: { outDir: "dist", emptyOutDir: true, target: "es2022", sourcemap: false },
  server: {
    // `npm run dev` against `make dev` on :8080.
    proxy: { "/api": "http://127.0.0.1:8080", "/dev": "http://127.0.0.1:8080" },
  },
  test: {
    environment: "happy-dom",
    include: ["src/**/*.test.{ts,tsx}"],
    setupFiles: ["src/test/setup.ts"],
  },
});
