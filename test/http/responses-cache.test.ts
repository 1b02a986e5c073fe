import { env, exports } from "cloudflare:workers";
import OpenAI from "openai";
import { beforeAll, describe, expect, it } from "vitest";
import { configureVendorKeys, createUser, scenario } from "../helpers";

/**
 * The response cache on POST /v1/responses: only for a request that neither stores nor chains
 * (Codex sends `store: false` and the whole history), tenant-scoped, a stored answer served whole
 * or replayed as the Responses event stream the SDK rebuilds, whoever answered.
 */

let key: string;
let otherKey: string;
beforeAll(async () => {
  await configureVendorKeys();
  key = (await createUser()).key;
  otherKey = (await createUser()).key;
});

const workerFetch = (i: RequestInfo | URL, init?: RequestInit) => exports.default.fetch(new Request(i, init));
const client = (apiKey = key) =>
  new OpenAI({
    apiKey,
    baseURL: "http://w/v1",
    fetch: workerFetch,
    maxRetries: 0,
    defaultHeaders: { "x-cache-ttl": "120" },
  });

const upstreamCalls = async (model: string) =>
  (
    (await (
      await fetch(`${env.MOCK_UPSTREAM_URL}/__log?model=${encodeURIComponent(model)}`)
    ).json()) as unknown[]
  ).length;

const request = (model: string, extra: Record<string, unknown> = {}) => ({
  model,
  input: "cache me",
  store: false,
  ...extra,
});

async function create(model: string, extra: Record<string, unknown> = {}, apiKey = key) {
  const { data, response } = await client(apiKey).responses.create(request(model, extra)).withResponse();
  return { response: data, cache: response.headers.get("x-cache") };
}

/** A response without what the SDK adds to it (`output_text`, and `parsed` from its stream helper). */
const sdkFree = (r: unknown): unknown =>
  JSON.parse(
    JSON.stringify(r, (k, v) => (["output_text", "output_parsed", "parsed"].includes(k) ? undefined : v)),
  );

/** Cache writes happen after the response (waitUntil): wait until the entry is there. */
async function settled(model: string) {
  for (let i = 0; i < 50; i++) {
    if ((await create(model)).cache === "HIT") return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no cache entry for ${model}`);
}

describe.each(["openai", "anthropic"])("the Responses cache, vendor of kind %s", (vendor) => {
  it("serves the same response again, whole and replayed as a stream, without calling the vendor", async () => {
    const upstream = scenario("cached");
    const model = `${vendor}/${upstream}`;
    const first = await create(model);
    expect(first.cache).toBe("MISS");
    await settled(model);
    const hit = await create(model);
    expect(hit.response).toEqual(first.response);

    const stream = client().responses.stream(request(model));
    const types: string[] = [];
    stream.on("event", (e) => types.push(e.type));
    const final = await stream.finalResponse();
    expect(sdkFree(final)).toEqual(sdkFree(first.response));
    expect(final.output_text).toBe(first.response.output_text);
    expect(types.at(-1)).toBe("response.completed");
    expect(await upstreamCalls(upstream)).toBe(1);
  });

  it("is per user, and never for a stored or chained request", async () => {
    const upstream = scenario("cached");
    const model = `${vendor}/${upstream}`;
    await create(model);
    await settled(model);
    expect((await create(model, {}, otherKey)).cache).toBe("MISS");
    expect((await create(model, { store: true })).cache).toBeNull();
    expect(await upstreamCalls(upstream)).toBe(3);
  });
});
