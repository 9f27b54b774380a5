import { fireEvent, render, screen, waitFor } from "@testing-library/preact";
import { describe, expect, it, vi } from "vitest";
import { I18nProvider } from "../i18n";
import { Composer } from "./Composer";

function setup(onSend: (kind: "reply" | "note", body: string, key: string) => Promise<void>) {
  render(
    <I18nProvider initial="en">
      <Composer onSend={onSend} focusSignal={0} />
    </I18nProvider>,
  );
  const area = () => screen.getByRole("textbox") as HTMLTextAreaElement;
  const type = (text: string) => fireEvent.input(area(), { target: { value: text } });
  const submit = () => fireEvent.submit(screen.getByTestId("composer"));
  return { area, type, submit };
}

describe("Composer idempotency keys", () => {
  it("sends the same draft again with the same key, and a new draft with a new one", async () => {
    const onSend = vi.fn<(kind: "reply" | "note", body: string, key: string) => Promise<void>>();
    onSend.mockRejectedValueOnce(new Error("network")).mockResolvedValue(undefined);
    const { area, type, submit } = setup(onSend);

    type("Hallo Jonas");
    submit();
    await waitFor(() => expect(onSend).toHaveBeenCalledTimes(1));
    await waitFor(() => expect(area().value).toBe("Hallo Jonas")); // the failed draft stays
    submit(); // the agent tries again
    await waitFor(() => expect(onSend).toHaveBeenCalledTimes(2));
    await waitFor(() => expect(area().value).toBe(""));
    const [first, retry] = onSend.mock.calls;
    expect(retry[2]).toBe(first[2]);

    type("Noch etwas");
    submit();
    await waitFor(() => expect(onSend).toHaveBeenCalledTimes(3));
    expect(onSend.mock.calls[2][2]).not.toBe(first[2]);
  });

  it("gives an edited draft a new key: the same key with other text would be refused", async () => {
    const onSend = vi.fn<(kind: "reply" | "note", body: string, key: string) => Promise<void>>();
    onSend.mockRejectedValueOnce(new Error("network")).mockResolvedValue(undefined);
    const { type, submit } = setup(onSend);
    type("Hallo");
    submit();
    await waitFor(() => expect(onSend).toHaveBeenCalledTimes(1));
    type("Hallo Jonas");
    submit();
    await waitFor(() => expect(onSend).toHaveBeenCalledTimes(2));
    expect(onSend.mock.calls[1][2]).not.toBe(onSend.mock.calls[0][2]);
  });
});
