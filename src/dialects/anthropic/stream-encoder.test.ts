import Anthropic, { APIError } from "@anthropic-ai/sdk";
import type { ContentBlock, Message } from "@anthropic-ai/sdk/resources/messages";
import { describe, expect, it } from "vitest";
import type { ChatResponse, StreamEvent, Usage } from "../../chat/types";
import { GatewayError } from "../../errors/gateway-error";
import { encodeEvents } from "../../gateway/pipeline/stream/encode-events";
import {
  bytes,
  chunkedBody,
  ended,
  endWatch,
  inAnswerOrder,
  parseSse,
  type Rand,
  randomEvents,
  readBody,
  type SourceEnd,
  seeded,
  settle,
  source,
  summarize,
  withContext,
} from "../../gateway/pipeline/stream/stream-test-helpers";
import { anthropicUsage, textBlock, thinkingBlock, toAnthropicMessage, toolUseBlock } from "./from-neutral";
import { anthropicStopReason } from "./stop-reason";
import { anthropicEventEncoder, type EncoderMeta } from "./stream-encoder";
import { gatewaySignature } from "./thinking-signature";
import { toolInputStream } from "./tool-input";

const CASES = 300;
/** Each property test runs CASES streams through the SDK: seconds, more on a busy machine. */
const PROPERTY_TIMEOUT = 60_000;
// biome-ignore lint/suspicious/noExplicitAny: parsed wire events are checked field by field below.
type Wire = any;

const ORIGIN = { vendor: "acme", model: "m-1" };

function scenario(r: Rand) {
  // Reasoning anywhere among the text and tool deltas: the encoder must keep every order valid.
  const all = randomEvents(r, { reasoning: true });
  const roll = r.float();
  const failure =
    roll < 0.2
      ? {
          kind: "gateway" as const,
          err: new GatewayError(504, "timeout_error", "upstream_timeout", "Too slow."),
        }
      : roll < 0.4
        ? { kind: "plain" as const, err: new Error("connection reset") }
        : undefined;
  const events = failure ? all.slice(0, r.int(all.length + 1)) : all;
  const meta: EncoderMeta = {
    id: "msg_gw1",
    model: "acme/m-1",
    origin: ORIGIN,
    ...(r.chance(0.7) ? { inputTokens: 42 } : {}),
  };
  return { events, failure, meta };
}

async function run(events: StreamEvent[], end: SourceEnd<StreamEvent>, meta: EncoderMeta) {
  const watch = endWatch();
  const tapped: StreamEvent[] = [];
  const body = encodeEvents(source(events, end).stream, anthropicEventEncoder(meta, { requestId: "req_1" }), {
    onEnd: watch.onEnd,
    tap: (e) => tapped.push(e),
  });
  const text = await readBody(body);
  const outcome = await watch.ended;
  await settle();
  return { text, sse: parseSse(text), outcome, tapped, onEndCalls: watch.calls.length };
}

type Shown =
  | { kind: "text"; text: string }
  | { kind: "thinking"; text: string }
  | { kind: "tool"; id: string; name: string; json: string };

/**
 * The blocks a client must be shown for `events`: text runs and reasoning runs merged, a block per
 * tool call in arrival order, arguments of a call whose block was closed dropped, inputs as
 * tool-input.ts shows them; the last block stays open (without its closing input) when `closed`
 * is false.
 */
function expectedBlocks(events: readonly StreamEvent[], closed: boolean): Shown[] {
  const blocks: Shown[] = [];
  const tools = new Map<number, { json: string; input: ReturnType<typeof toolInputStream> }>();
  let open: number | undefined; // tool index of the open tool block
  let lastTool: { json: string; input: ReturnType<typeof toolInputStream> } | undefined;
  const finishTool = () => {
    if (lastTool) lastTool.json += lastTool.input.finish();
    lastTool = undefined;
  };
  for (const e of events) {
    if ((e.type === "text" || e.type === "reasoning") && e.text !== "") {
      const kind: "text" | "thinking" = e.type === "text" ? "text" : "thinking";
      const last = blocks.at(-1);
      if (last?.kind === kind && open === undefined) last.text += e.text;
      else {
        finishTool();
        open = undefined;
        blocks.push({ kind, text: e.text });
      }
    } else if (e.type === "tool_call") {
      if (!tools.has(e.index)) {
        finishTool();
        const t = { json: "", input: toolInputStream() };
        tools.set(e.index, t);
        lastTool = t;
        open = e.index;
        blocks.push({ kind: "tool", id: e.id ?? "", name: e.name ?? "", json: "" });
      }
      if (open === e.index && e.argumentsDelta) {
        const t = tools.get(e.index) as { json: string; input: ReturnType<typeof toolInputStream> };
        t.json += t.input.push(e.argumentsDelta);
      }
    }
  }
  if (closed) finishTool();
  let k = 0;
  const order = [...tools.values()];
  return blocks.map((b) => (b.kind !== "tool" ? b : { ...b, json: (order[k++] as { json: string }).json }));
}

/** The input tokens `message_start` must carry: real usage if it came before anything was shown. */
function startInput(events: readonly StreamEvent[], meta: EncoderMeta): number {
  for (const e of events) {
    if (e.type === "usage") return anthropicUsage(e.usage).input_tokens;
    if (e.type === "start" || e.type === "tool_call") break;
    if ((e.type === "text" || e.type === "reasoning") && e.text !== "") break;
  }
  return meta.inputTokens ?? 0;
}

/** The lifecycle rules, whole or broken off; returns the blocks as the client assembled them. */
function checkLifecycle(sse: { event?: string; data: string }[], events: StreamEvent[], meta: EncoderMeta) {
  const wire: Wire[] = sse.map((e) => JSON.parse(e.data));
  expect(sse.map((e) => e.event)).toEqual(wire.map((w) => w.type));
  const body = wire.at(-1)?.type === "error" ? wire.slice(0, -1) : wire;
  if (body.length) {
    expect(body[0].type).toBe("message_start");
    expect(body[0].message).toMatchObject({ id: meta.id, model: meta.model, content: [], stop_reason: null });
    expect(body[0].message.usage).toMatchObject({ input_tokens: startInput(events, meta), output_tokens: 0 });
  }
  expect(body.slice(1).filter((w) => w.type === "message_start")).toEqual([]);
  const shown: Shown[] = [];
  let openAt: number | undefined;
  // A thinking block's signature: one `signature_delta`, its last delta, just before its stop.
  let signature: string | undefined;
  for (const w of body.slice(1)) {
    if (w.type === "content_block_start") {
      expect(openAt).toBeUndefined();
      expect(w.index).toBe(shown.length);
      openAt = w.index;
      signature = undefined;
      const b = w.content_block;
      if (b.type === "text") shown.push({ kind: "text", text: b.text });
      else if (b.type === "thinking") {
        expect(b).toEqual({ type: "thinking", thinking: "", signature: "" });
        shown.push({ kind: "thinking", text: "" });
      } else {
        expect(b).toMatchObject({
          type: "tool_use",
          id: expect.any(String),
          name: expect.any(String),
          input: {},
        });
        shown.push({ kind: "tool", id: b.id, name: b.name, json: "" });
      }
    } else if (w.type === "content_block_delta") {
      expect(w.index).toBe(openAt);
      expect(signature, "nothing after a signature").toBeUndefined();
      const b = shown[w.index] as Shown;
      if (b.kind === "thinking" && w.delta.type === "signature_delta") signature = w.delta.signature;
      else if (b.kind === "thinking") {
        expect(w.delta.type).toBe("thinking_delta");
        b.text += w.delta.thinking;
      } else if (b.kind === "text") {
        expect(w.delta.type).toBe("text_delta");
        b.text += w.delta.text;
      } else {
        expect(w.delta.type).toBe("input_json_delta");
        b.json += w.delta.partial_json;
      }
    } else if (w.type === "content_block_stop") {
      expect(w.index).toBe(openAt);
      if (shown[w.index]?.kind === "thinking") expect(signature).toBe(gatewaySignature(meta.origin));
      openAt = undefined;
    } else {
      // Only the closing pair may follow the blocks, after the last one stopped.
      expect(openAt).toBeUndefined();
      expect(["message_delta", "message_stop"]).toContain(w.type);
    }
  }
  return { wire, body, shown, openAt };
}

/** The whole answer the events add up to, with the usage the stream falls back on. */
function answerOf(events: readonly StreamEvent[], meta: EncoderMeta): ChatResponse {
  const want = summarize(events);
  const usage: Usage = want.usage ?? { inputTokens: meta.inputTokens ?? 0, outputTokens: 0 };
  return {
    model: "m-1",
    content: want.text === "" ? null : want.text,
    toolCalls: want.tools.map((t) => ({ id: t.id, name: t.name, arguments: t.args })),
    ...(want.reasoning ? { reasoning: want.reasoning } : {}),
    finishReason: want.finish ?? "stop",
    usage,
  };
}

/** The Anthropic SDK's own stream accumulation, fed the body in random pieces. */
async function sdkFinalMessage(r: Rand, text: string): Promise<Message> {
  const client = new Anthropic({
    apiKey: "k",
    baseURL: "http://gw",
    maxRetries: 0,
    fetch: async () =>
      new Response(chunkedBody(r, bytes(text)), { headers: { "content-type": "text/event-stream" } }),
  });
  const stream = client.messages.stream({
    model: "m",
    max_tokens: 5,
    messages: [{ role: "user", content: "hi" }],
  });
  const final = await stream.finalMessage();
  return { ...final, parsed_output: undefined } as Message;
}

function messageFrom(
  blocks: ReturnType<typeof expectedBlocks>,
  events: StreamEvent[],
  meta: EncoderMeta,
): Message {
  const answer = answerOf(events, meta);
  const content: ContentBlock[] = blocks.map((b) =>
    b.kind === "text"
      ? textBlock(b.text)
      : b.kind === "thinking"
        ? thinkingBlock(b.text, meta.origin)
        : toolUseBlock(b.id, b.name, JSON.parse(b.json)),
  );
  return { ...toAnthropicMessage(answer, meta), content };
}

describe("anthropicEventEncoder lifecycle (property)", () => {
  it(
    `holds its invariants over ${CASES} random sequences, and the Anthropic SDK accumulates them`,
    async () => {
      for (let seed = 1; seed <= CASES; seed++) {
        const r = seeded(seed);
        const { events, failure, meta } = scenario(r);
        const end: SourceEnd<StreamEvent> = failure ? { error: failure.err } : "close";
        const { text, sse, outcome, tapped, onEndCalls } = await run(events, end, meta);
        const want = summarize(events);
        try {
          expect(onEndCalls).toBe(1);
          expect(tapped).toEqual(events);
          const { wire, body, shown, openAt } = checkLifecycle(sse, events, meta);
          expect(shown).toEqual(expectedBlocks(events, !failure));
          if (!failure) {
            expect(body.map((w: Wire) => w.type).slice(-2)).toEqual(["message_delta", "message_stop"]);
            expect(openAt).toBeUndefined();
            const [delta] = body.slice(-2);
            expect(delta.delta).toMatchObject({
              stop_reason: anthropicStopReason(want.finish),
              stop_sequence: null,
            });
            const u = want.usage ? anthropicUsage(want.usage) : undefined;
            expect(delta.usage).toMatchObject({
              output_tokens: u?.output_tokens ?? 0,
              input_tokens: u?.input_tokens ?? null,
            });
            expect(ended(outcome)).toEqual({
              usage: want.usage,
              finishReason: want.finish,
              error: undefined,
            });
            // The SDK's accumulation takes it, in any chunking, and ends where the events say.
            expect(await sdkFinalMessage(r, text)).toEqual(
              messageFrom(expectedBlocks(events, true), events, meta),
            );
          } else {
            // One error event, last, with no closing pair anywhere.
            expect(wire.at(-1)).toEqual({
              type: "error",
              error: { type: "api_error", message: expect.any(String) },
              request_id: "req_1",
            });
            expect(
              wire.filter((w: Wire) => ["message_delta", "message_stop", "error"].includes(w.type)),
            ).toHaveLength(1);
            if (failure.kind === "gateway") expect(outcome.error).toBe(failure.err);
            else
              expect(outcome.error).toMatchObject({
                code: "upstream_stream_interrupted",
                cause: failure.err,
              });
            const sdk = await sdkFinalMessage(r, text).catch((err: unknown) => err);
            expect(sdk).toBeInstanceOf(APIError);
            expect((sdk as APIError).type).toBe("api_error");
          }
        } catch (err) {
          throw withContext(err, `seed ${seed}: ${JSON.stringify(events)}`);
        }
      }
    },
    PROPERTY_TIMEOUT,
  );

  it(
    `streams what the whole answer says when events come in answer order (${CASES} sequences)`,
    async () => {
      for (let seed = 1; seed <= CASES; seed++) {
        const r = seeded(seed);
        const events = inAnswerOrder(randomEvents(r, { reasoning: true }));
        const meta: EncoderMeta = {
          id: "msg_gw2",
          model: "acme/m-2",
          origin: { vendor: "acme", model: "m-2" },
          ...(r.chance(0.5) ? { inputTokens: 7 } : {}),
        };
        const { text } = await run(events, "close", meta);
        try {
          expect(await sdkFinalMessage(r, text)).toEqual(toAnthropicMessage(answerOf(events, meta), meta));
        } catch (err) {
          throw withContext(err, `seed ${seed}: ${JSON.stringify(events)}`);
        }
      }
    },
    PROPERTY_TIMEOUT,
  );
});

describe("anthropicEventEncoder (fixtures)", () => {
  const META: EncoderMeta = {
    id: "msg_gw1",
    model: "openai/gpt-4o-mini",
    inputTokens: 20,
    origin: { vendor: "openai", model: "gpt-4o-mini" },
  };
  const wire = async (events: StreamEvent[], end: SourceEnd<StreamEvent> = "close") =>
    (await run(events, end, META)).sse.map((e) => ({ event: e.event, ...JSON.parse(e.data) }));

  it("writes Anthropic's wire for text then a tool call, framed as `event:` and `data:` lines", async () => {
    const { text } = await run(
      [
        { type: "start", model: "gpt-4o-mini" },
        { type: "text", text: 'Hé "x"' },
        { type: "tool_call", index: 0, id: "call_1", name: "get_weather", argumentsDelta: "" },
        { type: "tool_call", index: 0, argumentsDelta: '{"city": "Zü' },
        { type: "tool_call", index: 0, argumentsDelta: 'rich"}' },
        { type: "finish", finishReason: "tool_calls" },
        { type: "usage", usage: { inputTokens: 25, outputTokens: 9, cachedTokens: 5 } },
      ],
      "close",
      META,
    );
    // message_start has the prompt estimate: the vendor reports usage only at the end.
    const usage =
      '{"input_tokens":20,"output_tokens":0,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,' +
      '"cache_creation":{"ephemeral_5m_input_tokens":0,"ephemeral_1h_input_tokens":0},"inference_geo":null,' +
      '"output_tokens_details":null,"server_tool_use":null,"service_tier":null,"speed":null}';
    const message =
      '{"id":"msg_gw1","type":"message","role":"assistant","model":"openai/gpt-4o-mini","content":[],' +
      `"stop_reason":null,"stop_sequence":null,"stop_details":null,"container":null,"diagnostics":null,"usage":${usage}}`;
    const tool =
      '{"type":"tool_use","id":"call_1","name":"get_weather","input":{},"caller":{"type":"direct"}}';
    const json = (i: number, partial: string) =>
      `{"type":"content_block_delta","index":${i},"delta":{"type":"input_json_delta","partial_json":${JSON.stringify(partial)}}}`;
    const expected = [
      ["message_start", `{"type":"message_start","message":${message}}`],
      [
        "content_block_start",
        '{"type":"content_block_start","index":0,"content_block":{"type":"text","text":"","citations":null}}',
      ],
      [
        "content_block_delta",
        '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hé \\"x\\""}}',
      ],
      ["content_block_stop", '{"type":"content_block_stop","index":0}'],
      ["content_block_start", `{"type":"content_block_start","index":1,"content_block":${tool}}`],
      ["content_block_delta", json(1, "{")],
      ["content_block_delta", json(1, '"city": "Zürich"}')],
      ["content_block_stop", '{"type":"content_block_stop","index":1}'],
      [
        "message_delta",
        '{"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null,"stop_details":null,"container":null},' +
          '"usage":{"input_tokens":20,"output_tokens":9,"cache_creation_input_tokens":0,"cache_read_input_tokens":5,' +
          '"output_tokens_details":null,"server_tool_use":null}}',
      ],
      ["message_stop", '{"type":"message_stop"}'],
    ];
    expect(text).toBe(expected.map(([event, data]) => `event: ${event}\ndata: ${data}\n\n`).join(""));
  });

  it("writes reasoning as a thinking block first, its signature delta just before its stop", async () => {
    const events = await wire([
      { type: "start", model: "gemini-2.5-flash" },
      { type: "reasoning", text: "Weighing " },
      { type: "reasoning", text: "it up." },
      { type: "reasoning", text: "" },
      { type: "text", text: "Hi" },
      { type: "reasoning", text: "Again." },
      { type: "finish", finishReason: "stop" },
    ]);
    const signature = gatewaySignature(META.origin);
    expect(events.slice(1, -2).map(({ event: _, ...e }) => e)).toEqual([
      {
        type: "content_block_start",
        index: 0,
        content_block: { type: "thinking", thinking: "", signature: "" },
      },
      { type: "content_block_delta", index: 0, delta: { type: "thinking_delta", thinking: "Weighing " } },
      { type: "content_block_delta", index: 0, delta: { type: "thinking_delta", thinking: "it up." } },
      { type: "content_block_delta", index: 0, delta: { type: "signature_delta", signature } },
      { type: "content_block_stop", index: 0 },
      { type: "content_block_start", index: 1, content_block: { type: "text", text: "", citations: null } },
      { type: "content_block_delta", index: 1, delta: { type: "text_delta", text: "Hi" } },
      { type: "content_block_stop", index: 1 },
      // Reasoning after the answer began is a block of its own (interleaved thinking).
      {
        type: "content_block_start",
        index: 2,
        content_block: { type: "thinking", thinking: "", signature: "" },
      },
      { type: "content_block_delta", index: 2, delta: { type: "thinking_delta", thinking: "Again." } },
      { type: "content_block_delta", index: 2, delta: { type: "signature_delta", signature } },
      { type: "content_block_stop", index: 2 },
    ]);
  });

  it("still opens and closes the message when the vendor sent nothing", async () => {
    expect((await wire([])).map((e) => e.type)).toEqual(["message_start", "message_delta", "message_stop"]);
  });

  it("opens a new text block for text after a tool call, and drops arguments of a closed call", async () => {
    const events = await wire([
      { type: "tool_call", index: 0, id: "a", name: "f", argumentsDelta: '{"x": 1' },
      { type: "text", text: "then" },
      { type: "tool_call", index: 0, argumentsDelta: ', "y": 2}' },
      { type: "tool_call", index: 1, id: "b", name: "g", argumentsDelta: "{}" },
    ]);
    expect(events.filter((e) => e.type === "content_block_start").map((e) => e.content_block.type)).toEqual([
      "tool_use",
      "text",
      "tool_use",
    ]);
    const json = (i: number) =>
      events
        .filter((e) => e.type === "content_block_delta" && e.index === i)
        .map((e) => e.delta.partial_json)
        .join("");
    expect([json(0), json(2)]).toEqual(['{"x": 1}', "{}"]);
  });

  it("ends a broken stream with one error event and nothing closed after it", async () => {
    const cut = new GatewayError(502, "upstream_error", "upstream_stream_interrupted", "Broke off.");
    const events = await wire([{ type: "text", text: "Hal" }], { error: cut });
    expect(events.map((e) => e.event)).toEqual([
      "message_start",
      "content_block_start",
      "content_block_delta",
      "error",
    ]);
    expect(events.at(-1)).toEqual({
      event: "error",
      type: "error",
      error: { type: "api_error", message: "Broke off." },
      request_id: "req_1",
    });
    const early = await wire([], { error: new GatewayError(429, "rate_limit_error", "x", "Slow down.") });
    expect(early).toEqual([
      {
        event: "error",
        type: "error",
        error: { type: "rate_limit_error", message: "Slow down." },
        request_id: "req_1",
      },
    ]);
  });

  it("gives message_start the vendor's input usage when it came before anything else", async () => {
    const [start] = await wire([
      { type: "usage", usage: { inputTokens: 300, outputTokens: 0, cachedTokens: 100 } },
      { type: "text", text: "x" },
    ]);
    expect(start.message.usage).toMatchObject({
      input_tokens: 200,
      cache_read_input_tokens: 100,
      output_tokens: 0,
    });
  });

  it("opens the message before its first ping, once, as Anthropic orders them", () => {
    const enc = anthropicEventEncoder(
      { id: "msg_gw1", model: "acme/m-1", origin: ORIGIN },
      { requestId: "req_1" },
    );
    const text = (b: Uint8Array | null) => new TextDecoder().decode(b ?? new Uint8Array());
    const shown = [enc.ping?.(), enc.ping?.(), enc.event({ type: "text", text: "hi" })].map((b) =>
      parseSse(text(b ?? null)).map((e: Wire) => e.event),
    );
    expect(shown).toEqual([
      ["message_start", "ping"],
      ["ping"],
      ["content_block_start", "content_block_delta"],
    ]);
  });
});
