import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { fixture } from "../fixtures";
import { configureVendorKeys, createUser, expectError, post, scenario, usageOf } from "../helpers";
import { upstreamTokens, upstreamVector } from "../mocks/embeddings";

/**
 * POST /v1/embeddings through HTTP, per vendor kind, against the mock upstreams in each vendor's
 * wire format; the SDKs are in sdk-embeddings.test.ts, the per-item cache in embeddings-cache.test.ts.
 */

let key: string;
beforeAll(async () => {
  await configureVendorKeys();
  key = (await createUser()).key;
  const compat = await post("/v1/vendors", {
    slug: "compat-emb",
    kind: "openai-compatible",
    base_url: `${env.MOCK_UPSTREAM_URL}/compat/v1`,
  });
  expect(compat.status, compat.text).toBe(201);
});

const embed = (body: Record<string, unknown>, headers?: Record<string, string>) =>
  post("/v1/embeddings", body, { key, headers });

/** Little-endian float32 bytes from base64, as the SDKs decode them. */
const decode = (b64: string) =>
  Array.from(new Float32Array(Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)).buffer));
const norm = (v: number[]) => Math.hypot(...v);

/** What the mock upstream received for a model name. */
async function upstreamLog(model: string) {
  const res = await fetch(`${env.MOCK_UPSTREAM_URL}/__log?model=${encodeURIComponent(model)}`);
  return (await res.json()) as { path: string; body: Record<string, any> }[];
}

describe("the mock vendor", () => {
  it("gives the same unit vector for the same text, in float and base64 alike", async () => {
    const res = await embed({ model: "mock/embed", input: ["a cat", "a dog", "a cat"] });
    expect(res.status, res.text).toBe(200);
    expect(res.headers.get("x-switchboard-model")).toBe("mock/embed");
    expect(Object.keys(res.json)).toEqual(["object", "data", "model", "usage"]);
    expect(res.json.object).toBe("list");
    expect(res.json.model).toBe("embed");
    const vectors: number[][] = res.json.data.map((d: any) => d.embedding);
    expect(res.json.data.map((d: any) => [d.object, d.index])).toEqual([
      ["embedding", 0],
      ["embedding", 1],
      ["embedding", 2],
    ]);
    expect(vectors[0]).toHaveLength(256);
    expect(vectors[0]).toEqual(vectors[2]);
    expect(vectors[0]).not.toEqual(vectors[1]);
    for (const v of vectors) expect(norm(v)).toBeCloseTo(1, 5);
    // "a cat" and "a dog" are 2 tokens each by the mock's count; the repeat counts again.
    expect(res.json.usage).toEqual({ prompt_tokens: 6, total_tokens: 6 });

    const b64 = await embed({ model: "mock/embed", input: ["a dog"], encoding_format: "base64" });
    expect(b64.status, b64.text).toBe(200);
    expect(typeof b64.json.data[0].embedding).toBe("string");
    expect(decode(b64.json.data[0].embedding)).toEqual(vectors[1]);
  });

  it("honours dimensions, and takes a single string", async () => {
    const res = await embed({ model: "mock/embed", input: "short", dimensions: 12 });
    expect(res.status, res.text).toBe(200);
    expect(res.json.data).toHaveLength(1);
    expect(res.json.data[0].embedding).toHaveLength(12);
    expect(norm(res.json.data[0].embedding)).toBeCloseTo(1, 5);
  });

  it("embeds only with mock/embed", async () => {
    const err = expectError(await embed({ model: "mock/echo", input: "x" }), 400, "invalid_request_error");
    expect(err.message).toContain("mock/embed");
  });
});

describe("the openai vendor: the body passed on, vectors in input order", () => {
  it("asks for base64, drops input_type, keeps other fields, and decodes exactly", async () => {
    const model = scenario("plain");
    const texts = ["The food was delicious.", "The waiter was friendly."];
    const res = await embed({
      model: `openai/${model}`,
      input: texts,
      dimensions: 64,
      input_type: "document",
      user: "user-42",
    });
    expect(res.status, res.text).toBe(200);
    expect(res.json.model).toBe(model);
    expect(res.json.data.map((d: any) => d.embedding)).toEqual(texts.map((t) => upstreamVector(t, 64)));
    const tokens = upstreamTokens(texts[0]!) + upstreamTokens(texts[1]!);
    expect(res.json.usage).toEqual({ prompt_tokens: tokens, total_tokens: tokens });
    const [sent] = await upstreamLog(model);
    expect(sent?.path).toBe("/openai/v1/embeddings");
    expect(sent?.body).toEqual({
      model,
      input: texts,
      encoding_format: "base64",
      dimensions: 64,
      user: "user-42",
    });
    const row = await usageOf(res.headers.get("x-request-id")!);
    expect(row).toMatchObject({
      route: "embeddings",
      input_tokens: tokens,
      output_tokens: 0,
      tokens_estimated: 0,
    });
  });

  it("passes token ids through", async () => {
    const model = scenario("plain");
    const res = await embed({
      model: `openai/${model}`,
      input: [
        [1, 2, 3],
        [4, 5],
      ],
      dimensions: 8,
    });
    expect(res.status, res.text).toBe(200);
    expect(res.json.data[1].embedding).toEqual(upstreamVector([4, 5], 8));
    expect(res.json.usage.prompt_tokens).toBe(5);
    const single = await embed({ model: `openai/${model}`, input: [7, 8, 9], dimensions: 8 });
    expect(single.json.data[0].embedding).toEqual(upstreamVector([7, 8, 9], 8));
    expect((await upstreamLog(model)).map((r) => r.body.input)).toEqual([
      [
        [1, 2, 3],
        [4, 5],
      ],
      [[7, 8, 9]],
    ]);
  });

  it("puts an answer sent out of order back in input order", async () => {
    const model = scenario("reversed");
    const texts = ["one", "two", "three"];
    const res = await embed({ model: `openai/${model}`, input: texts, dimensions: 8 });
    expect(res.status, res.text).toBe(200);
    expect(res.json.data.map((d: any) => d.index)).toEqual([0, 1, 2]);
    expect(res.json.data.map((d: any) => d.embedding)).toEqual(texts.map((t) => upstreamVector(t, 8)));
  });

  it("reads OpenAI's recorded answers, float and base64, as the same float32 vectors", async () => {
    const expected = JSON.parse(fixture("openai", "embeddings-float.json")).data.map((d: any) =>
      d.embedding.map(Math.fround),
    );
    for (const name of ["embeddings-float", "embeddings-base64"]) {
      for (const encoding_format of ["float", "base64"]) {
        const res = await embed({ model: `openai/fixture-${name}`, input: ["a", "b"], encoding_format });
        expect(res.status, res.text).toBe(200);
        const got = res.json.data.map((d: any) =>
          encoding_format === "base64" ? decode(d.embedding) : d.embedding,
        );
        expect(got, `${name} as ${encoding_format}`).toEqual(expected);
        expect(res.json.usage).toEqual({ prompt_tokens: 9, total_tokens: 9 });
      }
    }
  });
});

describe("an openai-compatible vendor", () => {
  it("asks for floats, passes unknown fields on, estimates usage the host left out", async () => {
    const model = scenario("no-usage");
    const res = await embed({
      model: `compat-emb/${model}`,
      input: ["hello there", "general kenobi"],
      encoding_format: "base64",
      truncate: "END",
    });
    expect(res.status, res.text).toBe(200);
    expect(res.json.data.map((d: any) => decode(d.embedding))).toEqual([
      upstreamVector("hello there", 1536),
      upstreamVector("general kenobi", 1536),
    ]);
    // The gateway's estimate: about four characters a token.
    expect(res.json.usage.prompt_tokens).toBe(3 + 4);
    const [sent] = await upstreamLog(model);
    expect(sent?.path).toBe("/compat/v1/embeddings");
    expect(sent?.body).toEqual({
      model,
      input: ["hello there", "general kenobi"],
      encoding_format: "float",
      truncate: "END",
    });
    expect(await usageOf(res.headers.get("x-request-id")!)).toMatchObject({ tokens_estimated: 1 });
  });
});

describe("the gemini vendor: batchEmbedContents", () => {
  it("sends every input in one batch with taskType and outputDimensionality, estimates tokens", async () => {
    const model = scenario("embedding");
    const texts = ["What is the meaning of life?", "How much wood?"];
    const res = await embed({ model: `gemini/${model}`, input: texts, dimensions: 16, input_type: "query" });
    expect(res.status, res.text).toBe(200);
    expect(res.json.data.map((d: any) => d.embedding)).toEqual(
      texts.map((t) => upstreamVector(`RETRIEVAL_QUERY:${t}`, 16)),
    );
    expect(res.json.usage).toEqual({ prompt_tokens: 7 + 4, total_tokens: 11 });
    const log = await upstreamLog(model);
    expect(log).toHaveLength(1);
    expect(log[0]?.path).toBe(`/gemini/v1beta/models/${model}:batchEmbedContents`);
    expect(log[0]?.body).toEqual({
      requests: texts.map((text) => ({
        model: `models/${model}`,
        content: { parts: [{ text }] },
        taskType: "RETRIEVAL_QUERY",
        outputDimensionality: 16,
      })),
    });
    expect(await usageOf(res.headers.get("x-request-id")!)).toMatchObject({
      route: "embeddings",
      vendor: "gemini",
      input_tokens: 11,
      tokens_estimated: 1,
    });
  });

  it("maps every input type to its task type", async () => {
    const types = {
      document: "RETRIEVAL_DOCUMENT",
      semantic_similarity: "SEMANTIC_SIMILARITY",
      classification: "CLASSIFICATION",
      clustering: "CLUSTERING",
      code_retrieval_query: "CODE_RETRIEVAL_QUERY",
      question_answering: "QUESTION_ANSWERING",
      fact_verification: "FACT_VERIFICATION",
    };
    for (const [inputType, taskType] of Object.entries(types)) {
      const model = scenario("embedding");
      const res = await embed({ model: `gemini/${model}`, input: "x", input_type: inputType });
      expect(res.status, res.text).toBe(200);
      expect((await upstreamLog(model))[0]?.body.requests[0].taskType).toBe(taskType);
    }
  });

  it("splits more than 100 inputs into batches of 100 and keeps their order", async () => {
    const model = scenario("embedding");
    const texts = Array.from({ length: 230 }, (_, i) => `text ${i}`);
    const res = await embed({ model: `gemini/${model}`, input: texts, dimensions: 4 });
    expect(res.status, res.text).toBe(200);
    expect(res.json.data.map((d: any) => d.embedding)).toEqual(texts.map((t) => upstreamVector(t, 4)));
    const sizes = (await upstreamLog(model)).map((r) => r.body.requests.length).sort((a, b) => a - b);
    expect(sizes).toEqual([30, 100, 100]);
  });

  it("reads Google's recorded answer", async () => {
    const expected = JSON.parse(fixture("gemini", "batch-embed.json")).embeddings.map((e: any) =>
      e.values.map(Math.fround),
    );
    const res = await embed({
      model: "gemini/fixture-batch-embed",
      input: ["a", "b"],
      encoding_format: "base64",
    });
    expect(res.status, res.text).toBe(200);
    expect(res.json.data.map((d: any) => decode(d.embedding))).toEqual(expected);
  });
});

describe("refusals", () => {
  it("token ids to gemini (and mock): 400 naming input", async () => {
    for (const model of [`gemini/${scenario("embedding")}`, "mock/embed"]) {
      const err = expectError(await embed({ model, input: [[1, 2]] }), 400, "invalid_request_error");
      expect(err.param).toBe("input");
      expect(err.message).toContain("token ids");
    }
  });

  it("empty input, an empty item, too many items: 400 before any vendor call", async () => {
    const model = scenario("plain");
    const cases: [unknown, RegExp][] = [
      [[], /empty/],
      ["", /empty/],
      [["ok", ""], /input\[1\]/],
      [[[1], []], /input\[1\]/],
      [Array(2049).fill("x"), /2049 items; at most 2048/],
    ];
    for (const [input, message] of cases) {
      const err = expectError(await embed({ model: `openai/${model}`, input }), 400, "invalid_request_error");
      expect(err.param).toBe("input");
      expect(err.message).toMatch(message);
    }
    const wrong = expectError(
      await embed({ model: `openai/${model}`, input: [1, "a"] }),
      400,
      "invalid_request_error",
    );
    expect(wrong.param).toBe("input");
    expect(await upstreamLog(model)).toHaveLength(0);
    const format = expectError(
      await embed({ model: `openai/${model}`, input: "a", encoding_format: "int8" }),
      400,
      "invalid_request_error",
    );
    expect(format.param).toBe("encoding_format");
  });

  it("2048 items is the limit, not past it", async () => {
    const res = await embed({
      model: "mock/embed",
      input: Array.from({ length: 2048 }, (_, i) => `t${i % 7}`),
      dimensions: 2,
    });
    expect(res.status, res.text).toBe(200);
    expect(res.json.data).toHaveLength(2048);
  });

  it("an anthropic model: 400 naming the model", async () => {
    const err = expectError(
      await embed({ model: "anthropic/claude-haiku-4-5", input: "x" }),
      400,
      "invalid_request_error",
      "unsupported_capability",
    );
    expect(err.param).toBe("model");
    expect(err.message).toContain("anthropic/claude-haiku-4-5");
  });

  it("an alias without the embeddings capability: 400; with it, it embeds", async () => {
    const chat = await post("/v1/model-configs", {
      alias: "chat-only",
      vendor: "mock",
      upstream_model: "embed",
    });
    expect(chat.status, chat.text).toBe(201);
    expect(chat.json.capabilities.embeddings).toBe(false);
    const err = expectError(await embed({ model: "chat-only", input: "x" }), 400, "invalid_request_error");
    expect(err.message).toContain("`chat-only`");
    expect(err.message).toContain("embeddings");
    const made = await post("/v1/model-configs", {
      alias: "embedder",
      vendor: "mock",
      upstream_model: "embed",
      capabilities: { embeddings: true },
      pricing: { input_per_mtok: 0.02 },
    });
    expect(made.status, made.text).toBe(201);
    expect(made.json.pricing).toEqual({ input_per_mtok: 0.02, output_per_mtok: 0 });
    const res = await embed({ model: "embedder", input: "x" });
    expect(res.status, res.text).toBe(200);
    expect(res.headers.get("x-switchboard-model")).toBe("mock/embed");
  });
});

describe("vendor failures, as for chat", () => {
  it("retries a 5xx", async () => {
    const model = scenario("flaky-500-1");
    const res = await embed(
      { model: `openai/${model}`, input: "x", dimensions: 4 },
      { "x-max-retries": "1" },
    );
    expect(res.status, res.text).toBe(200);
    expect(res.headers.get("x-switchboard-retries")).toBe("1");
    expect(await upstreamLog(model)).toHaveLength(2);
  });

  it("falls back to the next model, and a 5xx without one is a 502", async () => {
    const failing = scenario("fail-500");
    const made = await post("/v1/model-configs", {
      alias: "emb-fallback",
      vendor: "openai",
      upstream_model: failing,
      capabilities: { embeddings: true },
      // anthropic cannot embed: skipped; the mock can.
      fallbacks: ["anthropic/claude-haiku-4-5", "mock/embed"],
    });
    expect(made.status, made.text).toBe(201);
    const res = await embed({ model: "emb-fallback", input: ["a", "b"] });
    expect(res.status, res.text).toBe(200);
    expect(res.headers.get("x-switchboard-fallback")).toBe("mock/embed");
    expect(res.json.data[0].embedding).toHaveLength(256);
    expectError(await embed({ model: `openai/${scenario("fail-500")}`, input: "x" }), 502, "upstream_error");
  });
});
