import { useEffect, useRef, useState } from "preact/hooks";
import { useI18n } from "../i18n";
import { errorText } from "./ui";

export type MessageKind = "reply" | "note";

/** newKey names one draft for the API's Idempotency-Key. */
function newKey(): string {
  return globalThis.crypto?.randomUUID?.() ?? `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

/**
 * Composer writes a reply to the customer or an internal note. Ctrl/Cmd+Enter sends. Each
 * draft carries one Idempotency-Key: sending the same draft again after a failure (the
 * request may have reached the API before the connection dropped) reuses it, so the reply is
 * stored — and sent to the customer — once; a sent draft, or an edited one, gets a new key.
 */
export function Composer(props: { onSend: (kind: MessageKind, body: string, key: string) => Promise<void>; focusSignal: number }) {
  const { t } = useI18n();
  const [kind, setKind] = useState<MessageKind>("reply");
  const [body, setBody] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const area = useRef<HTMLTextAreaElement>(null);
  // The key of the draft as last sent: kept while kind and body stay as they were.
  const draft = useRef<{ kind: MessageKind; body: string; key: string } | null>(null);

  // Focus only on a new "r" press, not on mount with an old one.
  const seenSignal = useRef(props.focusSignal);
  useEffect(() => {
    if (props.focusSignal !== seenSignal.current) {
      seenSignal.current = props.focusSignal;
      setKind("reply");
      area.current?.focus();
    }
  }, [props.focusSignal]);

  async function send() {
    if (busy) return;
    if (!body.trim()) {
      setError(t("composer.empty"));
      return;
    }
    setBusy(true);
    setError("");
    if (!draft.current || draft.current.kind !== kind || draft.current.body !== body) {
      draft.current = { kind, body, key: newKey() };
    }
    try {
      await props.onSend(kind, body, draft.current.key);
      draft.current = null;
      setBody("");
    } catch (e) {
      setError(t("composer.failed", { message: errorText(e, t) }));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form
      class={`composer composer-${kind}`}
      data-testid="composer"
      onSubmit={(e) => {
        e.preventDefault();
        send();
      }}
    >
      <div class="composer-tabs" role="tablist">
        {(["reply", "note"] as const).map((k) => (
          <button
            key={k}
            type="button"
            role="tab"
            aria-selected={kind === k}
            data-testid={`composer-${k}`}
            class={`tab${kind === k ? " active" : ""}`}
            onClick={() => {
              setKind(k);
              area.current?.focus();
            }}
          >
            {t(k === "reply" ? "composer.reply" : "composer.note")}
          </button>
        ))}
      </div>
      <textarea
        ref={area}
        data-testid="composer-body"
        rows={3}
        aria-label={t(kind === "reply" ? "composer.reply" : "composer.note")}
        placeholder={t(kind === "reply" ? "composer.replyPlaceholder" : "composer.notePlaceholder")}
        value={body}
        onInput={(e) => setBody((e.currentTarget as HTMLTextAreaElement).value)}
        onKeyDown={(e) => {
          if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
            e.preventDefault();
            send();
          } else if (e.key === "Escape") {
            (e.currentTarget as HTMLTextAreaElement).blur();
          }
        }}
      />
      <div class="composer-foot">
        {error ? (
          <span class="error-text" role="alert">
            {error}
          </span>
        ) : (
          <span class="muted small">{t("composer.hint")}</span>
        )}
        <button type="submit" class="btn primary" data-testid="composer-send" disabled={busy}>
          {busy ? t("composer.sending") : t(kind === "reply" ? "composer.send" : "composer.addNote")}
        </button>
      </div>
    </form>
  );
}
