import { describe, expect, it } from "vitest";
import { apportionTokens, estimateEmbeddingTokens } from "./tokens";

describe("apportionTokens", () => {
  it("shares a batch's count by size, in whole tokens adding up to it", () => {
    expect(apportionTokens(10, [1, 1])).toEqual([5, 5]);
    expect(apportionTokens(6, [5, 1])).toEqual([5, 1]);
    // 7 × (2/6, 3/6, 1/6) = 2.33, 3.5, 1.17: the largest remainder gets the token left over.
    expect(apportionTokens(7, [2, 3, 1])).toEqual([2, 4, 1]);
    for (const [total, weights] of [
      [0, [3, 4]],
      [1, [1, 1, 1]],
      [1000, [7, 1, 13, 2, 9]],
    ] as const) {
      const shares = apportionTokens(total, weights);
      expect(shares.reduce((n, s) => n + s, 0)).toBe(total);
      expect(shares.every((s) => Number.isInteger(s) && s >= 0)).toBe(true);
    }
  });

  it("shares evenly when no item has a size, and gives one item all", () => {
    expect(apportionTokens(5, [0, 0])).toEqual([3, 2]);
    expect(apportionTokens(9, [4])).toEqual([9]);
    expect(apportionTokens(9, [])).toEqual([]);
  });
});

describe("estimateEmbeddingTokens", () => {
  it("counts token ids exactly and estimates text", () => {
    expect(estimateEmbeddingTokens([1, 2, 3])).toBe(3);
    expect(estimateEmbeddingTokens("12345678")).toBe(2);
  });
});
