import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { configureVendorKeys, createUser, post, scenario, sseData } from "../helpers";

let key: string;
let otherKey: string;
beforeAll(async () => {
  await configureVendorKeys();
  key = (await createUser()).key;
  otherKey = (await createUser()).key;
});

const upstreamCalls = async (model: string) =>
  (
    (await (
      await fetch(`${env.MOCK_UPSTREAM_URL}/__log?model=${encodeURIComponent(model)}`)
    ).json()) as unknown[]
  ).length;

const ask = (
  model: string,
  opts: { key?: string; headers?: Record<string, string>; extra?: Record<string, unknown> } = {},
) =>
  post(
    "/v1/chat/completions",
    { model: `openai/${model}`, messages: [{ role: "user", content: "cache me" }], ...opts.extra },
    { key: opts.key ?? key, headers: { "x-cache-ttl": "120", ...opts.headers } },
  );

/** Cache writes happen after the response (waitUntil); wait until the entry count settles. */
async function cacheEntries(min = 0): Promise<{ name: string; expiration?: number }[]> {
  let keys: { name: string; expiration?: number }[] = [];
  for (let i = 0; i < 50; i++) {
    keys = (await env.CACHE.list({ prefix: "resp:v2:" })).keys;
    if (keys.length >= min) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  return keys;
}

describe("response cache", () => {
  it("misses, then hits with the identical body, without calling the vendor again", async () => {
    const model = scenario("cached");
    const first = await ask(model);
    expect(first.status).toBe(200);
    expect(first.headers.get("x-cache")).toBe("MISS");
    await cacheEntries(1);
    const second = await ask(model);
    expect(second.headers.get("x-cache")).toBe("HIT");
    expect(second.json).toEqual(first.json);
    expect(second.headers.get("x-switchboard-model")).toBe(`openai/${model}`);
    expect(await upstreamCalls(model)).toBe(1);
    // A different request is a different entry.
    const other = await ask(model, { extra: { temperature: 0.2 } });
    expect(other.headers.get("x-cache")).toBe("MISS");
  });

  it("never shares answers between users", async () => {
    const model = scenario("tenant");
    const before = (await cacheEntries()).length;
    await ask(model);
    await cacheEntries(before + 1);
    expect((await ask(model, { key: otherKey })).headers.get("x-cache")).toBe("MISS");
    expect(await upstreamCalls(model)).toBe(2);
  });

  it("is off unless a TTL applies, and a model config's TTL turns it on", async () => {
    const model = scenario("off");
    const res = await post(
      "/v1/chat/completions",
      { model: `openai/${model}`, messages: [{ role: "user", content: "x" }] },
      { key },
    );
    expect(res.headers.get("x-cache")).toBe("BYPASS");
    const alias = await post("/v1/model-configs", {
      alias: "cached-alias",
      vendor: "openai",
      upstream_model: scenario("alias"),
      cache_ttl_seconds: 300,
    });
    expect(alias.status).toBe(201);
    const body = { model: "cached-alias", messages: [{ role: "user", content: "x" }] };
    const before = (await cacheEntries()).length;
    expect((await post("/v1/chat/completions", body, { key })).headers.get("x-cache")).toBe("MISS");
    const entries = await cacheEntries(before + 1);
    expect((await post("/v1/chat/completions", body, { key })).headers.get("x-cache")).toBe("HIT");
    // The entry expires with the TTL (KV evicts it; waiting 5 minutes is not a unit test).
    const expiries = entries.map((e) => e.expiration ?? 0);
    const now = Date.now() / 1000;
    expect(expiries.some((exp) => exp > now + 290 && exp <= now + 301)).toBe(true);
  });

  it("treats an entry past its TTL as a miss", async () => {
    const model = scenario("expiry");
    const before = (await cacheEntries()).length;
    await ask(model);
    const [entry] = await cacheEntries(before + 1);
    // Age every stored entry past its expiry (KV's own eviction at the TTL is not observable here).
    for (const { name } of await cacheEntries(1)) {
      const value = await env.CACHE.get<{ expiresAt: number }>(name, "json");
      if (value) await env.CACHE.put(name, JSON.stringify({ ...value, expiresAt: Date.now() - 1 }));
    }
    expect(entry).toBeDefined();
    const again = await ask(model);
    expect(again.headers.get("x-cache")).toBe("MISS");
    expect(await upstreamCalls(model)).toBe(2);
  });

  it("honours Cache-Control: no-cache (fresh answer, stored) and no-store (nothing)", async () => {
    const model = scenario("directives");
    const stored = (await cacheEntries()).length;
    await ask(model);
    await cacheEntries(stored + 1);
    const fresh = await ask(model, { headers: { "cache-control": "no-cache" } });
    expect(fresh.headers.get("x-cache")).toBe("BYPASS");
    expect(await upstreamCalls(model)).toBe(2);

    const before = (await cacheEntries()).length;
    const nostore = scenario("nostore");
    expect((await ask(nostore, { headers: { "cache-control": "no-store" } })).headers.get("x-cache")).toBe(
      "BYPASS",
    );
    expect((await ask(nostore)).headers.get("x-cache")).toBe("MISS");
    expect(await upstreamCalls(nostore)).toBe(2);
    expect((await cacheEntries(before + 1)).length).toBe(before + 1);
  });

  it("validates x-cache-ttl", async () => {
    const res = await ask(scenario("x"), { headers: { "x-cache-ttl": "30" } });
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe("invalid_cache_ttl");
  });

  it("never caches errors or cut-off streams", async () => {
    const before = (await cacheEntries()).length;
    expect((await ask(scenario("fail-500"))).status).toBe(502);
    const cut = await ask(scenario("cut-stream"), { extra: { stream: true } });
    expect(JSON.parse(sseData(cut.text).at(-1) as string).error).toBeDefined();
    await new Promise((r) => setTimeout(r, 100));
    expect((await cacheEntries()).length).toBe(before);
  });

  it("replays a cached answer as a well-formed stream", async () => {
    const model = scenario("replay");
    const before = (await cacheEntries()).length;
    const whole = await ask(model);
    await cacheEntries(before + 1);
    const res = await ask(model, { extra: { stream: true, stream_options: { include_usage: true } } });
    expect(res.headers.get("x-cache")).toBe("HIT");
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const data = sseData(res.text);
    expect(data.at(-1)).toBe("[DONE]");
    const chunks = data.slice(0, -1).map((d) => JSON.parse(d));
    expect(chunks.every((c) => c.object === "chat.completion.chunk")).toBe(true);
    expect(chunks.map((c) => c.choices[0]?.delta?.content ?? "").join("")).toBe(
      whole.json.choices[0].message.content,
    );
    expect(chunks.at(-2).choices[0].finish_reason).toBe("stop");
    expect(chunks.at(-1)).toMatchObject({
      choices: [],
      usage: {
        prompt_tokens: 21,
        completion_tokens: 8,
        total_tokens: 29,
        prompt_tokens_details: { cached_tokens: 4 },
      },
    });
  });

  it("fills the cache from a stream that finished", async () => {
    const model = scenario("streamfill");
    const streamed = await ask(model, { extra: { stream: true } });
    expect(streamed.headers.get("x-cache")).toBe("MISS");
    const before = (await cacheEntries()).length;
    let hit = await ask(model);
    for (let i = 0; i < 25 && hit.headers.get("x-cache") !== "HIT"; i++) {
      await new Promise((r) => setTimeout(r, 20));
      hit = await ask(model);
    }
    expect(hit.headers.get("x-cache")).toBe("HIT");
    expect(hit.json.choices[0].message.content).toBe("Hello! You said: cache me");
    expect(hit.json.usage).toMatchObject({ prompt_tokens: 21, completion_tokens: 8 });
    expect(before).toBeGreaterThan(0);
  });

  it("degrades to a miss when KV fails", async () => {
    const broken = {
      get: async () => {
        throw new Error("KV down");
      },
      put: async () => {
        throw new Error("KV down");
      },
    } as unknown as KVNamespace;
    const ctx = createExecutionContext();
    const res = await createApp().fetch(
      new Request("http://w/v1/chat/completions", {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json", "x-cache-ttl": "120" },
        body: JSON.stringify({ model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "x" }] }),
      }),
      { ...env, CACHE: broken },
      ctx,
    );
    await waitOnExecutionContext(ctx);
    expect(res.status).toBe(200);
    expect(res.headers.get("x-cache")).toBe("MISS");
  });
});
