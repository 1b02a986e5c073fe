import { describe, expect, it } from "vitest";
import { percentile, vendorStats } from "./vendor-stats";

describe("percentile (nearest rank)", () => {
  const hundred = Array.from({ length: 100 }, (_, i) => i + 1);

  it("is the smallest value with at least p of the values at or below it", () => {
    expect(percentile(hundred, 0.5)).toBe(50);
    expect(percentile(hundred, 0.9)).toBe(90);
    expect(percentile(hundred, 0.99)).toBe(99);
    expect(percentile(hundred, 1)).toBe(100);
    expect(percentile([1, 2, 3], 0.5)).toBe(2);
    expect(percentile([1, 2, 3, 4], 0.5)).toBe(2);
  });

  it("is the value itself for one value, and null for none", () => {
    expect(percentile([7], 0.01)).toBe(7);
    expect(percentile([7], 0.99)).toBe(7);
    expect(percentile([], 0.5)).toBeNull();
  });
});

describe("vendorStats", () => {
  it("sorts the sample, skips missing timings and rounds the error rate", () => {
    const stats = vendorStats({ vendor: "openai", requests: 3, errors: 1, cacheHits: 0 }, [
      { latencyMs: 300, ttftMs: null },
      { latencyMs: null, ttftMs: null },
      { latencyMs: 100, ttftMs: 40 },
    ]);
    expect(stats).toEqual({
      vendor: "openai",
      requests: 3,
      errors: 1,
      error_rate: 0.3333,
      cache_hits: 0,
      latency_samples: 2,
      latency_p50_ms: 100,
      latency_p90_ms: 300,
      latency_p99_ms: 300,
      ttft_p50_ms: 40,
    });
  });

  it("has no percentiles without timings", () => {
    const stats = vendorStats({ vendor: null, requests: 0, errors: 0, cacheHits: 0 }, []);
    expect(stats).toMatchObject({
      error_rate: 0,
      latency_samples: 0,
      latency_p50_ms: null,
      ttft_p50_ms: null,
    });
  });
});
