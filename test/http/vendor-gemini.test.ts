import { describe, expect, it } from "vitest";
import { expectError, scenario } from "../helpers";
import { TINY_PNG_B64 } from "../mocks/openai";
import { chat, FIXED_USAGE, setupGeminiUser, user, WEATHER_TOOL } from "./gemini-helpers";

setupGeminiUser();

/** What the mock Gemini received ({path, headers, body}), read back from an `inspect` answer. */
async function inspect(body: Record<string, unknown>) {
  const model = scenario("inspect");
  const res = await chat({ ...body, model: `gemini/${model}` });
  expect(res.status, res.text).toBe(200);
  const seen = JSON.parse(res.json.choices[0].message.content);
  return { model, seen, res };
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

  it("sends reasoning_effort as Gemini's thinking config", async () => {
    const { seen } = await inspect({ messages: [user("hi")], reasoning_effort: "medium" });
    expect(seen.body.generationConfig).toEqual({
      thinkingConfig: { thinkingBudget: 8192, includeThoughts: true },
    });
    const off = await inspect({ messages: [user("hi")], reasoning_effort: "none" });
    expect(off.seen.body.generationConfig).toEqual({ thinkingConfig: { thinkingBudget: 0 } });
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

  // https image URLs are fetched by the gateway: inline-images.test.ts.
  it("refuses image types Gemini does not read", async () => {
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
