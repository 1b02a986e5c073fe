import { describe, expect, it } from "vitest";
import { convertOpenAIUsage } from "./usage";
import { OpenAIUsageSchema } from "./wire";

const usage = (u: unknown) => convertOpenAIUsage(OpenAIUsageSchema.parse(u));

describe("convertOpenAIUsage", () => {
  it("keeps cached prompt tokens and the reasoning tokens inside the completion", () => {
    expect(
      usage({
        prompt_tokens: 96,
        completion_tokens: 41,
        prompt_tokens_details: { cached_tokens: 64 },
        completion_tokens_details: { reasoning_tokens: 23, audio_tokens: 0 },
      }),
    ).toEqual({ inputTokens: 96, outputTokens: 41, cachedTokens: 64, reasoningTokens: 23 });
  });

  it("leaves reasoning tokens out when there were none, or the host's details are its own shape", () => {
    expect(
      usage({ prompt_tokens: 5, completion_tokens: 2, completion_tokens_details: { reasoning_tokens: 0 } }),
    ).toEqual({ inputTokens: 5, outputTokens: 2 });
    expect(usage({ prompt_tokens: 5, completion_tokens: 2, completion_tokens_details: "n/a" })).toEqual({
      inputTokens: 5,
      outputTokens: 2,
    });
    expect(convertOpenAIUsage(undefined)).toEqual({ inputTokens: 0, outputTokens: 0 });
  });
});
