import { env, exports } from "cloudflare:workers";
import { createOpenAI } from "@ai-sdk/openai";
import { OpenAIEmbeddings } from "@langchain/openai";
import { embed, embedMany } from "ai";
import OpenAI from "openai";
import { beforeAll, describe, expect, it } from "vitest";
import { mockEmbedding } from "../../src/providers/mock/embeddings";
import { configureVendorKeys, createUser, post, scenario } from "../helpers";
import { upstreamVector } from "../mocks/embeddings";

/**
 * The SDKs' embedding clients against the gateway, for a vendor of each kind: the openai SDK (its
 * default asks for base64 and decodes it), the AI SDK's `embed`/`embedMany`, LangChain's
 * OpenAIEmbeddings (base64 by default too, through the openai SDK). Each must decode exactly the
 * vectors the vendor made: the mock upstreams' (test/mocks/embeddings.ts) or the mock vendor's.
 */

let key: string;
beforeAll(async () => {
  await configureVendorKeys();
  key = (await createUser()).key;
  const compat = await post("/v1/vendors", {
    slug: "compat-sdk",
    kind: "openai-compatible",
    base_url: `${env.MOCK_UPSTREAM_URL}/compat/v1`,
  });
  expect(compat.status, compat.text).toBe(201);
});

const workerFetch = (i: RequestInfo | URL, init?: RequestInit) => exports.default.fetch(new Request(i, init));

/**
 * The worker, recording what went over the wire: the encoding each request asked for and what
 * came back (a string is base64), so a test sees the SDK decode our bytes, not floats it let through.
 */
function recordingFetch() {
  const wire: { asked: unknown; answered: string }[] = [];
  const fetch = async (i: RequestInfo | URL, init?: RequestInit) => {
    const req = new Request(i, init);
    const asked = ((await req.clone().json()) as { encoding_format?: unknown }).encoding_format;
    const res = await exports.default.fetch(req);
    const body = (await res.clone().json()) as { data: { embedding: unknown }[] };
    wire.push({ asked, answered: typeof body.data[0]?.embedding });
    return res;
  };
  return { wire, fetch };
}
const BASE_URL = "http://w/v1";
const DIMENSIONS = 24;

/** Each vendor kind: a model for it, and the vectors its vendor makes for a text. */
const vendors = [
  ["openai", () => `openai/${scenario("plain")}`, (t: string) => upstreamVector(t, DIMENSIONS)],
  [
    "openai-compatible",
    () => `compat-sdk/${scenario("plain")}`,
    (t: string) => upstreamVector(t, DIMENSIONS),
  ],
  ["gemini", () => `gemini/${scenario("embedding")}`, (t: string) => upstreamVector(t, DIMENSIONS)],
  ["mock", () => "mock/embed", (t: string) => Array.from(mockEmbedding(t, DIMENSIONS))],
] as const;

const TEXTS = ["The quick brown fox.", "Jumps over the lazy dog.", "The quick brown fox."];

describe.each(vendors)("to a vendor of kind %s", (_kind, modelFor, vectorOf) => {
  it("the openai SDK's default (base64) and float decode to the vendor's vectors", async () => {
    const recorded = recordingFetch();
    const client = new OpenAI({ apiKey: key, baseURL: BASE_URL, fetch: recorded.fetch, maxRetries: 0 });
    const model = modelFor();
    const byDefault = await client.embeddings.create({ model, input: TEXTS, dimensions: DIMENSIONS });
    expect(byDefault.data.map((d) => d.embedding)).toEqual(TEXTS.map(vectorOf));
    expect(byDefault.data.map((d) => d.index)).toEqual([0, 1, 2]);
    expect(byDefault.usage.prompt_tokens).toBeGreaterThan(0);
    const floats = await client.embeddings.create({
      model,
      input: TEXTS[1] as string,
      dimensions: DIMENSIONS,
      encoding_format: "float",
    });
    expect(floats.data[0]?.embedding).toEqual(vectorOf(TEXTS[1] as string));
    expect(recorded.wire).toEqual([
      { asked: "base64", answered: "string" },
      { asked: "float", answered: "object" },
    ]);
  });

  it("the AI SDK's embed and embedMany", async () => {
    const model = createOpenAI({ apiKey: key, baseURL: BASE_URL, fetch: workerFetch }).embedding(modelFor());
    const one = await embed({ model, value: TEXTS[0] as string, dimensions: DIMENSIONS, maxRetries: 0 });
    expect(one.embedding).toEqual(vectorOf(TEXTS[0] as string));
    expect(one.usage.tokens).toBeGreaterThan(0);
    const many = await embedMany({ model, values: [...TEXTS], dimensions: DIMENSIONS, maxRetries: 0 });
    expect(many.embeddings).toEqual(TEXTS.map(vectorOf));
  });

  it("LangChain's OpenAIEmbeddings, embedQuery and embedDocuments", async () => {
    const recorded = recordingFetch();
    const embeddings = new OpenAIEmbeddings({
      model: modelFor(),
      apiKey: key,
      dimensions: DIMENSIONS,
      maxRetries: 0,
      configuration: { baseURL: BASE_URL, fetch: recorded.fetch },
    });
    expect(await embeddings.embedQuery(TEXTS[1] as string)).toEqual(vectorOf(TEXTS[1] as string));
    expect(await embeddings.embedDocuments([...TEXTS])).toEqual(TEXTS.map(vectorOf));
    // LangChain sets no encoding: the openai SDK under it asks for base64.
    expect(recorded.wire).toEqual([
      { asked: "base64", answered: "string" },
      { asked: "base64", answered: "string" },
    ]);
  });
});

it("the openai SDK's base64 default with a vendor's default dimensions", async () => {
  const client = new OpenAI({ apiKey: key, baseURL: BASE_URL, fetch: workerFetch, maxRetries: 0 });
  const res = await client.embeddings.create({ model: `openai/${scenario("plain")}`, input: "full length" });
  expect(res.data[0]?.embedding).toEqual(upstreamVector("full length", 1536));
});
