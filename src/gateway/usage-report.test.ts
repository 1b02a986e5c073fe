import { describe, expect, it } from "vitest";
import type { UsageSums } from "../db/queries/usage";
import { GatewayError } from "../errors/gateway-error";
import { roundUsd, usageRange, usageReport } from "./usage-report";

const NOW = Date.UTC(2026, 10, 26, 12, 0, 0);
const DAY = 24 * 3600 * 1000;

describe("usageRange", () => {
  it("defaults to the 30 days before now", () => {
    expect(usageRange({}, NOW)).toEqual({ from: new Date(NOW - 30 * DAY), to: new Date(NOW) });
  });

  it("defaults `from` to 30 days before a given `to`, and `to` to now", () => {
    expect(usageRange({ to: "2026-03-31" }, NOW).from.toISOString()).toBe("2026-03-01T00:00:00.000Z");
    expect(usageRange({ from: "2026-11-01T00:00:00+01:00" }, NOW)).toEqual({
      from: new Date("2026-10-31T23:00:00Z"),
      to: new Date(NOW),
    });
  });

  it("refuses an empty or reversed range, and one over 366 days", () => {
    const code = (q: { from?: string; to?: string }) => {
      try {
        usageRange(q, NOW);
        return "ok";
      } catch (e) {
        return e instanceof GatewayError ? `${e.status} ${e.code} ${e.param}` : String(e);
      }
    };
    expect(code({ from: "2026-01-02", to: "2026-01-01" })).toBe("400 invalid_range from");
    expect(code({ from: "2026-01-01", to: "2026-01-01" })).toBe("400 invalid_range from");
    expect(code({ from: "2024-01-01", to: "2025-01-01" })).toBe("ok");
    expect(code({ from: "2024-01-01", to: "2025-01-01T00:00:00.001Z" })).toBe("400 invalid_range from");
  });
});

const group = (over: Partial<UsageSums>): UsageSums => ({
  key: null,
  requests: 0,
  errors: 0,
  cacheHits: 0,
  inputTokens: 0,
  outputTokens: 0,
  cachedTokens: 0,
  costUsd: 0,
  latencySumMs: 0,
  latencyCount: 0,
  ...over,
});

describe("usageReport", () => {
  it("answers each group and totals them, averaging latency over the calls that have one", () => {
    const report = usageReport([
      group({
        key: "a",
        requests: 2,
        errors: 1,
        inputTokens: 10,
        outputTokens: 5,
        cachedTokens: 2,
        costUsd: 0.1,
        latencySumMs: 300,
        latencyCount: 2,
      }),
      group({ key: "b", requests: 3, cacheHits: 3, inputTokens: 1, costUsd: 0.2 }),
    ]);
    expect(report.data).toEqual([
      {
        key: "a",
        requests: 2,
        errors: 1,
        cache_hits: 0,
        input_tokens: 10,
        output_tokens: 5,
        cached_tokens: 2,
        cost_usd: 0.1,
        avg_latency_ms: 150,
      },
      {
        key: "b",
        requests: 3,
        errors: 0,
        cache_hits: 3,
        input_tokens: 1,
        output_tokens: 0,
        cached_tokens: 0,
        cost_usd: 0.2,
        avg_latency_ms: null,
      },
    ]);
    // 0.1 + 0.2 is 0.30000000000000004 in floating point.
    expect(report.totals).toEqual({
      requests: 5,
      errors: 1,
      cache_hits: 3,
      input_tokens: 11,
      output_tokens: 5,
      cached_tokens: 2,
      cost_usd: 0.3,
      avg_latency_ms: 150,
    });
  });

  it("has zero totals and no groups when nothing was called", () => {
    expect(usageReport([])).toEqual({
      data: [],
      totals: {
        requests: 0,
        errors: 0,
        cache_hits: 0,
        input_tokens: 0,
        output_tokens: 0,
        cached_tokens: 0,
        cost_usd: 0,
        avg_latency_ms: null,
      },
    });
  });

  it("rounds USD to 1e-10, keeping the smallest per-token prices", () => {
    expect(roundUsd((17 * 0.15 + 4 * 0.075 + 8 * 0.6) / 1_000_000)).toBe(0.00000765);
    expect(roundUsd(0.005 / 1_000_000)).toBe(5e-9);
    expect(roundUsd(0.1 + 0.2)).toBe(0.3);
  });
});
