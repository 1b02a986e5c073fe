import { beforeAll, describe, expect, it } from "vitest";
import { createUser, expectError, get, post, usageOf } from "../helpers";
import { type Caller, conversation, requestIdOf, seed, usageCallers } from "./usage-helpers";

/**
 * The usage reports, GET /v1/usage and /v1/admin/usage, over rows seeded in D1 and over live calls
 * recorded through the worker and the real queue. What each call records: usage-recording.test.ts.
 */

let bob: Caller;
beforeAll(async () => {
  const callers = await usageCallers();
  bob = callers.bob;
  // Live calls today, as usage-recording.test.ts makes them: Bob's report must show his two image
  // generations (one refused), not Alice's conversation message.
  const { key } = callers.alice;
  const calls = [
    await post(`/v1/conversations/${await conversation(key)}/messages`, { content: "hi" }, { key }),
    await post(
      "/v1/images/generations",
      { model: "mock/image", prompt: "a fox", response_format: "b64_json" },
      { key: bob.key },
    ),
    await post("/v1/images/generations", { model: "mock/echo", prompt: "a fox" }, { key: bob.key }),
  ];
  expect(calls.map((res) => res.status)).toEqual([201, 200, 400]);
  for (const res of calls) await usageOf(requestIdOf(res));
});

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

  it("sums the caller's calls per UTC hour, keyed by the hour's start", async () => {
    const res = await get(`/v1/usage?${RANGE}&group_by=hour`, { key: h1.key });
    expect(res.status, res.text).toBe(200);
    expect(res.json.group_by).toBe("hour");
    expect(res.json.totals).toEqual(h1Totals);
    expect(res.json.data.map((g: { key: string; requests: number }) => [g.key, g.requests])).toEqual([
      ["2025-03-01T10:00:00Z", 1],
      ["2025-03-01T23:00:00Z", 1],
      ["2025-03-02T00:00:00Z", 1],
      ["2025-03-03T12:00:00Z", 1],
    ]);
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
