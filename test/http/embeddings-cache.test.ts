import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { mockEmbedding } from "../../src/providers/mock/embeddings";
import { configureVendorKeys, createUser, get, post, scenario, usageOf } from "../helpers";
import { upstreamVector } from "../mocks/embeddings";

/**
 * Embeddings are cached per input item (src/gateway/cache/embeddings.ts): a request whose items
 * were partly seen sends only the others, each distinct one once, and gets every vector back at
 * its own position; a wholly cached one calls no vendor and costs nothing.
 */

let user: Awaited<ReturnType<typeof createUser>>;
let other: Awaited<ReturnType<typeof createUser>>;
beforeAll(async () => {
  await configureVendorKeys();
  user = await createUser();
  other = await createUser();
});

const DIMENSIONS = 8;
const embed = (
  body: Record<string, unknown>,
  opts: { key?: string; headers?: Record<string, string> } = {},
) =>
  post(
    "/v1/embeddings",
    { dimensions: DIMENSIONS, ...body },
    { key: opts.key ?? user.key, headers: opts.headers },
  );
const vectors = (res: { json: any }) => res.json.data.map((d: any) => d.embedding);
const expected = (texts: string[]) => texts.map((t) => upstreamVector(t, DIMENSIONS));
const decode = (b64: string) =>
  Array.from(new Float32Array(Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)).buffer));

async function upstreamInputs(model: string): Promise<unknown[]> {
  const res = await fetch(`${env.MOCK_UPSTREAM_URL}/__log?model=${encodeURIComponent(model)}`);
  return ((await res.json()) as { body: { input: unknown } }[]).map((r) => r.body.input);
}

/** Item entries are written after the response (waitUntil): waits until there are at least `min`. */
/** The item entries in KV once there are at least `min` (entries are written after the response). */
async function itemEntries(min: number): Promise<number> {
  let count = 0;
  for (let i = 0; i < 100; i++) {
    count = (await env.CACHE.list({ prefix: "emb:v1:" })).keys.length;
    if (count >= min) return count;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${count} item entries in KV, expected at least ${min}`);
}

describe("the per-item embeddings cache", () => {
  it("merges a partly cached request by position: duplicates sent once, an out-of-order vendor, misses only", async () => {
    // The vendor answers every batch in reverse order; $1000 per million input tokens.
    const model = scenario("reversed");
    const made = await post("/v1/model-configs", {
      alias: "emb-cached",
      vendor: "openai",
      upstream_model: model,
      capabilities: { embeddings: true },
      pricing: { input_per_mtok: 1000 },
      cache_ttl_seconds: 3600,
    });
    expect(made.status, made.text).toBe(201);
    const [a, b, c, d] = ["alpha beta", "gamma", "delta epsilon zeta", "eta"] as const;
    const before = await itemEntries(0);

    const first = await embed({ model: "emb-cached", input: [a, b] });
    expect(first.status, first.text).toBe(200);
    expect(first.headers.get("x-cache")).toBe("MISS");
    expect(vectors(first)).toEqual(expected([a, b]));
    // The mock counts a token a word plus one: 3 + 2.
    expect(first.json.usage.prompt_tokens).toBe(5);
    expect(await itemEntries(before + 2)).toBe(before + 2);

    const mixed = await embed({ model: "emb-cached", input: [c, a, b, c, a, d] });
    expect(mixed.status, mixed.text).toBe(200);
    expect(mixed.headers.get("x-cache")).toBe("PARTIAL");
    expect(mixed.json.data.map((e: any) => e.index)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(vectors(mixed)).toEqual(expected([c, a, b, c, a, d]));
    expect(await upstreamInputs(model)).toEqual([
      [a, b],
      [c, d],
    ]);
    // The vendor counted 4 + 2 for the batch [c, d], shared out by the items' sizes (5 : 1); a
    // and b keep what they cost the first time; repeats count again, as OpenAI counts them.
    expect(mixed.json.usage).toEqual({ prompt_tokens: 5 + 3 + 2 + 5 + 3 + 1, total_tokens: 19 });
    const mixedRow = await usageOf(mixed.headers.get("x-request-id")!);
    // Only the 6 tokens sent were paid for.
    expect(mixedRow).toMatchObject({ cache_hit: 0, input_tokens: 19, output_tokens: 0 });
    expect(mixedRow.cost_usd).toBeCloseTo(0.006, 10);
    expect(await itemEntries(before + 4)).toBe(before + 4);

    const hit = await embed({ model: "emb-cached", input: [d, b, a, a], encoding_format: "base64" });
    expect(hit.status, hit.text).toBe(200);
    expect(hit.headers.get("x-cache")).toBe("HIT");
    expect(hit.headers.get("x-switchboard-model")).toBe(`openai/${model}`);
    expect(hit.json.data.map((e: any) => decode(e.embedding))).toEqual(expected([d, b, a, a]));
    expect(hit.json.usage.prompt_tokens).toBe(1 + 2 + 3 + 3);
    expect(await upstreamInputs(model)).toHaveLength(2);
    expect(await usageOf(hit.headers.get("x-request-id")!)).toMatchObject({
      cache_hit: 1,
      cost_usd: 0,
      input_tokens: 9,
      status: 200,
    });

    const report = await get("/v1/usage?group_by=alias", { key: user.key });
    expect(report.status, report.text).toBe(200);
    const figures = report.json.data.find((g: any) => g.key === "emb-cached");
    expect(figures).toMatchObject({ requests: 3, cache_hits: 1, input_tokens: 5 + 19 + 9 });
    expect(figures.cost_usd).toBeCloseTo(0.005 + 0.006, 10);
  });

  it("says BYPASS without a TTL and with no-store, skips the read with no-cache but stores", async () => {
    const model = `openai/${scenario("plain")}`;
    const texts = ["one thing", "another"];
    const none = await embed({ model, input: texts });
    expect(none.headers.get("x-cache")).toBe("BYPASS");
    const before = await itemEntries(0);
    const noStore = await embed(
      { model, input: texts },
      { headers: { "x-cache-ttl": "600", "cache-control": "no-store" } },
    );
    expect(noStore.headers.get("x-cache")).toBe("BYPASS");
    const noCache = await embed(
      { model, input: texts },
      { headers: { "x-cache-ttl": "600", "cache-control": "no-cache" } },
    );
    expect(noCache.headers.get("x-cache")).toBe("BYPASS");
    expect(await itemEntries(before + 2)).toBe(before + 2);
    const hit = await embed({ model, input: texts }, { headers: { "x-cache-ttl": "600" } });
    expect(hit.headers.get("x-cache")).toBe("HIT");
    expect(vectors(hit)).toEqual(vectors(none));
  });

  it("keeps entries apart per user, dimensions and input type", async () => {
    const model = `openai/${scenario("plain")}`;
    const headers = { "x-cache-ttl": "600" };
    const before = await itemEntries(0);
    expect((await embed({ model, input: "apart" }, { headers })).headers.get("x-cache")).toBe("MISS");
    await itemEntries(before + 1);
    expect((await embed({ model, input: "apart" }, { headers })).headers.get("x-cache")).toBe("HIT");
    expect((await embed({ model, input: "apart" }, { key: other.key, headers })).headers.get("x-cache")).toBe(
      "MISS",
    );
    expect((await embed({ model, input: "apart", dimensions: 4 }, { headers })).headers.get("x-cache")).toBe(
      "MISS",
    );
    expect(
      (await embed({ model, input: "apart", input_type: "query" }, { headers })).headers.get("x-cache"),
    ).toBe("MISS");
  });

  it("charges budgets only the tokens a vendor was paid for; a whole hit holds nothing", async () => {
    const created = await post("/v1/users", {
      email: `${crypto.randomUUID()}@example.com`,
      budgets: { daily_tokens: 1000 },
    });
    expect(created.status, created.text).toBe(201);
    const budgeted = (await post(`/v1/users/${created.json.id}/api-keys`, {})).json.key as string;
    const spent = async (expected: number) => {
      let tokens = -1;
      for (let i = 0; i < 50 && tokens !== expected; i++) {
        tokens = (await get(`/v1/users/${created.json.id}/budget`)).json.daily.spent_tokens;
        if (tokens !== expected) await new Promise((r) => setTimeout(r, 20));
      }
      return tokens;
    };
    const model = `openai/${scenario("plain")}`;
    const headers = { "x-cache-ttl": "600" };
    const before = await itemEntries(0);
    // "one two three" is 4 tokens by the mock's count, "four" 2.
    const first = await embed({ model, input: ["one two three"] }, { key: budgeted, headers });
    expect(first.status, first.text).toBe(200);
    expect(await spent(4)).toBe(4);
    await itemEntries(before + 1);
    const partial = await embed({ model, input: ["one two three", "four"] }, { key: budgeted, headers });
    expect(partial.headers.get("x-cache")).toBe("PARTIAL");
    expect(partial.json.usage.prompt_tokens).toBe(6);
    expect(await spent(6)).toBe(6);
    await itemEntries(before + 2);
    const hit = await embed({ model, input: ["four", "one two three"] }, { key: budgeted, headers });
    expect(hit.headers.get("x-cache")).toBe("HIT");
    await new Promise((r) => setTimeout(r, 100));
    expect(await spent(6)).toBe(6);
  });

  it("keeps each model's vectors apart: a fallback's answer is cached under the fallback", async () => {
    // The vendor fails its first request only; the alias falls back to the mock vendor.
    const made = await post("/v1/model-configs", {
      alias: "emb-fallback-cached",
      vendor: "openai",
      upstream_model: scenario("flaky-500-1"),
      capabilities: { embeddings: true },
      fallbacks: ["mock/embed"],
      cache_ttl_seconds: 600,
    });
    expect(made.status, made.text).toBe(201);
    const before = await itemEntries(0);
    const first = await embed({ model: "emb-fallback-cached", input: "which model?" });
    expect(first.headers.get("x-switchboard-fallback")).toBe("mock/embed");
    expect(vectors(first)).toEqual([Array.from(mockEmbedding("which model?", DIMENSIONS))]);
    await itemEntries(before + 1);
    // The model asked for has no entry of its own yet: it answers, with its own vector.
    const second = await embed({ model: "emb-fallback-cached", input: "which model?" });
    expect(second.headers.get("x-cache")).toBe("MISS");
    expect(second.headers.get("x-switchboard-fallback")).toBeNull();
    expect(vectors(second)).toEqual(expected(["which model?"]));
    await itemEntries(before + 2);
    const third = await embed({ model: "emb-fallback-cached", input: "which model?" });
    expect(third.headers.get("x-cache")).toBe("HIT");
    expect(vectors(third)).toEqual(expected(["which model?"]));
  });

  it("stores nothing from a failed call", async () => {
    const before = await itemEntries(0);
    const res = await embed(
      { model: `openai/${scenario("fail-500")}`, input: ["lost"] },
      { headers: { "x-cache-ttl": "600" } },
    );
    expect(res.status).toBe(502);
    await new Promise((r) => setTimeout(r, 100));
    expect(await itemEntries(0)).toBe(before);
  });
});
