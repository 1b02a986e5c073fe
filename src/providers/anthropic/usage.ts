import type { Usage } from "../../chat/types";
import type { AnthropicUsage } from "./wire";

/**
 * Anthropic reports the uncached prompt (`input_tokens`) beside the tokens read from and written
 * to its prompt cache; OpenAI's `prompt_tokens` counts all of them, cached ones included, so the
 * three are added up; the cache reads are also given as `cachedTokens`, and the writes, split by
 * the lifetime of their entries, as `cacheWriteTokens` (5 minutes) and `cacheWrite1hTokens`.
 * Newer models count their thinking inside `output_tokens` apart (`output_tokens_details`).
 * @see https://platform.claude.com/docs/en/build-with-claude/prompt-caching#tracking-cache-performance
 */
export function convertAnthropicUsage(u: AnthropicUsage | null | undefined): Usage {
  if (!u) return { inputTokens: 0, outputTokens: 0 };
  const cacheRead = u.cache_read_input_tokens ?? 0;
  const cacheWrite = u.cache_creation_input_tokens ?? 0;
  // Writes not split by lifetime are 5-minute ones, the default.
  const longWrites = Math.min(u.cache_creation?.ephemeral_1h_input_tokens ?? 0, cacheWrite);
  const thinking = u.output_tokens_details?.thinking_tokens;
  return {
    inputTokens: (u.input_tokens ?? 0) + cacheRead + cacheWrite,
    outputTokens: u.output_tokens ?? 0,
    ...(u.cache_read_input_tokens != null ? { cachedTokens: cacheRead } : {}),
    ...(cacheWrite > 0 ? { cacheWriteTokens: cacheWrite - longWrites, cacheWrite1hTokens: longWrites } : {}),
    ...(thinking ? { reasoningTokens: thinking } : {}),
  };
}
