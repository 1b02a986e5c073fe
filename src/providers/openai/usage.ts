import type { Usage } from "../../chat/types";
import type { OpenAIUsage } from "./wire";

export function convertOpenAIUsage(u: OpenAIUsage | null | undefined): Usage {
  if (!u) return { inputTokens: 0, outputTokens: 0 };
  const cached = u.prompt_tokens_details?.cached_tokens;
  return {
    inputTokens: u.prompt_tokens,
    outputTokens: u.completion_tokens,
    ...(cached != null ? { cachedTokens: cached } : {}),
  };
}
