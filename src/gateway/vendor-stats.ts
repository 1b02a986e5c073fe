import type { TargetKeyCounts, VendorCounts } from "../db/queries/usage";

/**
 * Pure helpers behind GET /v1/admin/stats. Counts cover every call in the window; percentiles
 * are computed here over at most SAMPLE_LIMIT of each vendor's newest calls (fetched by
 * src/db/queries/usage.ts `latestTimings`), which bounds the rows read and the memory used
 * however busy the window was. Below that many calls they are exact.
 */
export const SAMPLE_LIMIT = 2000;

/** Nearest-rank percentile of ascending values: the smallest value with at least p of them at or below. */
export function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.ceil(p * sorted.length);
  return sorted[Math.min(Math.max(rank, 1), sorted.length) - 1] as number;
}

const ascending = (values: (number | null)[]): number[] =>
  values.filter((v): v is number => v !== null).sort((a, b) => a - b);

export interface VendorStats {
  vendor: string | null;
  requests: number;
  errors: number;
  error_rate: number;
  cache_hits: number;
  /** Latencies measured: the newest calls that reached the vendor, at most SAMPLE_LIMIT. */
  latency_samples: number;
  latency_p50_ms: number | null;
  latency_p90_ms: number | null;
  latency_p99_ms: number | null;
  /** Streams only: time to the first byte sent. */
  ttft_p50_ms: number | null;
}

export function vendorStats(
  counts: VendorCounts,
  timings: { latencyMs: number | null; ttftMs: number | null }[],
): VendorStats {
  const latency = ascending(timings.map((t) => t.latencyMs));
  const ttft = ascending(timings.map((t) => t.ttftMs));
  return {
    vendor: counts.vendor,
    requests: counts.requests,
    errors: counts.errors,
    // Four decimals: a rate, not a bill.
    error_rate: counts.requests > 0 ? Math.round((counts.errors / counts.requests) * 10_000) / 10_000 : 0,
    cache_hits: counts.cacheHits,
    latency_samples: latency.length,
    latency_p50_ms: percentile(latency, 0.5),
    latency_p90_ms: percentile(latency, 0.9),
    latency_p99_ms: percentile(latency, 0.99),
    ttft_p50_ms: percentile(ttft, 0.5),
  };
}

export interface TargetStats {
  vendor: string;
  upstream_model: string;
  requests: number;
  errors: number;
  keys: { id: string | null; requests: number; errors: number }[];
}

/** Rows per target and key (sorted by target, as the query gives them) folded into one entry per target. */
export function targetStats(rows: readonly TargetKeyCounts[]): TargetStats[] {
  const out: TargetStats[] = [];
  for (const r of rows) {
    let last = out[out.length - 1];
    if (!last || last.vendor !== r.vendor || last.upstream_model !== r.upstreamModel) {
      last = { vendor: r.vendor, upstream_model: r.upstreamModel, requests: 0, errors: 0, keys: [] };
      out.push(last);
    }
    last.requests += r.requests;
    last.errors += r.errors;
    last.keys.push({ id: r.vendorKeyId, requests: r.requests, errors: r.errors });
  }
  return out;
}
