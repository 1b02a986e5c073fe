import type { Reasoning, ReasoningEffort } from "./types";

/** The levels from least to most, for adapters that step to the nearest one their model takes. */
export const EFFORTS: readonly ReasoningEffort[] = ["minimal", "low", "medium", "high", "xhigh"];

/**
 * The level a client asked for, or the one its budget stands for, for vendors that take levels
 * (OpenAI's `reasoning_effort`, Gemini 3's `thinkingLevel`). A budget up to 4,096 tokens is low,
 * up to 16,384 medium, more high; the bounds put Claude Code's three budgets on three levels:
 * "think" (4,000) is low, "think hard" (10,000) medium, "ultrathink" (31,999) high. With neither
 * there is no level: the model decides, at its default.
 */
export function effortOf(r: Reasoning): ReasoningEffort | undefined {
  if (r.effort) return r.effort;
  if (r.budgetTokens === undefined) return undefined;
  if (r.budgetTokens <= 4096) return "low";
  if (r.budgetTokens <= 16_384) return "medium";
  return "high";
}

/**
 * What each level is in tokens, for vendors that take budgets (Anthropic's `budget_tokens`,
 * Gemini 2.5's `thinkingBudget`): each lies inside the span effortOf reads back as the same level,
 * minimal is Anthropic's least budget, xhigh Gemini 2.5 Pro's most. Each adapter still bounds it
 * by what its model takes.
 */
export const EFFORT_BUDGETS: Readonly<Record<ReasoningEffort, number>> = {
  minimal: 1024,
  low: 2048,
  medium: 8192,
  high: 24_576,
  xhigh: 32_768,
};

/** The budget a client asked for, or the one its level stands for; with neither, none. */
export function budgetOf(r: Reasoning): number | undefined {
  if (r.budgetTokens !== undefined) return r.budgetTokens;
  return r.effort ? EFFORT_BUDGETS[r.effort] : undefined;
}

/** The level names clients send: the neutral ones, "none" and "max". */
export type ClientEffort = ReasoningEffort | "none" | "max";

const CLIENT_EFFORTS = new Set<string>(["none", ...EFFORTS, "max"]);

export const isClientEffort = (s: string): s is ClientEffort => CLIENT_EFFORTS.has(s);

/**
 * OpenAI's effort names (Chat Completions' `reasoning_effort`, Responses' `reasoning.effort`,
 * Anthropic's `output_config.effort`) as the neutral setting: "none" is reasoning off, "max"
 * the neutral "xhigh" (see ReasoningEffort).
 */
export function reasoningOfEffort(effort: ClientEffort): Reasoning {
  if (effort === "none") return { enabled: false };
  return { enabled: true, effort: effort === "max" ? "xhigh" : effort };
}
