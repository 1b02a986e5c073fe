import { exports } from "cloudflare:workers";
import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { scenario, sseData } from "../helpers";
import { chat, FIXED_USAGE, key, setupGeminiUser, upstreamLog, user, WEATHER_TOOL } from "./gemini-helpers";

setupGeminiUser();

/** Parses a chat-completions SSE body: the chunks before [DONE], which must be last. */
function chunksOf(text: string) {
  const data = sseData(text);
  expect(data.at(-1)).toBe("[DONE]");
  return data.slice(0, -1).map((d) => JSON.parse(d));
}

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
    // The role chunk first (nothing was written), the finish, then the usage chunk.
    expect(chunks[0].choices[0].delta).toEqual({ role: "assistant", content: "" });
    expect(chunks.map((c) => c.choices[0]?.finish_reason ?? null)).toEqual([null, "content_filter", null]);
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

  it("gives the SDK's stream helper a final completion when the prompt is blocked", async () => {
    const stream = client().chat.completions.stream({
      model: `gemini/${scenario("blocked")}`,
      messages: [{ role: "user", content: "x" }],
    });
    const done = await stream.finalChatCompletion();
    expect(done.choices[0]).toMatchObject({
      finish_reason: "content_filter",
      message: { role: "assistant" },
    });
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
