import {
  createExecutionContext,
  createMessageBatch,
  createScheduledController,
  getQueueResult,
  waitOnExecutionContext,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import worker from "../../src/index";
import { createUser, del, expectError, get } from "../helpers";
import { seed } from "./usage-helpers";

/**
 * The schedule (src/gateway/schedule.ts) driven as the Cron Trigger drives it: raw usage older
 * than the retention rolled into daily sums in bounded transactions, the reports unchanged by it,
 * and dead-lettered usage parked and replayed without counting a call twice.
 */

const DAY = 86_400_000;
const NOW = Date.parse("2025-06-15T03:00:00Z");
/** With the default 30 days of retention, raw rows before this are rolled up. */
const CUTOFF = Date.parse("2025-05-16T00:00:00Z");

async function runSchedule(vars: Record<string, string> = {}, now = NOW) {
  const ctx = createExecutionContext();
  await worker.scheduled(
    createScheduledController({ scheduledTime: now, cron: "*/10 * * * *" }),
    { ...env, ...vars },
    ctx,
  );
  await waitOnExecutionContext(ctx);
}

const rawCount = async (before = CUTOFF) =>
  (
    await env.DB.prepare("select count(*) as n from usage_events where created_at < ?")
      .bind(before)
      .first<{ n: number }>()
  )?.n;

const GROUPS = ["day", "model", "vendor", "key", "alias", "session", "user", "tag:team"] as const;
const RANGE = "from=2025-04-01&to=2025-06-16";

async function reports() {
  const out: Record<string, unknown> = {};
  for (const g of GROUPS) {
    const res = await get(`/v1/admin/usage?${RANGE}&group_by=${g}`);
    expect(res.status, res.text).toBe(200);
    out[g] = res.json;
  }
  return out;
}

describe("the usage roll-up", () => {
  let ada: Awaited<ReturnType<typeof createUser>>;
  let bo: Awaited<ReturnType<typeof createUser>>;
  beforeAll(async () => {
    ada = await createUser();
    bo = await createUser();
    const rows = [];
    // 60 old calls over three days and two users, of every kind the reports tell apart; 5 recent.
    for (let i = 0; i < 60; i++) {
      const who = i % 3 === 0 ? bo : ada;
      rows.push({
        user_id: who.user.id,
        api_key_id: who.keyId,
        vendor: i % 2 ? "openai" : "anthropic",
        upstream_model: i % 2 ? "gpt-4o-mini" : "claude-haiku-4-5",
        alias: i % 4 === 0 ? "fast" : null,
        session_id: i % 5 === 0 ? "sess-1" : null,
        key_metadata: i % 4 === 1 ? JSON.stringify({ team: i % 8 === 1 ? "search" : "ads" }) : null,
        input_tokens: 100 + i,
        output_tokens: 10 + i,
        cached_tokens: i % 7,
        cost_usd: 0.0001 * (i + 1),
        latency_ms: i % 6 === 0 ? null : 50 + i,
        status: i % 10 === 0 ? 502 : 200,
        cache_hit: i % 9 === 0 ? 1 : 0,
        created_at: Date.parse("2025-04-20T00:00:00Z") + (i % 3) * DAY + i * 60_000,
      });
    }
    for (let i = 0; i < 5; i++) {
      rows.push({
        user_id: ada.user.id,
        api_key_id: ada.keyId,
        vendor: "openai",
        upstream_model: "gpt-4o-mini",
        input_tokens: 7,
        cost_usd: 0.5,
        latency_ms: 10,
        created_at: Date.parse("2025-06-10T12:00:00Z") + i,
      });
    }
    await seed(rows);
  });

  it("rolls old rows into daily sums in bounded transactions, and reports say the same before and after", async () => {
    const before = await reports();
    expect((before.day as { totals: { requests: number } }).totals.requests).toBe(65);

    // 25 rows a transaction, 2 a run: the first run moves 50 of the 60 old rows, the second the rest.
    const bounds = { USAGE_ROLLUP_BATCH_ROWS: "25", USAGE_ROLLUP_MAX_BATCHES: "2" };
    await runSchedule(bounds);
    expect(await rawCount()).toBe(10);
    expect(await reports()).toEqual(before);
    await runSchedule(bounds);
    expect(await rawCount()).toBe(0);
    // The recent rows stay raw.
    expect(await rawCount(NOW)).toBe(5);
    expect(await reports()).toEqual(before);

    // Running again moves nothing and changes nothing.
    await runSchedule(bounds);
    expect(await reports()).toEqual(before);
    const daily = await env.DB.prepare(
      "select count(*) as n, sum(requests) as calls from usage_daily",
    ).first<{
      n: number;
      calls: number;
    }>();
    expect(daily?.calls).toBe(60);
    // Far fewer rows than calls: one per day and combination.
    expect(daily?.n).toBeLessThan(60);
  });

  it("filters rolled-up days by user, vendor, model, alias and session as it filters raw rows", async () => {
    const mine = await get(`/v1/usage?${RANGE}&group_by=model`, { key: ada.key });
    expect(mine.status, mine.text).toBe(200);
    expect(mine.json.totals.requests).toBe(45);
    for (const filter of ["vendor=openai", "model=fast", "model=openai/gpt-4o-mini", "session_id=sess-1"]) {
      const res = await get(`/v1/admin/usage?${RANGE}&group_by=day&${filter}`);
      expect(res.status, res.text).toBe(200);
      expect(res.json.totals.requests, filter).toBeGreaterThan(0);
      expect(res.json.totals.requests, filter).toBeLessThan(65);
    }
    const session = await get(`/v1/admin/usage?${RANGE}&session_id=sess-1`);
    expect(session.json.totals.requests).toBe(12);
    const search = await get(`/v1/admin/usage?${RANGE}&tag=team:search`);
    expect(search.json.totals.requests).toBe(8);
  });

  it("refuses an hourly report that reaches a rolled-up day, naming group_by", async () => {
    const err = expectError(
      await get(`/v1/admin/usage?${RANGE}&group_by=hour`),
      400,
      "invalid_request_error",
      "hourly_usage_rolled_up",
    );
    expect(err.param).toBe("group_by");
    expect(err.message).toContain("2025-04-20");
    // After the retention, hours are still there.
    const recent = await get("/v1/admin/usage?from=2025-06-10&to=2025-06-11&group_by=hour");
    expect(recent.status, recent.text).toBe(200);
    expect(recent.json.data).toEqual([expect.objectContaining({ key: "2025-06-10T12:00:00Z", requests: 5 })]);
  });

  it("keeps a deleted user's rolled-up spend, without the user, as raw rows keep it", async () => {
    const before = await get(`/v1/admin/usage?${RANGE}&group_by=user`);
    expect((await del(`/v1/users/${bo.user.id}`)).status).toBe(204);
    const after = await get(`/v1/admin/usage?${RANGE}&group_by=user`);
    expect(after.json.totals).toEqual(before.json.totals);
    const keys = after.json.data.map((g: { key: string | null }) => g.key);
    expect(keys).not.toContain(bo.user.id);
    const gone = after.json.data.find((g: { key: string | null }) => g.key === null);
    const bos = before.json.data.find((g: { key: string | null }) => g.key === bo.user.id);
    expect(gone.requests).toBe(bos.requests);
  });
});

describe("dead-lettered usage", () => {
  const record = (id: string) => ({
    id,
    request_id: "req_dlq",
    user_id: null,
    api_key_id: null,
    route: "chat.completions",
    vendor: "openai",
    upstream_model: "gpt-4o-mini",
    alias: null,
    input_tokens: 3,
    output_tokens: 4,
    cached_tokens: 0,
    cost_usd: 0.01,
    latency_ms: 9,
    ttft_ms: null,
    status: 200,
    cache_hit: false,
    retries: 0,
    fallback_used: null,
    error_code: null,
    session_id: null,
    created_at: Date.parse("2025-06-14T00:00:00Z"),
  });
  const park = async (bodies: unknown[]) => {
    const batch = createMessageBatch(
      "switchboard-usage-dlq",
      bodies.map((body, i) => ({
        id: `dlq-${i}-${crypto.randomUUID()}`,
        timestamp: new Date(),
        attempts: 1,
        body,
      })),
    );
    const ctx = createExecutionContext();
    await worker.queue(batch, env);
    return getQueueResult(batch, ctx);
  };
  const written = async () =>
    (
      await env.DB.prepare("select count(*) as n from usage_events where request_id = 'req_dlq'").first<{
        n: number;
      }>()
    )?.n;

  it("is parked in KV by the dead-letter consumer and written by the next run, once", async () => {
    const ids = ["use_dlq_1", "use_dlq_2", "use_dlq_3"];
    const result = await park([
      { records: [record(ids[0] as string), record(ids[1] as string)] },
      record(ids[2] as string),
    ]);
    expect(result.explicitAcks.length).toBe(2);
    expect((await env.CACHE.list({ prefix: "usage-dlq:" })).keys.length).toBe(2);
    expect(await written()).toBe(0);

    await runSchedule();
    expect(await written()).toBe(3);
    expect((await env.CACHE.list({ prefix: "usage-dlq:" })).keys.length).toBe(0);

    // The same records dead-lettered again (a redelivery) add nothing.
    await park([{ records: [record(ids[0] as string)] }]);
    await runSchedule();
    expect(await written()).toBe(3);
  });
});
