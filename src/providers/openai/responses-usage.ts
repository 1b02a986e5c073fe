import type { Usage } from "../../chat/types";
import type { ResponsesUsage } from "./responses-wire";

/**
 * A Responses API usage object in neutral terms. Its counts already have the neutral meaning:
 * `input_tokens` includes the cached ones (`input_tokens_details.cached_tokens`), and
 * `output_tokens` the reasoning ones, which are billed as output.
 * @see https://platform.openai.com/docs/api-reference/responses/object#responses/object-usage
 */
export function convertResponsesUsage(u: ResponsesUsage): Usage {
  const cached = u.input_tokens_details?.cached_tokens;
  return {
    inputTokens: u.input_tokens,
    outputTokens: u.output_tokens,
    ...(cached != null ? { cachedTokens: cached } : {}),
  };
}
