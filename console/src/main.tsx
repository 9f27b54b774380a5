import { render } from "preact";
import { createAuthenticator } from "./auth";
import { App } from "./components/App";
import { loadConfig } from "./config";
import { I18nProvider } from "./i18n";
import "./styles.css";

async function start() {
  const config = await loadConfig();
  const auth = createAuthenticator(config.auth, config.apiBase);
  await auth.restore();
  render(
    <I18nProvider>
      <App auth={auth} apiBase={config.apiBase} />
    </I18nProvider>,
    document.getElementById("app")!,
  );
}

start();
