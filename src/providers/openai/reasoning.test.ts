import { describe, expect, it } from "vitest";
import { openaiReasoningEffort } from "./reasoning";

const on = (budgetTokens?: number) => ({ enabled: true, ...(budgetTokens ? { budgetTokens } : {}) });
const OFF = { enabled: false };

describe("openaiReasoningEffort", () => {
  it("maps a budget to a level: up to 4,096 low, up to 16,384 medium, more high", () => {
    expect(openaiReasoningEffort("o4-mini", on(1024))).toBe("low");
    expect(openaiReasoningEffort("o4-mini", on(4096))).toBe("low");
    expect(openaiReasoningEffort("o3", on(4097))).toBe("medium");
    expect(openaiReasoningEffort("gpt-5", on(16_384))).toBe("medium");
    expect(openaiReasoningEffort("gpt-5-mini", on(31_999))).toBe("high");
  });

  it("leaves the model's default without a budget", () => {
    expect(openaiReasoningEffort("o3", on())).toBeUndefined();
  });

  it("turns reasoning down as far as each family goes when it is off", () => {
    expect(openaiReasoningEffort("o4-mini", OFF)).toBe("low");
    expect(openaiReasoningEffort("gpt-5-nano", OFF)).toBe("minimal");
    expect(openaiReasoningEffort("gpt-5.1", OFF)).toBe("none");
  });

  it("gives models that do not reason nothing, as OpenAI refuses the field there", () => {
    for (const model of ["gpt-4o-mini", "gpt-4.1", "gpt-5-chat-latest", "gpt-5.1-chat-latest"]) {
      expect(openaiReasoningEffort(model, on(8000)), model).toBeUndefined();
      expect(openaiReasoningEffort(model, OFF), model).toBeUndefined();
    }
  });
});
