import { and, asc, eq, gte, lt, or, type SQL, sql } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import type { Db } from "../client";
import { usageDaily } from "../schema";
import type { USAGE_GROUP_BYS, UsageFilter, UsageGroupBy } from "./usage";

type FixedGroupBy = (typeof USAGE_GROUP_BYS)[number];

/**
 * usage_daily: usage older than the retention, summed per UTC day (src/gateway/usage-rollup.ts).
 * Its dimensions hold '' for "none"; everything read from here turns that back into null, so a
 * report says the same whether its rows are raw or rolled up.
 */

/**
 * Moves the oldest `limit` raw rows created before `cutoff` into the daily sums: one D1 batch
 * (a transaction), so the sums and the deletion land together or not at all, and a run cut off
 * anywhere can simply run again. Both statements pick the same rows: the same ordered, bounded
 * scan of usage_events_created_idx inside one transaction. Returns the rows moved.
 */
export async function rollUpBatch(d1: D1Database, cutoff: number, limit: number): Promise<number> {
  const [, deleted] = await d1.batch([
    d1.prepare(ROLL_UP).bind(cutoff, limit),
    d1.prepare(`delete from usage_events where rowid in (${OLDEST})`).bind(cutoff, limit),
  ]);
  return deleted?.meta.changes ?? 0;
}

const OLDEST = "select rowid from usage_events where created_at < ?1 order by created_at, rowid limit ?2";
const DIMENSIONS =
  "day, user_id, api_key_id, vendor, upstream_model, alias, session_id, key_metadata, status";
const SUMS = [
  "requests",
  "cache_hits",
  "input_tokens",
  "output_tokens",
  "cached_tokens",
  "cost_usd",
  "latency_sum_ms",
  "latency_count",
];
const ROLL_UP = `
  insert into usage_daily (${DIMENSIONS}, ${SUMS.join(", ")})
  select
    strftime('%Y-%m-%d', created_at / 1000, 'unixepoch'),
    coalesce(user_id, ''), coalesce(api_key_id, ''), coalesce(vendor, ''), coalesce(upstream_model, ''),
    coalesce(alias, ''), coalesce(session_id, ''), coalesce(key_metadata, ''), status,
    count(*), sum(cache_hit), sum(input_tokens), sum(output_tokens), sum(cached_tokens), total(cost_usd),
    coalesce(sum(latency_ms), 0), count(latency_ms)
  from usage_events
  where rowid in (${OLDEST})
  group by 1, 2, 3, 4, 5, 6, 7, 8, 9
  on conflict (${DIMENSIONS}) do update set
    ${SUMS.map((c) => `${c} = ${c} + excluded.${c}`).join(",\n    ")}`;

/**
 * A deleted user's rolled-up usage keeps its sums and loses the link, as its raw rows do (ON
 * DELETE SET NULL): its rows are merged into the '' user and key, then removed. For the users
 * route's delete batch, before the user's row goes.
 */
export function forgetUserStatements(d1: D1Database, userId: string): D1PreparedStatement[] {
  return [
    d1
      .prepare(
        `insert into usage_daily (${DIMENSIONS}, ${SUMS.join(", ")})
         select day, '', '', vendor, upstream_model, alias, session_id, key_metadata, status,
           ${SUMS.map((c) => `sum(${c})`).join(", ")}
         from usage_daily where user_id = ?1
         group by day, vendor, upstream_model, alias, session_id, key_metadata, status
         on conflict (${DIMENSIONS}) do update set
           ${SUMS.map((c) => `${c} = ${c} + excluded.${c}`).join(", ")}`,
      )
      .bind(userId),
    d1.prepare("delete from usage_daily where user_id = ?1").bind(userId),
  ];
}

const num = (expr: SQL) => expr.mapWith(Number);
const none = (column: SQLiteColumn) => sql<string | null>`nullif(${column}, '')`;
const modelOf = sql<
  string | null
>`nullif(${usageDaily.vendor}, '') || '/' || nullif(${usageDaily.upstreamModel}, '')`;

/** One tag's value in a daily row's key_metadata, as usage.ts reads it from raw rows. */
const tagOf = (name: string) =>
  sql<string | null>`(nullif(${usageDaily.keyMetadata}, '') ->> ${`$.${JSON.stringify(name)}`})`;

/** The report's groups over daily rows; `hour` has none (days keep no hours). */
const GROUP_KEYS: Record<Exclude<FixedGroupBy, "hour">, SQL<string | null>> = {
  day: sql<string>`${usageDaily.day}`,
  model: modelOf,
  vendor: none(usageDaily.vendor),
  key: none(usageDaily.apiKeyId),
  alias: none(usageDaily.alias),
  session: none(usageDaily.sessionId),
  user: none(usageDaily.userId),
};

/** `YYYY-MM-DD` of the first UTC day starting at or after `t`. */
const firstDayFrom = (t: Date): string => {
  const day = Math.ceil(t.getTime() / 86_400_000) * 86_400_000;
  return new Date(day).toISOString().slice(0, 10);
};

/**
 * The sums of the rolled-up days in a range, grouped as sumUsage groups raw rows. A day is in
 * the range when it starts inside it: a range on day boundaries gives the numbers the raw rows
 * gave; one that cuts a rolled-up day counts that day whole where it starts.
 */
export function sumDailyUsage(db: Db, filter: UsageFilter, groupBy: Exclude<UsageGroupBy, "hour">) {
  const key = groupBy.startsWith("tag:")
    ? tagOf(groupBy.slice(4))
    : GROUP_KEYS[groupBy as Exclude<FixedGroupBy, "hour">];
  return db
    .select({
      key,
      requests: num(sql`sum(${usageDaily.requests})`),
      errors: num(sql`sum(case when ${usageDaily.status} >= 400 then ${usageDaily.requests} else 0 end)`),
      cacheHits: num(sql`sum(${usageDaily.cacheHits})`),
      inputTokens: num(sql`sum(${usageDaily.inputTokens})`),
      outputTokens: num(sql`sum(${usageDaily.outputTokens})`),
      cachedTokens: num(sql`sum(${usageDaily.cachedTokens})`),
      costUsd: num(sql`total(${usageDaily.costUsd})`),
      latencySumMs: num(sql`total(${usageDaily.latencySumMs})`),
      latencyCount: num(sql`sum(${usageDaily.latencyCount})`),
    })
    .from(usageDaily)
    .where(
      and(
        gte(usageDaily.day, firstDayFrom(filter.from)),
        lt(usageDaily.day, firstDayFrom(filter.to)),
        filter.userId !== undefined ? eq(usageDaily.userId, filter.userId) : undefined,
        filter.vendor !== undefined ? eq(usageDaily.vendor, filter.vendor) : undefined,
        filter.sessionId !== undefined ? eq(usageDaily.sessionId, filter.sessionId) : undefined,
        filter.model !== undefined
          ? or(sql`${modelOf} = ${filter.model}`, eq(usageDaily.alias, filter.model))
          : undefined,
        ...(filter.tags ?? []).map((t) => sql`${tagOf(t.name)} = ${t.value}`),
      ),
    )
    .groupBy(key)
    .orderBy(asc(key));
}
