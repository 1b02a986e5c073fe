import { env, exports } from "cloudflare:workers";
import Anthropic from "@anthropic-ai/sdk";
import { beforeAll, describe, expect, it } from "vitest";
import { configureVendorKeys, createUser, post, scenario } from "../helpers";

/**
 * The response cache on POST /v1/messages: tenant-scoped, the dialect part of the key, a stored
 * answer served whole or replayed as Anthropic's stream, whichever vendor answered (the passthrough
 * of an `anthropic` vendor, or a translated one), and the SDK reads a hit as it reads a live answer.
 */

let key: string;
let otherKey: string;
beforeAll(async () => {
  await configureVendorKeys();
  key = (await createUser()).key;
  otherKey = (await createUser()).key;
});

const workerFetch = (i: RequestInfo | URL, init?: RequestInit) => exports.default.fetch(new Request(i, init));
const client = (apiKey = key, headers: Record<string, string> = {}) =>
  new Anthropic({
    apiKey,
    baseURL: "http://w",
    fetch: workerFetch,
    maxRetries: 0,
    defaultHeaders: { "x-cache-ttl": "120", ...headers },
  });

const upstreamCalls = async (model: string) =>
  (
    (await (
      await fetch(`${env.MOCK_UPSTREAM_URL}/__log?model=${encodeURIComponent(model)}`)
    ).json()) as unknown[]
  ).length;

/** Cache writes happen after the response (waitUntil): wait until the entry is there. */
async function settled(model: string, ask: () => Promise<{ hit: boolean }>): Promise<void> {
  for (let i = 0; i < 50; i++) {
    if ((await ask()).hit) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no cache entry for ${model}`);
}

const request = (model: string) => ({
  model,
  max_tokens: 64,
  messages: [{ role: "user" as const, content: "cache me" }],
});

async function create(model: string, apiKey = key, headers: Record<string, string> = {}) {
  const { data, response } = await client(apiKey, headers).messages.create(request(model)).withResponse();
  return {
    message: data,
    cache: response.headers.get("x-cache"),
    hit: response.headers.get("x-cache") === "HIT",
  };
}

async function streamed(model: string, apiKey = key) {
  const stream = client(apiKey).messages.stream(request(model));
  const types: string[] = [];
  stream.on("streamEvent", (e) => types.push(e.type));
  // The SDK's stream helper adds `parsed_output` (structured outputs) to what it rebuilds.
  const { parsed_output: _, ...message } = (await stream.finalMessage()) as { parsed_output?: unknown };
  const { response } = await stream.withResponse();
  return {
    message,
    types,
    cache: response.headers.get("x-cache"),
    hit: response.headers.get("x-cache") === "HIT",
  };
}

describe.each([
  ["anthropic (passthrough)", "anthropic", "cached"],
  ["openai (translated)", "openai", "cached"],
])("messages cache, %s", (_label, vendor, name) => {
  it("misses, then serves the same message without calling the vendor again", async () => {
    const upstream = scenario(name);
    const model = `${vendor}/${upstream}`;
    const first = await create(model);
    expect(first.cache).toBe("MISS");
    await settled(model, () => create(model));
    const hit = await create(model);
    expect(hit.message).toEqual(first.message);
    expect(await upstreamCalls(upstream)).toBe(1);
  });

  it("replays a stored whole answer as a stream the SDK rebuilds exactly", async () => {
    const upstream = scenario(name);
    const model = `${vendor}/${upstream}`;
    const first = await create(model);
    await settled(model, () => create(model));
    const replay = await streamed(model);
    expect(replay.cache).toBe("HIT");
    expect(replay.message).toEqual(first.message);
    expect(replay.types[0]).toBe("message_start");
    expect(replay.types.at(-1)).toBe("message_stop");
    expect(await upstreamCalls(upstream)).toBe(1);
  });

  it("stores a stream that ended whole, served whole or streamed after", async () => {
    const upstream = scenario(name);
    const model = `${vendor}/${upstream}`;
    const live = await streamed(model);
    expect(live.cache).toBe("MISS");
    await settled(model, () => create(model));
    expect((await create(model)).message).toEqual(live.message);
    expect((await streamed(model)).message).toEqual(live.message);
    expect(await upstreamCalls(upstream)).toBe(1);
  });

  it("never shares an answer with another user, nor across beta headers", async () => {
    const upstream = scenario(name);
    const model = `${vendor}/${upstream}`;
    await create(model);
    await settled(model, () => create(model));
    expect((await create(model, otherKey)).cache).toBe("MISS");
    expect((await create(model, key, { "anthropic-beta": "context-1m-2025-08-07" })).cache).toBe("MISS");
    expect(await upstreamCalls(upstream)).toBe(3);
  });
});

describe("messages cache and chat completions", () => {
  it("keeps the dialects apart: the same prompt to the same model is another entry", async () => {
    const upstream = scenario("cached");
    const model = `openai/${upstream}`;
    await create(model);
    await settled(model, () => create(model));
    const chat = await post(
      "/v1/chat/completions",
      { model, max_tokens: 64, messages: [{ role: "user", content: "cache me" }] },
      { key, headers: { "x-cache-ttl": "120" } },
    );
    expect(chat.status).toBe(200);
    expect(chat.headers.get("x-cache")).toBe("MISS");
    expect(chat.json.object).toBe("chat.completion");
  });

  it("does not store a stream that was cut off", async () => {
    const upstream = scenario("cut-stream");
    const model = `anthropic/${upstream}`;
    await expect(streamed(model)).rejects.toThrow();
    await new Promise((r) => setTimeout(r, 100));
    // The same request again (whole, which the mock answers in full): still nothing stored.
    expect((await create(model)).cache).toBe("MISS");
    expect(await upstreamCalls(upstream)).toBe(2);
  });
});
