import { describe, expect, it } from "vitest";
import { geminiThinkingConfig } from "./thinking";

const on = (budgetTokens?: number) => ({ enabled: true, ...(budgetTokens ? { budgetTokens } : {}) });
const OFF = { enabled: false };

describe("geminiThinkingConfig", () => {
  it("gives Gemini 2.5 a budget: the one asked, -1 (dynamic) without one, 0 when off; thoughts when on", () => {
    expect(geminiThinkingConfig("gemini-2.5-flash", on(2048))).toEqual({
      thinkingBudget: 2048,
      includeThoughts: true,
    });
    expect(geminiThinkingConfig("models/gemini-2.5-flash-lite", on())).toEqual({
      thinkingBudget: -1,
      includeThoughts: true,
    });
    expect(geminiThinkingConfig("gemini-2.5-flash", OFF)).toEqual({ thinkingBudget: 0 });
    // A model named otherwise is taken for one that takes a budget.
    expect(geminiThinkingConfig("gemini-flash-latest", on(1024))).toEqual({
      thinkingBudget: 1024,
      includeThoughts: true,
    });
  });

  it("caps the budget at the model's most, and keeps Pro (which cannot stop thinking) at its least", () => {
    expect(geminiThinkingConfig("gemini-2.5-flash", on(31_999))).toMatchObject({ thinkingBudget: 24_576 });
    expect(geminiThinkingConfig("gemini-2.5-pro", on(31_999))).toMatchObject({ thinkingBudget: 31_999 });
    expect(geminiThinkingConfig("gemini-2.5-pro", on(64_000))).toMatchObject({ thinkingBudget: 32_768 });
    expect(geminiThinkingConfig("gemini-2.5-pro", OFF)).toEqual({ thinkingBudget: 128 });
  });

  it("gives Gemini 3 a level instead: low for a small budget or off, high above, none without a budget", () => {
    expect(geminiThinkingConfig("gemini-3-pro-preview", on(4000))).toEqual({
      thinkingLevel: "low",
      includeThoughts: true,
    });
    expect(geminiThinkingConfig("gemini-3-flash-preview", on(10_000))).toEqual({
      thinkingLevel: "high",
      includeThoughts: true,
    });
    expect(geminiThinkingConfig("gemini-3-pro-preview", on())).toEqual({ includeThoughts: true });
    expect(geminiThinkingConfig("gemini-3-pro-preview", OFF)).toEqual({ thinkingLevel: "low" });
  });

  it("sends nothing to models that do not think", () => {
    expect(geminiThinkingConfig("gemini-2.0-flash", on(2048))).toBeUndefined();
    expect(geminiThinkingConfig("gemini-1.5-pro", OFF)).toBeUndefined();
  });
});
