import { describe, expect, it } from "vitest";
import { convertResponsesUsage } from "./responses-usage";

describe("convertResponsesUsage", () => {
  it("keeps the input count whole (cached tokens are part of it) and reasoning inside the output", () => {
    expect(
      convertResponsesUsage({
        input_tokens: 82,
        input_tokens_details: { cached_tokens: 64 },
        output_tokens: 310,
        output_tokens_details: { reasoning_tokens: 256 },
      }),
    ).toEqual({ inputTokens: 82, outputTokens: 310, cachedTokens: 64 });
  });

  it("leaves cachedTokens out when the host reports no details", () => {
    expect(convertResponsesUsage({ input_tokens: 5, output_tokens: 1 })).toEqual({
      inputTokens: 5,
      outputTokens: 1,
    });
    expect(convertResponsesUsage({ input_tokens: 5, input_tokens_details: null, output_tokens: 1 })).toEqual({
      inputTokens: 5,
      outputTokens: 1,
    });
  });
});
