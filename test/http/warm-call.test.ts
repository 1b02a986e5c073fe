import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { configureVendorKeys, createUser, get, post } from "../helpers";
import { storageTrips, type Trip } from "../storage-trips";

/**
 * A warm call (the same key and model called a moment before) reaches the vendor with no storage
 * round trip: no D1 statement, Durable Object call, KV or Cache API read before the vendor fetch,
 * on every dialect's lane, with the default settings (issue 13).
 */

interface Lane {
  name: string;
  path: string;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
}

const user = [{ role: "user", content: "warm?" }];
const LANES: Lane[] = [
  {
    name: "chat completions, OpenAI",
    path: "/v1/chat/completions",
    body: { model: "openai/gpt-4o-mini", messages: user },
  },
  {
    name: "chat completions, OpenAI, stream",
    path: "/v1/chat/completions",
    body: { model: "openai/gpt-4o-mini", messages: user, stream: true },
  },
  {
    name: "chat completions → Anthropic, stream",
    path: "/v1/chat/completions",
    body: { model: "anthropic/claude-haiku-4-5", messages: user, stream: true },
  },
  {
    name: "messages, Anthropic",
    path: "/v1/messages",
    body: { model: "anthropic/claude-haiku-4-5", max_tokens: 64, messages: user },
    headers: { "anthropic-version": "2023-06-01" },
  },
  {
    name: "messages → OpenAI, stream",
    path: "/v1/messages",
    body: { model: "openai/gpt-4o-mini", max_tokens: 64, messages: user, stream: true },
    headers: { "anthropic-version": "2023-06-01" },
  },
  {
    name: "responses, OpenAI",
    path: "/v1/responses",
    body: { model: "openai/gpt-4o-mini", input: "warm?", store: false },
  },
  {
    name: "responses → Anthropic, stream",
    path: "/v1/responses",
    body: { model: "anthropic/claude-haiku-4-5", input: "warm?", store: false, stream: true },
  },
];

async function call(key: string, lane: Lane, vars: Partial<Cloudflare.Env> = {}) {
  const trips = storageTrips({ ...env, ...vars });
  const ctx = createExecutionContext();
  const res = await trips.traced(async () => {
    const res = await createApp().fetch(
      new Request(`http://w${lane.path}`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json", ...lane.headers },
        body: JSON.stringify(lane.body),
      }),
      trips.env,
      ctx,
    );
    const text = await res.text();
    await waitOnExecutionContext(ctx);
    return { status: res.status, text };
  });
  return { ...res, before: trips.beforeUpstream(), log: trips.log };
}

const shown = (trips: Trip[]) => trips.map((t) => `${t.kind}: ${t.what.slice(0, 60)}`);

beforeAll(configureVendorKeys);

describe("a warm call", () => {
  for (const lane of LANES) {
    it(`makes no storage round trip before the vendor: ${lane.name}`, async () => {
      const { key } = await createUser();
      const cold = await call(key, lane);
      expect(cold.status, cold.text).toBe(200);
      // The cold call read the key, its user and the model in one D1 statement (and, the first
      // time this isolate calls the model, its circuit state from the Cache API).
      const coldTrips = shown(cold.before).filter((t) => t !== "cache: match");
      expect(coldTrips).toEqual([expect.stringMatching(/^d1: \s*select\s+k\.id as k_id/)]);
      const warm = await call(key, lane);
      expect(warm.status, warm.text).toBe(200);
      expect(shown(warm.before)).toEqual([]);
      expect(warm.log.some((t) => t.kind === "upstream")).toBe(true);
    });
  }
});

describe("a warm call to an alias with several targets and keys", () => {
  it("reads every target's vendor and keys in the one statement, then makes no round trip", async () => {
    for (const slug of ["warm-east", "warm-west"]) {
      const vendor = await post("/v1/vendors", {
        slug,
        kind: "openai-compatible",
        base_url: `${env.MOCK_UPSTREAM_URL}/deploy/${slug}/v1`,
        api_key: `${slug}-primary-key`,
      });
      expect(vendor.status, vendor.text).toBe(201);
      const extra = await post(`/v1/vendors/${slug}/keys`, { api_key: `${slug}-second-key`, weight: 2 });
      expect(extra.status, extra.text).toBe(201);
    }
    const config = await post("/v1/model-configs", {
      alias: "warm-spread",
      targets: [
        { vendor: "warm-east", upstream_model: "inspect", weight: 2 },
        { vendor: "warm-west", upstream_model: "inspect" },
      ],
    });
    expect(config.status, config.text).toBe(201);
    const lane: Lane = {
      name: "chat completions, an alias over two deployments",
      path: "/v1/chat/completions",
      body: { model: "warm-spread", messages: user },
    };
    const { key } = await createUser();
    const cold = await call(key, lane);
    expect(cold.status, cold.text).toBe(200);
    expect(shown(cold.before).filter((t) => t !== "cache: match")).toEqual([
      expect.stringMatching(/^d1: \s*select\s+k\.id as k_id/),
    ]);
    // Whichever target and key each call takes, none waits on storage.
    for (let i = 0; i < 6; i++) {
      const warm = await call(key, lane);
      expect(warm.status, warm.text).toBe(200);
      expect(shown(warm.before)).toEqual([]);
    }
  });
});

describe("a warm budgeted call", () => {
  it("takes its estimate from the isolate's lease: no Durable Object call before the vendor", async () => {
    const created = await post("/v1/users", {
      email: `${crypto.randomUUID()}@example.com`,
      budgets: { daily_tokens: 1_000_000, monthly_usd: 100 },
    });
    expect(created.status, created.text).toBe(201);
    const key = await post(`/v1/users/${created.json.id}/api-keys`, {});
    for (const lane of [LANES[0], LANES[3], LANES[6]] as Lane[]) {
      const cold = await call(key.json.key, lane);
      expect(cold.status, cold.text).toBe(200);
      const warm = await call(key.json.key, lane);
      expect(warm.status, warm.text).toBe(200);
      expect(shown(warm.before), lane.name).toEqual([]);
      // What the call spent reaches the object after the response.
      expect(warm.log.filter((t) => t.kind === "do").map((t) => t.what)).toContain("spend");
    }
    const budget = await get(`/v1/users/${created.json.id}/budget`);
    expect(budget.json.daily.spent_tokens).toBeGreaterThan(0);
  });
});

describe("a warm call through a scoped key with budgets of its own", () => {
  it("checks its models and holds both budgets from the isolate's leases: no storage trip before the vendor", async () => {
    const created = await post("/v1/users", {
      email: `${crypto.randomUUID()}@example.com`,
      budgets: { daily_tokens: 1_000_000 },
    });
    expect(created.status, created.text).toBe(201);
    const key = await post(`/v1/users/${created.json.id}/api-keys`, {
      models: ["openai/*", "anthropic/claude-haiku*"],
      budgets: { daily_tokens: 500_000, monthly_usd: 50 },
      metadata: { team: "warm" },
    });
    expect(key.status, key.text).toBe(201);
    for (const lane of [LANES[0], LANES[3], LANES[6]] as Lane[]) {
      const cold = await call(key.json.key, lane);
      expect(cold.status, cold.text).toBe(200);
      const warm = await call(key.json.key, lane);
      expect(warm.status, warm.text).toBe(200);
      expect(shown(warm.before), lane.name).toEqual([]);
      // Both budgets hear what the call spent, after the response.
      expect(
        warm.log.filter((t) => t.kind === "do" && t.what === "spend"),
        lane.name,
      ).toHaveLength(2);
    }
    const budget = await get(`/v1/users/${created.json.id}/api-keys/${key.json.id}/budget`);
    expect(budget.json.daily.spent_tokens).toBeGreaterThan(0);
  });
});

describe("the bound on what another isolate changed (AUTH_CACHE_SECONDS)", () => {
  const lane = LANES[0] as Lane;
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  // Writes straight to D1, as another isolate's would land: this isolate's cache is not told.
  const elsewhere = (sql: string, ...args: unknown[]) =>
    env.DB.prepare(sql)
      .bind(...args)
      .run();

  it("refreshes past half the bound after the response, so a revocation elsewhere stops the key", async () => {
    // 3 s: room on either side of the 1.5 s mark for a slow machine's calls.
    const bound = { AUTH_CACHE_SECONDS: "3" };
    const { key, keyId } = await createUser();
    expect((await call(key, lane, bound)).status).toBe(200);
    await elsewhere("update api_keys set revoked_at = ? where id = ?", Date.now(), keyId);
    // Inside the bound this isolate still acts on its read, without waiting for D1...
    const stale = await call(key, lane, bound);
    expect(stale.status).toBe(200);
    expect(shown(stale.before)).toEqual([]);
    await sleep(1600);
    // ...past half of it, the call is still served at once, and the key is read after it...
    const refreshing = await call(key, lane, bound);
    expect(refreshing.status).toBe(200);
    expect(shown(refreshing.before)).toEqual([]);
    expect(refreshing.log.filter((t) => t.kind === "d1" && /k\.id as k_id/.test(t.what))).toHaveLength(1);
    // ...so the next call knows of the revocation.
    const refused = await call(key, lane, bound);
    expect(refused.status).toBe(401);
    expect(JSON.parse(refused.text).error.code).toBe("revoked_api_key");
  });

  it("never acts on a read older than the bound, even with no call in between", async () => {
    const bound = { AUTH_CACHE_SECONDS: "1" };
    const { key, user } = await createUser();
    expect((await call(key, lane, bound)).status).toBe(200);
    await elsewhere("update users set role = 'admin' where id = ?", user.id);
    await sleep(1050);
    const after = await call(key, lane, bound);
    expect(after.status).toBe(200);
    expect(shown(after.before).filter((t) => t.startsWith("d1"))).toEqual([
      expect.stringMatching(/^d1: \s*select\s+k\.id as k_id/),
    ]);
  });

  it("reads on every call with AUTH_CACHE_SECONDS=0", async () => {
    const off = { AUTH_CACHE_SECONDS: "0" };
    const { key } = await createUser();
    for (let i = 0; i < 2; i++) expect((await call(key, lane, off)).before).toHaveLength(1);
  });
});
