import { describe, expect, it } from "vitest";
import { openaiUsage } from "./to-openai";

describe("openaiUsage", () => {
  it("shows cached and reasoning tokens as details of the two counts, where they are known", () => {
    expect(openaiUsage({ inputTokens: 30, outputTokens: 12, cachedTokens: 6, reasoningTokens: 9 })).toEqual({
      prompt_tokens: 30,
      completion_tokens: 12,
      total_tokens: 42,
      prompt_tokens_details: { cached_tokens: 6 },
      completion_tokens_details: { reasoning_tokens: 9 },
    });
    expect(openaiUsage({ inputTokens: 1, outputTokens: 2 })).toEqual({
      prompt_tokens: 1,
      completion_tokens: 2,
      total_tokens: 3,
    });
  });
});
