/**
 * The benchmark's arithmetic, free of I/O so test/node/bench.test.ts can check it: percentiles of
 * latency samples, ratios, and CPU clock ticks turned into microseconds per request.
 */

export interface LatencySummary {
  /** How many samples, in milliseconds. */
  n: number;
  p50: number;
  p90: number;
  p99: number;
  min: number;
  max: number;
  mean: number;
}

/**
 * The nearest-rank percentile (`p` from 0 to 100) of samples sorted ascending: the smallest
 * sample with at least p% of all samples at or below it. NaN when there are none.
 */
export function percentileOfSorted(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  if (p <= 0) return sorted[0] as number;
  const rank = Math.ceil((Math.min(p, 100) / 100) * sorted.length);
  return sorted[rank - 1] as number;
}

export function summarize(samples: readonly number[]): LatencySummary {
  const sorted = Float64Array.from(samples).sort();
  const list = Array.from(sorted);
  let sum = 0;
  for (const s of list) sum += s;
  return {
    n: list.length,
    p50: percentileOfSorted(list, 50),
    p90: percentileOfSorted(list, 90),
    p99: percentileOfSorted(list, 99),
    min: list.length ? (list[0] as number) : Number.NaN,
    max: list.length ? (list[list.length - 1] as number) : Number.NaN,
    mean: list.length ? sum / list.length : Number.NaN,
  };
}

/** `part / whole`, or NaN when either is missing or the whole is zero. */
export const ratio = (part: number, whole: number): number =>
  Number.isFinite(part) && Number.isFinite(whole) && whole !== 0 ? part / whole : Number.NaN;

/**
 * CPU microseconds per request from a difference of `/proc/<pid>/stat` utime+stime readings, in
 * clock ticks (`getconf CLK_TCK`, 100 on Linux). One tick is 10 ms there, so a phase must run long
 * enough for thousands of ticks' worth of requests: the result is `± tickMicros / requests`.
 */
export function cpuMicrosPerRequest(ticks: number, clockTicksPerSecond: number, requests: number): number {
  if (requests <= 0 || clockTicksPerSecond <= 0) return Number.NaN;
  return (ticks * 1e6) / clockTicksPerSecond / requests;
}

/** Requests per second over a wall-clock span in milliseconds. */
export const perSecond = (requests: number, elapsedMs: number): number =>
  elapsedMs > 0 ? (requests * 1000) / elapsedMs : Number.NaN;

/** The request count for a measured phase: the warm-up's rate over the phase's length, bounded. */
export function phaseAmount(
  warmupRps: number,
  seconds: number,
  bounds: { min: number; max: number },
): number {
  if (!Number.isFinite(warmupRps) || warmupRps <= 0) return bounds.min;
  return Math.max(bounds.min, Math.min(bounds.max, Math.round(warmupRps * seconds)));
}
