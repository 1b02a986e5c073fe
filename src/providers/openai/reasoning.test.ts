import { describe, expect, it } from "vitest";
import type { ReasoningEffort } from "../../chat/types";
import { openaiReasoningEffort } from "./reasoning";

const on = (budgetTokens?: number) => ({ enabled: true, ...(budgetTokens ? { budgetTokens } : {}) });
const level = (effort: ReasoningEffort, budgetTokens?: number) => ({
  enabled: true,
  effort,
  ...(budgetTokens ? { budgetTokens } : {}),
});
const OFF = { enabled: false };

describe("openaiReasoningEffort", () => {
  it("maps a budget to a level: up to 4,096 low, up to 16,384 medium, more high", () => {
    expect(openaiReasoningEffort("o4-mini", on(1024))).toBe("low");
    expect(openaiReasoningEffort("o4-mini", on(4096))).toBe("low");
    expect(openaiReasoningEffort("o3", on(4097))).toBe("medium");
    expect(openaiReasoningEffort("gpt-5", on(16_384))).toBe("medium");
    expect(openaiReasoningEffort("gpt-5-mini", on(31_999))).toBe("high");
  });

  it("sends a level as it is, before any budget, where the model takes it", () => {
    expect(openaiReasoningEffort("gpt-5", level("minimal", 30_000))).toBe("minimal");
    expect(openaiReasoningEffort("o3", level("medium"))).toBe("medium");
    expect(openaiReasoningEffort("gpt-5.2", level("xhigh"))).toBe("xhigh");
    expect(openaiReasoningEffort("gpt-5.1-codex-max", level("xhigh"))).toBe("xhigh");
  });

  it("steps a level the model does not take to its nearest one", () => {
    expect(openaiReasoningEffort("o4-mini", level("minimal"))).toBe("low");
    expect(openaiReasoningEffort("o3", level("xhigh"))).toBe("high");
    expect(openaiReasoningEffort("gpt-5-nano", level("xhigh"))).toBe("high");
    expect(openaiReasoningEffort("gpt-5.1", level("minimal"))).toBe("low");
    expect(openaiReasoningEffort("gpt-5.1", level("xhigh"))).toBe("high");
    expect(openaiReasoningEffort("gpt-5.2", level("minimal"))).toBe("low");
  });

  it("leaves the model's default without a budget or a level", () => {
    expect(openaiReasoningEffort("o3", on())).toBeUndefined();
  });

  it("turns reasoning down as far as each family goes when it is off", () => {
    expect(openaiReasoningEffort("o4-mini", OFF)).toBe("low");
    expect(openaiReasoningEffort("gpt-5-nano", OFF)).toBe("minimal");
    expect(openaiReasoningEffort("gpt-5.1", OFF)).toBe("none");
    expect(openaiReasoningEffort("gpt-5.2", OFF)).toBe("none");
  });

  it("gives models that do not reason, or take one level only, nothing", () => {
    for (const model of ["gpt-4o-mini", "gpt-4.1", "gpt-5-chat-latest", "gpt-5.1-chat-latest", "gpt-5-pro"]) {
      expect(openaiReasoningEffort(model, on(8000)), model).toBeUndefined();
      expect(openaiReasoningEffort(model, level("low")), model).toBeUndefined();
      expect(openaiReasoningEffort(model, OFF), model).toBeUndefined();
    }
  });
});
