import { useState } from "preact/hooks";
import { ApiError } from "../api/errors";
import { CognitoAuth, LocalAuth, MisconfiguredAuth, seededAgents, type Authenticator } from "../auth";
import { LanguageSwitch, useI18n } from "../i18n";
import { errorText, Rich } from "./ui";

export function SignIn({ auth, notice }: { auth: Authenticator; notice?: string }) {
  const { t } = useI18n();
  const [email, setEmail] = useState("");
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState("");

  async function signIn(addr: string) {
    if (!(auth instanceof LocalAuth) || !addr.trim()) return;
    setBusy(addr);
    setError("");
    try {
      await auth.signIn(addr); // the session store tells App, which swaps this page out
    } catch (e) {
      setError(
        e instanceof ApiError && (e.status === 401 || e.status === 404)
          ? t("signIn.unknownAgent")
          : t("signIn.failed", { message: errorText(e, t) }),
      );
      setBusy(null);
    }
  }

  return (
    <main class="signin">
      <div class="signin-card">
        <div class="signin-top">
          <div class="brand">
            <span class="brand-mark" aria-hidden="true">B</span>
            {t("app.name")}
          </div>
          <LanguageSwitch />
        </div>
        <h1>{t("signIn.title")}</h1>
        {notice && (
          <p class="notice" role="status">
            {notice}
          </p>
        )}
        {auth.mode === "local" ? (
          <>
            <p class="muted">
              <Rich text={t("signIn.localHint")} />
            </p>
            <h2 class="section-label">{t("signIn.quickPicks")}</h2>
            <ul class="agent-picks">
              {seededAgents.map((a) => (
                <li key={a.email}>
                  <button
                    type="button"
                    class="agent-pick"
                    data-testid={`pick-${a.email}`}
                    disabled={busy !== null}
                    onClick={() => signIn(a.email)}
                  >
                    <span class="avatar" aria-hidden="true">
                      {a.name.charAt(0)}
                    </span>
                    <span class="agent-pick-text">
                      <strong>{a.name}</strong>
                      <span>{a.email}</span>
                    </span>
                    <span class="agent-pick-merchant">{busy === a.email ? t("signIn.working") : t("signIn.merchant", { merchant: a.merchant })}</span>
                  </button>
                </li>
              ))}
            </ul>
            <form
              class="signin-form"
              onSubmit={(e) => {
                e.preventDefault();
                signIn(email);
              }}
            >
              <label for="signin-email">{t("signIn.email")}</label>
              <div class="row">
                <input
                  id="signin-email"
                  type="email"
                  required
                  autoComplete="username"
                  placeholder={t("signIn.emailPlaceholder")}
                  value={email}
                  onInput={(e) => setEmail((e.currentTarget as HTMLInputElement).value)}
                />
                <button type="submit" class="btn primary" disabled={busy !== null}>
                  {busy === email && email ? t("signIn.working") : t("signIn.submit")}
                </button>
              </div>
            </form>
          </>
        ) : auth instanceof CognitoAuth ? (
          <CloudSignIn auth={auth} onError={setError} />
        ) : (
          <p class="error-text" role="alert" data-testid="config-error">
            {t("signIn.configError", { message: auth instanceof MisconfiguredAuth ? auth.problem : auth.mode })}
          </p>
        )}
        {error && (
          <p class="error-text" role="alert" data-testid="signin-error">
            <Rich text={error} />
          </p>
        )}
      </div>
    </main>
  );
}

/** CloudSignIn is one button to Cognito's hosted UI, and what went wrong on the way back. */
function CloudSignIn({ auth, onError }: { auth: CognitoAuth; onError: (msg: string) => void }) {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const failed = auth.callbackError;

  async function go() {
    setBusy(true);
    onError("");
    try {
      await auth.beginSignIn(); // resolves only if the browser stays: the page is leaving
    } catch (e) {
      onError(t("signIn.failed", { message: errorText(e, t) }));
      setBusy(false);
    }
  }

  return (
    <>
      <p class="muted">{t("signIn.cloudHint")}</p>
      {failed && (
        <p class="error-text" role="alert" data-testid="callback-error">
          {t("signIn.callbackFailed", { message: failed })}
        </p>
      )}
      <div class="signin-form">
        <button type="button" class="btn primary" data-testid="cloud-sign-in" disabled={busy} onClick={go}>
          {busy ? t("signIn.redirecting") : t("signIn.cloudSubmit")}
        </button>
      </div>
    </>
  );
}
