import { fireEvent, render, screen } from "@testing-library/preact";
import { describe, expect, it } from "vitest";
import { en } from "./en";
import { I18nProvider, LanguageSwitch, matchLocale, translate, useI18n } from "./index";
import { zhCN } from "./zh-CN";

function Probe() {
  const { t, locale } = useI18n();
  return (
    <p data-testid="probe">
      {locale}: {t("inbox.title")} / {t("inbox.count", { count: 3 })}
    </p>
  );
}

describe("i18n", () => {
  it("switches every string when the language changes", () => {
    render(
      <I18nProvider initial="en">
        <LanguageSwitch />
        <Probe />
      </I18nProvider>,
    );
    expect(screen.getByTestId("probe").textContent).toBe("en: Inbox / 3 shown");
    expect(document.documentElement.lang).toBe("en");

    fireEvent.change(screen.getByTestId("language"), { target: { value: "zh-CN" } });

    expect(screen.getByTestId("probe").textContent).toBe("zh-CN: 收件箱 / 已显示 3 条");
    expect(document.documentElement.lang).toBe("zh-CN");
    expect(localStorage.getItem("borderdesk.locale")).toBe("zh-CN");
  });

  it("starts in the language chosen before", () => {
    localStorage.setItem("borderdesk.locale", "zh-CN");
    render(
      <I18nProvider>
        <Probe />
      </I18nProvider>,
    );
    expect(screen.getByTestId("probe").textContent).toMatch(/^zh-CN: 收件箱/);
  });

  it("has every English string in Chinese, none empty, with the same placeholders", () => {
    const vars = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort().join(",");
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect(zhCN[key], key).toBeTruthy();
      expect(vars(zhCN[key]), key).toBe(vars(en[key]));
    }
  });

  it("fills placeholders and leaves unknown ones visible", () => {
    expect(translate("en", "signIn.failed", { message: "boom" })).toBe("Sign-in failed: boom");
    expect(translate("en", "signIn.failed")).toBe("Sign-in failed: {message}");
  });

  it.each([
    ["zh", "zh-CN"],
    ["zh-Hans-CN", "zh-CN"],
    ["zh-CN", "zh-CN"],
    ["zh-TW", undefined],
    ["en-GB", "en"],
    ["de", undefined],
    [undefined, undefined],
  ])("matchLocale(%s) = %s", (tag, want) => {
    expect(matchLocale(tag)).toBe(want);
  });
});
