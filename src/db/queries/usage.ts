import { and, asc, eq, gte, isNull, lt, or, type SQL, sql } from "drizzle-orm";
import type { UsageMessage } from "../../gateway/usage-message";
import type { Db } from "../client";
import { usageEvents } from "../schema";

/** Rows per statement: their JSON stays well under D1's 2 MB limit on one bound value. */
export const USAGE_ROWS_PER_STATEMENT = 1000;

/**
 * Writes a queue batch of usage records, one statement per 1000 rows and all of them in one D1
 * batch (one round trip, all or nothing): the rows travel as a single JSON parameter and are
 * expanded by json_each. A plain multi-row VALUES would need 20 bound parameters per row, and D1
 * allows 100 per statement (5 rows). The primary key is the record's id, made when the call was
 * recorded, so a redelivered batch inserts nothing twice.
 *
 * A user or key deleted between the call and this write is stored as null (as the foreign keys'
 * ON DELETE SET NULL would have done), instead of failing the whole batch on the constraint.
 * @see https://developers.cloudflare.com/d1/platform/limits/
 */
export async function insertUsageEvents(d1: D1Database, rows: UsageMessage[]): Promise<void> {
  const statements: D1PreparedStatement[] = [];
  for (let i = 0; i < rows.length; i += USAGE_ROWS_PER_STATEMENT) {
    statements.push(
      d1.prepare(INSERT_USAGE).bind(JSON.stringify(rows.slice(i, i + USAGE_ROWS_PER_STATEMENT))),
    );
  }
  const [first, ...rest] = statements;
  if (!first) return;
  if (rest.length === 0) await first.run();
  else await d1.batch(statements);
}

const field = (name: keyof UsageMessage) => `e.value ->> '${name}'`;
const INSERT_USAGE = `
  insert into usage_events (
    id, request_id, user_id, api_key_id, route, vendor, upstream_model, alias,
    input_tokens, output_tokens, cached_tokens, cost_usd, latency_ms, ttft_ms, status,
    cache_hit, retries, fallback_used, error_code, session_id, created_at, tokens_estimated,
    key_metadata, vendor_key_id
  )
  select
    ${field("id")}, ${field("request_id")},
    (select u.id from users u where u.id = ${field("user_id")}),
    (select k.id from api_keys k where k.id = ${field("api_key_id")}),
    ${field("route")}, ${field("vendor")}, ${field("upstream_model")}, ${field("alias")},
    ${field("input_tokens")}, ${field("output_tokens")}, ${field("cached_tokens")}, ${field("cost_usd")},
    ${field("latency_ms")}, ${field("ttft_ms")}, ${field("status")},
    ${field("cache_hit")}, ${field("retries")}, ${field("fallback_used")}, ${field("error_code")},
    ${field("session_id")}, ${field("created_at")},
    -- Records queued before the field existed carry none: their counts were the vendor's.
    coalesce(${field("tokens_estimated")}, 0),
    -- The tags object as JSON text (->> gives an object's JSON, and SQL null for JSON null).
    ${field("key_metadata")},
    ${field("vendor_key_id")}
  from json_each(?) as e
  where true
  on conflict (id) do nothing`;

export const USAGE_GROUP_BYS = ["day", "hour", "model", "vendor", "key", "alias", "session", "user"] as const;
/** A fixed grouping, or `tag:<name>`: by the value of one of the keys' metadata tags. */
export type UsageGroupBy = (typeof USAGE_GROUP_BYS)[number] | `tag:${string}`;

export interface UsageFilter {
  from: Date;
  /** Exclusive. */
  to: Date;
  /** One user's usage; undefined for everyone's. */
  userId?: string | undefined;
  /** `vendor/upstream-model`, or a model-config alias. */
  model?: string | undefined;
  vendor?: string | undefined;
  /** One client session's calls (x-claude-code-session-id). */
  sessionId?: string | undefined;
  /** Calls whose key carried every one of these tags (name and value) at call time. */
  tags?: { name: string; value: string }[] | undefined;
}

/** The sums of one group, as SQL gives them; src/gateway/usage-report.ts turns them into answers. */
export interface UsageSums {
  key: string | null;
  requests: number;
  errors: number;
  cacheHits: number;
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
  costUsd: number;
  latencySumMs: number;
  latencyCount: number;
}

const num = (expr: SQL) => expr.mapWith(Number);
const modelOf = sql<string | null>`${usageEvents.vendor} || '/' || ${usageEvents.upstreamModel}`;

/**
 * One tag's value in the record's key_metadata (null where the key had no such tag). The name is
 * bound, as a JSON path quoted so `.` and `-` in it are part of the name.
 */
const tagOf = (name: string) =>
  sql<string | null>`(${usageEvents.keyMetadata} ->> ${`$.${JSON.stringify(name)}`})`;

const GROUP_KEYS: Record<(typeof USAGE_GROUP_BYS)[number], SQL<string | null>> = {
  // created_at is ms since the epoch; days are UTC.
  day: sql<string>`strftime('%Y-%m-%d', ${usageEvents.createdAt} / 1000, 'unixepoch')`,
  // The hour's start as an ISO-8601 instant, so a chart can read it as a date.
  hour: sql<string>`strftime('%Y-%m-%dT%H:00:00Z', ${usageEvents.createdAt} / 1000, 'unixepoch')`,
  model: modelOf,
  vendor: sql<string | null>`${usageEvents.vendor}`,
  key: sql<string | null>`${usageEvents.apiKeyId}`,
  alias: sql<string | null>`${usageEvents.alias}`,
  session: sql<string | null>`${usageEvents.sessionId}`,
  user: sql<string | null>`${usageEvents.userId}`,
};

/**
 * A created_at range (one user's walks usage_events_user_created_idx, one session's
 * usage_events_session_created_idx, everyone's usage_events_created_idx), other filters on top,
 * summed per group in SQL.
 */
export function sumUsage(db: Db, filter: UsageFilter, groupBy: UsageGroupBy) {
  const key = groupBy.startsWith("tag:")
    ? tagOf(groupBy.slice(4))
    : GROUP_KEYS[groupBy as (typeof USAGE_GROUP_BYS)[number]];
  return db
    .select({
      key,
      requests: num(sql`count(*)`),
      errors: num(sql`sum(${usageEvents.status} >= 400)`),
      cacheHits: num(sql`sum(${usageEvents.cacheHit})`),
      inputTokens: num(sql`sum(${usageEvents.inputTokens})`),
      outputTokens: num(sql`sum(${usageEvents.outputTokens})`),
      cachedTokens: num(sql`sum(${usageEvents.cachedTokens})`),
      costUsd: num(sql`total(${usageEvents.costUsd})`),
      latencySumMs: num(sql`total(${usageEvents.latencyMs})`),
      latencyCount: num(sql`count(${usageEvents.latencyMs})`),
    })
    .from(usageEvents)
    .where(usageWhere(filter))
    .groupBy(key)
    .orderBy(asc(key));
}

function usageWhere(f: UsageFilter): SQL | undefined {
  return and(
    gte(usageEvents.createdAt, f.from),
    lt(usageEvents.createdAt, f.to),
    f.userId !== undefined ? eq(usageEvents.userId, f.userId) : undefined,
    f.vendor !== undefined ? eq(usageEvents.vendor, f.vendor) : undefined,
    f.sessionId !== undefined ? eq(usageEvents.sessionId, f.sessionId) : undefined,
    f.model !== undefined ? or(sql`${modelOf} = ${f.model}`, eq(usageEvents.alias, f.model)) : undefined,
    ...(f.tags ?? []).map((t) => sql`${tagOf(t.name)} = ${t.value}`),
  );
}

/** Per vendor since a time: counts over every call, for the stats route. */
export interface VendorCounts {
  vendor: string | null;
  requests: number;
  errors: number;
  cacheHits: number;
}

export function countByVendor(db: Db, since: Date): Promise<VendorCounts[]> {
  return db
    .select({
      vendor: usageEvents.vendor,
      requests: num(sql`count(*)`),
      errors: num(sql`sum(${usageEvents.status} >= 400)`),
      cacheHits: num(sql`sum(${usageEvents.cacheHit})`),
    })
    .from(usageEvents)
    .where(gte(usageEvents.createdAt, since))
    .groupBy(usageEvents.vendor)
    .orderBy(asc(usageEvents.vendor));
}

/** Per target (vendor and model) and key since a time, for the stats route. */
export interface TargetKeyCounts {
  vendor: string;
  upstreamModel: string;
  vendorKeyId: string | null;
  requests: number;
  errors: number;
}

/** Calls a vendor answered or failed, by target and key; cache hits are left out (no vendor was called). */
export function countByTargetAndKey(db: Db, since: Date): Promise<TargetKeyCounts[]> {
  return db
    .select({
      vendor: sql<string>`${usageEvents.vendor}`,
      upstreamModel: sql<string>`${usageEvents.upstreamModel}`,
      vendorKeyId: usageEvents.vendorKeyId,
      requests: num(sql`count(*)`),
      errors: num(sql`sum(${usageEvents.status} >= 400)`),
    })
    .from(usageEvents)
    .where(
      and(
        gte(usageEvents.createdAt, since),
        sql`${usageEvents.vendor} is not null and ${usageEvents.upstreamModel} is not null`,
        eq(usageEvents.cacheHit, false),
      ),
    )
    .groupBy(usageEvents.vendor, usageEvents.upstreamModel, usageEvents.vendorKeyId)
    .orderBy(asc(usageEvents.vendor), asc(usageEvents.upstreamModel), asc(usageEvents.vendorKeyId));
}

/**
 * The newest `limit` timings of each vendor's calls since a time, in one round trip: one bounded
 * statement per vendor, each walking usage_events_vendor_created_idx backwards from now. Cache
 * hits are left out: the vendor did not answer them.
 */
export async function latestTimings(
  db: Db,
  vendors: (string | null)[],
  since: Date,
  limit: number,
): Promise<{ latencyMs: number | null; ttftMs: number | null }[][]> {
  const [first, ...rest] = vendors.map((vendor) =>
    db
      .select({ latencyMs: usageEvents.latencyMs, ttftMs: usageEvents.ttftMs })
      .from(usageEvents)
      .where(
        and(
          vendor === null ? isNull(usageEvents.vendor) : eq(usageEvents.vendor, vendor),
          gte(usageEvents.createdAt, since),
          eq(usageEvents.cacheHit, false),
        ),
      )
      .orderBy(sql`${usageEvents.createdAt} desc`)
      .limit(limit),
  );
  if (!first) return [];
  return db.batch([first, ...rest]);
}
