import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import {
  configureVendorKeys,
  createUser,
  expectError,
  get,
  patch,
  post,
  scenario,
  sseData,
  usageOf,
} from "../helpers";

/** Chat completions and the gateway's accounting: usage rows, cache hits at zero cost, budgets. */

const rid = (res: { headers: Headers }) => res.headers.get("x-request-id") as string;
/** gpt-4o-mini at list price: 17 fresh + 4 cached prompt tokens, 8 completion tokens (the mock's usage). */
const GPT_4O_MINI_COST = (17 * 0.15 + 4 * 0.075 + 8 * 0.6) / 1_000_000;

let user: Awaited<ReturnType<typeof createUser>>;
beforeAll(async () => {
  await configureVendorKeys();
  user = await createUser();
});

const chat = (body: Record<string, unknown>, headers: Record<string, string> = {}, key = user.key) =>
  post(
    "/v1/chat/completions",
    { messages: [{ role: "user", content: "count me" }], ...body },
    { key, headers },
  );

describe("usage of chat completions", () => {
  it("records the vendor's numbers and the list-price cost", async () => {
    const res = await chat({ model: "openai/gpt-4o-mini" });
    const row = await usageOf(rid(res));
    expect(row).toMatchObject({
      user_id: user.user.id,
      api_key_id: user.keyId,
      route: "chat.completions",
      vendor: "openai",
      upstream_model: "gpt-4o-mini",
      input_tokens: 21,
      output_tokens: 8,
      cached_tokens: 4,
      status: 200,
      cache_hit: 0,
      retries: 0,
      error_code: null,
    });
    expect(row.cost_usd).toBeCloseTo(GPT_4O_MINI_COST, 12);
  });

  it("records streams when they end, with time to first token", async () => {
    const res = await chat({ model: "openai/gpt-4o-mini", stream: true });
    expect(sseData(res.text).at(-1)).toBe("[DONE]");
    const row = await usageOf(rid(res));
    expect(row).toMatchObject({ input_tokens: 21, output_tokens: 8, status: 200 });
    expect(row.ttft_ms).not.toBeNull();
  });

  it("records cache hits at zero cost, and the alias, retries and fallback", async () => {
    const cfg = await post("/v1/model-configs", {
      alias: "acct",
      vendor: "openai",
      upstream_model: scenario("fail-500"),
      fallbacks: ["openai/gpt-4o-mini"],
      pricing: { input_per_mtok: 1, output_per_mtok: 2 },
    });
    expect(cfg.status).toBe(201);
    const first = await chat({ model: "acct" }, { "x-cache-ttl": "60" });
    expect(first.headers.get("x-cache")).toBe("MISS");
    const row = await usageOf(rid(first));
    expect(row).toMatchObject({
      alias: "acct",
      vendor: "openai",
      upstream_model: "gpt-4o-mini",
      fallback_used: "openai/gpt-4o-mini",
    });
    let hit = await chat({ model: "acct" }, { "x-cache-ttl": "60" });
    for (let i = 0; i < 25 && hit.headers.get("x-cache") !== "HIT"; i++) {
      await new Promise((r) => setTimeout(r, 20));
      hit = await chat({ model: "acct" }, { "x-cache-ttl": "60" });
    }
    const hitRow = await usageOf(rid(hit));
    expect(hitRow).toMatchObject({ cache_hit: 1, cost_usd: 0, input_tokens: 21, output_tokens: 8 });
  });

  it("records failures with their status and code", async () => {
    const res = await chat({ model: `openai/${scenario("fail-429")}` });
    expect(res.status).toBe(429);
    expect(await usageOf(rid(res))).toMatchObject({
      status: 429,
      error_code: "upstream_rate_limited",
      input_tokens: 0,
    });
  });

  it("shows up in the caller's usage report", async () => {
    const report = await get("/v1/usage?group_by=model", { key: user.key });
    expect(report.status).toBe(200);
    const models = report.json.data.map((d: { key: string }) => d.key);
    expect(models).toEqual(expect.arrayContaining(["openai/gpt-4o-mini"]));
  });
});

describe("budgets on chat completions", () => {
  it("refuse a user over budget before the vendor is called, and settle real usage", async () => {
    const created = await post("/v1/users", {
      email: `${crypto.randomUUID()}@example.com`,
      budgets: { daily_tokens: 40 },
    });
    expect(created.status, created.text).toBe(201);
    const key = (await post(`/v1/users/${created.json.id}/api-keys`, {})).json.key as string;
    // Estimate: a short prompt + max_tokens 10 fits in 40; the vendor then reports 29 tokens.
    const ok = await chat({ model: "openai/gpt-4o-mini", max_tokens: 10 }, {}, key);
    expect(ok.status, ok.text).toBe(200);
    let spent = 0;
    for (let i = 0; i < 50 && spent !== 29; i++) {
      const budget = await get(`/v1/users/${created.json.id}/budget`);
      spent = budget.json.daily.spent_tokens;
      if (spent !== 29) await new Promise((r) => setTimeout(r, 20));
    }
    expect(spent).toBe(29);
    const model = scenario("inspect");
    const refused = await chat({ model: `openai/${model}`, max_tokens: 10 }, {}, key);
    expectError(refused, 429, "rate_limit_error", "budget_exceeded");
    expect(refused.headers.get("retry-after")).toMatch(/^\d+$/);
    const log = (await (await fetch(`${env.MOCK_UPSTREAM_URL}/__log?model=${model}`)).json()) as unknown[];
    expect(log).toHaveLength(0);
    // A cache hit would still be served: it costs nothing. Raising the budget lets calls through.
    expect((await patch(`/v1/users/${created.json.id}`, { budgets: { daily_tokens: 1000 } })).status).toBe(
      200,
    );
    expect((await chat({ model: "openai/gpt-4o-mini", max_tokens: 10 }, {}, key)).status).toBe(200);
  });
});
