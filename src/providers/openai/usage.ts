import type { Usage } from "../../chat/types";
import type { OpenAIUsage } from "./wire";

/** Cached prompt tokens and reasoning tokens are details of the two counts, as in the neutral usage. */
export function convertOpenAIUsage(u: OpenAIUsage | null | undefined): Usage {
  if (!u) return { inputTokens: 0, outputTokens: 0 };
  const cached = u.prompt_tokens_details?.cached_tokens;
  const reasoning = u.completion_tokens_details?.reasoning_tokens;
  return {
    inputTokens: u.prompt_tokens,
    outputTokens: u.completion_tokens,
    ...(cached != null ? { cachedTokens: cached } : {}),
    // A count of 0 (what non-reasoning models report) says no more than its absence.
    ...(reasoning ? { reasoningTokens: reasoning } : {}),
  };
}

/**
 * A stream chunk's usage object, wherever the host puts it: top-level `usage` (OpenAI and most),
 * or `x_groq.usage` (Groq).
 * @see https://console.groq.com/docs/api-reference#chat-create
 */
export function chunkUsage(chunk: { usage?: unknown; x_groq?: unknown }): unknown {
  if (chunk.usage != null) return chunk.usage;
  const groq = chunk.x_groq as { usage?: unknown } | null | undefined;
  return groq && typeof groq === "object" ? (groq.usage ?? undefined) : undefined;
}
