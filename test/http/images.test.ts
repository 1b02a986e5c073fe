import { env, exports } from "cloudflare:workers";
import OpenAI from "openai";
import { beforeAll, describe, expect, it } from "vitest";
import { configureVendorKeys, createUser, expectError, get, post, scenario } from "../helpers";
import { TINY_PNG_B64 } from "../mocks/openai";

const BASE = "http://switchboard.test";
const FILE_URL = /^http:\/\/switchboard\.test\/v1\/images\/files\/([0-9a-f]{32})\.png$/;
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

let key: string;
beforeAll(async () => {
  await configureVendorKeys();
  key = (await createUser()).key;
});

const generate = (body: Record<string, unknown>, headers?: Record<string, string>) =>
  post("/v1/images/generations", body, { key, headers });

const bytesOf = (b64: string) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));

/** Fetches a returned image link the way a browser would: no key. */
async function fetchImage(url: string) {
  const res = await exports.default.fetch(new Request(url));
  return { res, bytes: new Uint8Array(await res.arrayBuffer()) };
}

/** What the mock upstream received for a model name (test/mocks/upstream-server.ts). */
async function upstreamLog(model: string) {
  const res = await fetch(`${env.MOCK_UPSTREAM_URL}/__log?model=${encodeURIComponent(model)}`);
  return (await res.json()) as {
    path: string;
    headers: Record<string, string>;
    body: Record<string, unknown>;
  }[];
}

describe("POST /v1/images/generations with the mock vendor", () => {
  it("returns a 64×64 PNG as b64_json, the same bytes for the same prompt", async () => {
    const prompt = "a red fox in the snow";
    const res = await generate({ model: "mock/image", prompt, response_format: "b64_json" });
    expect(res.status, res.text).toBe(200);
    expect(res.headers.get("x-switchboard-model")).toBe("mock/image");
    expect(Object.keys(res.json).sort()).toEqual(["created", "data", "usage"]);
    expect(Math.abs(res.json.created - Date.now() / 1000)).toBeLessThan(60);
    expect(res.json.usage).toEqual({ input_tokens: 6, output_tokens: 0, total_tokens: 6 });
    expect(res.json.data).toHaveLength(1);
    expect(Object.keys(res.json.data[0])).toEqual(["b64_json"]);

    const png = bytesOf(res.json.data[0].b64_json);
    expect([...png.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
    const ihdr = new DataView(png.buffer, 8);
    expect(new TextDecoder().decode(png.subarray(12, 16))).toBe("IHDR");
    expect([ihdr.getUint32(8), ihdr.getUint32(12)]).toEqual([64, 64]);

    const again = await generate({ model: "mock/image", prompt, response_format: "b64_json" });
    expect(again.json.data[0].b64_json).toBe(res.json.data[0].b64_json);
    const other = await generate({
      model: "mock/image",
      prompt: "a blue whale",
      response_format: "b64_json",
    });
    expect(other.json.data[0].b64_json).not.toBe(res.json.data[0].b64_json);
  });

  it("makes n images, each different, the first the same as with n=1", async () => {
    const one = await generate({ model: "mock/image", prompt: "three cats", response_format: "b64_json" });
    const res = await generate({
      model: "mock/image",
      prompt: "three cats",
      n: 3,
      response_format: "b64_json",
    });
    expect(res.status, res.text).toBe(200);
    const images = res.json.data.map((d: { b64_json: string }) => d.b64_json);
    expect(images).toHaveLength(3);
    expect(new Set(images).size).toBe(3);
    expect(images[0]).toBe(one.json.data[0].b64_json);
  });

  it("answers links by default, which anyone can fetch for an hour", async () => {
    const prompt = "a lighthouse at dusk";
    const b64 = await generate({ model: "mock/image", prompt, response_format: "b64_json" });
    const res = await generate({ model: "mock/image", prompt });
    expect(res.status, res.text).toBe(200);
    expect(res.json.data).toHaveLength(1);
    expect(Object.keys(res.json.data[0])).toEqual(["url"]);
    const id = FILE_URL.exec(res.json.data[0].url)?.[1];
    expect(id, res.json.data[0].url).toBeDefined();

    const { res: file, bytes } = await fetchImage(res.json.data[0].url);
    expect(file.status).toBe(200);
    expect(file.headers.get("content-type")).toBe("image/png");
    expect(file.headers.get("cache-control")).toBe("public, max-age=3600, immutable");
    expect(file.headers.get("x-content-type-options")).toBe("nosniff");
    expect(bytes).toEqual(bytesOf(b64.json.data[0].b64_json));

    // Stored for one hour, with its media type.
    const { keys } = await env.CACHE.list<{ mediaType: string }>({ prefix: `img:${id}` });
    expect(keys).toHaveLength(1);
    expect(keys[0]?.metadata).toEqual({ mediaType: "image/png" });
    const ttl = (keys[0]?.expiration ?? 0) - Date.now() / 1000;
    expect(ttl).toBeGreaterThan(3500);
    expect(ttl).toBeLessThanOrEqual(3601);
  });

  it("gives each of n images its own link", async () => {
    const res = await generate({ model: "mock/image", prompt: "two dogs", n: 2, response_format: "url" });
    expect(res.status, res.text).toBe(200);
    const urls = res.json.data.map((d: { url: string }) => d.url);
    expect(new Set(urls).size).toBe(2);
    const [a, b] = await Promise.all(urls.map(fetchImage));
    expect(a?.res.status).toBe(200);
    expect(b?.res.status).toBe(200);
    expect(a?.bytes).not.toEqual(b?.bytes);
  });

  it("answers 404 in the error shape for an unknown, misnamed or mis-typed file", async () => {
    const unknown = await get(`/v1/images/files/${"0".repeat(32)}.png`, { key: null });
    const err = expectError(unknown, 404, "not_found_error", "image_not_found");
    expect(err.param).toBe("file");
    expectError(
      await get("/v1/images/files/not-an-id.png", { key: null }),
      404,
      "not_found_error",
      "image_not_found",
    );

    const made = await generate({ model: "mock/image", prompt: "a teapot" });
    const id = FILE_URL.exec(made.json.data[0].url)?.[1];
    expectError(
      await get(`/v1/images/files/${id}.webp`, { key: null }),
      404,
      "not_found_error",
      "image_not_found",
    );
    expect((await fetchImage(`${BASE}/v1/images/files/${id}.png`)).res.status).toBe(200);
  });

  it("refuses a mock model that does not make images", async () => {
    const err = expectError(
      await generate({ model: "mock/echo", prompt: "x" }),
      400,
      "invalid_request_error",
      "unsupported_model",
    );
    expect(err.param).toBe("model");
  });

  it("follows a model config's image_generation capability", async () => {
    for (const [alias, image_generation] of [
      ["no-pictures", false],
      ["pictures", true],
    ] as const) {
      const made = await post("/v1/model-configs", {
        alias,
        vendor: "mock",
        upstream_model: "image",
        capabilities: { image_generation },
      });
      expect(made.status, made.text).toBe(201);
    }
    const refused = await generate({ model: "no-pictures", prompt: "x" });
    const err = expectError(refused, 400, "invalid_request_error", "unsupported_capability");
    expect(err.param).toBe("model");
    expect(err.message).toContain("no-pictures");

    const ok = await generate({ model: "pictures", prompt: "x", response_format: "b64_json" });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.headers.get("x-switchboard-model")).toBe("mock/image");
  });
});

describe("POST /v1/images/generations with OpenAI", () => {
  it("sends the client's parameters with the stored key, and passes bytes and usage through", async () => {
    const model = scenario("gpt-image-1");
    const res = await generate({
      model: `openai/${model}`,
      prompt: "a watercolour harbour",
      n: 2,
      size: "1024x1536",
      quality: "high",
      background: "transparent",
      output_format: "png",
      user: "end-user-7",
      response_format: "b64_json",
      moderation: "low",
    });
    expect(res.status, res.text).toBe(200);
    expect(res.json.data).toEqual([
      { b64_json: TINY_PNG_B64, revised_prompt: "a revised prompt" },
      { b64_json: TINY_PNG_B64, revised_prompt: "a revised prompt" },
    ]);
    expect(res.json.usage).toEqual({ input_tokens: 12, output_tokens: 1056, total_tokens: 1068 });

    const log = await upstreamLog(model);
    expect(log).toHaveLength(1);
    expect(log[0]?.path).toBe("/openai/v1/images/generations");
    expect(log[0]?.headers.authorization).toBe("Bearer test-openai-key");
    expect(log[0]?.body).toEqual({
      model,
      prompt: "a watercolour harbour",
      n: 2,
      size: "1024x1536",
      quality: "high",
      background: "transparent",
      output_format: "png",
      user: "end-user-7",
    });
  });

  it("turns the vendor's bytes into a link, and asks dall-e for bytes", async () => {
    const model = scenario("dall-e-3");
    const res = await generate({ model: `openai/${model}`, prompt: "a red bicycle", style: "vivid" });
    expect(res.status, res.text).toBe(200);
    expect(res.json.data).toHaveLength(1);
    expect(res.json.data[0]).toEqual({
      url: expect.stringMatching(FILE_URL),
      revised_prompt: "a revised prompt",
    });
    const { res: file, bytes } = await fetchImage(res.json.data[0].url);
    expect(file.status).toBe(200);
    expect(file.headers.get("content-type")).toBe("image/png");
    expect(bytes).toEqual(bytesOf(TINY_PNG_B64));
    const [seen] = await upstreamLog(model);
    expect(seen?.body).toMatchObject({ style: "vivid", response_format: "b64_json" });
  });

  it("maps vendor failures to the one error shape", async () => {
    const r429 = await generate({ model: `openai/${scenario("fail-429")}`, prompt: "x" });
    expectError(r429, 429, "rate_limit_error", "upstream_rate_limited");
    expect(r429.headers.get("retry-after")).toBe("7");
    expect(r429.text).not.toContain("sk-proj");
    expectError(
      await generate({ model: `openai/${scenario("fail-500")}`, prompt: "x" }),
      502,
      "upstream_error",
    );
    expectError(
      await generate({ model: `openai/${scenario("malformed")}`, prompt: "x" }),
      502,
      "upstream_error",
      "upstream_malformed_response",
    );
    expectError(
      await generate({ model: `openai/${scenario("hang")}`, prompt: "x" }, { "x-timeout-ms": "150" }),
      504,
      "timeout_error",
      "upstream_timeout",
    );
  });
});

describe("POST /v1/images/generations validation and auth", () => {
  it.each([
    ["a missing prompt", { model: "mock/image" }, "prompt"],
    ["an empty prompt", { model: "mock/image", prompt: "" }, "prompt"],
    ["a prompt over 32000 characters", { model: "mock/image", prompt: "x".repeat(32_001) }, "prompt"],
    ["n=0", { model: "mock/image", prompt: "x", n: 0 }, "n"],
    ["n=11", { model: "mock/image", prompt: "x", n: 11 }, "n"],
    ["a fractional n", { model: "mock/image", prompt: "x", n: 1.5 }, "n"],
    [
      "an unknown response_format",
      { model: "mock/image", prompt: "x", response_format: "png" },
      "response_format",
    ],
    ["an unknown output_format", { model: "mock/image", prompt: "x", output_format: "bmp" }, "output_format"],
    ["a missing model", { prompt: "x" }, "model"],
  ])("refuses %s with 400 naming the parameter", async (_, body, param) => {
    const err = expectError(await generate(body), 400, "invalid_request_error", "invalid_body");
    expect(err.param).toBe(param);
  });

  it("refuses streaming, which it does not support", async () => {
    const err = expectError(
      await generate({ model: "mock/image", prompt: "x", stream: true }),
      400,
      "invalid_request_error",
      "unsupported_parameter",
    );
    expect(err.param).toBe("stream");
  });

  it("answers 404 for an unknown model", async () => {
    expectError(
      await generate({ model: "nosuchvendor/x", prompt: "x" }),
      404,
      "not_found_error",
      "model_not_found",
    );
  });

  it("requires a key to generate, not to fetch a link", async () => {
    expectError(
      await post("/v1/images/generations", { model: "mock/image", prompt: "x" }, { key: null }),
      401,
      "authentication_error",
      "missing_api_key",
    );
    expectError(
      await post("/v1/images/generations", { model: "mock/image", prompt: "x" }, { key: "sk-sb-wrong" }),
      401,
      "authentication_error",
      "invalid_api_key",
    );
    const made = await generate({ model: "mock/image", prompt: "public" });
    expect((await fetchImage(made.json.data[0].url)).res.status).toBe(200);
  });
});

describe("openai SDK images.generate", () => {
  const client = () =>
    new OpenAI({
      apiKey: key,
      baseURL: `${BASE}/v1`,
      fetch: (input: RequestInfo | URL, init?: RequestInit) =>
        exports.default.fetch(new Request(input, init)),
      maxRetries: 0,
    });

  it("parses b64_json answers, usage included", async () => {
    const res = await client().images.generate({
      model: `openai/${scenario("gpt-image-1")}`,
      prompt: "an otter",
      n: 1,
      response_format: "b64_json",
    });
    expect(res.data?.[0]?.b64_json).toBe(TINY_PNG_B64);
    expect(res.data?.[0]?.revised_prompt).toBe("a revised prompt");
    expect(res.usage).toMatchObject({ input_tokens: 12, output_tokens: 1056, total_tokens: 1068 });
  });

  it("parses url answers, whose links serve the image", async () => {
    const res = await client().images.generate({ model: "mock/image", prompt: "an otter", n: 2 });
    expect(res.data).toHaveLength(2);
    const url = res.data?.[0]?.url ?? "";
    expect(url).toMatch(FILE_URL);
    const { res: file, bytes } = await fetchImage(url);
    expect(file.headers.get("content-type")).toBe("image/png");
    expect([...bytes.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
  });

  it("surfaces the gateway's errors as the SDK's error classes", async () => {
    const err = await client()
      .images.generate({ model: "mock/echo", prompt: "x" })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as InstanceType<typeof OpenAI.BadRequestError>).param).toBe("model");
  });
});
