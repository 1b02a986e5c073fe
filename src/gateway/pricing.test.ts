import { describe, expect, it } from "vitest";
import { convertAnthropicUsage } from "../providers/anthropic/usage";
import { costOf } from "./pricing";

const price = { input_per_mtok: 3, output_per_mtok: 15, cached_input_per_mtok: 0.3 };

describe("costOf", () => {
  it("prices plain input, cache reads, output", () => {
    expect(costOf({ inputTokens: 100, outputTokens: 10, cachedTokens: 40 }, price)).toBeCloseTo(
      (60 * 3 + 40 * 0.3 + 10 * 15) / 1e6,
      15,
    );
  });

  it("prices Anthropic's cache writes at 1.25× (5 minutes) and 2× (1 hour) the input price", () => {
    const usage = convertAnthropicUsage({
      input_tokens: 25,
      cache_read_input_tokens: 5,
      cache_creation_input_tokens: 30,
      cache_creation: { ephemeral_5m_input_tokens: 10, ephemeral_1h_input_tokens: 20 },
      output_tokens: 12,
    });
    expect(usage).toMatchObject({
      inputTokens: 60,
      cachedTokens: 5,
      cacheWriteTokens: 10,
      cacheWrite1hTokens: 20,
    });
    expect(costOf(usage, price)).toBeCloseTo(
      (25 * 3 + 5 * 0.3 + 10 * 3 * 1.25 + 20 * 3 * 2 + 12 * 15) / 1e6,
      15,
    );
  });

  it("takes unsplit writes as 5-minute ones, and never counts a token twice", () => {
    const usage = convertAnthropicUsage({
      input_tokens: 25,
      cache_creation_input_tokens: 3,
      output_tokens: 0,
    });
    expect(costOf(usage, price)).toBeCloseTo((25 * 3 + 3 * 3 * 1.25) / 1e6, 15);
    // Inconsistent counts from a vendor are capped by the input they are part of.
    expect(
      costOf({ inputTokens: 10, outputTokens: 0, cachedTokens: 8, cacheWriteTokens: 8 }, price),
    ).toBeCloseTo((8 * 0.3 + 2 * 3 * 1.25) / 1e6, 15);
  });

  it("charges nothing for tokens the gateway's own cache answered (embeddings cached per item)", () => {
    const embeddings = { input_per_mtok: 0.02, output_per_mtok: 0 };
    expect(costOf({ inputTokens: 100, outputTokens: 0, gatewayCachedTokens: 70 }, embeddings)).toBeCloseTo(
      (30 * 0.02) / 1e6,
      15,
    );
    expect(costOf({ inputTokens: 100, outputTokens: 0, gatewayCachedTokens: 100 }, embeddings)).toBe(0);
    // More than the input is capped by it; vendor cache reads apply to what was sent.
    expect(costOf({ inputTokens: 10, outputTokens: 0, gatewayCachedTokens: 50 }, price)).toBe(0);
    expect(
      costOf({ inputTokens: 100, outputTokens: 0, gatewayCachedTokens: 50, cachedTokens: 80 }, price),
    ).toBeCloseTo((50 * 0.3) / 1e6, 15);
  });

  it("is 0 without a price", () => {
    expect(costOf({ inputTokens: 10, outputTokens: 10 }, null)).toBe(0);
  });
});
