import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import {
  ADMIN_KEY,
  configureVendorKeys,
  createUser,
  expectError,
  post,
  scenario,
  sseData,
  usageOf,
} from "../helpers";

let key: string;
beforeAll(async () => {
  await configureVendorKeys();
  key = (await createUser()).key;
  // An OpenAI-compatible host (keyless, like a local Ollama) and an alias with defaults.
  expect(
    (
      await post("/v1/vendors", {
        slug: "local",
        kind: "openai-compatible",
        base_url: `${env.MOCK_UPSTREAM_URL}/compat/v1`,
      })
    ).status,
  ).toBe(201);
  const alias = await post("/v1/model-configs", {
    alias: "careful",
    vendor: "openai",
    upstream_model: "inspect",
    capabilities: { vision: false, tools: false, streaming: false },
    max_output_tokens: 100,
    defaults: { temperature: 0.1, max_tokens: 64 },
  });
  expect(alias.status, alias.text).toBe(201);
});

const chat = (body: Record<string, unknown>, headers?: Record<string, string>) =>
  post("/v1/chat/completions", body, { key, headers });
const inspect = async (body: Record<string, unknown>) => {
  const res = await chat({ model: `openai/${scenario("inspect")}`, ...body });
  expect(res.status, res.text).toBe(200);
  return JSON.parse(res.json.choices[0].message.content).body;
};

describe("OpenAI features through the gateway", () => {
  it("passes image parts (https and data URLs) through", async () => {
    const content = [
      { type: "text", text: "what is this?" },
      { type: "image_url", image_url: { url: "https://example.com/cat.png", detail: "low" } },
      { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } },
    ];
    const res = await chat({ model: "openai/gpt-4o", messages: [{ role: "user", content }] });
    expect(res.json.choices[0].message.content).toBe("Hello! You said: what is this? [2 image(s)]");
    expect((await inspect({ messages: [{ role: "user", content }] })).messages[0].content).toEqual(content);
  });

  it("refuses image URLs that are neither https nor data:image", async () => {
    for (const url of ["http://example.com/a.png", "ftp://x/y", "data:text/plain;base64,aGk=", "not a url"]) {
      const res = await chat({
        model: "mock/echo",
        messages: [{ role: "user", content: [{ type: "image_url", image_url: { url } }] }],
      });
      const err = expectError(res, 400, "invalid_request_error", "invalid_image_url");
      expect(err.param).toBe("messages.0.content.0.image_url.url");
    }
  });

  it("round-trips a tool call with its id", async () => {
    const tools = [
      { type: "function", function: { name: "get_weather", parameters: { type: "object", properties: {} } } },
    ];
    const messages = [{ role: "user", content: "weather in Paris?" }];
    const first = await chat({ model: `openai/${scenario("tool-call")}`, messages, tools });
    expect(first.json.choices[0]).toMatchObject({
      finish_reason: "tool_calls",
      message: {
        content: null,
        tool_calls: [
          {
            id: "call_abc123",
            type: "function",
            function: { name: "get_weather", arguments: '{"location":"Paris"}' },
          },
        ],
      },
    });
    const second = await chat({
      model: "openai/gpt-4o-mini",
      tools,
      messages: [
        ...messages,
        first.json.choices[0].message,
        { role: "tool", tool_call_id: "call_abc123", content: "18C and sunny" },
      ],
    });
    expect(second.json.choices[0].message.content).toBe("The tool said: 18C and sunny");
  });

  it("streams tool-call deltas that reassemble to the arguments", async () => {
    const res = await chat({
      model: `openai/${scenario("tool-call")}`,
      messages: [{ role: "user", content: "weather?" }],
      tools: [{ type: "function", function: { name: "get_weather" } }],
      stream: true,
    });
    const chunks = sseData(res.text)
      .slice(0, -1)
      .map((d) => JSON.parse(d));
    const calls = chunks.flatMap((c) => c.choices[0]?.delta?.tool_calls ?? []);
    expect(calls[0]).toMatchObject({ index: 0, id: "call_abc123", function: { name: "get_weather" } });
    expect(calls.map((c: any) => c.function?.arguments ?? "").join("")).toBe('{"location":"Paris"}');
    expect(chunks.at(-1).choices[0].finish_reason).toBe("tool_calls");
  });

  it("keeps JSON mode, stop sequences and the length finish", async () => {
    const json = await chat({
      model: "openai/gpt-4o-mini",
      messages: [{ role: "user", content: "hi" }],
      response_format: { type: "json_object" },
    });
    expect(JSON.parse(json.json.choices[0].message.content)).toEqual({ answer: "Hello! You said: hi" });
    const stopped = await chat({
      model: "openai/gpt-4o-mini",
      messages: [{ role: "user", content: "a b c" }],
      stop: ["said"],
    });
    expect(stopped.json.choices[0]).toMatchObject({
      message: { content: "Hello! You " },
      finish_reason: "stop",
    });
    const long = await chat({
      model: "openai/gpt-4o-mini",
      messages: [{ role: "user", content: "a b c" }],
      max_tokens: 2,
    });
    expect(long.json.choices[0]).toMatchObject({
      message: { content: "Hello! You " },
      finish_reason: "length",
    });
  });

  it("reaches an OpenAI-compatible host without a key, with max_tokens as it knows it", async () => {
    const res = await post(
      "/v1/chat/completions",
      { model: "local/llama3", messages: [{ role: "user", content: "yo" }] },
      { key },
    );
    expect(res.status, res.text).toBe(200);
    expect(res.json.choices[0].message.content).toBe("Hello! You said: yo");
    const seen = await post(
      "/v1/chat/completions",
      { model: `local/${scenario("inspect")}`, messages: [{ role: "user", content: "yo" }], max_tokens: 9 },
      { key },
    );
    const body = JSON.parse(seen.json.choices[0].message.content);
    expect(body.headers.authorization).toBeUndefined();
    expect(body.path).toBe("/compat/v1/chat/completions");
    expect(body.body.max_tokens).toBe(9);
  });
});

describe("model configs applied to chat", () => {
  it("fills defaults the client left unset, and lets the client's values win", async () => {
    const res = await chat({ model: "careful", messages: [{ role: "user", content: "x" }] });
    expect(res.status, res.text).toBe(200);
    expect(JSON.parse(res.json.choices[0].message.content).body).toMatchObject({
      model: "inspect",
      temperature: 0.1,
      max_tokens: 64,
    });
    const own = await chat({
      model: "careful",
      messages: [{ role: "user", content: "x" }],
      temperature: 0.9,
    });
    expect(JSON.parse(own.json.choices[0].message.content).body.temperature).toBe(0.9);
  });

  it("refuses what the model cannot do, with the parameter named", async () => {
    const img = [
      { role: "user", content: [{ type: "image_url", image_url: { url: "https://example.com/a.png" } }] },
    ];
    expect(
      expectError(
        await chat({ model: "careful", messages: img }),
        400,
        "invalid_request_error",
        "unsupported_capability",
      ).param,
    ).toBe("messages.0.content");
    const tools = [{ type: "function", function: { name: "f" } }];
    expect(
      expectError(
        await chat({ model: "careful", messages: [{ role: "user", content: "x" }], tools }),
        400,
        "invalid_request_error",
      ).param,
    ).toBe("tools");
    expect(
      expectError(
        await chat({ model: "careful", messages: [{ role: "user", content: "x" }], stream: true }),
        400,
        "invalid_request_error",
      ).param,
    ).toBe("stream");
    expectError(
      await chat({ model: "careful", messages: [{ role: "user", content: "x" }], max_tokens: 500 }),
      400,
      "invalid_request_error",
      "max_tokens_too_large",
    );
  });
});

describe("requests the gateway refuses", () => {
  it("answers unknown models and vendors with 404 model_not_found", async () => {
    expectError(
      await chat({ model: "nope", messages: [{ role: "user", content: "x" }] }),
      404,
      "not_found_error",
      "model_not_found",
    );
    expectError(
      await chat({ model: "nope/x", messages: [{ role: "user", content: "x" }] }),
      404,
      "not_found_error",
      "model_not_found",
    );
  });

  it("says when a vendor has no key", async () => {
    const res = await post(
      "/v1/chat/completions",
      { model: "openai/gpt-4o", messages: [{ role: "user", content: "x" }] },
      { key },
    );
    expect(res.status).toBe(200); // configured in beforeAll
    await post("/v1/vendors", { slug: "eu", kind: "openai", base_url: `${env.MOCK_UPSTREAM_URL}/openai/v1` });
    expectError(
      await chat({ model: "eu/gpt-4o", messages: [{ role: "user", content: "x" }] }),
      400,
      "invalid_request_error",
      "vendor_not_configured",
    );
  });

  it("validates the body", async () => {
    expectError(
      await chat({ model: "mock/echo", messages: [] }),
      400,
      "invalid_request_error",
      "invalid_body",
    );
    expectError(
      await chat({ model: "mock/echo", messages: [{ role: "wizard", content: "x" }] }),
      400,
      "invalid_request_error",
    );
    expectError(
      await chat({ model: "mock/echo", messages: [{ role: "user", content: "x" }], temperature: 3 }),
      400,
      "invalid_request_error",
    );
    expectError(await chat({ messages: [{ role: "user", content: "x" }] }), 400, "invalid_request_error");
    expectError(
      await chat({ model: "mock/echo", messages: [{ role: "user", content: "x" }], n: 2 }),
      400,
      "invalid_request_error",
      "unsupported_parameter",
    );
    expectError(
      await chat({ model: "mock/echo", messages: [{ role: "user", content: "x" }] }, { "x-timeout-ms": "0" }),
      400,
      "invalid_request_error",
      "invalid_timeout",
    );
  });

  it("needs a key", async () => {
    expectError(
      await post("/v1/chat/completions", { model: "mock/echo", messages: [] }, { key: null }),
      401,
      "authentication_error",
    );
  });
});

describe("client disconnects", () => {
  for (const [name, kind] of [
    ["while the vendor streams", "slow-stream"],
    ["while the vendor is silent", "stall-stream"],
  ] as const)
    it(`cancel the upstream request ${name}, and the call is recorded as cancelled`, async () => {
      const model = scenario(kind);
      const res = await exports.default.fetch(
        new Request("http://w/v1/chat/completions", {
          method: "POST",
          headers: { authorization: `Bearer ${ADMIN_KEY}`, "content-type": "application/json" },
          body: JSON.stringify({
            model: `openai/${model}`,
            messages: [{ role: "user", content: "go" }],
            stream: true,
          }),
        }),
      );
      const reader = (res.body as ReadableStream<Uint8Array>).getReader();
      expect((await reader.read()).done).toBe(false);
      await reader.cancel();
      let aborted = false;
      for (let i = 0; i < 100 && !aborted; i++) {
        const log = (await (await fetch(`${env.MOCK_UPSTREAM_URL}/__log?model=${model}`)).json()) as {
          aborted: boolean;
        }[];
        aborted = log[0]?.aborted === true;
        if (!aborted) await new Promise((r) => setTimeout(r, 20));
      }
      expect(aborted).toBe(true);
      const usage = await usageOf(res.headers.get("x-request-id") as string);
      expect(usage).toMatchObject({ status: 200, error_code: "client_cancelled" });
    });
});
