import { env } from "cloudflare:workers";
import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { fixture } from "../fixtures/index";
import { scenario } from "../helpers";
import { readSse } from "./sse-client";

/**
 * The mock OpenAI's Responses API (test/mocks/openai-responses.ts) as the official SDK sees it,
 * straight from the worker runtime: tests of the Responses passthrough lean on it speaking the
 * real wire format, which the SDK's accumulator checks event by event.
 */

const BASE = `${env.MOCK_UPSTREAM_URL}/openai/v1`;
const KEY = "test-openai-key";
const client = new OpenAI({ apiKey: KEY, baseURL: BASE, maxRetries: 0 });

const raw = (path: string, init: RequestInit = {}, key = KEY) =>
  fetch(`${BASE}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
  });
const rawCreate = (body: object) => raw("/responses", { method: "POST", body: JSON.stringify(body) });

describe("the mock Responses API, through the openai SDK", () => {
  it("answers a create, whole and streamed, in shapes the SDK accepts", async () => {
    const whole = await client.responses.create({ model: scenario("gpt-5-mini"), input: "Bonjour 😀" });
    expect(whole).toMatchObject({
      object: "response",
      status: "completed",
      output_text: "Hello! You said: Bonjour 😀",
    });
    expect(whole.usage).toMatchObject({
      input_tokens: 21,
      output_tokens: 8,
      input_tokens_details: { cached_tokens: 4 },
    });

    const stream = client.responses.stream({ model: scenario("gpt-5-mini"), input: "streamed" });
    const deltas: string[] = [];
    stream.on("response.output_text.delta", (e) => deltas.push(e.delta));
    const final = await stream.finalResponse();
    expect(final.output_text).toBe("Hello! You said: streamed");
    expect(deltas.join("")).toBe(final.output_text);
  });

  it("calls the first tool for `tool-call`, and reads the tool's output back", async () => {
    const tools = [
      { type: "function" as const, name: "get_weather", parameters: { type: "object" }, strict: false },
    ];
    const first = await client.responses
      .stream({ model: scenario("tool-call"), input: "Weather?", tools })
      .finalResponse();
    expect(first.output).toMatchObject([
      {
        type: "function_call",
        call_id: "call_abc123",
        name: "get_weather",
        arguments: '{"location":"Paris"}',
      },
    ]);
    const second = await client.responses.create({
      model: scenario("tool-call"),
      previous_response_id: first.id,
      input: [{ type: "function_call_output", call_id: "call_abc123", output: "sunny" }],
      tools,
    });
    expect(second.output_text).toBe("The tool said: sunny");
  });

  it("stops at max_output_tokens with response.incomplete", async () => {
    const r = await client.responses
      .stream({ model: scenario("gpt-5-mini"), input: "a b c d e", max_output_tokens: 2 })
      .finalResponse();
    expect(r).toMatchObject({ status: "incomplete", incomplete_details: { reason: "max_output_tokens" } });
    expect(r.output_text).toBe("Hello! You ");
  });

  it("resolves previous_response_id to the stored chain, and `inspect` shows it", async () => {
    const a = await client.responses.create({
      model: scenario("gpt-5-mini"),
      input: "first",
      instructions: "Be brief.",
    });
    const b = await client.responses.create({
      model: scenario("gpt-5-mini"),
      input: "second",
      previous_response_id: a.id,
    });
    const c = await client.responses.create({
      model: scenario("inspect"),
      input: "third",
      previous_response_id: b.id,
    });
    const seen = JSON.parse(c.output_text);
    expect(seen.previous).toEqual([a.id, b.id]);
    expect(seen.context).toEqual([
      { type: "message", role: "user", text: "first" },
      { type: "message", role: "assistant", text: "Hello! You said: first" },
      { type: "message", role: "user", text: "second" },
      { type: "message", role: "assistant", text: "Hello! You said: second" },
      { type: "message", role: "user", text: "third" },
    ]);
    expect(seen.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(seen.body).toMatchObject({ input: "third", previous_response_id: b.id });

    // The input items of `c`: everything it was made from, newest first, in pages.
    const page = await client.responses.inputItems.list(c.id, { limit: 2 });
    expect(page.data.map((i) => (i.type === "message" ? i.role : i.type))).toEqual(["user", "assistant"]);
    expect(page.has_more).toBe(true);
    const all: string[] = [];
    for await (const item of client.responses.inputItems.list(c.id, { limit: 2, order: "asc" }))
      all.push(item.id ?? "");
    expect(all).toHaveLength(5);
  });

  it("stores unless store is false; GET, stream replay and DELETE work on what it stored", async () => {
    const kept = await client.responses.create({ model: scenario("gpt-5-mini"), input: "keep me" });
    expect(await client.responses.retrieve(kept.id)).toMatchObject({
      id: kept.id,
      output_text: kept.output_text,
    });
    const replay = await client.responses.retrieve(kept.id, { stream: true });
    const types: string[] = [];
    for await (const e of replay) types.push(e.type);
    expect(types[0]).toBe("response.created");
    expect(types.at(-1)).toBe("response.completed");
    expect(await (await raw(`/responses/${kept.id}`, { method: "DELETE" })).json()).toEqual({
      id: kept.id,
      object: "response",
      deleted: true,
    });
    await expect(client.responses.retrieve(kept.id)).rejects.toMatchObject({ status: 404 });

    const unstored = await client.responses.create({
      model: scenario("gpt-5-mini"),
      input: "forget me",
      store: false,
    });
    await expect(client.responses.retrieve(unstored.id)).rejects.toMatchObject({ status: 404 });
    await expect(
      client.responses.create({
        model: scenario("gpt-5-mini"),
        input: "again",
        previous_response_id: unstored.id,
      }),
    ).rejects.toMatchObject({
      status: 400,
      code: "previous_response_not_found",
      param: "previous_response_id",
    });
  });

  it("counts input tokens and compacts a conversation", async () => {
    const counted = await client.responses.inputTokens.count({ model: "gpt-5-mini", input: "count these" });
    expect(counted).toMatchObject({ object: "response.input_tokens", input_tokens: expect.any(Number) });
    const compacted = await client.responses.compact({
      model: "gpt-5-mini",
      input: [
        { role: "user", content: "one" },
        { role: "assistant", content: "two" },
        { role: "user", content: "three" },
      ],
    });
    expect(compacted.object).toBe("response.compaction");
    expect(compacted.output.map((i) => i.type)).toEqual(["message", "message", "compaction"]);
  });
});

describe("the mock Responses API's failure scenarios", () => {
  it("answers a wrong key with OpenAI's 401", async () => {
    const res = await raw("/responses", { method: "POST", body: "{}" }, "sk-wrong");
    expect(res.status).toBe(401);
    expect((await res.json<{ error: { code: string } }>()).error.code).toBe("invalid_api_key");
  });

  it("fails with OpenAI's error body, 429s with Retry-After", async () => {
    const res = await rawCreate({ model: scenario("fail-429"), input: "x" });
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("7");
    expect(await res.json()).toMatchObject({ error: { type: "tokens", code: "rate_limit_exceeded" } });
  });

  it("sends an error event then response.failed for `error-event`, which the SDK raises", async () => {
    const res = await rawCreate({ model: scenario("error-event"), input: "x", stream: true });
    const events = readSse(await res.text()).map((e) => JSON.parse(e.data));
    expect(events.slice(-2).map((e) => e.type)).toEqual(["error", "response.failed"]);
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    await expect(
      client.responses.stream({ model: scenario("error-event"), input: "x" }).finalResponse(),
    ).rejects.toThrow("The server had an error");
  });

  it("ends `cut-stream` without a terminal event", async () => {
    const res = await rawCreate({ model: scenario("cut-stream"), input: "x y z", stream: true });
    const types = readSse(await res.text()).map((e) => JSON.parse(e.data).type);
    expect(types).toHaveLength(5);
    expect(types.some((t) => t.startsWith("response.completed"))).toBe(false);
  });

  it("streams `chunks-16` in 16 deltas", async () => {
    const res = await rawCreate({ model: scenario("chunks-16"), input: "x", stream: true });
    const deltas = readSse(await res.text()).filter((e) => e.event === "response.output_text.delta");
    expect(deltas).toHaveLength(16);
  });

  it("replays a recorded stream byte for byte, and the recorded Response to a whole request", async () => {
    const res = await rawCreate({ model: scenario("fixture-text~7"), input: "x", stream: true });
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    expect(await res.text()).toBe(fixture("openai-responses", "text"));
    const whole = await rawCreate({ model: scenario("fixture-response"), input: "x" });
    expect(await whole.text()).toBe(fixture("openai-responses", "response.json"));
  });

  it("logs every request under its model, reads included", async () => {
    const model = scenario("gpt-5-mini");
    const r = await client.responses.create({ model, input: "log me" });
    await client.responses.retrieve(r.id);
    const log = await (await fetch(`${env.MOCK_UPSTREAM_URL}/__log?model=${encodeURIComponent(model)}`)).json<
      { path: string }[]
    >();
    expect(log.map((l) => l.path)).toEqual(["/openai/v1/responses", `/openai/v1/responses/${r.id}`]);
  });
});
