import { effortOf } from "../../chat/reasoning";
import type { Reasoning } from "../../chat/types";

/**
 * The neutral reasoning setting as Gemini's `generationConfig.thinkingConfig`, by model family:
 * - Gemini 3 and later take a level: "low" for a low budget or for reasoning off (Gemini 3 Pro
 *   cannot stop thinking; "low" is the least every Gemini 3 model takes), else "high" (Gemini 3
 *   Pro has no "medium"); no budget leaves the model's dynamic default. A budget is accepted
 *   there only for backwards compatibility, and the two together are a 400.
 * - Gemini 2.5 (and a model named otherwise, such as `gemini-flash-latest`) takes a budget:
 *   the asked one, capped at the model's most (24,576, 32,768 for Pro); -1 (dynamic) without one;
 *   0 when off, except on Pro, which cannot stop thinking and takes its least, 128.
 * - Gemini 1.x and 2.0 do not think: nothing is sent, as their API refuses the field.
 * `includeThoughts` whenever reasoning is on, so thought summaries come back to be shown.
 * @see https://ai.google.dev/gemini-api/docs/thinking
 */
export function geminiThinkingConfig(model: string, r: Reasoning): Record<string, unknown> | undefined {
  const name = model.replace(/^models\//, "");
  if (/^gemini-(1\.|2\.0)/.test(name)) return undefined;
  const thoughts = r.enabled ? { includeThoughts: true } : {};
  if (/^gemini-([3-9]|\d\d)/.test(name)) {
    const effort = r.enabled ? effortOf(r) : "low";
    return { ...(effort ? { thinkingLevel: effort === "low" ? "low" : "high" } : {}), ...thoughts };
  }
  return { thinkingBudget: budget(r, name.includes("pro")), ...thoughts };
}

function budget(r: Reasoning, pro: boolean): number {
  if (!r.enabled) return pro ? 128 : 0;
  if (r.budgetTokens === undefined) return -1;
  return Math.min(r.budgetTokens, pro ? 32_768 : 24_576);
}
