import { effortOf } from "../../chat/reasoning";
import type { Reasoning } from "../../chat/types";

/**
 * The neutral reasoning setting as OpenAI's `reasoning_effort`, for the models that reason (the
 * o-series and the GPT-5 family, by name; `gpt-5-chat-*` does not reason); for any other model
 * undefined, as OpenAI answers the field with a 400 there. A budget becomes a level (effortOf);
 * without one the model keeps its default. Reasoning off is the least each family takes:
 * "none" from GPT-5.1 on, "minimal" on GPT-5, "low" on the o-series.
 * @see https://platform.openai.com/docs/api-reference/chat/create#chat-create-reasoning_effort
 * @see https://platform.openai.com/docs/guides/reasoning
 */
export function openaiReasoningEffort(model: string, r: Reasoning): string | undefined {
  const gpt5 = /^gpt-5/.test(model) && !/^gpt-5[.\d]*-chat/.test(model);
  if (!gpt5 && !/^o\d/.test(model)) return undefined;
  if (r.enabled) return effortOf(r);
  if (/^gpt-5\.\d/.test(model)) return "none";
  return gpt5 ? "minimal" : "low";
}
