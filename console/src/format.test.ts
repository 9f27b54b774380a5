import { describe, expect, it } from "vitest";
/// <reference types="node" />
import { readFileSync } from "node:fs";
import {
  countryName,
  countryTimeZone,
  currencyExponent,
  formatDate,
  formatLocalTime,
  formatMoney,
  formatRelative,
  formatSize,
  languageName,
  minorToDecimal,
} from "./format";

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
    ["KWD has three decimals", { amount: 1234, currency: "kwd" }, "en", "KWD 1.234"],
    ["KWD in Chinese", { amount: 1234, currency: "KWD" }, "zh-CN", "KWD 1.234"],
    ["KWD in German", { amount: 1234500, currency: "KWD" }, "de-DE", "1.234,500 KWD"],
    ["KWD negative (refund)", { amount: -1234, currency: "KWD" }, "en", "-KWD 1.234"],
    ["BHD fils", { amount: 5, currency: "bhd" }, "en", "BHD 0.005"],
    ["JPY 4990 is whole yen", { amount: 4990, currency: "JPY" }, "en", "¥4,990"],
    ["JPY negative", { amount: -4990, currency: "jpy" }, "en", "-¥4,990"],
    ["EUR 4990", { amount: 4990, currency: "EUR" }, "en", "€49.90"],
    ["EUR negative in German", { amount: -4990, currency: "eur" }, "de-DE", "-49,90 €"],
    // CLDR writes these without decimals, but the API's minor units are ISO's hundredths and
    // thousandths: dividing by CLDR's digits would show 100 or 1000 times the amount.
    ["HUF minor units are fillér", { amount: 12345, currency: "HUF" }, "en", "HUF 123.45"],
    ["HUF whole amount keeps the locale's habit", { amount: 10000, currency: "HUF" }, "en", "HUF 100"],
    ["IQD minor units are thousandths", { amount: 1500, currency: "IQD" }, "en", "IQD 1.5"],
    ["large amounts stay exact", { amount: Number.MAX_SAFE_INTEGER, currency: "EUR" }, "en", "€90,071,992,547,409.91"],
    ["not minor units", { amount: 89.9, currency: "EUR" }, "en", ""],
  ];
  for (const [name, money, locale, want] of cases) {
    it(name, () => {
      expect(plain(formatMoney(money, locale))).toBe(want);
    });
  }

  it("converts minor units by ISO 4217 exponents", () => {
    expect(currencyExponent("EUR")).toBe(2);
    expect(currencyExponent("jpy")).toBe(0);
    expect(currencyExponent("KWD")).toBe(3);
    expect(currencyExponent("HUF")).toBe(2);
    expect(currencyExponent("XYZ")).toBe(2);
    expect(formatMoney({ amount: 1, currency: "JPY" }, "en")).toBe("¥1");
    expect(formatMoney({ amount: 1, currency: "EUR" }, "en")).toBe("€0.01");
    expect(plain(formatMoney({ amount: 1, currency: "KWD" }, "en"))).toBe("KWD 0.001");
  });

  it.each([
    [1234, 3, "1.234"],
    [-1234, 3, "-1.234"],
    [5, 3, "0.005"],
    [-7, 2, "-0.07"],
    [0, 2, "0.00"],
    [4990, 0, "4990"],
    [-4990, 0, "-4990"],
    [12345, 4, "1.2345"],
  ])("minorToDecimal(%d, %d) is %s", (amount, exponent, want) => {
    expect(minorToDecimal(amount, exponent)).toBe(want);
  });

  it("has the same exponents as shared/money on the server", () => {
    const goMoney = readFileSync(`${import.meta.dirname}/../../shared/money/money.go`, "utf8");
    const table = goMoney.slice(goMoney.indexOf("var exponents"), goMoney.indexOf("\n}\n", goMoney.indexOf("var exponents")));
    const server = [...table.matchAll(/"([A-Z]{3})": (\d)/g)].map(([, code, exp]) => [code, Number(exp)] as const);
    expect(server.length).toBeGreaterThan(20);
    for (const [code, exp] of server) expect([code, currencyExponent(code)]).toEqual([code, exp]);
    for (const code of ["EUR", "USD", "GBP", "HUF", "CNY"]) {
      expect(server.some(([c]) => c === code)).toBe(false);
      expect(currencyExponent(code)).toBe(2);
    }
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

describe("formatSize", () => {
  it.each<[number, string, string]>([
    [0, "en", "0 bytes"],
    [1, "en", "1 byte"],
    [512, "zh-CN", "512字节"],
    [1536, "en", "1.5 kB"],
    [1536, "de", "1,5 kB"],
    [482113, "en", "471 kB"],
    [10 * 1024 * 1024, "en", "10 MB"],
    [31457280, "zh-CN", "30 MB"],
    [5 * 1024 ** 4, "en", "5,120 GB"],
  ])("formatSize(%d, %s) = %s", (bytes, locale, want) => {
    expect(plain(formatSize(bytes, locale))).toBe(want);
  });

  it("gives nothing for a size that is not one", () => {
    expect(formatSize(-1, "en")).toBe("");
    expect(formatSize(Number.NaN, "en")).toBe("");
  });
});
