import type { Db } from "../db/client";
import { sumUsage, type UsageFilter, type UsageGroupBy, type UsageSums } from "../db/queries/usage";
import { sumDailyUsage } from "../db/queries/usage-daily";
import { invalidRequest } from "../errors/gateway-error";

/** Pure helpers behind GET /v1/usage: the time range asked for, and sums turned into answers. */

const DAY_MS = 24 * 60 * 60 * 1000;
export const DEFAULT_RANGE_DAYS = 30;
export const MAX_RANGE_DAYS = 366;

/**
 * `from` and `to` (exclusive) as asked, defaulting to the 30 days before `to` (itself defaulting
 * to now). At most 366 days, so a year of daily rows is one answer and one bounded scan.
 */
export function usageRange(query: { from?: string; to?: string }, now: number): { from: Date; to: Date } {
  const to = query.to !== undefined ? new Date(query.to) : new Date(now);
  const from =
    query.from !== undefined ? new Date(query.from) : new Date(to.getTime() - DEFAULT_RANGE_DAYS * DAY_MS);
  if (from.getTime() >= to.getTime()) {
    throw invalidRequest("invalid_range", "`from` must be before `to`.", "from");
  }
  if (to.getTime() - from.getTime() > MAX_RANGE_DAYS * DAY_MS) {
    throw invalidRequest("invalid_range", `The range may span at most ${MAX_RANGE_DAYS} days.`, "from");
  }
  return { from, to };
}

export interface UsageFigures {
  requests: number;
  errors: number;
  cache_hits: number;
  input_tokens: number;
  output_tokens: number;
  cached_tokens: number;
  cost_usd: number;
  /** Over the calls that have a latency; null when none has. */
  avg_latency_ms: number | null;
}

/**
 * USD to 1e-10, the precision the cheapest list prices need per token (0.005 USD per million):
 * removes float noise of sums (0.1 + 0.2) without rounding away any real cost.
 */
export const roundUsd = (usd: number): number => Number(usd.toFixed(10));

export function toFigures(s: Omit<UsageSums, "key">): UsageFigures {
  return {
    requests: s.requests,
    errors: s.errors,
    cache_hits: s.cacheHits,
    input_tokens: s.inputTokens,
    output_tokens: s.outputTokens,
    cached_tokens: s.cachedTokens,
    cost_usd: roundUsd(s.costUsd),
    avg_latency_ms: s.latencyCount > 0 ? Math.round(s.latencySumMs / s.latencyCount) : null,
  };
}

/** The groups and their totals; totals from the groups' sums, so the rows are scanned once. */
export function usageReport(groups: UsageSums[]): {
  data: (UsageFigures & { key: string | null })[];
  totals: UsageFigures;
} {
  const sum: Omit<UsageSums, "key"> = {
    requests: 0,
    errors: 0,
    cacheHits: 0,
    inputTokens: 0,
    outputTokens: 0,
    cachedTokens: 0,
    costUsd: 0,
    latencySumMs: 0,
    latencyCount: 0,
  };
  for (const g of groups) addSums(sum, g);
  return {
    data: groups.map((g) => ({ key: g.key, ...toFigures(g) })),
    totals: toFigures(sum),
  };
}

/**
 * A report's groups over raw rows and rolled-up days together, in one D1 round trip. A day is
 * either raw or rolled up (src/gateway/usage-rollup.ts moves rows and adds their sums in one
 * transaction), so adding the two never counts a call twice. Rolled-up days keep no hours: an
 * hourly report reaching one is refused rather than answered short.
 */
export async function readUsage(db: Db, filter: UsageFilter, groupBy: UsageGroupBy): Promise<UsageSums[]> {
  const [raw, daily] = await db.batch([
    sumUsage(db, filter, groupBy),
    sumDailyUsage(db, filter, groupBy === "hour" ? "day" : groupBy),
  ]);
  if (daily.length === 0) return raw;
  if (groupBy === "hour") {
    const days = daily.map((d) => d.key).join(", ");
    throw invalidRequest(
      "hourly_usage_rolled_up",
      `Usage before the retention period is kept per day only (${days} in this range): group by day, or start the range later.`,
      "group_by",
    );
  }
  return mergeSums(raw, daily);
}

/** Adds `g`'s sums into `into`. */
function addSums(into: Omit<UsageSums, "key">, g: Omit<UsageSums, "key">): void {
  into.requests += g.requests;
  into.errors += g.errors;
  into.cacheHits += g.cacheHits;
  into.inputTokens += g.inputTokens;
  into.outputTokens += g.outputTokens;
  into.cachedTokens += g.cachedTokens;
  into.costUsd += g.costUsd;
  into.latencySumMs += g.latencySumMs;
  into.latencyCount += g.latencyCount;
}

/** Adds groups with the same key; ordered by key as SQL orders them (null first). */
export function mergeSums(a: UsageSums[], b: UsageSums[]): UsageSums[] {
  const byKey = new Map<string | null, UsageSums>();
  for (const g of [...a, ...b]) {
    const seen = byKey.get(g.key);
    if (seen) addSums(seen, g);
    else byKey.set(g.key, { ...g });
  }
  return [...byKey.values()].sort((x, y) =>
    x.key === y.key ? 0 : x.key === null ? -1 : y.key === null ? 1 : x.key < y.key ? -1 : 1,
  );
}
