import { describe, expect, it } from "vitest";
import { DEFAULT_RATE_LIMIT, isRateLimitTier, tierFor } from "./rate-limit";

describe("tierFor", () => {
  it("uses the key's tier, or the default when it has none", () => {
    expect(tierFor(null)).toBe(DEFAULT_RATE_LIMIT);
    expect(DEFAULT_RATE_LIMIT).toBe(600);
    for (const t of [60, 600, 3000, 10000]) expect(tierFor(t)).toBe(t);
  });

  it("maps a value set by hand to the nearest tier below, or the lowest", () => {
    expect(tierFor(100)).toBe(60);
    expect(tierFor(2999)).toBe(600);
    expect(tierFor(50_000)).toBe(10000);
    expect(tierFor(10)).toBe(60);
    expect(tierFor(0)).toBe(60);
  });

  it("knows the tiers", () => {
    expect([60, 600, 3000, 10000].every(isRateLimitTier)).toBe(true);
    expect(isRateLimitTier(100)).toBe(false);
  });
});
