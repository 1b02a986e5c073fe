import { describe, expect, it } from "vitest";
import {
  cpuMicrosPerRequest,
  percentileOfSorted,
  perSecond,
  phaseAmount,
  ratio,
  summarize,
} from "../../bench/stats.ts";

describe("percentileOfSorted (nearest rank)", () => {
  const hundred = Array.from({ length: 100 }, (_, i) => i + 1);

  it("picks the smallest sample with p% at or below it", () => {
    expect(percentileOfSorted(hundred, 50)).toBe(50);
    expect(percentileOfSorted(hundred, 90)).toBe(90);
    expect(percentileOfSorted(hundred, 99)).toBe(99);
    expect(percentileOfSorted(hundred, 100)).toBe(100);
    expect(percentileOfSorted([1, 2, 3, 4], 50)).toBe(2);
    expect(percentileOfSorted([1, 2, 3, 4], 51)).toBe(3);
  });

  it("handles the edges: one sample, p 0, no samples", () => {
    expect(percentileOfSorted([7], 99)).toBe(7);
    expect(percentileOfSorted(hundred, 0)).toBe(1);
    expect(percentileOfSorted([], 50)).toBeNaN();
  });
});

describe("summarize", () => {
  it("sorts numerically (not as strings) and gives the percentiles, bounds and mean", () => {
    const s = summarize([10, 9, 100, 2, 1]);
    expect(s).toEqual({ n: 5, p50: 9, p90: 100, p99: 100, min: 1, max: 100, mean: 24.4 });
  });

  it("keeps fractions of a millisecond", () => {
    expect(summarize([0.25, 0.125, 0.5]).p50).toBe(0.25);
  });

  it("is all NaN without samples", () => {
    const s = summarize([]);
    expect(s.n).toBe(0);
    expect(s.p50).toBeNaN();
    expect(s.mean).toBeNaN();
  });
});

describe("CPU ticks and rates", () => {
  it("turns clock ticks into µs per request", () => {
    // 100 ticks/s: one tick is 10 ms. 250 ticks over 5000 requests = 2.5 s / 5000 = 500 µs.
    expect(cpuMicrosPerRequest(250, 100, 5000)).toBe(500);
    expect(cpuMicrosPerRequest(1, 100, 1_000_000)).toBeCloseTo(0.01);
    expect(cpuMicrosPerRequest(0, 100, 10)).toBe(0);
  });

  it("refuses to divide by nothing", () => {
    expect(cpuMicrosPerRequest(10, 100, 0)).toBeNaN();
    expect(cpuMicrosPerRequest(10, 0, 10)).toBeNaN();
  });

  it("gives requests per second and ratios", () => {
    expect(perSecond(500, 250)).toBe(2000);
    expect(perSecond(1, 0)).toBeNaN();
    expect(ratio(1, 4)).toBe(0.25);
    expect(ratio(1, 0)).toBeNaN();
    expect(ratio(Number.NaN, 1)).toBeNaN();
  });

  it("sizes a phase from the warm-up rate, within bounds", () => {
    expect(phaseAmount(1000, 5, { min: 100, max: 100_000 })).toBe(5000);
    expect(phaseAmount(3, 5, { min: 100, max: 100_000 })).toBe(100);
    expect(phaseAmount(1e9, 5, { min: 100, max: 100_000 })).toBe(100_000);
    expect(phaseAmount(Number.NaN, 5, { min: 100, max: 100_000 })).toBe(100);
  });
});
