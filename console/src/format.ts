// Formatting for the agent's locale: money, times and country names, all through Intl.
import type { Money } from "./api/types";

// ISO 4217 minor-unit exponents that are not 2, the same table as shared/money on the server
// (format.test.ts holds the two together). The API's amounts are minor units by these
// exponents. Intl's own digits are CLDR's display habits and differ for some currencies
// (CLDR shows HUF, IDR, COP and IQD without decimals), so they cannot convert minor units.
const isoExponents: Record<string, number> = {
  // No minor unit in use.
  BIF: 0, CLP: 0, DJF: 0, GNF: 0, ISK: 0, JPY: 0, KMF: 0, KRW: 0,
  PYG: 0, RWF: 0, UGX: 0, VND: 0, VUV: 0, XAF: 0, XOF: 0, XPF: 0,
  // Thousandths.
  BHD: 3, IQD: 3, JOD: 3, KWD: 3, LYD: 3, OMR: 3, TND: 3,
  // Units of account with four decimals.
  CLF: 4, UYW: 4,
};

/** currencyExponent is how many decimals a currency's minor unit has: EUR 2, JPY 0, KWD 3; unknown 2. */
export function currencyExponent(currency: string): number {
  return isoExponents[currency.trim().toUpperCase()] ?? 2;
}

/** minorToDecimal writes integer minor units as an exact decimal string: (-1234, 3) is "-1.234". */
export function minorToDecimal(amount: number, exponent: number): `${number}` {
  const sign = amount < 0 ? "-" : "";
  let digits = BigInt(Math.abs(amount)).toString();
  if (exponent === 0) return `${sign}${digits}` as `${number}`;
  digits = digits.padStart(exponent + 1, "0");
  const cut = digits.length - exponent;
  return `${sign}${digits.slice(0, cut)}.${digits.slice(cut)}` as `${number}`;
}

const numberFormats = new Map<string, Intl.NumberFormat>();

function currencyFormat(locale: string, currency: string, exponent: number): Intl.NumberFormat {
  const key = locale + "|" + currency;
  let nf = numberFormats.get(key);
  if (!nf) {
    // Never fewer decimals than the minor unit has (an amount is shown exactly); no more
    // trailing zeros than the locale's habit (HUF 10000 minor units is "HUF 100", not "HUF 100.00").
    const habit = new Intl.NumberFormat(locale, { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
    nf = new Intl.NumberFormat(locale, {
      style: "currency",
      currency,
      minimumFractionDigits: Math.min(habit, exponent),
      maximumFractionDigits: exponent,
    });
    numberFormats.set(key, nf);
  }
  return nf;
}

/**
 * formatMoney renders integer minor units in the agent's locale with the currency's ISO 4217
 * exponent: 8900 EUR is €89.00, 8900 JPY is ¥8,900, 1234 KWD is KWD 1.234. The amount goes to
 * Intl as an exact decimal string, never divided as a float. An unknown code falls back to
 * "8900 XYZ"; an amount that is not an integer renders nothing.
 */
export function formatMoney(m: Money | undefined | null, locale: string): string {
  if (!m || typeof m.amount !== "number" || !Number.isInteger(m.amount)) return "";
  const currency = (m.currency || "").toUpperCase();
  const exponent = currencyExponent(currency);
  let nf: Intl.NumberFormat;
  try {
    nf = currencyFormat(locale, currency, exponent);
  } catch {
    return `${m.amount} ${currency}`.trim();
  }
  return nf.format(minorToDecimal(m.amount, exponent));
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

const sizeUnits = ["kilobyte", "megabyte", "gigabyte"] as const;

/**
 * formatSize is a file size for people: "471 kB", "30 MB", "1,5 kB", "512 bytes". Steps are
 * 1024, as the mail limits are (10 MiB reads "10 MB"); Intl has no kibibyte, so the units say kB
 * and MB as many file managers do. Under 10 of a unit one decimal is kept.
 */
export function formatSize(bytes: number, locale: string): string {
  if (!Number.isFinite(bytes) || bytes < 0) return "";
  if (bytes < 1024) return new Intl.NumberFormat(locale, { style: "unit", unit: "byte", unitDisplay: "long" }).format(bytes);
  let v = bytes / 1024;
  let i = 0;
  while (v >= 1024 && i < sizeUnits.length - 1) {
    v /= 1024;
    i++;
  }
  return new Intl.NumberFormat(locale, {
    style: "unit",
    unit: sizeUnits[i],
    unitDisplay: "short",
    maximumFractionDigits: v < 10 ? 1 : 0,
  }).format(v);
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

// Countries to IANA time zones, for "what time is it for this customer". A country that spans
// several zones (US, CA, BR, MX, RU, AU, ID, KZ, …) is given its capital's zone: the customer's
// country is all the API knows, and the capital's clock is the best single guess. Countries not
// listed show no local time rather than a wrong one.
const countryZones: Record<string, string> = {
  AE: "Asia/Dubai",
  AR: "America/Argentina/Buenos_Aires",
  AT: "Europe/Vienna",
  AU: "Australia/Sydney", // Canberra
  BE: "Europe/Brussels",
  BG: "Europe/Sofia",
  BR: "America/Sao_Paulo", // Brasília
  CA: "America/Toronto", // Ottawa
  CH: "Europe/Zurich",
  CL: "America/Santiago",
  CN: "Asia/Shanghai",
  CO: "America/Bogota",
  CY: "Asia/Nicosia",
  CZ: "Europe/Prague",
  DE: "Europe/Berlin",
  DK: "Europe/Copenhagen",
  EE: "Europe/Tallinn",
  EG: "Africa/Cairo",
  ES: "Europe/Madrid",
  FI: "Europe/Helsinki",
  FR: "Europe/Paris",
  GB: "Europe/London",
  GR: "Europe/Athens",
  HK: "Asia/Hong_Kong",
  HR: "Europe/Zagreb",
  HU: "Europe/Budapest",
  ID: "Asia/Jakarta",
  IE: "Europe/Dublin",
  IL: "Asia/Jerusalem",
  IN: "Asia/Kolkata",
  IS: "Atlantic/Reykjavik",
  IT: "Europe/Rome",
  JP: "Asia/Tokyo",
  KR: "Asia/Seoul",
  KZ: "Asia/Almaty", // Astana keeps the same offset
  LT: "Europe/Vilnius",
  LU: "Europe/Luxembourg",
  LV: "Europe/Riga",
  MT: "Europe/Malta",
  MX: "America/Mexico_City",
  MY: "Asia/Kuala_Lumpur",
  NG: "Africa/Lagos",
  NL: "Europe/Amsterdam",
  NO: "Europe/Oslo",
  NZ: "Pacific/Auckland",
  PH: "Asia/Manila",
  PL: "Europe/Warsaw",
  PT: "Europe/Lisbon",
  RO: "Europe/Bucharest",
  RS: "Europe/Belgrade",
  RU: "Europe/Moscow",
  SA: "Asia/Riyadh",
  SE: "Europe/Stockholm",
  SG: "Asia/Singapore",
  SI: "Europe/Ljubljana",
  SK: "Europe/Bratislava",
  TH: "Asia/Bangkok",
  TR: "Europe/Istanbul",
  TW: "Asia/Taipei",
  UA: "Europe/Kyiv",
  US: "America/New_York", // Washington, D.C.
  VN: "Asia/Ho_Chi_Minh",
  ZA: "Africa/Johannesburg",
};

/** countryTimeZone is the IANA zone for an ISO 3166-1 alpha-2 code, or undefined. */
export function countryTimeZone(country: string | undefined): string | undefined {
  return country ? countryZones[country.toUpperCase()] : undefined;
}

/** formatLocalTime is the wall-clock time in zone, the way the agent's locale writes it: 14:05, 2:05 PM. */
export function formatLocalTime(zone: string | undefined, locale: string, now = Date.now()): string {
  if (!zone) return "";
  try {
    return new Intl.DateTimeFormat(locale, { hour: "numeric", minute: "2-digit", timeZone: zone }).format(now);
  } catch {
    return ""; // a zone this browser's Intl does not know
  }
}

/** languageName turns "de" into "German" / "德语"; unknown tags stay as they are. */
export function languageName(tag: string | undefined, locale: string): string {
  if (!tag) return "";
  try {
    return new Intl.DisplayNames([locale], { type: "language" }).of(tag) ?? tag;
  } catch {
    return tag;
  }
}
