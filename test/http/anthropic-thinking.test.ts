import { env, exports } from "cloudflare:workers";
import Anthropic from "@anthropic-ai/sdk";
import type { ContentBlock, MessageParam, ThinkingBlock } from "@anthropic-ai/sdk/resources/messages";
import { beforeAll, describe, expect, it } from "vitest";
import { gatewaySignature, signatureOrigin } from "../../src/dialects/anthropic/thinking-signature";
import { EXPECTED } from "../fixtures/expected";
import { configureVendorKeys, createUser, post, scenario } from "../helpers";

/**
 * Anthropic's `thinking` on POST /v1/messages for vendors behind the neutral model, driven by the
 * Anthropic SDK as Claude Code drives it: the setting reaches each vendor as its own, the vendor's
 * reasoning streams back as thinking blocks signed with who reasoned, and a client sending those
 * blocks back has them replayed only to that vendor and model (what the mock upstreams received
 * says so), and never to an Anthropic vendor.
 */

const DEEP = "deepthink";
let key: string;
beforeAll(async () => {
  await configureVendorKeys();
  key = (await createUser()).key;
  // A DeepSeek-like OpenAI-compatible host, replaying test/fixtures/openai/ (keyless).
  const vendor = await post("/v1/vendors", {
    slug: DEEP,
    kind: "openai-compatible",
    base_url: `${env.MOCK_UPSTREAM_URL}/compat/v1`,
  });
  expect(vendor.status, vendor.text).toBe(201);
});

const workerFetch = (i: RequestInfo | URL, init?: RequestInit) => exports.default.fetch(new Request(i, init));
const client = () => new Anthropic({ apiKey: key, baseURL: "http://w", fetch: workerFetch, maxRetries: 0 });

/** What the mock upstream received for a model name, in order. */
async function upstream(model: string): Promise<{ body: any }[]> {
  const res = await fetch(`${env.MOCK_UPSTREAM_URL}/__log?model=${encodeURIComponent(model)}`);
  return (await res.json()) as { body: any }[];
}

const WEATHER = {
  name: "get_weather",
  description: "Weather by city",
  input_schema: { type: "object" as const, properties: { location: { type: "string" } } },
};

/** Streams a message, keeping the SSE event sequence beside the SDK's final message. */
async function streamed(params: Anthropic.MessageCreateParamsNonStreaming) {
  const stream = client().messages.stream(params);
  const events: Anthropic.MessageStreamEvent[] = [];
  stream.on("streamEvent", (e) => events.push(e));
  const final = await stream.finalMessage();
  return { final, events };
}

/** Every block started before its deltas and stopped after, indices from 0, a signature last in thinking. */
function expectLifecycle(events: Anthropic.MessageStreamEvent[]) {
  let open: { index: number; type: string; signed: boolean } | undefined;
  let next = 0;
  for (const e of events) {
    if (e.type === "content_block_start") {
      expect(open).toBeUndefined();
      expect(e.index).toBe(next++);
      open = { index: e.index, type: e.content_block.type, signed: false };
    } else if (e.type === "content_block_delta") {
      expect(e.index).toBe(open?.index);
      expect(open?.signed).toBe(false);
      if (e.delta.type === "signature_delta") (open as { signed: boolean }).signed = true;
      else if (open?.type === "thinking") expect(e.delta.type).toBe("thinking_delta");
    } else if (e.type === "content_block_stop") {
      expect(e.index).toBe(open?.index);
      if (open?.type === "thinking") expect(open.signed).toBe(true);
      open = undefined;
    }
  }
  expect(open).toBeUndefined();
}

const thinkingOf = (content: ContentBlock[]) =>
  content.filter((b): b is ThinkingBlock => b.type === "thinking");

describe("the mock vendor", () => {
  it("streams and answers a thinking block first, signed with the vendor and model", async () => {
    const params = {
      model: "mock/echo",
      max_tokens: 256,
      thinking: { type: "enabled" as const, budget_tokens: 2048 },
      messages: [{ role: "user" as const, content: "hi there" }],
    };
    const { final, events } = await streamed(params);
    expectLifecycle(events);
    expect(final.content.map((b) => b.type)).toEqual(["thinking", "text"]);
    const [thinking] = thinkingOf(final.content);
    expect(thinking?.thinking).toBe(
      'Thinking about "hi there" (budget 2048, 0 earlier thought(s) recalled).',
    );
    expect(signatureOrigin(thinking?.signature ?? "")).toEqual({ vendor: "mock", model: "echo" });
    const whole = await client().messages.create(params);
    expect(whole.content).toEqual(final.content);
  });

  it("hears Claude Code's output_config.effort beside adaptive thinking as the level", async () => {
    const res = await client().messages.create({
      model: "mock/echo",
      max_tokens: 256,
      thinking: { type: "adaptive" },
      output_config: { effort: "high" },
      messages: [{ role: "user", content: "hi" }],
    });
    expect(thinkingOf(res.content)[0]?.thinking).toBe(
      'Thinking about "hi" (effort high, 0 earlier thought(s) recalled).',
    );
  });

  it("shows no thinking when none is asked, or when it is disabled", async () => {
    for (const thinking of [undefined, { type: "disabled" as const }]) {
      const res = await client().messages.create({
        model: "mock/echo",
        max_tokens: 64,
        ...(thinking ? { thinking } : {}),
        messages: [{ role: "user", content: "hi" }],
      });
      expect(res.content.map((b) => b.type)).toEqual(["text"]);
    }
  });

  it("replays the history's thinking to the model that thought it, and to no other", async () => {
    const first = await client().messages.create({
      model: "mock/echo",
      max_tokens: 256,
      thinking: { type: "adaptive" },
      messages: [{ role: "user", content: "one" }],
    });
    const messages: MessageParam[] = [
      { role: "user", content: "one" },
      { role: "assistant", content: first.content },
      { role: "user", content: "two" },
    ];
    const again = (model: string) =>
      client().messages.create({ model, max_tokens: 256, thinking: { type: "adaptive" }, messages });
    expect(thinkingOf((await again("mock/echo")).content)[0]?.thinking).toContain("1 earlier thought(s)");
    expect(thinkingOf((await again("mock/chat")).content)[0]?.thinking).toContain("0 earlier thought(s)");
  });
});

describe("a Gemini vendor", () => {
  it("gets thinkingConfig, and its thought summaries stream back as a thinking block", async () => {
    const model = scenario("thinking");
    const { final, events } = await streamed({
      model: `gemini/${model}`,
      max_tokens: 256,
      thinking: { type: "enabled", budget_tokens: 2048 },
      messages: [{ role: "user", content: "why?" }],
    });
    expectLifecycle(events);
    expect(final.content.map((b) => b.type)).toEqual(["thinking", "text"]);
    const [thinking] = thinkingOf(final.content);
    expect(thinking?.thinking).toBe("Let me think about this.");
    expect(signatureOrigin(thinking?.signature ?? "")).toEqual({ vendor: "gemini", model });
    const [seen] = await upstream(model);
    expect(seen?.body.generationConfig.thinkingConfig).toEqual({
      thinkingBudget: 2048,
      includeThoughts: true,
    });
  });

  it("streams recorded thoughts then a call, split byte by byte; sent back, the thoughts stay out", async () => {
    const model = scenario("fixture-thinking-function-call~1");
    const want = EXPECTED.gemini["thinking-function-call"];
    const { final, events } = await streamed({
      model: `gemini/${model}`,
      max_tokens: 1024,
      thinking: { type: "adaptive" },
      tools: [WEATHER],
      messages: [{ role: "user", content: "Weather in Zürich?" }],
    });
    expectLifecycle(events);
    expect(final.stop_reason).toBe("tool_use");
    expect(final.content.map((b) => b.type)).toEqual(["thinking", "tool_use"]);
    expect(thinkingOf(final.content)[0]?.thinking).toBe(want?.reasoning);
    const call = final.content[1] as Anthropic.ToolUseBlock;

    // The tool loop goes on with the same model: Gemini replays thinking by its own signatures only.
    await streamed({
      model: `gemini/${model}`,
      max_tokens: 1024,
      thinking: { type: "adaptive" },
      tools: [WEATHER],
      messages: [
        { role: "user", content: "Weather in Zürich?" },
        { role: "assistant", content: final.content },
        { role: "user", content: [{ type: "tool_result", tool_use_id: call.id, content: "12 °C" }] },
      ],
    });
    const [, second] = await upstream(model);
    expect(second?.body.generationConfig.thinkingConfig).toEqual({
      thinkingBudget: -1,
      includeThoughts: true,
    });
    const modelTurn = second?.body.contents[1];
    expect(modelTurn.role).toBe("model");
    expect(modelTurn.parts).toEqual([
      {
        functionCall: { name: "get_weather", args: { location: "Zürich", unit: "celsius" } },
        thoughtSignature: "skip_thought_signature_validator",
      },
    ]);
  });
});

describe("an OpenAI-compatible host with reasoning_content (DeepSeek)", () => {
  it("streams it as thinking, and gets it back as reasoning_content in the tool loop", async () => {
    const model = scenario("fixture-reasoning-content~7");
    const want = EXPECTED.openai["reasoning-content"];
    const { final, events } = await streamed({
      model: `${DEEP}/${model}`,
      max_tokens: 1024,
      thinking: { type: "enabled", budget_tokens: 8000 },
      tools: [WEATHER],
      messages: [{ role: "user", content: "Weather in Zürich?" }],
    });
    expectLifecycle(events);
    expect(final.content.map((b) => b.type)).toEqual(["thinking", "tool_use"]);
    expect(thinkingOf(final.content)[0]?.thinking).toBe(want?.reasoning);
    const call = final.content[1] as Anthropic.ToolUseBlock;
    const messages: MessageParam[] = [
      { role: "user", content: "Weather in Zürich?" },
      { role: "assistant", content: final.content },
      { role: "user", content: [{ type: "tool_result", tool_use_id: call.id, content: "12 °C" }] },
    ];
    const next = (m: string) =>
      client().messages.create({ model: `${DEEP}/${m}`, max_tokens: 1024, tools: [WEATHER], messages });

    await next(model);
    const [first, second] = await upstream(model);
    // Compatible hosts each have their own switch for reasoning: none is sent.
    expect(first?.body).not.toHaveProperty("reasoning_effort");
    expect(second?.body.messages[1]).toMatchObject({
      role: "assistant",
      reasoning_content: want?.reasoning,
      tool_calls: [{ id: call.id, function: { name: "get_weather" } }],
    });

    // Another model of the same host never sees it.
    const other = scenario("inspect");
    await next(other);
    const [seen] = await upstream(other);
    expect(seen?.body.messages[1]).toMatchObject({ role: "assistant", tool_calls: [{ id: call.id }] });
    expect(seen?.body.messages[1]).not.toHaveProperty("reasoning_content");
    expect(JSON.stringify(seen?.body)).not.toContain("I should call get_weather");
  });
});

describe("an OpenAI vendor", () => {
  it("gets reasoning_effort for a reasoning model only", async () => {
    const ask = (model: string) =>
      client().messages.create({
        model: `openai/${model}`,
        max_tokens: 256,
        thinking: { type: "enabled", budget_tokens: 10_000 },
        messages: [{ role: "user", content: "hi" }],
      });
    const reasoning = scenario("o4-mini");
    const plain = scenario("gpt-4o-mini");
    expect((await ask(reasoning)).content.map((b) => b.type)).toEqual(["text"]);
    await ask(plain);
    expect((await upstream(reasoning))[0]?.body.reasoning_effort).toBe("medium");
    expect((await upstream(plain))[0]?.body).not.toHaveProperty("reasoning_effort");
  });
});

describe("an Anthropic vendor", () => {
  it("is sent the history without the thinking blocks the gateway signed, Claude's own kept", async () => {
    const claude = { type: "thinking", thinking: "Claude's", signature: "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxB" };
    const redacted = { type: "redacted_thinking", data: "EmwKAhgBEgy3va3pzix/LafPsn4a" };
    const ours = {
      type: "thinking",
      thinking: "Gemini's",
      signature: gatewaySignature({ vendor: "gemini", model: "gemini-2.5-flash" }),
    };
    const body = {
      model: `anthropic/${scenario("inspect")}`,
      max_tokens: 128,
      thinking: { type: "adaptive" },
      messages: [
        { role: "user", content: "a" },
        { role: "assistant", content: [ours, { type: "text", text: "b" }] },
        { role: "user", content: "c" },
        { role: "assistant", content: [claude, redacted, { type: "text", text: "d" }] },
        { role: "user", content: "e" },
      ],
    };
    const res = await post("/v1/messages", body, { key, headers: { "anthropic-version": "2023-06-01" } });
    expect(res.status, res.text).toBe(200);
    const seen = JSON.parse(res.json.content[0].text);
    expect(seen.body.messages).toEqual([
      body.messages[0],
      { role: "assistant", content: [{ type: "text", text: "b" }] },
      ...body.messages.slice(2),
    ]);
    expect(seen.body.thinking).toEqual({ type: "adaptive" });
  });
});
