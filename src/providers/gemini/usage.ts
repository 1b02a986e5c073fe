import type { Usage } from "../../chat/types";
import type { GeminiUsage } from "./wire";

/**
 * Gemini counts thinking apart from the answer (`thoughtsTokenCount`) but bills it as output, so
 * both make up the output tokens, the thoughts also told apart as reasoning tokens; cached prompt
 * tokens are part of `promptTokenCount`.
 * @see https://ai.google.dev/api/generate-content#UsageMetadata
 */
export function convertGeminiUsage(u: GeminiUsage | null | undefined): Usage {
  if (!u) return { inputTokens: 0, outputTokens: 0 };
  const thoughts = u.thoughtsTokenCount ?? 0;
  return {
    inputTokens: u.promptTokenCount ?? 0,
    outputTokens: (u.candidatesTokenCount ?? 0) + thoughts,
    ...(u.cachedContentTokenCount != null ? { cachedTokens: u.cachedContentTokenCount } : {}),
    ...(thoughts ? { reasoningTokens: thoughts } : {}),
  };
}
