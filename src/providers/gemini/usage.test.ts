import { describe, expect, it } from "vitest";
import { convertGeminiUsage } from "./usage";

describe("convertGeminiUsage", () => {
  it("counts thinking as output, and apart as reasoning tokens; reports cached prompt tokens", () => {
    expect(
      convertGeminiUsage({
        promptTokenCount: 30,
        candidatesTokenCount: 10,
        thoughtsTokenCount: 2,
        cachedContentTokenCount: 6,
        totalTokenCount: 42,
      }),
    ).toEqual({ inputTokens: 30, outputTokens: 12, cachedTokens: 6, reasoningTokens: 2 });
  });

  it("takes missing counts as zero and leaves cachedTokens out when Gemini does", () => {
    expect(convertGeminiUsage({ promptTokenCount: 5 })).toEqual({ inputTokens: 5, outputTokens: 0 });
    expect(convertGeminiUsage(undefined)).toEqual({ inputTokens: 0, outputTokens: 0 });
  });
});
