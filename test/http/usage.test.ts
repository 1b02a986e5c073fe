import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { configureVendorKeys, createUser, expectError, get, post, type UsageRow, usageOf } from "../helpers";

/**
 * Usage accounting end to end: calls through the worker, records through the real queue (local
 * miniflare, batches flushed after 50 ms: vitest.config.ts), rows in D1, reports over HTTP.
 */

const requestIdOf = (res: { headers: Headers }) => res.headers.get("x-request-id") as string;

/** gpt-4o-mini's list price: 0.15 in, 0.075 cached in, 0.6 out (USD per million tokens). */
const GPT_4O_MINI_COST = (17 * 0.15 + 4 * 0.075 + 8 * 0.6) / 1_000_000;

async function conversation(key: string, model = "openai/gpt-4o-mini") {
  const res = await post("/v1/conversations", { model }, { key });
  expect(res.status, res.text).toBe(201);
  return res.json.id as string;
}

let alice: Awaited<ReturnType<typeof createUser>>;
let bob: Awaited<ReturnType<typeof createUser>>;
beforeAll(async () => {
  await configureVendorKeys();
  alice = await createUser();
  bob = await createUser();
});

describe("recording calls", () => {
  it("records a conversation message with the vendor's usage and the list price", async () => {
    const res = await post(
      `/v1/conversations/${await conversation(alice.key)}/messages`,
      { content: "hi" },
      {
        key: alice.key,
      },
    );
    expect(res.status, res.text).toBe(201);
    const row = await usageOf(requestIdOf(res));
    expect(row).toEqual({
      id: expect.stringMatching(/^use_/),
      request_id: requestIdOf(res),
      user_id: alice.user.id,
      api_key_id: alice.keyId,
      route: "conversation.message",
      vendor: "openai",
      upstream_model: "gpt-4o-mini",
      alias: null,
      input_tokens: 21,
      output_tokens: 8,
      cached_tokens: 4,
      cost_usd: expect.any(Number),
      latency_ms: expect.any(Number),
      ttft_ms: null,
      status: 201,
      cache_hit: 0,
      retries: 0,
      fallback_used: null,
      error_code: null,
      created_at: expect.any(Number),
    });
    expect(row.cost_usd).toBeCloseTo(GPT_4O_MINI_COST, 15);
    expect(row.cost_usd).toBeCloseTo(0.00000765, 15);
    expect(row.latency_ms).toBeGreaterThanOrEqual(0);
    expect(Math.abs(row.created_at - Date.now())).toBeLessThan(60_000);
  });

  it("records a streamed message when the stream ends, with its time to first token", async () => {
    const id = await conversation(alice.key);
    const res = await exports.default.fetch(
      new Request(`http://switchboard.test/v1/conversations/${id}/messages`, {
        method: "POST",
        headers: { authorization: `Bearer ${alice.key}`, "content-type": "application/json" },
        body: JSON.stringify({ content: "stream please", stream: true }),
      }),
    );
    expect(res.status).toBe(201);
    await res.text();
    const row = await usageOf(requestIdOf(res));
    expect(row).toMatchObject({
      route: "conversation.message",
      vendor: "openai",
      upstream_model: "gpt-4o-mini",
      input_tokens: 21,
      output_tokens: 8,
      cached_tokens: 4,
      status: 201,
      error_code: null,
    });
    expect(row.cost_usd).toBeCloseTo(GPT_4O_MINI_COST, 15);
    expect(row.ttft_ms).toEqual(expect.any(Number));
    expect(row.ttft_ms).toBeLessThanOrEqual(row.latency_ms as number);
  });

  it("prices an alias by its model config and records the alias", async () => {
    const alias = `priced-${crypto.randomUUID().slice(0, 8)}`;
    const config = await post("/v1/model-configs", {
      alias,
      vendor: "openai",
      upstream_model: "gpt-4o-mini",
      pricing: { input_per_mtok: 1, output_per_mtok: 2 },
    });
    expect(config.status, config.text).toBe(201);
    const res = await post(
      `/v1/conversations/${await conversation(alice.key, alias)}/messages`,
      { content: "x" },
      {
        key: alice.key,
      },
    );
    expect(res.status, res.text).toBe(201);
    const row = await usageOf(requestIdOf(res));
    expect(row).toMatchObject({ vendor: "openai", upstream_model: "gpt-4o-mini", alias, input_tokens: 21 });
    // No cached price in the config: cached tokens cost the input price.
    expect(row.cost_usd).toBeCloseTo((21 * 1 + 8 * 2) / 1_000_000, 15);
  });

  it("records a vendor failure with its status and error code, and no tokens", async () => {
    const id = await conversation(alice.key, "openai/fail-500~usage");
    const res = await post(`/v1/conversations/${id}/messages`, { content: "x" }, { key: alice.key });
    const error = expectError(res, 502, "upstream_error");
    const row = await usageOf(requestIdOf(res));
    expect(row).toMatchObject({
      vendor: "openai",
      upstream_model: "fail-500~usage",
      input_tokens: 0,
      output_tokens: 0,
      cached_tokens: 0,
      cost_usd: 0,
      status: 502,
      error_code: error.code,
    });
  });

  it("records a failure before any vendor was chosen", async () => {
    const id = await conversation(alice.key);
    const res = await post(
      `/v1/conversations/${id}/messages`,
      { content: "x", model: "nope/none" },
      {
        key: alice.key,
      },
    );
    expectError(res, 404, "not_found_error", "model_not_found");
    expect(await usageOf(requestIdOf(res))).toMatchObject({
      route: "conversation.message",
      user_id: alice.user.id,
      vendor: null,
      upstream_model: null,
      status: 404,
      error_code: "model_not_found",
    });
  });

  it("records image generations", async () => {
    const res = await post(
      "/v1/images/generations",
      { model: "mock/image", prompt: "a fox", response_format: "b64_json" },
      { key: bob.key },
    );
    expect(res.status, res.text).toBe(200);
    expect(await usageOf(requestIdOf(res))).toMatchObject({
      route: "images.generations",
      user_id: bob.user.id,
      api_key_id: bob.keyId,
      vendor: "mock",
      upstream_model: "image",
      input_tokens: res.json.usage.input_tokens,
      output_tokens: 0,
      cost_usd: 0,
      status: 200,
      error_code: null,
    });

    const refused = await post(
      "/v1/images/generations",
      { model: "mock/echo", prompt: "a fox" },
      { key: bob.key },
    );
    const error = expectError(refused, 400, "invalid_request_error");
    expect(await usageOf(requestIdOf(refused))).toMatchObject({
      route: "images.generations",
      vendor: "mock",
      status: 400,
      error_code: error.code,
      input_tokens: 0,
    });
  });

  it("writes a redelivered record once", async () => {
    const message = {
      id: `use_${crypto.randomUUID()}`,
      request_id: "req_redelivered",
      user_id: alice.user.id,
      api_key_id: alice.keyId,
      route: "chat.completions",
      vendor: "openai",
      upstream_model: "gpt-4o-mini",
      alias: null,
      input_tokens: 1,
      output_tokens: 1,
      cached_tokens: 0,
      cost_usd: 0.5,
      latency_ms: 1,
      ttft_ms: null,
      status: 200,
      cache_hit: false,
      retries: 0,
      fallback_used: null,
      error_code: null,
      created_at: Date.UTC(2024, 0, 1),
    };
    await env.USAGE_QUEUE.sendBatch([
      { body: message, contentType: "json" },
      { body: message, contentType: "json" },
    ]);
    await usageOf("req_redelivered");
    await env.USAGE_QUEUE.send(message, { contentType: "json" });
    // A later message, to know the redelivery was consumed before counting.
    await env.USAGE_QUEUE.send(
      { ...message, id: `use_${crypto.randomUUID()}`, request_id: "req_marker" },
      {
        contentType: "json",
      },
    );
    await usageOf("req_marker");
    const { results } = await env.DB.prepare("select id from usage_events where request_id = ?")
      .bind("req_redelivered")
      .all();
    expect(results).toEqual([{ id: message.id }]);
  });
});

/** Rows straight into D1, on days long gone, so live calls never fall in the reports' range. */
async function seed(rows: Partial<UsageRow>[]) {
  const columns = [
    "id",
    "request_id",
    "user_id",
    "api_key_id",
    "route",
    "vendor",
    "upstream_model",
    "alias",
    "input_tokens",
    "output_tokens",
    "cached_tokens",
    "cost_usd",
    "latency_ms",
    "status",
    "cache_hit",
    "error_code",
    "created_at",
  ] as const;
  await env.DB.batch(
    rows.map((row) => {
      const full: Record<string, unknown> = {
        id: `use_${crypto.randomUUID()}`,
        request_id: `req_${crypto.randomUUID()}`,
        route: "chat.completions",
        alias: null,
        input_tokens: 0,
        output_tokens: 0,
        cached_tokens: 0,
        cost_usd: 0,
        latency_ms: null,
        status: 200,
        cache_hit: 0,
        error_code: null,
        ...row,
      };
      return env.DB.prepare(
        `insert into usage_events (${columns.join(", ")}) values (${columns.map(() => "?").join(", ")})`,
      ).bind(...columns.map((c) => full[c] ?? null));
    }),
  );
}

const at = (iso: string) => Date.parse(iso);
const RANGE = "from=2025-03-01&to=2025-03-04";
const zero = { requests: 0, errors: 0, cache_hits: 0, input_tokens: 0, output_tokens: 0, cached_tokens: 0 };

describe("GET /v1/usage and /v1/admin/usage", () => {
  let h1: Awaited<ReturnType<typeof createUser>>;
  let h2: Awaited<ReturnType<typeof createUser>>;
  let h1SecondKey: string;
  beforeAll(async () => {
    h1 = await createUser();
    h2 = await createUser();
    const second = await post(`/v1/users/${h1.user.id}/api-keys`, { name: "second" });
    expect(second.status).toBe(201);
    h1SecondKey = second.json.id;
    const mini = { vendor: "openai", upstream_model: "gpt-4o-mini" };
    const mine = { user_id: h1.user.id, api_key_id: h1.keyId };
    await seed([
      {
        ...mine,
        ...mini,
        input_tokens: 1000,
        output_tokens: 500,
        cached_tokens: 200,
        cost_usd: 0.0005,
        latency_ms: 100,
        created_at: at("2025-03-01T10:00:00Z"),
      },
      {
        ...mine,
        vendor: "anthropic",
        upstream_model: "claude-haiku-4-5",
        alias: "fast",
        input_tokens: 2000,
        output_tokens: 100,
        cost_usd: 0.0025,
        latency_ms: 300,
        created_at: at("2025-03-01T23:59:59.999Z"),
      },
      {
        ...mine,
        ...mini,
        latency_ms: 50,
        status: 502,
        error_code: "upstream_unavailable",
        created_at: at("2025-03-02T00:00:00Z"),
      },
      {
        user_id: h1.user.id,
        api_key_id: h1SecondKey,
        ...mini,
        alias: "fast",
        input_tokens: 300,
        output_tokens: 30,
        cost_usd: 0.0001,
        cache_hit: 1,
        created_at: at("2025-03-03T12:00:00Z"),
      },
      {
        user_id: h2.user.id,
        api_key_id: h2.keyId,
        vendor: "openai",
        upstream_model: "gpt-4o",
        input_tokens: 10000,
        output_tokens: 1000,
        cost_usd: 0.035,
        latency_ms: 1000,
        created_at: at("2025-03-02T08:00:00Z"),
      },
      // Outside the range: `to` is exclusive, `from` inclusive.
      {
        ...mine,
        ...mini,
        input_tokens: 9,
        cost_usd: 1,
        latency_ms: 1,
        created_at: at("2025-03-04T00:00:00Z"),
      },
      {
        ...mine,
        ...mini,
        input_tokens: 9,
        cost_usd: 1,
        latency_ms: 1,
        created_at: at("2025-02-28T23:59:59.999Z"),
      },
    ]);
  });

  const day1 = {
    ...zero,
    requests: 2,
    input_tokens: 3000,
    output_tokens: 600,
    cached_tokens: 200,
    cost_usd: 0.003,
    avg_latency_ms: 200,
  };
  const day2 = { ...zero, requests: 1, errors: 1, cost_usd: 0, avg_latency_ms: 50 };
  const day3 = {
    ...zero,
    requests: 1,
    cache_hits: 1,
    input_tokens: 300,
    output_tokens: 30,
    cost_usd: 0.0001,
    avg_latency_ms: null,
  };
  const h1Totals = {
    requests: 4,
    errors: 1,
    cache_hits: 1,
    input_tokens: 3300,
    output_tokens: 630,
    cached_tokens: 200,
    cost_usd: 0.0031,
    avg_latency_ms: 150,
  };

  it("sums the caller's calls per UTC day, `to` exclusive", async () => {
    const res = await get(`/v1/usage?${RANGE}&group_by=day`, { key: h1.key });
    expect(res.status, res.text).toBe(200);
    expect(res.json).toEqual({
      from: "2025-03-01T00:00:00.000Z",
      to: "2025-03-04T00:00:00.000Z",
      group_by: "day",
      data: [
        { key: "2025-03-01", ...day1 },
        { key: "2025-03-02", ...day2 },
        { key: "2025-03-03", ...day3 },
      ],
      totals: h1Totals,
    });
  });

  it("groups by model, vendor, key and alias", async () => {
    const by = async (groupBy: string) => {
      const res = await get(`/v1/usage?${RANGE}&group_by=${groupBy}`, { key: h1.key });
      expect(res.status, res.text).toBe(200);
      expect(res.json.totals).toEqual(h1Totals);
      return res.json.data;
    };
    const haiku = {
      ...zero,
      requests: 1,
      input_tokens: 2000,
      output_tokens: 100,
      cost_usd: 0.0025,
      avg_latency_ms: 300,
    };
    const minis = {
      requests: 3,
      errors: 1,
      cache_hits: 1,
      input_tokens: 1300,
      output_tokens: 530,
      cached_tokens: 200,
      cost_usd: 0.0006,
      avg_latency_ms: 75,
    };
    expect(await by("model")).toEqual([
      { key: "anthropic/claude-haiku-4-5", ...haiku },
      { key: "openai/gpt-4o-mini", ...minis },
    ]);
    expect(await by("vendor")).toEqual([
      { key: "anthropic", ...haiku },
      { key: "openai", ...minis },
    ]);
    expect(await by("key")).toEqual([
      {
        key: h1.keyId,
        requests: 3,
        errors: 1,
        cache_hits: 0,
        input_tokens: 3000,
        output_tokens: 600,
        cached_tokens: 200,
        cost_usd: 0.003,
        avg_latency_ms: 150,
      },
      { key: h1SecondKey, ...day3 },
    ]);
    expect(await by("alias")).toEqual([
      {
        key: null,
        ...zero,
        requests: 2,
        errors: 1,
        input_tokens: 1000,
        output_tokens: 500,
        cached_tokens: 200,
        cost_usd: 0.0005,
        avg_latency_ms: 75,
      },
      {
        key: "fast",
        ...zero,
        requests: 2,
        cache_hits: 1,
        input_tokens: 2300,
        output_tokens: 130,
        cost_usd: 0.0026,
        avg_latency_ms: 300,
      },
    ]);
  });

  it("filters by model (vendor/model or alias) and by vendor", async () => {
    const totals = async (query: string) => {
      const res = await get(`/v1/usage?${RANGE}&${query}`, { key: h1.key });
      expect(res.status, res.text).toBe(200);
      return res.json.totals;
    };
    expect((await totals("model=openai/gpt-4o-mini")).requests).toBe(3);
    expect(await totals("model=fast")).toMatchObject({ requests: 2, cost_usd: 0.0026 });
    expect(await totals("vendor=anthropic")).toMatchObject({ requests: 1, cost_usd: 0.0025 });
    expect(await totals("vendor=gemini")).toEqual({ ...zero, cost_usd: 0, avg_latency_ms: null });
  });

  it("shows a user only their own usage", async () => {
    const res = await get(`/v1/usage?${RANGE}&group_by=model`, { key: h2.key });
    expect(res.status, res.text).toBe(200);
    expect(res.json.data).toEqual([
      {
        key: "openai/gpt-4o",
        ...zero,
        requests: 1,
        input_tokens: 10000,
        output_tokens: 1000,
        cost_usd: 0.035,
        avg_latency_ms: 1000,
      },
    ]);
    // Another user's filter values change nothing: the scope is the caller.
    expect((await get(`/v1/usage?${RANGE}&model=fast`, { key: h2.key })).json.totals.requests).toBe(0);
    // Alice's live calls (today) are not Bob's either.
    const bobs = await get("/v1/usage?group_by=model", { key: bob.key });
    expect(bobs.json.data.map((g: { key: string }) => g.key)).toEqual(["mock/echo", "mock/image"]);
  });

  it("reports the live calls in the default range (the last 30 days) to the cent fraction", async () => {
    const carol = await createUser();
    const res = await post(
      `/v1/conversations/${await conversation(carol.key)}/messages`,
      { content: "hi" },
      {
        key: carol.key,
      },
    );
    expect(res.status).toBe(201);
    await usageOf(requestIdOf(res));
    const report = await get("/v1/usage?group_by=model", { key: carol.key });
    expect(report.status, report.text).toBe(200);
    expect(Date.parse(report.json.to) - Date.parse(report.json.from)).toBe(30 * 24 * 3600 * 1000);
    expect(report.json.data).toEqual([
      {
        key: "openai/gpt-4o-mini",
        requests: 1,
        errors: 0,
        cache_hits: 0,
        input_tokens: 21,
        output_tokens: 8,
        cached_tokens: 4,
        cost_usd: 0.00000765,
        avg_latency_ms: expect.any(Number),
      },
    ]);
  });

  it("gives admins every user's usage, per user or for one", async () => {
    const perUser = await get(`/v1/admin/usage?${RANGE}&group_by=user`);
    expect(perUser.status, perUser.text).toBe(200);
    expect(perUser.json.data).toEqual([
      { key: h1.user.id, ...h1Totals },
      {
        key: h2.user.id,
        ...zero,
        requests: 1,
        input_tokens: 10000,
        output_tokens: 1000,
        cost_usd: 0.035,
        avg_latency_ms: 1000,
      },
    ]);
    expect(perUser.json.totals).toMatchObject({ requests: 5, cost_usd: 0.0381, avg_latency_ms: 363 });

    const one = await get(`/v1/admin/usage?${RANGE}&user_id=${h2.user.id}&group_by=vendor`);
    expect(one.json.data).toEqual([expect.objectContaining({ key: "openai", requests: 1 })]);

    // An admin user's key works too; ADMIN_API_KEY on /v1/usage sees everyone.
    const admin = await createUser({ role: "admin" });
    const viaAdminUser = await get(`/v1/admin/usage?${RANGE}`, { key: admin.key });
    expect(viaAdminUser.json.totals.requests).toBe(5);
    expect((await get(`/v1/usage?${RANGE}`)).json.totals.requests).toBe(5);
    // On /v1/usage an admin user sees their own calls.
    expect((await get(`/v1/usage?${RANGE}`, { key: admin.key })).json.totals.requests).toBe(0);
  });

  it("refuses /v1/admin/* to non-admin keys", async () => {
    expectError(await get("/v1/admin/usage", { key: h1.key }), 403, "permission_error", "admin_required");
    expectError(await get("/v1/admin/stats", { key: h1.key }), 403, "permission_error", "admin_required");
    expectError(await get("/v1/usage", { key: null }), 401, "authentication_error");
  });

  it("validates the range and the grouping", async () => {
    const bad = async (query: string, code: string, param: string) => {
      const err = expectError(
        await get(`/v1/usage?${query}`, { key: h1.key }),
        400,
        "invalid_request_error",
        code,
      );
      expect(err.param).toBe(param);
    };
    await bad("from=2025-03-04&to=2025-03-01", "invalid_range", "from");
    await bad("from=2025-03-01&to=2025-03-01", "invalid_range", "from");
    await bad("from=2024-01-01&to=2025-01-02", "invalid_range", "from");
    await bad("from=yesterday", "invalid_query", "from");
    expect((await get("/v1/usage?from=yesterday", { key: h1.key })).json.error.message).toBe(
      "from: must be an ISO-8601 date-time (2026-11-01T00:00:00Z) or date (2026-11-01)",
    );
    await bad("to=2025-13-01", "invalid_query", "to");
    await bad("group_by=week", "invalid_query", "group_by");
    await bad("group_by=user", "invalid_query", "group_by");
    // 366 days exactly is allowed (a leap year).
    expect((await get("/v1/usage?from=2024-01-01&to=2025-01-01", { key: h1.key })).status).toBe(200);
    const offset = await get(
      `/v1/admin/usage?from=2025-03-01T00:00:00%2B02:00&to=2025-03-04T00:00:00Z&group_by=user`,
    );
    expect(offset.status, offset.text).toBe(200);
    // 22:00 UTC the day before, so the row seeded at 23:59:59.999 that day is in.
    expect(offset.json.from).toBe("2025-02-28T22:00:00.000Z");
    expect(offset.json.totals.requests).toBe(6);
  });
});
