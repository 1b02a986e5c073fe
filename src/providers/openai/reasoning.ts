import { EFFORTS, effortOf } from "../../chat/reasoning";
import type { Reasoning, ReasoningEffort } from "../../chat/types";

type Level = ReasoningEffort | "none";

/**
 * The levels each family of OpenAI's reasoning models takes, by model name; OpenAI answers any
 * other with a 400. `undefined`: the model does not reason (`gpt-5-chat-*`, GPT-4 and older) and
 * refuses the field; an empty list: it takes one level only, its default (`gpt-5-pro`: high).
 * @see https://platform.openai.com/docs/api-reference/chat/create#chat-create-reasoning_effort
 * @see https://platform.openai.com/docs/guides/reasoning
 */
function levelsOf(model: string): readonly Level[] | undefined {
  if (/^o\d/.test(model)) return ["low", "medium", "high"];
  if (!/^gpt-5/.test(model) || /^gpt-5[.\d]*-chat/.test(model)) return undefined;
  if (/^gpt-5-pro/.test(model)) return [];
  if (/^gpt-5\.1/.test(model)) {
    // xhigh came with gpt-5.1-codex-max and is taken by every model after it.
    return /-codex-max/.test(model)
      ? ["none", "low", "medium", "high", "xhigh"]
      : ["none", "low", "medium", "high"];
  }
  if (/^gpt-5\.\d/.test(model)) return ["none", "low", "medium", "high", "xhigh"];
  return ["minimal", "low", "medium", "high"];
}

/** The level the model takes nearest to `want`: each family's levels are a run without gaps. */
function nearest(want: ReasoningEffort, levels: readonly Level[]): Level {
  if (levels.includes(want)) return want;
  const efforts = levels.filter((l): l is ReasoningEffort => l !== "none");
  const least = efforts[0] as ReasoningEffort;
  return EFFORTS.indexOf(want) < EFFORTS.indexOf(least) ? least : (efforts.at(-1) as ReasoningEffort);
}

/**
 * The neutral reasoning setting as OpenAI's `reasoning_effort`, for the models that reason; for
 * any other model undefined, as OpenAI answers the field with a 400 there. The level asked (or
 * the one a budget stands for, effortOf) becomes the nearest one the model takes: on the
 * o-series minimal is low and xhigh high, on GPT-5 xhigh is high, on GPT-5.1 minimal is low.
 * Without either the model keeps its default. Reasoning off is the least each family takes:
 * "none" from GPT-5.1 on, "minimal" on GPT-5, "low" on the o-series.
 *
 * | neutral | o-series | GPT-5 | GPT-5.1 | GPT-5.1-codex-max, GPT-5.2+ |
 * |---|---|---|---|---|
 * | off | low | minimal | none | none |
 * | minimal | low | minimal | low | low |
 * | low / medium / high | same | same | same | same |
 * | xhigh | high | high | high | xhigh |
 */
export function openaiReasoningEffort(model: string, r: Reasoning): string | undefined {
  const levels = levelsOf(model);
  if (!levels?.length) return undefined;
  if (!r.enabled) return levels[0];
  const want = effortOf(r);
  return want && nearest(want, levels);
}
