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

  it("gives Gemini 3 a level instead: the budget's, the least when off, none without a budget", () => {
    expect(geminiThinkingConfig("gemini-3-pro-preview", on(4000))).toEqual({
      thinkingLevel: "low",
      includeThoughts: true,
    });
    expect(geminiThinkingConfig("gemini-3-pro-preview", on(10_000))).toMatchObject({ thinkingLevel: "high" });
    expect(geminiThinkingConfig("gemini-3-flash-preview", on(10_000))).toEqual({
      thinkingLevel: "medium",
      includeThoughts: true,
    });
    expect(geminiThinkingConfig("gemini-3-pro-preview", on())).toEqual({ includeThoughts: true });
    expect(geminiThinkingConfig("gemini-3-pro-preview", OFF)).toEqual({ thinkingLevel: "low" });
    expect(geminiThinkingConfig("gemini-3-flash-preview", OFF)).toEqual({ thinkingLevel: "minimal" });
  });

  it("gives Gemini 3 the level asked, as the nearest its model takes (Pro: low and high only)", () => {
    const levels = (model: string) =>
      (["minimal", "low", "medium", "high", "xhigh"] as const).map(
        (effort) => geminiThinkingConfig(model, { enabled: true, effort })?.thinkingLevel,
      );
    expect(levels("gemini-3-pro-preview")).toEqual(["low", "low", "high", "high", "high"]);
    expect(levels("gemini-3-flash-preview")).toEqual(["minimal", "low", "medium", "high", "high"]);
    // A level wins over a budget given with it: Gemini 3 refuses the two together.
    expect(
      geminiThinkingConfig("gemini-3-flash-preview", { enabled: true, effort: "low", budgetTokens: 30_000 }),
    ).toEqual({ thinkingLevel: "low", includeThoughts: true });
  });

  it("gives Gemini 2.5 a level's budget, capped at the model's most", () => {
    const budgets = (model: string) =>
      (["minimal", "low", "medium", "high", "xhigh"] as const).map(
        (effort) => geminiThinkingConfig(model, { enabled: true, effort })?.thinkingBudget,
      );
    expect(budgets("gemini-2.5-flash")).toEqual([1024, 2048, 8192, 24_576, 24_576]);
    expect(budgets("gemini-2.5-pro")).toEqual([1024, 2048, 8192, 24_576, 32_768]);
    expect(
      geminiThinkingConfig("gemini-2.5-flash", { enabled: true, effort: "high", budgetTokens: 3000 }),
    ).toMatchObject({ thinkingBudget: 3000 });
  });

  it("asks for no thought summaries when the client wants none", () => {
    expect(
      geminiThinkingConfig("gemini-2.5-flash", { enabled: true, effort: "low", summaries: false }),
    ).toEqual({
      thinkingBudget: 2048,
    });
    expect(geminiThinkingConfig("gemini-3-pro-preview", { enabled: true, summaries: false })).toBeUndefined();
    expect(geminiThinkingConfig("gemini-3-pro-preview", { enabled: true, summaries: true })).toEqual({
      includeThoughts: true,
    });
  });

  it("sends nothing to models that do not think", () => {
    expect(geminiThinkingConfig("gemini-2.0-flash", on(2048))).toBeUndefined();
    expect(geminiThinkingConfig("gemini-1.5-pro", OFF)).toBeUndefined();
  });
});
