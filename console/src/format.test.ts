import { describe, expect, it } from "vitest";
import { countryName, countryTimeZone, formatDate, formatLocalTime, formatMoney, formatRelative, languageName } from "./format";

// Intl inserts narrow/no-break spaces in some locales; compare with plain spaces.
const plain = (s: string) => s.replace(/[\u00a0\u202f]/g, " ");

describe("formatMoney", () => {
  const cases: [string, { amount: number; currency: string }, string, string][] = [
    ["EUR in English", { amount: 8900, currency: "eur" }, "en", "€89.00"],
    ["EUR cents", { amount: 1999, currency: "EUR" }, "en", "€19.99"],
    ["EUR in German", { amount: 123456, currency: "EUR" }, "de-DE", "1.234,56 €"],
    ["EUR in Chinese", { amount: 8900, currency: "EUR" }, "zh-CN", "€89.00"],
    ["JPY has no decimals", { amount: 12800, currency: "jpy" }, "en", "¥12,800"],
    ["JPY in Chinese", { amount: 12800, currency: "JPY" }, "zh-CN", "JP¥12,800"],
    ["KRW has no decimals", { amount: 5000, currency: "KRW" }, "en", "₩5,000"],
    ["BHD has three decimals", { amount: 1234, currency: "BHD" }, "en", "BHD 1.234"],
    ["negative (refund)", { amount: -4550, currency: "GBP" }, "en", "-£45.50"],
    ["zero", { amount: 0, currency: "USD" }, "en", "$0.00"],
    ["unknown currency falls back", { amount: 100, currency: "XX1" }, "en", "100 XX1"],
  ];
  for (const [name, money, locale, want] of cases) {
    it(name, () => {
      expect(plain(formatMoney(money, locale))).toBe(want);
    });
  }

  it("takes the decimals from Intl, not from a list", () => {
    const digits = (c: string) => new Intl.NumberFormat("en", { style: "currency", currency: c }).resolvedOptions().maximumFractionDigits;
    expect(digits("JPY")).toBe(0);
    expect(formatMoney({ amount: 1, currency: "JPY" }, "en")).toBe("¥1");
    expect(formatMoney({ amount: 1, currency: "EUR" }, "en")).toBe("€0.01");
  });

  it("renders nothing for a missing amount", () => {
    expect(formatMoney(undefined, "en")).toBe("");
  });
});

describe("formatRelative", () => {
  const now = Date.parse("2026-05-01T12:00:00Z");
  it.each([
    ["2026-05-01T11:59:50Z", "en", "now"],
    ["2026-05-01T11:55:00Z", "en", "5 minutes ago"],
    ["2026-05-01T09:00:00Z", "en", "3 hours ago"],
    ["2026-04-30T12:00:00Z", "en", "yesterday"],
    ["2026-05-01T11:55:00Z", "zh-CN", "5分钟前"],
    ["not a time", "en", ""],
  ])("%s in %s is %s", (iso, locale, want) => {
    expect(formatRelative(iso, locale, now)).toBe(want);
  });
});

describe("formatDate and countryName", () => {
  it("keeps a bare date on its day", () => {
    expect(formatDate("2026-06-12", "en")).toBe("Jun 12, 2026");
  });
  it("names countries in the UI language", () => {
    expect(countryName("FR", "en")).toBe("France");
    expect(countryName("fr", "zh-CN")).toBe("法国");
    expect(countryName("", "en")).toBe("");
  });
});

describe("customer local time", () => {
  const now = Date.parse("2026-07-01T12:05:00Z"); // summer time in Europe and the US
  it.each([
    ["DE", "Europe/Berlin", "de-DE", "14:05"],
    ["de", "Europe/Berlin", "zh-CN", "14:05"],
    ["FR", "Europe/Paris", "en", "2:05 PM"],
    ["GB", "Europe/London", "en", "1:05 PM"],
    ["US", "America/New_York", "en", "8:05 AM"],
    ["CN", "Asia/Shanghai", "zh-CN", "20:05"],
    ["JP", "Asia/Tokyo", "en", "9:05 PM"],
  ])("%s is %s: %s %s", (country, zone, locale, want) => {
    expect(countryTimeZone(country)).toBe(zone);
    expect(plain(formatLocalTime(countryTimeZone(country), locale, now))).toBe(want);
  });

  it("shows nothing for a country without a zone", () => {
    expect(countryTimeZone("AQ")).toBeUndefined();
    expect(countryTimeZone(undefined)).toBeUndefined();
    expect(formatLocalTime(undefined, "en", now)).toBe("");
    expect(formatLocalTime("Not/AZone", "en", now)).toBe("");
  });

  it("names languages in the UI language", () => {
    expect(languageName("de", "en")).toBe("German");
    expect(languageName("de", "zh-CN")).toBe("德语");
    expect(languageName("", "en")).toBe("");
  });
});
