import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import Anthropic from "@anthropic-ai/sdk";
import { beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { configureVendorKeys, createUser, post, scenario, usageOf } from "../helpers";
import { ANTHROPIC_MESSAGE_ID, ANTHROPIC_USAGE } from "../mocks/anthropic";

/**
 * POST /v1/messages and its count_tokens, driven by the official Anthropic SDK as Claude Code and
 * Anthropic-SDK applications drive them: passthrough to an `anthropic` vendor, translation for the
 * others, and errors in Anthropic's envelope that the SDK raises as its own classes.
 */

let key: string;
beforeAll(async () => {
  await configureVendorKeys();
  key = (await createUser()).key;
});

const workerFetch = (i: RequestInfo | URL, init?: RequestInit) => exports.default.fetch(new Request(i, init));
const client = (apiKey = key) =>
  new Anthropic({ apiKey, baseURL: "http://w", fetch: workerFetch, maxRetries: 0 });
const hi = [{ role: "user" as const, content: "hi there" }];

describe("an anthropic vendor: passthrough", () => {
  it("answers with the vendor's own message and usage", async () => {
    const res = await client().messages.create({
      model: "anthropic/claude-sonnet-4-5",
      max_tokens: 64,
      messages: hi,
    });
    expect(res.id).toBe(ANTHROPIC_MESSAGE_ID);
    expect(res.usage).toMatchObject(ANTHROPIC_USAGE);
    expect(res.content[0]).toMatchObject({ type: "text" });
  });

  it("sends the client's body as it is, model swapped in, with its version and beta headers", async () => {
    const body = {
      model: `anthropic/${scenario("inspect")}`,
      max_tokens: 128,
      system: [
        { type: "text", text: "x-anthropic-billing-header: cc_version=2.0" },
        { type: "text", text: "You are Claude Code.", cache_control: { type: "ephemeral" } },
      ],
      messages: [
        {
          role: "user",
          content: [{ type: "text", text: "hi", cache_control: { type: "ephemeral", ttl: "1h" } }],
        },
      ],
      thinking: { type: "adaptive" },
      metadata: { user_id: "user_abc" },
      some_future_field: { kept: true },
    };
    const res = await post("/v1/messages?beta=true", body, {
      key,
      headers: {
        "anthropic-version": "2023-06-01",
        "anthropic-beta": "prompt-caching-2024-07-31,context-1m",
      },
    });
    expect(res.status, res.text).toBe(200);
    const seen = JSON.parse(res.json.content[0].text);
    expect(seen.path).toBe("/anthropic/v1/messages");
    expect(seen.body).toEqual({ ...body, model: body.model.slice("anthropic/".length) });
    expect(seen.headers["anthropic-beta"]).toBe("prompt-caching-2024-07-31,context-1m");
    expect(seen.headers["anthropic-version"]).toBe("2023-06-01");
  });

  it("relays the stream for the SDK's helpers, and records its usage", async () => {
    const stream = client().messages.stream({
      model: "anthropic/claude-haiku-4-5",
      max_tokens: 64,
      messages: hi,
    });
    const types: string[] = [];
    stream.on("streamEvent", (e) => types.push(e.type));
    const final = await stream.finalMessage();
    expect(final.id).toBe(ANTHROPIC_MESSAGE_ID);
    expect(types[0]).toBe("message_start");
    expect(types.at(-1)).toBe("message_stop");
    const requestId = (await stream.withResponse()).response.headers.get("x-request-id") as string;
    const row = await usageOf(requestId);
    expect(row).toMatchObject({ route: "messages", vendor: "anthropic", status: 200, error_code: null });
    expect(row.output_tokens).toBe(ANTHROPIC_USAGE.output_tokens);
    // claude-haiku-4-5's list price ($1 in, $5 out, $0.10 cached): the 3 cache-write tokens at 1.25×.
    const { input_tokens, cache_creation_input_tokens, cache_read_input_tokens, output_tokens } =
      ANTHROPIC_USAGE;
    expect(row.cost_usd).toBeCloseTo(
      (input_tokens * 1 +
        cache_creation_input_tokens * 1.25 +
        cache_read_input_tokens * 0.1 +
        output_tokens * 5) /
        1e6,
      12,
    );
  });

  it("counts tokens with the vendor", async () => {
    const res = await client().messages.countTokens({ model: "anthropic/claude-sonnet-4-5", messages: hi });
    expect(res.input_tokens).toBe(Math.ceil(JSON.stringify(hi).length / 4));
  });

  it("passes the vendor's mid-stream error on as Anthropic's error event", async () => {
    const stream = client().messages.stream({
      model: `anthropic/${scenario("error-event")}`,
      max_tokens: 64,
      messages: hi,
    });
    await expect(stream.finalMessage()).rejects.toThrow();
  });
});

describe("other vendors: translated", () => {
  for (const model of ["mock/echo", "openai/gpt-4o-mini", "gemini/gemini-2.5-flash"]) {
    it(`answers and streams for ${model}`, async () => {
      const whole = await client().messages.create({ model, max_tokens: 256, messages: hi });
      expect(whole.type).toBe("message");
      expect(whole.role).toBe("assistant");
      expect(whole.stop_reason).toBe("end_turn");
      const text = whole.content.map((b) => (b.type === "text" ? b.text : "")).join("");
      expect(text.length).toBeGreaterThan(0);
      expect(whole.usage.output_tokens).toBeGreaterThan(0);

      const final = await client().messages.stream({ model, max_tokens: 256, messages: hi }).finalMessage();
      expect(final.content.map((b) => (b.type === "text" ? b.text : "")).join("")).toBe(text);
      expect(final.stop_reason).toBe("end_turn");
    });
  }

  it("runs a tool-use round trip through an OpenAI vendor", async () => {
    const model = `openai/${scenario("tool-call")}`;
    const tools = [
      {
        name: "get_weather",
        description: "Weather by city",
        input_schema: { type: "object" as const, properties: { location: { type: "string" } } },
      },
    ];
    const first = await client().messages.create({
      model,
      max_tokens: 64,
      tools,
      messages: [{ role: "user", content: "weather?" }],
    });
    expect(first.stop_reason).toBe("tool_use");
    const call = first.content.find((b) => b.type === "tool_use");
    expect(call).toMatchObject({ type: "tool_use", name: "get_weather", input: { location: "Paris" } });
    const second = await client().messages.create({
      model,
      max_tokens: 64,
      tools,
      messages: [
        { role: "user", content: "weather?" },
        { role: "assistant", content: first.content },
        {
          role: "user",
          content: [{ type: "tool_result", tool_use_id: (call as { id: string }).id, content: "sunny" }],
        },
      ],
    });
    expect(second.content[0]).toMatchObject({ type: "text", text: "The tool said: sunny" });
  });

  // STREAM_PING_MS shortened for this request only (the app called with its own env), so the
  // stalled vendor's silence is heard as pings within a few milliseconds.
  it("pings while the vendor is silent, and a client that leaves then stops the vendor", async () => {
    const model = scenario("stall-stream");
    const ctx = createExecutionContext();
    const res = await createApp().fetch(
      new Request("http://w/v1/messages", {
        method: "POST",
        headers: { "x-api-key": key, "content-type": "application/json", "anthropic-version": "2023-06-01" },
        body: JSON.stringify({ model: `openai/${model}`, max_tokens: 64, messages: hi, stream: true }),
      }),
      { ...env, STREAM_PING_MS: "5" },
      ctx,
    );
    expect(res.status).toBe(200);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = "";
    // Under load the vendor's first bytes may come after a ping: count the pings after its text.
    const afterText = () => {
      const at = text.lastIndexOf("content_block_delta");
      return at < 0 ? "" : text.slice(at);
    };
    while (afterText().split('event: ping\ndata: {"type":"ping"}\n\n').length < 3) {
      const { done, value } = await reader.read();
      expect(done).toBe(false);
      text += decoder.decode(value, { stream: true });
    }
    const events = [...text.matchAll(/^event: (\S+)$/gm)].map((m) => m[1]);
    expect(events[0]).toBe("message_start");
    expect(events.filter((e) => e !== "ping")).toEqual([
      "message_start",
      "content_block_start",
      "content_block_delta",
    ]);
    expect(events.slice(events.indexOf("content_block_delta") + 1).every((e) => e === "ping")).toBe(true);
    // No request signal reaches the app called directly: the next ping's write tells it the client left.
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
    await waitOnExecutionContext(ctx);
    const row = await usageOf(res.headers.get("x-request-id") as string);
    expect(row).toMatchObject({ route: "messages", vendor: "openai", error_code: "client_cancelled" });
  });

  it("estimates the count for a vendor that does not count", async () => {
    const res = await client().messages.countTokens({ model: "mock/echo", messages: hi });
    expect(res.input_tokens).toBeGreaterThan(0);
  });
});

describe("errors in Anthropic's envelope", () => {
  it("raise the SDK's own error classes", async () => {
    await expect(
      client("sk-wrong").messages.create({ model: "mock/echo", max_tokens: 8, messages: hi }),
    ).rejects.toBeInstanceOf(Anthropic.AuthenticationError);
    await expect(
      client().messages.create({ model: "nope/none", max_tokens: 8, messages: hi }),
    ).rejects.toBeInstanceOf(Anthropic.NotFoundError);
    const limited = await client()
      .messages.create({ model: `anthropic/${scenario("fail-429")}`, max_tokens: 8, messages: hi })
      .catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(Anthropic.RateLimitError);
    expect((limited as InstanceType<typeof Anthropic.RateLimitError>).headers?.get("retry-after")).toBe("7");
    const bad = await post("/v1/messages", { model: "mock/echo", messages: hi }, { key });
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({
      type: "error",
      error: { type: "invalid_request_error" },
      request_id: expect.any(String),
    });
    expect(bad.json.error.message).toContain("max_tokens");
  });

  it("keeps an Anthropic vendor's own error, scrubbed", async () => {
    const res = await post(
      "/v1/messages",
      { model: `anthropic/${scenario("fail-529")}`, max_tokens: 8, messages: hi },
      { key },
    );
    expect(res.status).toBe(529);
    expect(res.json).toMatchObject({ type: "error", error: { type: "overloaded_error" } });
    expect(res.text).not.toContain("sk-proj-");
  });
});

describe("GET /v1/models for Anthropic clients", () => {
  it("answers in Anthropic's shape, paged by limit and after_id, when anthropic-version is sent", async () => {
    const all = [];
    for await (const m of client().models.list({ limit: 1000 })) all.push(m);
    expect(all.length).toBeGreaterThan(3);
    expect(all[0]).toMatchObject({ type: "model", id: expect.any(String), display_name: expect.any(String) });
    expect(all.map((m) => m.id)).toContain("mock/echo");

    const first = await exports.default.fetch(
      new Request("http://w/v1/models?limit=2", {
        headers: { "x-api-key": key, "anthropic-version": "2023-06-01" },
      }),
    );
    const page = (await first.json()) as {
      data: { id: string }[];
      has_more: boolean;
      first_id: string;
      last_id: string;
    };
    expect(page.data).toHaveLength(2);
    expect(page.has_more).toBe(true);
    expect([page.first_id, page.last_id]).toEqual([all[0]?.id, all[1]?.id]);
    const next = await exports.default.fetch(
      new Request(`http://w/v1/models?limit=2&after_id=${encodeURIComponent(page.last_id)}`, {
        headers: { "x-api-key": key, "anthropic-version": "2023-06-01" },
      }),
    );
    expect(((await next.json()) as { first_id: string }).first_id).toBe(all[2]?.id);

    // Without the header it stays OpenAI's list.
    const openai = await exports.default.fetch(
      new Request("http://w/v1/models", { headers: { authorization: `Bearer ${key}` } }),
    );
    expect(await openai.json()).toMatchObject({ object: "list" });
  });
});
