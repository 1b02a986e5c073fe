import { env, exports } from "cloudflare:workers";
import OpenAI from "openai";
import { beforeAll, describe, expect, it } from "vitest";
import { configureVendorKeys, createUser, expectError, post, scenario, sseData } from "../helpers";
import { TINY_PNG_B64 } from "../mocks/openai";

let key: string;
beforeAll(async () => {
  await configureVendorKeys();
  key = (await createUser()).key;
});

const chat = (body: Record<string, unknown>, headers?: Record<string, string>) =>
  post("/v1/chat/completions", body, { key, headers });
const user = (content: unknown) => ({ role: "user", content });

/** What the mock Gemini received ({path, headers, body}), read back from an `inspect` answer. */
async function inspect(body: Record<string, unknown>) {
  const model = scenario("inspect");
  const res = await chat({ ...body, model: `gemini/${model}` });
  expect(res.status, res.text).toBe(200);
  const seen = JSON.parse(res.json.choices[0].message.content);
  return { model, seen, res };
}

/** What the mock upstream recorded for a model name (test/mocks/upstream-server.ts). */
async function upstreamLog(model: string) {
  const res = await fetch(`${env.MOCK_UPSTREAM_URL}/__log?model=${encodeURIComponent(model)}`);
  return (await res.json()) as {
    path: string;
    headers: Record<string, string>;
    body: Record<string, unknown>;
    aborted: boolean;
  }[];
}

const FIXED_USAGE = {
  prompt_tokens: 30,
  completion_tokens: 12,
  total_tokens: 42,
  prompt_tokens_details: { cached_tokens: 6 },
};

const WEATHER_TOOL = {
  type: "function",
  function: {
    name: "get_weather",
    description: "Weather for a city",
    parameters: {
      type: "object",
      properties: { location: { type: "string" } },
      required: ["location"],
      additionalProperties: false,
    },
  },
};

/** Parses a chat-completions SSE body: the chunks before [DONE], which must be last. */
function chunksOf(text: string) {
  const data = sseData(text);
  expect(data.at(-1)).toBe("[DONE]");
  return data.slice(0, -1).map((d) => JSON.parse(d));
}

describe("gemini: text answers", () => {
  it("answers in OpenAI's shape with Gemini's exact usage", async () => {
    const res = await chat({ model: "gemini/gemini-2.5-flash", messages: [user("hi there")] });
    expect(res.status, res.text).toBe(200);
    expect(res.headers.get("x-switchboard-model")).toBe("gemini/gemini-2.5-flash");
    expect(res.json).toMatchObject({
      object: "chat.completion",
      model: "gemini-2.5-flash",
      choices: [
        {
          index: 0,
          message: { role: "assistant", content: "Hello from Gemini! You said: hi there" },
          finish_reason: "stop",
        },
      ],
    });
    expect(res.json.id).toMatch(/^chatcmpl-/);
    // Output counts the thinking tokens too (10 + 2); cached tokens are reported as OpenAI does.
    expect(res.json.usage).toEqual(FIXED_USAGE);
  });

  it("calls generateContent with the key in x-goog-api-key, never in the URL", async () => {
    const { model, seen } = await inspect({ messages: [user("hi")] });
    expect(seen.path).toBe(`/gemini/v1beta/models/${model}:generateContent`);
    expect(seen.headers["x-goog-api-key"]).toBe("test-gemini-key");
    expect(seen.headers.authorization).toBeUndefined();
    expect(seen.body).toEqual({ contents: [{ role: "user", parts: [{ text: "hi" }] }] });
  });

  it("leaves thought parts out of the answer", async () => {
    const res = await chat({ model: `gemini/${scenario("thinking")}`, messages: [user("why?")] });
    expect(res.json.choices[0].message.content).toBe("Hello from Gemini! You said: why?");
  });

  it("merges consecutive turns of one role, with roles user and model", async () => {
    const { seen } = await inspect({
      messages: [
        user("first"),
        user([
          { type: "text", text: "second" },
          { type: "text", text: " part" },
        ]),
        { role: "assistant", content: "an answer" },
        { role: "assistant", content: "more answer" },
        user("third"),
      ],
    });
    expect(seen.body.contents).toEqual([
      { role: "user", parts: [{ text: "first" }, { text: "second" }, { text: " part" }] },
      { role: "model", parts: [{ text: "an answer" }, { text: "more answer" }] },
      { role: "user", parts: [{ text: "third" }] },
    ]);
  });

  it("sends system messages as the systemInstruction, outside the turns", async () => {
    const { seen } = await inspect({
      messages: [
        { role: "system", content: "Be brief." },
        { role: "developer", content: [{ type: "text", text: "Speak French." }] },
        user("hi"),
      ],
    });
    expect(seen.body.systemInstruction).toEqual({
      parts: [{ text: "Be brief." }, { text: "Speak French." }],
    });
    expect(seen.body.contents).toEqual([{ role: "user", parts: [{ text: "hi" }] }]);
  });

  it("maps sampling parameters to generationConfig", async () => {
    const { seen } = await inspect({
      messages: [user("hi")],
      temperature: 0.3,
      top_p: 0.9,
      max_tokens: 500,
      stop: ["END", "STOP"],
      seed: 7,
      presence_penalty: 0.1,
      frequency_penalty: 0.2,
      user: "end-user-1",
      parallel_tool_calls: true,
    });
    expect(seen.body.generationConfig).toEqual({
      temperature: 0.3,
      topP: 0.9,
      maxOutputTokens: 500,
      stopSequences: ["END", "STOP"],
      seed: 7,
      presencePenalty: 0.1,
      frequencyPenalty: 0.2,
    });
    expect(Object.keys(seen.body).sort()).toEqual(["contents", "generationConfig"]);
  });

  it("reports stop and length finish reasons", async () => {
    const stopped = await chat({
      model: "gemini/gemini-2.5-flash",
      messages: [user("hi")],
      stop: ["Gemini"],
    });
    expect(stopped.json.choices[0]).toMatchObject({
      message: { content: "Hello from " },
      finish_reason: "stop",
    });
    const cut = await chat({ model: "gemini/gemini-2.5-flash", messages: [user("hi")], max_tokens: 3 });
    expect(cut.json.choices[0]).toMatchObject({
      message: { content: "Hello from Gemini! " },
      finish_reason: "length",
    });
  });

  it("reports a safety stop and a blocked prompt as content_filter", async () => {
    const safety = await chat({ model: `gemini/${scenario("safety")}`, messages: [user("x")] });
    expect(safety.status, safety.text).toBe(200);
    expect(safety.json.choices[0]).toMatchObject({
      message: { content: "" },
      finish_reason: "content_filter",
    });
    expect(safety.json.usage).toEqual(FIXED_USAGE);
    const blocked = await chat({ model: `gemini/${scenario("blocked")}`, messages: [user("x")] });
    expect(blocked.status, blocked.text).toBe(200);
    expect(blocked.json.choices[0]).toMatchObject({
      message: { content: "" },
      finish_reason: "content_filter",
    });
    expect(blocked.json.usage).toEqual({ prompt_tokens: 30, completion_tokens: 0, total_tokens: 30 });
  });
});

describe("gemini: images in messages", () => {
  it("sends data-URL images inline", async () => {
    const { seen } = await inspect({
      messages: [
        user([
          { type: "text", text: "what is this?" },
          { type: "image_url", image_url: { url: `data:image/png;base64,${TINY_PNG_B64}`, detail: "low" } },
        ]),
      ],
    });
    expect(seen.body.contents).toEqual([
      {
        role: "user",
        parts: [{ text: "what is this?" }, { inlineData: { mimeType: "image/png", data: TINY_PNG_B64 } }],
      },
    ]);
  });

  it("refuses https image URLs and image types Gemini does not read", async () => {
    const url = await chat({
      model: "gemini/gemini-2.5-flash",
      messages: [user([{ type: "image_url", image_url: { url: "https://example.com/cat.png" } }])],
    });
    const e = expectError(url, 400, "invalid_request_error", "unsupported_image");
    expect(e.param).toBe("messages.0.content.0.image_url.url");
    expect(e.message).toContain("data URL");
    const gif = await chat({
      model: "gemini/gemini-2.5-flash",
      messages: [
        user([{ type: "image_url", image_url: { url: "data:image/gif;base64,R0lGODlhAQABAAAAACw=" } }]),
      ],
    });
    expectError(gif, 400, "invalid_request_error", "unsupported_image");
  });
});

describe("gemini: tools", () => {
  const askWeather = [user("Weather in Paris?")];

  it("turns a functionCall into tool_calls with a deterministic id", async () => {
    const res = await chat({
      model: `gemini/${scenario("tool-call")}`,
      messages: askWeather,
      tools: [WEATHER_TOOL],
    });
    expect(res.status, res.text).toBe(200);
    expect(res.json.choices[0]).toEqual({
      index: 0,
      message: {
        role: "assistant",
        content: null,
        refusal: null,
        tool_calls: [
          {
            id: "call_0",
            type: "function",
            function: { name: "get_weather", arguments: '{"location":"Paris"}' },
          },
        ],
      },
      logprobs: null,
      finish_reason: "tool_calls",
    });
  });

  it("keeps Gemini's own call ids and numbers the others", async () => {
    const res = await chat({
      model: `gemini/${scenario("parallel-tools")}`,
      messages: askWeather,
      tools: [WEATHER_TOOL],
    });
    expect(
      res.json.choices[0].message.tool_calls.map((t: { id: string; function: { arguments: string } }) => [
        t.id,
        t.function.arguments,
      ]),
    ).toEqual([
      ["call_0", '{"location":"Paris"}'],
      ["fc-tokyo", '{"location":"Tokyo"}'],
    ]);
  });

  it("declares tools and tool_choice in Gemini's terms", async () => {
    const cases: [unknown, unknown][] = [
      ["auto", { mode: "AUTO" }],
      ["none", { mode: "NONE" }],
      ["required", { mode: "ANY" }],
      [
        { type: "function", function: { name: "get_weather" } },
        { mode: "ANY", allowedFunctionNames: ["get_weather"] },
      ],
    ];
    for (const [choice, config] of cases) {
      const { seen } = await inspect({ messages: askWeather, tools: [WEATHER_TOOL], tool_choice: choice });
      expect(seen.body.tools).toEqual([
        {
          functionDeclarations: [
            {
              name: "get_weather",
              description: "Weather for a city",
              parametersJsonSchema: WEATHER_TOOL.function.parameters,
            },
          ],
        },
      ]);
      expect(seen.body.toolConfig).toEqual({ functionCallingConfig: config });
    }
  });

  it("round-trips a call and its result as functionCall and functionResponse", async () => {
    const model = scenario("tool-call");
    const first = await chat({ model: `gemini/${model}`, messages: askWeather, tools: [WEATHER_TOOL] });
    const assistant = first.json.choices[0].message;
    const history = [
      ...askWeather,
      assistant,
      { role: "tool", tool_call_id: assistant.tool_calls[0].id, content: '{"temp_c":21}' },
    ];
    const second = await chat({ model: `gemini/${model}`, messages: history, tools: [WEATHER_TOOL] });
    expect(second.status, second.text).toBe(200);
    expect(second.json.choices[0]).toMatchObject({
      message: { content: 'The tool said: {"name":"get_weather","response":{"temp_c":21}}' },
      finish_reason: "stop",
    });

    const { seen } = await inspect({
      messages: [
        ...history,
        { role: "tool", tool_call_id: "call_0", content: "sunny" },
        { role: "assistant", content: "It is 21 °C and sunny." },
      ],
      tools: [WEATHER_TOOL],
    });
    expect(seen.body.contents).toEqual([
      { role: "user", parts: [{ text: "Weather in Paris?" }] },
      {
        role: "model",
        parts: [
          {
            functionCall: { name: "get_weather", args: { location: "Paris" } },
            thoughtSignature: "skip_thought_signature_validator",
          },
        ],
      },
      {
        role: "user",
        parts: [
          { functionResponse: { name: "get_weather", response: { temp_c: 21 } } },
          { functionResponse: { name: "get_weather", response: { content: "sunny" } } },
        ],
      },
      { role: "model", parts: [{ text: "It is 21 °C and sunny." }] },
    ]);
  });

  it("refuses tool results for unknown calls, and arguments that are not a JSON object", async () => {
    const unknown = await chat({
      model: "gemini/gemini-2.5-flash",
      messages: [...askWeather, { role: "tool", tool_call_id: "call_9", content: "x" }],
    });
    expect(expectError(unknown, 400, "invalid_request_error", "unknown_tool_call_id").param).toBe(
      "messages.1.tool_call_id",
    );
    const badArgs = await chat({
      model: "gemini/gemini-2.5-flash",
      messages: [
        ...askWeather,
        {
          role: "assistant",
          content: null,
          tool_calls: [{ id: "c1", type: "function", function: { name: "get_weather", arguments: "{oops" } }],
        },
        { role: "tool", tool_call_id: "c1", content: "x" },
      ],
    });
    expect(expectError(badArgs, 400, "invalid_request_error", "invalid_tool_arguments").param).toBe(
      "messages.1.tool_calls.0.function.arguments",
    );
  });
});

describe("gemini: JSON mode", () => {
  it("asks for application/json, with the schema as given", async () => {
    const plain = await inspect({ messages: [user("hi")], response_format: { type: "json_object" } });
    const answer = JSON.parse(plain.res.json.choices[0].message.content);
    const seenPlain = JSON.parse(answer.answer);
    expect(seenPlain.body.generationConfig).toEqual({ responseMimeType: "application/json" });

    const schema = {
      type: "object",
      properties: { city: { type: "string" } },
      required: ["city"],
      additionalProperties: false,
    };
    const typed = await inspect({
      messages: [user("hi")],
      response_format: { type: "json_schema", json_schema: { name: "city", schema, strict: true } },
    });
    const seenTyped = JSON.parse(JSON.parse(typed.res.json.choices[0].message.content).answer);
    expect(seenTyped.body.generationConfig).toEqual({
      responseMimeType: "application/json",
      responseJsonSchema: schema,
    });
  });
});

describe("gemini: streaming", () => {
  const streamBody = (model: string, content: string, extra: Record<string, unknown> = {}) => ({
    model: `gemini/${model}`,
    messages: [user(content)],
    stream: true,
    stream_options: { include_usage: true },
    ...extra,
  });

  it("reads Google's CRLF-framed events into ordered chunks, usage last", async () => {
    const whole = await chat({ model: "gemini/gemini-2.5-flash", messages: [user("stream please")] });
    const res = await chat(streamBody("gemini-2.5-flash", "stream please"));
    expect(res.status, res.text).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const chunks = chunksOf(res.text);
    const deltas = chunks.filter((c) => c.choices[0]?.delta?.content).map((c) => c.choices[0].delta.content);
    expect(deltas).toEqual(["Hello ", "from ", "Gemini! ", "You ", "said: ", "stream ", "please"]);
    expect(deltas.join("")).toBe(whole.json.choices[0].message.content);
    expect(chunks[0].choices[0].delta).toEqual({ role: "assistant", content: "Hello " });
    const finish = chunks.findIndex((c) => c.choices[0]?.finish_reason);
    expect(chunks[finish].choices[0].finish_reason).toBe("stop");
    expect(finish).toBe(chunks.length - 2);
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: FIXED_USAGE });
    for (const c of chunks) expect(c.model).toBe("gemini-2.5-flash");
  });

  it("calls streamGenerateContent with alt=sse and no key in the URL", async () => {
    const model = scenario("plain");
    const res = await chat(streamBody(model, "hi"));
    expect(res.status).toBe(200);
    const [seen] = await upstreamLog(model);
    expect(seen?.path).toBe(`/gemini/v1beta/models/${model}:streamGenerateContent?alt=sse`);
    expect(seen?.headers["x-goog-api-key"]).toBe("test-gemini-key");
    expect(seen?.path).not.toContain("key");
  });

  it("streams a whole tool call, then finish_reason tool_calls", async () => {
    const res = await chat(streamBody(scenario("tool-call"), "Weather in Paris?", { tools: [WEATHER_TOOL] }));
    const chunks = chunksOf(res.text);
    expect(chunks[0].choices[0].delta).toEqual({
      role: "assistant",
      content: null,
      tool_calls: [
        {
          index: 0,
          id: "call_0",
          type: "function",
          function: { name: "get_weather", arguments: '{"location":"Paris"}' },
        },
      ],
    });
    expect(chunks[1].choices[0].finish_reason).toBe("tool_calls");
    expect(chunks.at(-1).usage).toEqual(FIXED_USAGE);
  });

  it("numbers calls across events, keeping Gemini's ids", async () => {
    const res = await chat(streamBody(scenario("parallel-tools"), "Weather?", { tools: [WEATHER_TOOL] }));
    const calls = chunksOf(res.text).flatMap((c) => c.choices[0]?.delta?.tool_calls ?? []);
    expect(calls.map((t: { index: number; id: string }) => [t.index, t.id])).toEqual([
      [0, "call_0"],
      [1, "fc-tokyo"],
    ]);
  });

  it("ends with content_filter when the prompt is blocked", async () => {
    const chunks = chunksOf((await chat(streamBody(scenario("blocked"), "x"))).text);
    expect(chunks.map((c) => c.choices[0]?.finish_reason ?? null)).toEqual(["content_filter", null]);
  });

  it("ends a cut-off stream and a mid-stream error with one error event", async () => {
    for (const [name, code] of [
      ["cut-stream", "upstream_stream_interrupted"],
      ["error-event", "upstream_stream_error"],
    ] as const) {
      const res = await chat(streamBody(scenario(name), "one two three four"));
      expect(res.status).toBe(200);
      const data = sseData(res.text);
      expect(data).not.toContain("[DONE]");
      const deltas = data.slice(0, -1).map((d) => JSON.parse(d).choices[0].delta.content);
      expect(deltas).toEqual(["Hello ", "from "]);
      const last = JSON.parse(data.at(-1) as string);
      expect(last.error).toMatchObject({ type: "upstream_error", code, request_id: expect.any(String) });
      if (name === "error-event") expect(last.error.message).toContain("An internal error has occurred");
      expect(res.text).not.toContain("sk-proj-");
    }
  });

  it("aborts the upstream when the client goes away", async () => {
    const model = scenario("slow-stream");
    const res = await exports.default.fetch(
      new Request("http://switchboard.test/v1/chat/completions", {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify(streamBody(model, "x")),
      }),
    );
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    await reader.cancel();
    let aborted = false;
    for (let i = 0; i < 40 && !aborted; i++) {
      await new Promise((r) => setTimeout(r, 50));
      aborted = (await upstreamLog(model))[0]?.aborted === true;
    }
    expect(aborted).toBe(true);
  });
});

describe("gemini: failures", () => {
  const fail = (name: string, headers?: Record<string, string>) =>
    chat({ model: `gemini/${scenario(name)}`, messages: [user("x")] }, headers);

  it("passes a 400's message on, scrubbed of key-like strings", async () => {
    const res = await fail("fail-400");
    const e = expectError(res, 400, "invalid_request_error", "upstream_invalid_request");
    expect(e.message).toContain("Mock failure 400");
    expect(res.text).not.toContain("sk-proj-");
  });

  it("treats 401, 403 and Google's 400 API_KEY_INVALID as the gateway's auth failure", async () => {
    expectError(await fail("fail-401"), 502, "upstream_error", "upstream_auth_failed");
    expectError(await fail("fail-403"), 502, "upstream_error", "upstream_auth_failed");
    const vendor = await post("/v1/vendors", {
      slug: "gemini-badkey",
      kind: "gemini",
      base_url: `${env.MOCK_UPSTREAM_URL}/gemini`,
      api_key: "AIzaSyWRONG-key-0123456789abcdef",
    });
    expect(vendor.status, vendor.text).toBe(201);
    const res = await chat({ model: "gemini-badkey/gemini-2.5-flash", messages: [user("x")] });
    const e = expectError(res, 502, "upstream_error", "upstream_auth_failed");
    expect(e.message).not.toContain("API key not valid");
    expect(res.text).not.toContain("AIza");
  });

  it("maps 404, 429 (with Retry-After), 500 and an HTML 503", async () => {
    expectError(await fail("fail-404"), 404, "not_found_error", "upstream_not_found");
    const limited = await fail("fail-429");
    expectError(limited, 429, "rate_limit_error", "upstream_rate_limited");
    expect(limited.headers.get("retry-after")).toBe("7");
    expectError(await fail("fail-500"), 502, "upstream_error", "upstream_unavailable");
    const html = await fail("fail-503-html");
    expectError(html, 502, "upstream_error", "upstream_unavailable");
    expect(html.text).not.toContain("<html>");
  });

  it("maps a malformed body, a hang past x-timeout-ms, and a reset", async () => {
    expectError(await fail("malformed"), 502, "upstream_error", "upstream_malformed_response");
    expectError(await fail("hang", { "x-timeout-ms": "150" }), 504, "timeout_error", "upstream_timeout");
    expectError(await fail("reset"), 502, "upstream_error", "upstream_unreachable");
  });

  it("answers stream failures before the first byte as plain errors", async () => {
    const res = await chat({
      model: `gemini/${scenario("fail-429")}`,
      messages: [user("x")],
      stream: true,
    });
    expectError(res, 429, "rate_limit_error", "upstream_rate_limited");
  });
});

describe("gemini: through the official openai SDK", () => {
  const client = () =>
    new OpenAI({
      apiKey: key,
      baseURL: "http://w/v1",
      fetch: (i: RequestInfo | URL, init?: RequestInit) => exports.default.fetch(new Request(i, init)),
    });

  it("completes and streams", async () => {
    const sdk = client();
    const done = await sdk.chat.completions.create({
      model: "gemini/gemini-2.5-flash",
      messages: [{ role: "user", content: "from the sdk" }],
    });
    expect(done.choices[0]?.message.content).toBe("Hello from Gemini! You said: from the sdk");
    expect(done.usage).toMatchObject(FIXED_USAGE);

    const stream = await sdk.chat.completions.create({
      model: "gemini/gemini-2.5-flash",
      messages: [{ role: "user", content: "from the sdk" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = "";
    let usage: unknown;
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? "";
      finish ??= chunk.choices[0]?.finish_reason;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe("Hello from Gemini! You said: from the sdk");
    expect(finish).toBe("stop");
    expect(usage).toMatchObject(FIXED_USAGE);
  });

  it("raises the mid-stream error event as an APIError", async () => {
    const stream = await client().chat.completions.create({
      model: `gemini/${scenario("error-event")}`,
      messages: [{ role: "user", content: "one two three" }],
      stream: true,
    });
    await expect(async () => {
      for await (const _ of stream) {
        // drain
      }
    }).rejects.toThrow(/mid-stream/);
  });
});

describe("gemini: image generation", () => {
  const generate = (body: Record<string, unknown>) => post("/v1/images/generations", body, { key });

  it("draws with a Gemini image model, one call per image", async () => {
    const model = scenario("gemini-2.5-flash-image");
    const res = await generate({
      model: `gemini/${model}`,
      prompt: "a cat",
      n: 2,
      response_format: "b64_json",
    });
    expect(res.status, res.text).toBe(200);
    expect(res.json.data).toEqual([{ b64_json: TINY_PNG_B64 }, { b64_json: TINY_PNG_B64 }]);
    expect(res.json.usage).toEqual({ input_tokens: 16, output_tokens: 2580, total_tokens: 2596 });
    const log = await upstreamLog(model);
    expect(log).toHaveLength(2);
    expect(log[0]?.path).toBe(`/gemini/v1beta/models/${model}:generateContent`);
    expect(log[0]?.headers["x-goog-api-key"]).toBe("test-gemini-key");
    expect(log[0]?.body).toEqual({
      contents: [{ role: "user", parts: [{ text: "a cat" }] }],
      generationConfig: { responseModalities: ["IMAGE"] },
    });
  });

  it("asks for the aspect ratio nearest the size", async () => {
    const model = scenario("gemini-2.5-flash-image");
    const res = await generate({ model: `gemini/${model}`, prompt: "wide", size: "1792x1024" });
    expect(res.status, res.text).toBe(200);
    expect(res.json.data[0].url).toMatch(/\/v1\/images\/files\//);
    const [seen] = await upstreamLog(model);
    expect(seen?.body.generationConfig).toEqual({
      responseModalities: ["IMAGE"],
      imageConfig: { aspectRatio: "16:9" },
    });
  });

  it("answers 502 upstream_no_image when the model only wrote text", async () => {
    const res = await generate({ model: `gemini/${scenario("no-image")}`, prompt: "a cat" });
    expectError(res, 502, "upstream_error", "upstream_no_image");
  });

  it("maps upstream failures as for chat", async () => {
    expectError(
      await generate({ model: `gemini/${scenario("fail-429")}`, prompt: "a cat" }),
      429,
      "rate_limit_error",
      "upstream_rate_limited",
    );
  });
});
