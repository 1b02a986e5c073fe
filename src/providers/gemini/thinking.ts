import { budgetOf, effortOf } from "../../chat/reasoning";
import type { Reasoning, ReasoningEffort } from "../../chat/types";

/**
 * The neutral reasoning setting as Gemini's `generationConfig.thinkingConfig`, by model family:
 * - Gemini 3 and later take a level (`thinkingLevel`): the level asked, or the one a budget stands
 *   for (effortOf), as the nearest the model takes (table below); neither leaves the model's
 *   dynamic default. Reasoning off is the least level, as Gemini 3 cannot stop thinking: "low" on
 *   Pro, "minimal" on the others. A budget is accepted there only for backwards compatibility,
 *   and the two together are a 400, so only the level is sent.
 * - Gemini 2.5 (and a model named otherwise, such as `gemini-flash-latest`) takes a budget: the
 *   one asked, or the one a level stands for (budgetOf: minimal 1,024, low 2,048, medium 8,192,
 *   high 24,576, xhigh 32,768), capped at the model's most (24,576, 32,768 for Pro); -1 (dynamic)
 *   with neither; 0 when off, except on Pro, which cannot stop thinking and takes its least, 128.
 * - Gemini 1.x and 2.0 do not think: nothing is sent, as their API refuses the field.
 * `includeThoughts` whenever reasoning is on, so thought summaries come back to be shown, unless
 * the client said it wants no summaries.
 *
 * | neutral level | Gemini 3 Pro | Gemini 3 Flash, Flash-Lite |
 * |---|---|---|
 * | off | low | minimal |
 * | minimal | low | minimal |
 * | low | low | low |
 * | medium | high | medium |
 * | high, xhigh | high | high |
 * @see https://ai.google.dev/gemini-api/docs/thinking
 */
export function geminiThinkingConfig(model: string, r: Reasoning): Record<string, unknown> | undefined {
  const name = model.replace(/^models\//, "");
  if (/^gemini-(1\.|2\.0)/.test(name)) return undefined;
  const thoughts = r.enabled && r.summaries !== false ? { includeThoughts: true } : {};
  const pro = name.includes("pro");
  if (/^gemini-([3-9]|\d\d)/.test(name)) {
    const level = thinkingLevel(r.enabled ? effortOf(r) : "minimal", pro);
    // Nothing to say (the default level, no summaries): no config at all.
    const config = { ...(level ? { thinkingLevel: level } : {}), ...thoughts };
    return Object.keys(config).length ? config : undefined;
  }
  return { thinkingBudget: budget(r, pro), ...thoughts };
}

/** Gemini 3 Pro takes only low and high; the Flash models minimal, low, medium and high. */
function thinkingLevel(effort: ReasoningEffort | undefined, pro: boolean): string | undefined {
  switch (effort) {
    case undefined:
      return undefined;
    case "minimal":
      return pro ? "low" : "minimal";
    case "low":
      return "low";
    case "medium":
      return pro ? "high" : "medium";
    default:
      return "high";
  }
}

function budget(r: Reasoning, pro: boolean): number {
  if (!r.enabled) return pro ? 128 : 0;
  const wanted = budgetOf(r);
  if (wanted === undefined) return -1;
  return Math.min(wanted, pro ? 32_768 : 24_576);
}
