import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { USAGE_ROWS_PER_STATEMENT } from "../db/queries/usage";
import worker from "../index";
import { consumeUsageBatch } from "./usage-consumer";
import type { UsageMessage } from "./usage-message";

const message = (over: Partial<UsageMessage> = {}): UsageMessage => ({
  id: `use_${crypto.randomUUID()}`,
  request_id: "req_consumer",
  user_id: null,
  api_key_id: null,
  route: "chat.completions",
  vendor: "openai",
  upstream_model: "gpt-4o-mini",
  alias: null,
  input_tokens: 10,
  output_tokens: 2,
  cached_tokens: 0,
  cost_usd: 0.25,
  latency_ms: 5,
  ttft_ms: null,
  status: 200,
  cache_hit: false,
  retries: 0,
  fallback_used: null,
  error_code: null,
  session_id: null,
  created_at: Date.UTC(2020, 0, 1),
  ...over,
});

const batchOf = (bodies: unknown[], attempts = 1) =>
  createMessageBatch(
    "switchboard-usage",
    bodies.map((body, i) => ({ id: `m${i}`, timestamp: new Date(), attempts, body })),
  );

async function run(bodies: unknown[], attempts = 1) {
  const batch = batchOf(bodies, attempts);
  const ctx = createExecutionContext();
  // The handler keeps nothing running after it returns, so the context is only for the result.
  await worker.queue(batch, env);
  return getQueueResult(batch, ctx);
}

const rowsOf = async (requestId: string) =>
  (
    await env.DB.prepare("select id, user_id, cost_usd from usage_events where request_id = ? order by id")
      .bind(requestId)
      .all()
  ).results;

describe("consumeUsageBatch", () => {
  afterEach(() => vi.restoreAllMocks());

  it("writes a batch in one statement and acks every message; a redelivery adds nothing", async () => {
    const prepare = vi.spyOn(env.DB, "prepare");
    const bodies = Array.from({ length: 100 }, (_, i) =>
      message({ request_id: "req_hundred", input_tokens: i }),
    );
    const result = await run(bodies);
    expect(prepare).toHaveBeenCalledTimes(1);
    expect(result.explicitAcks.sort()).toEqual(bodies.map((_, i) => `m${i}`).sort());
    expect(result.retryMessages).toEqual([]);
    const sum = await env.DB.prepare(
      "select count(*) as n, sum(input_tokens) as tokens from usage_events where request_id = ?",
    )
      .bind("req_hundred")
      .first();
    expect(sum).toEqual({ n: 100, tokens: (99 * 100) / 2 });

    await run(bodies, 2);
    expect(
      await env.DB.prepare("select count(*) as n from usage_events where request_id = ?")
        .bind("req_hundred")
        .first(),
    ).toEqual({ n: 100 });
  });

  it("unpacks packs of records, next to single-record messages, in one round trip", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const prepare = vi.spyOn(env.DB, "prepare");
    const packed = Array.from({ length: 30 }, () => message({ request_id: "req_packs" }));
    const single = message({ request_id: "req_packs" });
    const result = await run([
      { records: packed.slice(0, 20) },
      { records: [...packed.slice(20), { id: "use_bad" }] },
      single,
      { records: [{ id: "nope" }] },
    ]);
    expect(prepare).toHaveBeenCalledTimes(1);
    // Every message is acked: the bad record in m1 is dropped, m3 held nothing usable.
    expect(result.explicitAcks.sort()).toEqual(["m0", "m1", "m2", "m3"]);
    expect(await rowsOf("req_packs")).toHaveLength(31);
    expect(errors.mock.calls.map((c) => JSON.parse(c[0] as string))).toEqual([
      {
        level: "error",
        msg: "usage record malformed, dropped",
        queue: "usage",
        message_id: "m1",
        dropped: 1,
      },
      {
        level: "error",
        msg: "usage record malformed, dropped",
        queue: "usage",
        message_id: "m3",
        dropped: 1,
      },
    ]);
  });

  it("writes more rows than one statement takes, in one D1 batch", async () => {
    const prepare = vi.spyOn(env.DB, "prepare");
    const records = Array.from({ length: USAGE_ROWS_PER_STATEMENT + 5 }, () =>
      message({ request_id: "req_many" }),
    );
    const result = await run([{ records: records.slice(0, 600) }, { records: records.slice(600) }]);
    expect(result.explicitAcks.sort()).toEqual(["m0", "m1"]);
    expect(prepare).toHaveBeenCalledTimes(2);
    expect(await rowsOf("req_many")).toHaveLength(USAGE_ROWS_PER_STATEMENT + 5);
  });

  it("stores a since-deleted user or key as null instead of failing the batch", async () => {
    const m = message({ request_id: "req_gone", user_id: "usr_gone", api_key_id: "key_gone" });
    const result = await run([m]);
    expect(result.explicitAcks).toEqual(["m0"]);
    expect(await rowsOf("req_gone")).toEqual([{ id: m.id, user_id: null, cost_usd: 0.25 }]);
  });

  it("writes the client's session, and null for a record queued before sessions were recorded", async () => {
    const withSession = message({ request_id: "req_sessions", session_id: "sess-1" });
    const { session_id: _, ...older } = message({ request_id: "req_sessions" });
    const result = await run([{ records: [withSession, older] }]);
    expect(result.explicitAcks).toEqual(["m0"]);
    const sessionOf = async (id: string) =>
      (await env.DB.prepare("select session_id from usage_events where id = ?").bind(id).first())?.session_id;
    expect(await sessionOf(withSession.id)).toBe("sess-1");
    expect(await sessionOf(older.id)).toBeNull();
  });

  it("writes the key's tags as a JSON object, and null without tags or from older records", async () => {
    const tagged = message({ request_id: "req_tags", key_metadata: { team: "search", "env.name": "prod" } });
    const untagged = message({ request_id: "req_tags", key_metadata: null });
    const older = message({ request_id: "req_tags" });
    const result = await run([{ records: [tagged, untagged, older] }]);
    expect(result.explicitAcks).toEqual(["m0"]);
    const tagsOf = async (id: string) =>
      (await env.DB.prepare("select key_metadata from usage_events where id = ?").bind(id).first())
        ?.key_metadata;
    expect(JSON.parse(String(await tagsOf(tagged.id)))).toEqual({ team: "search", "env.name": "prod" });
    expect(await tagsOf(untagged.id)).toBeNull();
    expect(await tagsOf(older.id)).toBeNull();
  });

  it("drops malformed messages and keeps the rest", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const good = message({ request_id: "req_mixed" });
    const result = await run([{ id: "nope" }, good, "text"]);
    expect(result.explicitAcks.sort()).toEqual(["m0", "m1", "m2"]);
    expect(await rowsOf("req_mixed")).toEqual([{ id: good.id, user_id: null, cost_usd: 0.25 }]);
    expect(errors).toHaveBeenCalledTimes(2);
  });

  it("retries the whole batch, backing off, when D1 fails", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const broken = {
      prepare: () => {
        throw new Error("D1_ERROR: database unavailable");
      },
    } as unknown as D1Database;
    const batch = batchOf([message(), message()], 3);
    const ctx = createExecutionContext();
    await consumeUsageBatch(batch, { DB: broken });
    const result = await getQueueResult(batch, ctx);
    expect(result.explicitAcks).toEqual([]);
    // (The test batch does not keep retry delays; the log line says which was asked.)
    expect(result.retryMessages).toEqual([{ msgId: "m0" }, { msgId: "m1" }]);
    expect(JSON.parse(errors.mock.calls[0]?.[0] as string)).toEqual({
      level: "error",
      msg: "usage batch not written, retrying",
      queue: "usage",
      messages: 2,
      records: 2,
      attempts: 3,
      retry_in_s: 8,
      error: "Error: D1_ERROR: database unavailable",
    });
  });
});
