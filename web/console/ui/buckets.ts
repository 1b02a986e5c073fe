import type { UsageGroup } from "../types";

const STEP_MS = { day: 86_400_000, hour: 3_600_000 } as const;

/** Unix seconds of a usage group key: a day (`YYYY-MM-DD`) or an hour (`...T13:00:00Z`). */
export const groupTime = (key: string): number =>
  Date.parse(key.length === 10 ? `${key}T00:00:00Z` : key) / 1000;

/**
 * Every day or hour of a report's range, in order, with the report's groups where it has them
 * and zeros between: the API lists only buckets with calls, and a chart of those alone would
 * draw a quiet week as a line between two points.
 */
export function denseBuckets(
  report: { from: string; to: string; data: UsageGroup[] },
  by: keyof typeof STEP_MS,
): { times: number[]; rows: (UsageGroup | null)[] } {
  const step = STEP_MS[by];
  const known = new Map(
    report.data.filter((g) => g.key !== null).map((g) => [groupTime(g.key as string) * 1000, g]),
  );
  const first = Math.floor(Date.parse(report.from) / step) * step;
  const end = Date.parse(report.to);
  const times: number[] = [];
  const rows: (UsageGroup | null)[] = [];
  for (let t = first; t < end && times.length < 10_000; t += step) {
    times.push(t / 1000);
    rows.push(known.get(t) ?? null);
  }
  return { times, rows };
}

/** One number of each bucket; a bucket without calls is 0. */
export const valuesOf = (rows: (UsageGroup | null)[], pick: (g: UsageGroup) => number): number[] =>
  rows.map((g) => (g ? pick(g) : 0));
