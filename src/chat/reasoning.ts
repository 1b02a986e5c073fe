import type { Reasoning } from "./types";

export type Effort = "low" | "medium" | "high";

/**
 * A reasoning budget as the effort levels vendors without budgets take (OpenAI's
 * `reasoning_effort`, Gemini 3's `thinkingLevel`): up to 4,096 tokens is low, up to 16,384 medium,
 * more is high. The bounds put Claude Code's three budgets on three levels: "think" (4,000) is
 * low, "think hard" (10,000) medium, "ultrathink" (31,999) high. Without a budget there is no
 * level: the model decides, at its default.
 */
export function effortOf(r: Reasoning): Effort | undefined {
  if (r.budgetTokens === undefined) return undefined;
  if (r.budgetTokens <= 4096) return "low";
  if (r.budgetTokens <= 16_384) return "medium";
  return "high";
}
