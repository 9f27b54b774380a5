// Formatting for the agent's locale: money, times and country names, all through Intl.
import type { Money } from "./api/types";

const numberFormats = new Map<string, Intl.NumberFormat>();

function currencyFormat(locale: string, currency: string): Intl.NumberFormat {
  const key = locale + "|" + currency;
  let nf = numberFormats.get(key);
  if (!nf) {
    nf = new Intl.NumberFormat(locale, { style: "currency", currency });
    numberFormats.set(key, nf);
  }
  return nf;
}

/**
 * formatMoney renders integer minor units in the currency's own precision: 8900 EUR is
 * €89.00, 8900 JPY is ¥8,900. Intl knows how many decimals each currency has
 * (resolvedOptions().maximumFractionDigits); an unknown code falls back to "8900 XYZ".
 */
export function formatMoney(m: Money | undefined | null, locale: string): string {
  if (!m || typeof m.amount !== "number") return "";
  const currency = (m.currency || "").toUpperCase();
  let nf: Intl.NumberFormat;
  try {
    nf = currencyFormat(locale, currency);
  } catch {
    return `${m.amount} ${currency}`.trim();
  }
  const digits = nf.resolvedOptions().maximumFractionDigits ?? 2;
  // Scale in integers, then divide once: exact for every amount a shop charges.
  return nf.format(m.amount / 10 ** digits);
}

const units: [Intl.RelativeTimeFormatUnit, number][] = [
  ["year", 365 * 24 * 3600],
  ["month", 30 * 24 * 3600],
  ["week", 7 * 24 * 3600],
  ["day", 24 * 3600],
  ["hour", 3600],
  ["minute", 60],
  ["second", 1],
];

/** formatRelative says how long ago (or until) iso is: "5 minutes ago", "5分钟前". */
export function formatRelative(iso: string | undefined, locale: string, now = Date.now()): string {
  const t = iso ? Date.parse(iso) : NaN;
  if (Number.isNaN(t)) return "";
  const secs = Math.round((t - now) / 1000);
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: "auto" });
  if (Math.abs(secs) < 45) return rtf.format(0, "second");
  for (const [unit, size] of units) {
    if (Math.abs(secs) >= size) return rtf.format(Math.round(secs / size), unit);
  }
  return rtf.format(secs, "second");
}

/** formatDateTime is a full local date and time, for tooltips and the timeline. */
export function formatDateTime(iso: string | undefined, locale: string): string {
  const t = iso ? Date.parse(iso) : NaN;
  if (Number.isNaN(t)) return iso ?? "";
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" }).format(t);
}

/** formatDate shows a calendar date; a bare "2024-06-14" stays that day in every time zone. */
export function formatDate(value: string | undefined, locale: string): string {
  if (!value) return "";
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(value);
  const t = Date.parse(dateOnly ? value + "T12:00:00Z" : value);
  if (Number.isNaN(t)) return value;
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium", ...(dateOnly ? { timeZone: "UTC" } : {}) }).format(t);
}

/** countryName turns "FR" into "France" / "法国"; unknown codes stay as they are. */
export function countryName(code: string | undefined, locale: string): string {
  if (!code) return "";
  try {
    return new Intl.DisplayNames([locale], { type: "region" }).of(code.toUpperCase()) ?? code;
  } catch {
    return code;
  }
}
