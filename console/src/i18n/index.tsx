// A small i18n module: two dictionaries, a provider that holds the chosen locale, and t() with
// {name} placeholders. The choice is a UI preference, kept in localStorage (no secrets there).
import { createContext, type ComponentChildren } from "preact";
import { useCallback, useContext, useMemo, useState } from "preact/hooks";
import { en, type MessageKey } from "./en";
import { zhCN } from "./zh-CN";

export type Locale = "en" | "zh-CN";
export type { MessageKey };

export const locales: { id: Locale; name: string }[] = [
  { id: "en", name: "English" },
  { id: "zh-CN", name: "简体中文" },
];

const dictionaries: Record<Locale, Record<MessageKey, string>> = { en, "zh-CN": zhCN };
const STORAGE_KEY = "borderdesk.locale";

export type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;

export function translate(locale: Locale, key: MessageKey, vars?: Record<string, string | number>): string {
  const text = dictionaries[locale][key] ?? en[key] ?? key;
  if (!vars) return text;
  return text.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m));
}

/** matchLocale maps a language tag ("zh", "zh-Hans-CN", "de") to a UI locale, if there is one. */
export function matchLocale(tag: string | undefined | null): Locale | undefined {
  if (!tag) return undefined;
  const t = tag.toLowerCase();
  if (t.startsWith("zh")) return t.includes("hant") || t.endsWith("-tw") || t.endsWith("-hk") ? undefined : "zh-CN";
  if (t.startsWith("en")) return "en";
  return undefined;
}

function storage(): Storage | undefined {
  try {
    return globalThis.localStorage;
  } catch {
    return undefined;
  }
}

export function storedLocale(): Locale | undefined {
  return matchLocale(storage()?.getItem(STORAGE_KEY));
}

export function initialLocale(): Locale {
  return storedLocale() ?? matchLocale(globalThis.navigator?.language) ?? "en";
}

export interface I18n {
  locale: Locale;
  /** setLocale switches the UI; persist=false applies a default without recording a choice. */
  setLocale: (l: Locale, persist?: boolean) => void;
  t: Translate;
}

const I18nContext = createContext<I18n>({
  locale: "en",
  setLocale: () => {},
  t: (k, v) => translate("en", k, v),
});

export function I18nProvider(props: { initial?: Locale; children: ComponentChildren }) {
  const [locale, setLocaleState] = useState<Locale>(props.initial ?? initialLocale);
  const setLocale = useCallback((l: Locale, persist = true) => {
    setLocaleState(l);
    if (!persist) return;
    try {
      storage()?.setItem(STORAGE_KEY, l);
    } catch {
      /* preference only */
    }
  }, []);
  const value = useMemo<I18n>(
    () => ({ locale, setLocale, t: (k, v) => translate(locale, k, v) }),
    [locale, setLocale],
  );
  if (typeof document !== "undefined") document.documentElement.lang = locale;
  return <I18nContext.Provider value={value}>{props.children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  return useContext(I18nContext);
}

/** LanguageSwitch is the locale picker shown in the header and on the sign-in page. */
export function LanguageSwitch() {
  const { locale, setLocale, t } = useI18n();
  return (
    <label class="lang-switch">
      <span class="sr-only">{t("app.language")}</span>
      <select
        aria-label={t("app.language")}
        data-testid="language"
        value={locale}
        onChange={(e) => setLocale((e.currentTarget as HTMLSelectElement).value as Locale)}
      >
        {locales.map((l) => (
          <option key={l.id} value={l.id}>
            {l.name}
          </option>
        ))}
      </select>
    </label>
  );
}
