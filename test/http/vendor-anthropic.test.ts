import { env, exports } from "cloudflare:workers";
import OpenAI from "openai";
import { beforeAll, describe, expect, it } from "vitest";
import { configureVendorKeys, createUser, expectError, post, scenario, sseData, usageOf } from "../helpers";
import {
  ANTHROPIC_TOOL_ID,
  ANTHROPIC_TOOL_INPUT,
  ANTHROPIC_TOOL_JSON_PIECES,
  ANTHROPIC_TOOL_PREAMBLE,
} from "../mocks/anthropic";
import { TINY_PNG_B64 } from "../mocks/openai";

let key: string;
beforeAll(async () => {
  await configureVendorKeys();
  key = (await createUser()).key;
});

const user = (content: unknown) => ({ role: "user", content });
const chat = (body: Record<string, unknown>, headers?: Record<string, string>) =>
  post("/v1/chat/completions", body, { key, headers });
const ask = (model: string, extra: Record<string, unknown> = {}, headers?: Record<string, string>) =>
  chat({ model: `anthropic/${model}`, messages: [user("hi")], ...extra }, headers);
/** What the mock upstream received ({path, headers, body}), echoed back by its `inspect` scenario. */
const inspect = async (body: Record<string, unknown>) => {
  const res = await chat({ model: `anthropic/${scenario("inspect")}`, ...body });
  expect(res.status, res.text).toBe(200);
  return JSON.parse(res.json.choices[0].message.content);
};
const upstreamLog = async (model: string) =>
  (await (
    await fetch(`${env.MOCK_UPSTREAM_URL}/__log?model=${encodeURIComponent(model)}`)
  ).json()) as unknown[];
const chunksOf = (text: string) => {
  const data = sseData(text);
  return {
    done: data.at(-1) === "[DONE]",
    chunks: data.filter((d) => d !== "[DONE]").map((d) => JSON.parse(d)),
  };
};

const USAGE = {
  prompt_tokens: 33,
  completion_tokens: 12,
  total_tokens: 45,
  prompt_tokens_details: { cached_tokens: 5 },
};
const WEATHER_TOOL = {
  type: "function",
  function: {
    name: "get_weather",
    description: "Weather for a city",
    parameters: { type: "object", properties: { location: { type: "string" } }, required: ["location"] },
  },
};

describe("anthropic: requests", () => {
  it("answers in OpenAI's ChatCompletion shape, field by field", async () => {
    const res = await ask("claude-sonnet-4-5");
    expect(res.status, res.text).toBe(200);
    expect(res.headers.get("x-switchboard-model")).toBe("anthropic/claude-sonnet-4-5");
    expect(res.json).toEqual({
      id: expect.stringMatching(/^chatcmpl-[0-9a-f]{32}$/),
      object: "chat.completion",
      created: expect.any(Number),
      model: "claude-sonnet-4-5",
      choices: [
        {
          index: 0,
          message: { role: "assistant", content: "Hello from Claude! You said: hi", refusal: null },
          logprobs: null,
          finish_reason: "stop",
        },
      ],
      usage: USAGE,
    });
    expect(Math.abs(res.json.created - Date.now() / 1000)).toBeLessThan(60);
  });

  it("sends the key, the API version and the required max_tokens to /v1/messages", async () => {
    const seen = await inspect({ messages: [user("hi")], user: "end-user-7", top_p: 0.5 });
    expect(seen.path).toBe("/anthropic/v1/messages");
    expect(seen.headers["x-api-key"]).toBe("test-anthropic-key");
    expect(seen.headers["anthropic-version"]).toBe("2023-06-01");
    expect(seen.headers.authorization).toBeUndefined();
    expect(seen.body).toEqual({
      model: expect.stringMatching(/^inspect~/),
      messages: [{ role: "user", content: [{ type: "text", text: "hi" }] }],
      max_tokens: 4096,
      top_p: 0.5,
      metadata: { user_id: "end-user-7" },
    });
  });

  it("puts system prompts at the top level and merges turns so they alternate", async () => {
    const seen = await inspect({
      messages: [
        { role: "system", content: "You are terse." },
        user("one"),
        user([{ type: "text", text: "two" }]),
        { role: "assistant", content: "three" },
        { role: "assistant", content: "four" },
        { role: "developer", content: "Be polite." },
        user("five"),
      ],
      max_tokens: 300,
      temperature: 0.2,
    });
    expect(seen.body.system).toBe("You are terse.\n\nBe polite.");
    expect(seen.body.messages).toEqual([
      {
        role: "user",
        content: [
          { type: "text", text: "one" },
          { type: "text", text: "two" },
        ],
      },
      {
        role: "assistant",
        content: [
          { type: "text", text: "three" },
          { type: "text", text: "four" },
        ],
      },
      { role: "user", content: [{ type: "text", text: "five" }] },
    ]);
    expect(seen.body).toMatchObject({ max_tokens: 300, temperature: 0.2 });
  });

  it("sends https and data URL images as image blocks", async () => {
    const seen = await inspect({
      messages: [
        user([
          { type: "text", text: "What is in these?" },
          { type: "image_url", image_url: { url: "https://example.com/cat.jpg", detail: "high" } },
          { type: "image_url", image_url: { url: `data:image/png;base64,${TINY_PNG_B64}` } },
        ]),
      ],
    });
    expect(seen.body.messages[0].content).toEqual([
      { type: "text", text: "What is in these?" },
      { type: "image", source: { type: "url", url: "https://example.com/cat.jpg" } },
      { type: "image", source: { type: "base64", media_type: "image/png", data: TINY_PNG_B64 } },
    ]);
  });

  it("refuses an image type Anthropic cannot read, before calling it", async () => {
    const model = scenario("vision");
    const res = await chat({
      model: `anthropic/${model}`,
      messages: [
        user([
          { type: "text", text: "x" },
          { type: "image_url", image_url: { url: "data:image/bmp;base64,Qk0=" } },
        ]),
      ],
    });
    const err = expectError(res, 400, "invalid_request_error", "unsupported_image");
    expect(err.param).toBe("messages.0.content.1.image_url.url");
    expect(err.message).toContain("image/bmp");
    expect(await upstreamLog(model)).toEqual([]);
  });

  it("refuses a temperature above 1 and tool arguments that are not JSON", async () => {
    const hot = expectError(
      await ask("claude-sonnet-4-5", { temperature: 1.5 }),
      400,
      "invalid_request_error",
    );
    expect([hot.code, hot.param]).toEqual(["unsupported_parameter", "temperature"]);
    const res = await chat({
      model: "anthropic/claude-sonnet-4-5",
      messages: [
        user("hi"),
        {
          role: "assistant",
          content: null,
          tool_calls: [{ id: "toolu_x", type: "function", function: { name: "f", arguments: "{not json" } }],
        },
        { role: "tool", tool_call_id: "toolu_x", content: "ok" },
      ],
    });
    const bad = expectError(res, 400, "invalid_request_error", "invalid_tool_arguments");
    expect(bad.param).toBe("messages.1.tool_calls.0.function.arguments");
  });

  it("asks for JSON in the system prompt for both JSON response formats", async () => {
    const plain = await inspect({ messages: [user("hi")], response_format: { type: "json_object" } });
    expect(plain.body.system).toMatch(/^Respond with only a single valid JSON object/);
    expect(plain.body.response_format).toBeUndefined();
    const schema = { type: "object", properties: { answer: { type: "string" } }, required: ["answer"] };
    const strict = await inspect({
      messages: [{ role: "system", content: "Be brief." }, user("hi")],
      response_format: { type: "json_schema", json_schema: { name: "reply", schema, strict: true } },
    });
    expect(strict.body.system).toMatch(/^Be brief\.\n\nRespond with only a single valid JSON object/);
    expect(strict.body.system).toContain(JSON.stringify(schema));
  });

  it("maps stop sequences and max_tokens to the stop and length finish reasons", async () => {
    const stopped = await ask("claude-sonnet-4-5", { stop: ["Claude"] });
    expect(stopped.json.choices[0]).toMatchObject({
      message: { content: "Hello from " },
      finish_reason: "stop",
    });
    const cut = await ask("claude-sonnet-4-5", { max_tokens: 3 });
    expect(cut.json.choices[0]).toMatchObject({
      message: { content: "Hello from Claude! " },
      finish_reason: "length",
    });
    expect(cut.json.usage).toEqual(USAGE);
    expect((await inspect({ messages: [user("hi")], stop: "END" })).body.stop_sequences).toEqual(["END"]);
  });
});

describe("anthropic: tools", () => {
  const toolCall = {
    id: ANTHROPIC_TOOL_ID,
    type: "function",
    function: { name: "get_weather", arguments: JSON.stringify(ANTHROPIC_TOOL_INPUT) },
  };

  it("returns the vendor's tool_use as tool_calls, with its id", async () => {
    const res = await ask(scenario("tool-call"), { tools: [WEATHER_TOOL], tool_choice: "auto" });
    expect(res.status, res.text).toBe(200);
    expect(res.json.choices[0]).toEqual({
      index: 0,
      message: { role: "assistant", content: ANTHROPIC_TOOL_PREAMBLE, refusal: null, tool_calls: [toolCall] },
      logprobs: null,
      finish_reason: "tool_calls",
    });
  });

  it("sends tools, tool_choice and the call and its result back with the same ids", async () => {
    const messages = [
      user("Weather in Paris?"),
      { role: "assistant", content: null, tool_calls: [toolCall] },
      { role: "tool", tool_call_id: ANTHROPIC_TOOL_ID, content: "18°C, sunny" },
    ];
    const seen = await inspect({
      messages,
      tools: [WEATHER_TOOL],
      tool_choice: "required",
      parallel_tool_calls: false,
    });
    expect(seen.body.tools).toEqual([
      {
        name: "get_weather",
        description: "Weather for a city",
        input_schema: WEATHER_TOOL.function.parameters,
      },
    ]);
    expect(seen.body.tool_choice).toEqual({ type: "any", disable_parallel_tool_use: true });
    expect(seen.body.messages.slice(1)).toEqual([
      {
        role: "assistant",
        content: [
          { type: "tool_use", id: ANTHROPIC_TOOL_ID, name: "get_weather", input: ANTHROPIC_TOOL_INPUT },
        ],
      },
      {
        role: "user",
        content: [{ type: "tool_result", tool_use_id: ANTHROPIC_TOOL_ID, content: "18°C, sunny" }],
      },
    ]);
    // The mock, like the real API, refuses a tool_result whose id matches no tool_use.
    const answered = await chat({
      model: `anthropic/${scenario("tool-call")}`,
      messages,
      tools: [WEATHER_TOOL],
    });
    expect(answered.json.choices[0]).toMatchObject({
      message: { content: "The tool said: 18°C, sunny" },
      finish_reason: "stop",
    });
  });

  it("declares the history's tools when a follow-up offers none (Anthropic requires them)", async () => {
    const messages = [
      user("Weather in Paris?"),
      { role: "assistant", content: null, tool_calls: [toolCall] },
      { role: "tool", tool_call_id: ANTHROPIC_TOOL_ID, content: "18°C, sunny" },
      user("Thanks. And in one word?"),
    ];
    const seen = await inspect({ messages });
    expect(seen.body.tools).toEqual([
      { name: "get_weather", input_schema: { type: "object", properties: {} } },
    ]);
    expect(seen.body.tool_choice).toEqual({ type: "none" });
    // The mock refuses tool blocks without tools, as the API does; this request goes through.
    const answered = await chat({ model: "anthropic/claude-sonnet-4-5", messages });
    expect(answered.status, answered.text).toBe(200);
  });
});

describe("anthropic: streaming", () => {
  it("streams the same text in order, with a usage chunk when asked", async () => {
    const whole = await ask("claude-sonnet-4-5");
    const res = await ask("claude-sonnet-4-5", { stream: true, stream_options: { include_usage: true } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const { done, chunks } = chunksOf(res.text);
    expect(done).toBe(true);
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    for (const c of chunks)
      expect(c).toMatchObject({ object: "chat.completion.chunk", model: "claude-sonnet-4-5" });
    expect(chunks[0].choices[0].delta).toEqual({ role: "assistant", content: "Hello " });
    const text = chunks.map((c) => c.choices[0]?.delta?.content ?? "").join("");
    expect(text).toBe(whole.json.choices[0].message.content);
    expect(chunks.filter((c) => c.choices[0]?.delta?.content).length).toBe(6);
    expect(chunks.at(-2).choices[0]).toMatchObject({ delta: {}, finish_reason: "stop" });
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: USAGE });

    const echoed = chunksOf((await ask(scenario("inspect"), { stream: true })).text);
    const seen = JSON.parse(echoed.chunks.map((c) => c.choices[0]?.delta?.content ?? "").join(""));
    expect(seen.body).toMatchObject({ stream: true, max_tokens: 4096 });

    const quiet = chunksOf((await ask("claude-sonnet-4-5", { stream: true })).text);
    expect(quiet.done).toBe(true);
    expect(quiet.chunks.some((c) => c.usage)).toBe(false);
    expect(quiet.chunks.at(-1).choices[0].finish_reason).toBe("stop");
  });

  it("streams tool calls whose deltas reassemble to the same arguments", async () => {
    const res = await ask(scenario("tool-call"), { tools: [WEATHER_TOOL], stream: true });
    const { done, chunks } = chunksOf(res.text);
    expect(done).toBe(true);
    const calls = chunks.flatMap((c) => c.choices[0]?.delta?.tool_calls ?? []);
    // Block 1 of the message, but the first tool call: index 0.
    expect(calls[0]).toEqual({
      index: 0,
      id: ANTHROPIC_TOOL_ID,
      type: "function",
      function: { name: "get_weather", arguments: "" },
    });
    expect(calls.every((c) => c.index === 0)).toBe(true);
    const args = calls.map((c) => c.function?.arguments ?? "").join("");
    expect(args).toBe(ANTHROPIC_TOOL_JSON_PIECES.join(""));
    expect(JSON.parse(args)).toEqual(ANTHROPIC_TOOL_INPUT);
    expect(chunks.map((c) => c.choices[0]?.delta?.content ?? "").join("")).toBe(ANTHROPIC_TOOL_PREAMBLE);
    expect(chunks.at(-1).choices[0].finish_reason).toBe("tool_calls");
  });

  it("ends a cut-off stream and a vendor error event with one final error event", async () => {
    for (const [name, code, text] of [
      ["cut-stream", "upstream_stream_interrupted", "Hello from "],
      ["error-event", "upstream_stream_error", "Hello "],
    ] as const) {
      const res = await ask(scenario(name), { stream: true });
      expect(res.status).toBe(200);
      const data = sseData(res.text);
      expect(data).not.toContain("[DONE]");
      const last = JSON.parse(data.at(-1) as string);
      expect(last).toEqual({
        error: {
          type: "upstream_error",
          code,
          message: expect.any(String),
          request_id: expect.stringMatching(/^req_/),
        },
      });
      const content = data.slice(0, -1).map((d) => JSON.parse(d).choices[0]?.delta?.content ?? "");
      expect(content.join("")).toBe(text);
      if (name === "error-event") expect(last.error.message).toContain("Overloaded");
    }
  });
});

describe("anthropic: client disconnects", () => {
  it("cancel the upstream stream, and the call is recorded as cancelled", async () => {
    const model = scenario("slow-stream");
    const res = await exports.default.fetch(
      new Request("http://w/v1/chat/completions", {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify({ model: `anthropic/${model}`, messages: [user("go")], stream: true }),
      }),
    );
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    expect((await reader.read()).done).toBe(false);
    await reader.cancel();
    let aborted = false;
    for (let i = 0; i < 100 && !aborted; i++) {
      const log = (await upstreamLog(model)) as { aborted: boolean }[];
      aborted = log[0]?.aborted === true;
      if (!aborted) await new Promise((r) => setTimeout(r, 20));
    }
    expect(aborted).toBe(true);
    const usage = await usageOf(res.headers.get("x-request-id") as string);
    expect(usage).toMatchObject({ status: 200, error_code: "client_cancelled" });
  });
});

describe("anthropic: failures", () => {
  const fail = (name: string, extra: Record<string, unknown> = {}, headers?: Record<string, string>) =>
    ask(scenario(name), extra, headers);

  it("maps a refused key to 502 upstream_auth_failed", async () => {
    const added = await post("/v1/vendors", {
      slug: "claude-wrong-key",
      kind: "anthropic",
      base_url: `${env.MOCK_UPSTREAM_URL}/anthropic`,
      api_key: "sk-ant-wrong",
    });
    expect(added.status, added.text).toBe(201);
    const res = await chat({ model: "claude-wrong-key/claude-sonnet-4-5", messages: [user("hi")] });
    expectError(res, 502, "upstream_error", "upstream_auth_failed");
    expect(res.text).not.toContain("x-api-key");
    expectError(await fail("fail-403"), 502, "upstream_error", "upstream_auth_failed");
  });

  it("keeps the vendor's scrubbed message for 400 and 404", async () => {
    const bad = await fail("fail-400");
    expectError(bad, 400, "invalid_request_error", "upstream_invalid_request");
    expect(bad.json.error.message).toContain("Mock failure 400");
    expect(bad.text).not.toContain("sk-proj-");
    const missing = await fail("fail-404");
    expectError(missing, 404, "not_found_error", "upstream_not_found");
    expect(missing.text).not.toContain("sk-proj-");
  });

  it("maps 429 with Retry-After, and 500, 529 and HTML bodies to 502", async () => {
    const limited = await fail("fail-429");
    expectError(limited, 429, "rate_limit_error", "upstream_rate_limited");
    expect(limited.headers.get("retry-after")).toBe("7");
    for (const name of ["fail-500", "fail-529", "fail-503-html"]) {
      const res = await fail(name);
      expectError(res, 502, "upstream_error", "upstream_unavailable");
      expect(res.text).not.toContain("Mock failure");
    }
  });

  it("maps a malformed body, a hang and a reset", async () => {
    expectError(await fail("malformed"), 502, "upstream_error", "upstream_malformed_response");
    expectError(await fail("hang", {}, { "x-timeout-ms": "150" }), 504, "timeout_error", "upstream_timeout");
    expectError(
      await fail("hang", { stream: true }, { "x-timeout-ms": "150" }),
      504,
      "timeout_error",
      "upstream_timeout",
    );
    expectError(await fail("reset"), 502, "upstream_error", "upstream_unreachable");
  });
});

describe("anthropic: the official openai SDK", () => {
  const client = () =>
    new OpenAI({
      apiKey: key,
      baseURL: "http://w/v1",
      fetch: (input: RequestInfo | URL, init?: RequestInit) =>
        exports.default.fetch(new Request(input, init)),
      maxRetries: 0,
    });

  it("parses a translated answer", async () => {
    const completion = await client().chat.completions.create({
      model: "anthropic/claude-haiku-4-5",
      messages: [{ role: "user", content: "sdk" }],
    });
    expect(completion.choices[0]?.message.content).toBe("Hello from Claude! You said: sdk");
    expect(completion.choices[0]?.finish_reason).toBe("stop");
    expect(completion.usage).toMatchObject(USAGE);
  });

  it("reads a translated stream, and raises the vendor's mid-stream error", async () => {
    const stream = await client().chat.completions.create({
      model: "anthropic/claude-haiku-4-5",
      messages: [{ role: "user", content: "sdk stream" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = "";
    let usage: unknown;
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? "";
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe("Hello from Claude! You said: sdk stream");
    expect(finish).toBe("stop");
    expect(usage).toMatchObject(USAGE);

    const failing = await client().chat.completions.create({
      model: `anthropic/${scenario("error-event")}`,
      messages: [{ role: "user", content: "x" }],
      stream: true,
    });
    await expect(async () => {
      for await (const _ of failing) {
        // drain
      }
    }).rejects.toThrow(/Overloaded/);
  });
});

describe("anthropic: reasoning_effort", () => {
  it("asks Claude for extended thinking with the level's budget, room for the answer on top", async () => {
    const seen = await inspect({ messages: [user("hi")], reasoning_effort: "low" });
    expect(seen.body).toMatchObject({
      thinking: { type: "enabled", budget_tokens: 2048 },
      max_tokens: 2048 + 4096,
    });
    const bounded = await inspect({
      messages: [user("hi")],
      reasoning_effort: "high",
      max_completion_tokens: 9000,
    });
    expect(bounded.body).toMatchObject({
      thinking: { type: "enabled", budget_tokens: 8999 },
      max_tokens: 9000,
    });
    const off = await inspect({ messages: [user("hi")], reasoning_effort: "none", temperature: 0.3 });
    expect(off.body).not.toHaveProperty("thinking");
    expect(off.body).toMatchObject({ max_tokens: 4096, temperature: 0.3 });
  });

  it("refuses, naming it, a temperature Claude does not take while it thinks", async () => {
    const res = await ask("claude-sonnet-4-5", { reasoning_effort: "medium", temperature: 0.7 });
    const err = expectError(res, 400, "invalid_request_error", "unsupported_parameter");
    expect(err.param).toBe("temperature");
  });

  it("shows OpenAI-format clients the answer, not the thinking, and counts it in the usage", async () => {
    const res = await ask("fixture-thinking", {
      reasoning_effort: "low",
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(res.status, res.text).toBe(200);
    const { done, chunks } = chunksOf(res.text);
    expect(done).toBe(true);
    const said = chunks.map((c) => c.choices[0]?.delta?.content ?? "").join("");
    expect(said).toBe("The GCD is 21.");
    expect(res.text).not.toContain("GCD of 1071");
    expect(chunks.at(-1).usage).toMatchObject({ prompt_tokens: 46, completion_tokens: 131 });
  });
});
