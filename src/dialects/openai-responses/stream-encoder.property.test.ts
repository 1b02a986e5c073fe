import OpenAI, { APIError } from "openai";
import type { Response as SdkResponse } from "openai/resources/responses/responses";
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
  type SseEvent,
  seeded,
  settle,
  source,
  summarize,
  withContext,
} from "../../gateway/pipeline/stream/stream-test-helpers";
import {
  callIds,
  functionCallItem,
  incompleteReason,
  itemId,
  messageItem,
  type OutputItem,
  responseOf,
  responsesUsage,
  toResponse,
  type WireResponse,
} from "./from-neutral";
import { reasoningItem } from "./reasoning-item";
import { type ResponsesEncoderMeta, responsesEventEncoder } from "./stream-encoder";

const CASES = 300;
const TERMINAL = ["response.completed", "response.incomplete", "response.failed"];
// biome-ignore lint/suspicious/noExplicitAny: parsed wire events are checked field by field below.
type Wire = any;

function scenario(r: Rand) {
  const all = randomEvents(r, { reasoning: true });
  const roll = r.float();
  const failure =
    roll < 0.15
      ? {
          err: new GatewayError(504, "timeout_error", "upstream_timeout", "Too slow."),
          code: "server_error",
          own: true,
        }
      : roll < 0.25
        ? {
            err: new GatewayError(429, "rate_limit_error", "upstream_rate_limited", "Slow down."),
            code: "rate_limit_exceeded",
            own: true,
          }
        : roll < 0.4
          ? { err: new Error("connection reset"), code: "server_error", own: false }
          : undefined;
  const events = failure ? all.slice(0, r.int(all.length + 1)) : all;
  const meta: ResponsesEncoderMeta = {
    id: "resp_gw1",
    model: "acme/m-1",
    createdAt: 1_789_686_483,
    ...(r.chance(0.7) ? { inputTokens: 42 } : {}),
  };
  return { events, failure, meta };
}

async function run(events: StreamEvent[], end: SourceEnd<StreamEvent>, meta: ResponsesEncoderMeta) {
  const watch = endWatch();
  const tapped: StreamEvent[] = [];
  const responses: WireResponse[] = [];
  const encoder = responsesEventEncoder(meta, { requestId: "req_1", onResponse: (x) => responses.push(x) });
  const body = encodeEvents(source(events, end).stream, encoder, {
    onEnd: watch.onEnd,
    tap: (e) => tapped.push(e),
  });
  const text = await readBody(body);
  const outcome = await watch.ended;
  await settle();
  return { text, sse: parseSse(text), outcome, tapped, responses, onEndCalls: watch.calls.length };
}

type Shown =
  | { kind: "reasoning"; text: string }
  | { kind: "text"; text: string }
  | { kind: "tool"; tool: number; id: string | undefined; name: string; args: string };

/**
 * The items a client must be shown for `events`, in arrival order: reasoning runs and text runs
 * merged (empty pieces show nothing), an item per call, arguments of a call whose item was closed
 * dropped.
 */
function expectedItems(events: readonly StreamEvent[]): Shown[] {
  const items: Shown[] = [];
  const seen = new Set<number>();
  for (const e of events) {
    const open = items.at(-1);
    if ((e.type === "text" || e.type === "reasoning") && e.text !== "") {
      if (open?.kind === e.type) open.text += e.text;
      else items.push({ kind: e.type, text: e.text });
    } else if (e.type === "tool_call") {
      if (!seen.has(e.index)) {
        seen.add(e.index);
        items.push({ kind: "tool", tool: e.index, id: e.id, name: e.name ?? "", args: "" });
      }
      const last = items.at(-1);
      if (last?.kind === "tool" && last.tool === e.index) last.args += e.argumentsDelta ?? "";
    }
  }
  return items;
}

/** Those items as the response's output; the last one gets `lastStatus`. */
function outputOf(items: Shown[], meta: ResponsesEncoderMeta, lastStatus: "completed" | "incomplete") {
  const callId = callIds(meta.id);
  return items.map((s, at): OutputItem => {
    const status = at === items.length - 1 ? lastStatus : "completed";
    if (s.kind === "reasoning") return reasoningItem(itemId("rs", meta.id, at), s.text, status);
    return s.kind === "text"
      ? messageItem(itemId("msg", meta.id, at), s.text, status)
      : functionCallItem(itemId("fc", meta.id, at), callId(s.id, at), s.name, s.args, status);
  });
}

/** The lifecycle rules, whole or failed; returns the wire and the items as the client built them. */
function checkLifecycle(sse: SseEvent[], meta: ResponsesEncoderMeta) {
  const wire: Wire[] = sse.map((e) => JSON.parse(e.data));
  expect(sse.map((e) => e.event)).toEqual(wire.map((w) => w.type));
  expect(wire.map((w) => w.sequence_number)).toEqual(wire.map((_, n) => n));
  expect(wire.slice(0, 2).map((w) => w.type)).toEqual(["response.created", "response.in_progress"]);
  for (const w of wire.slice(0, 2)) {
    expect(w.response).toMatchObject({ id: meta.id, model: meta.model, status: "in_progress", output: [] });
  }
  const terminal = wire.filter((w) => TERMINAL.includes(w.type));
  expect(terminal).toHaveLength(1);
  expect(wire.at(-1)).toBe(terminal[0]);
  const failed = terminal[0].type === "response.failed";
  // An `error` event comes just before response.failed, and nowhere else.
  expect(wire.flatMap((w, n) => (w.type === "error" ? [n] : []))).toEqual(failed ? [wire.length - 2] : []);

  type Item = { added: Wire; acc: string; stage: string; done?: Wire };
  const items: Item[] = [];
  const ids = new Set<string>();
  let open: Item | undefined;
  const at = (w: Wire, stage: string) => {
    expect(open).toBeDefined();
    const o = open as Item;
    expect(w.output_index).toBe(items.indexOf(o));
    if (w.type !== "response.output_item.done") expect(w.item_id).toBe(o.added.item.id);
    expect(o.stage).toBe(stage);
    return o;
  };
  for (const w of wire.slice(2, failed ? -2 : -1)) {
    switch (w.type) {
      case "response.output_item.added": {
        expect(open).toBeUndefined();
        expect(w.output_index).toBe(items.length);
        expect(ids.has(w.item.id)).toBe(false);
        ids.add(w.item.id);
        expect(w.item.status).toBe("in_progress");
        if (w.item.type === "message") expect(w.item).toMatchObject({ role: "assistant", content: [] });
        else if (w.item.type === "reasoning") expect(w.item.summary).toEqual([]);
        else
          expect(w.item).toMatchObject({ type: "function_call", arguments: "", call_id: expect.any(String) });
        const stage = { message: "added", reasoning: "reasoning", function_call: "args" }[
          w.item.type as string
        ];
        open = { added: w, acc: "", stage: stage as string };
        items.push(open);
        break;
      }
      case "response.reasoning_summary_part.added":
        expect(w).toMatchObject({ summary_index: 0, part: { type: "summary_text", text: "" } });
        at(w, "reasoning").stage = "summary";
        break;
      case "response.reasoning_summary_text.delta":
        expect(w.summary_index).toBe(0);
        expect(w.delta).not.toBe("");
        at(w, "summary").acc += w.delta;
        break;
      case "response.reasoning_summary_text.done":
        expect(w).toMatchObject({ summary_index: 0, text: at(w, "summary").acc });
        at(w, "summary").stage = "summary done";
        break;
      case "response.reasoning_summary_part.done":
        expect(w).toMatchObject({
          summary_index: 0,
          part: { type: "summary_text", text: at(w, "summary done").acc },
        });
        at(w, "summary done").stage = "part done";
        break;
      case "response.content_part.added":
        expect(w).toMatchObject({ content_index: 0, part: { type: "output_text", text: "" } });
        at(w, "added").stage = "text";
        break;
      case "response.output_text.delta":
        expect(w).toMatchObject({ content_index: 0, logprobs: [] });
        at(w, "text").acc += w.delta;
        break;
      case "response.output_text.done":
        expect(w).toMatchObject({ content_index: 0, text: at(w, "text").acc });
        at(w, "text").stage = "text done";
        break;
      case "response.content_part.done":
        expect(w.part).toEqual({
          type: "output_text",
          annotations: [],
          logprobs: [],
          text: at(w, "text done").acc,
        });
        at(w, "text done").stage = "part done";
        break;
      case "response.function_call_arguments.delta":
        at(w, "args").acc += w.delta;
        break;
      case "response.function_call_arguments.done":
        expect(w.arguments).toBe(at(w, "args").acc);
        at(w, "args").stage = "args done";
        break;
      case "response.output_item.done": {
        const o = at(w, open?.added.item.type === "function_call" ? "args done" : "part done");
        expect(w.item).toMatchObject({ id: o.added.item.id, type: o.added.item.type });
        if (w.item.type === "function_call") expect(w.item.call_id).toBe(o.added.item.call_id);
        o.done = w.item;
        open = undefined;
        break;
      }
      default:
        throw new Error(`unexpected event ${w.type}`);
    }
  }
  // Call ids are as unique as item ids: clients pair outputs with calls by them.
  const calls = items.filter((i) => i.added.item.type === "function_call").map((i) => i.added.item.call_id);
  expect(new Set(calls).size).toBe(calls.length);
  return { wire, terminal: terminal[0], items, open };
}

/** The whole answer the events add up to, with the usage the stream falls back on. */
function answerOf(events: readonly StreamEvent[], meta: ResponsesEncoderMeta): ChatResponse {
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

/** The openai SDK's own stream accumulation (`responses.stream`), fed the body in random pieces. */
async function sdkFinalResponse(r: Rand, text: string): Promise<SdkResponse> {
  const client = new OpenAI({
    apiKey: "k",
    baseURL: "http://gw/v1",
    maxRetries: 0,
    fetch: async () =>
      new Response(chunkedBody(r, bytes(text)), { headers: { "content-type": "text/event-stream" } }),
  });
  return client.responses.stream({ model: "m", input: "hi" }).finalResponse();
}

/** The SDK's response less what the SDK adds (output_text, the parsed fields), as on the wire. */
const wireOf = (r: SdkResponse): unknown => ({
  ...r,
  output_text: undefined,
  output_parsed: undefined,
  output: r.output.map((i) =>
    i.type === "function_call"
      ? { ...i, parsed_arguments: undefined }
      : i.type === "message"
        ? { ...i, content: i.content.map((c) => ({ ...c, parsed: undefined })) }
        : i,
  ),
});
/** `completed_at` is a time: the same answer whole and streamed differ in it only. */
const untimed = (r: WireResponse) => ({
  ...r,
  completed_at: r.completed_at === null ? null : expect.any(Number),
});
const messageText = (output: OutputItem[]) =>
  output
    .flatMap((i) => (i.type === "message" ? i.content.map((c) => ("text" in c ? c.text : "")) : []))
    .join("");

describe("responsesEventEncoder lifecycle (property)", () => {
  it(`holds its invariants over ${CASES} random sequences, and the openai SDK accumulates them`, async () => {
    for (let seed = 1; seed <= CASES; seed++) {
      const r = seeded(seed);
      const { events, failure, meta } = scenario(r);
      const end: SourceEnd<StreamEvent> = failure ? { error: failure.err } : "close";
      const { text, sse, outcome, tapped, responses, onEndCalls } = await run(events, end, meta);
      const want = summarize(events);
      const shown = expectedItems(events);
      try {
        expect(onEndCalls).toBe(1);
        expect(tapped).toEqual(events);
        const { terminal, items, open } = checkLifecycle(sse, meta);
        expect(items).toHaveLength(shown.length);
        expect(responses).toEqual([terminal.response]);
        if (!failure) {
          const reason = incompleteReason(want.finish);
          expect(terminal.type).toBe(reason ? "response.incomplete" : "response.completed");
          // Every item closed, each shown done as the final response holds it.
          expect(open).toBeUndefined();
          const output = outputOf(shown, meta, reason ? "incomplete" : "completed");
          expect(items.map((i) => i.done)).toEqual(output);
          const usage = responsesUsage(want.usage ?? { inputTokens: meta.inputTokens ?? 0, outputTokens: 0 });
          const expected = responseOf(meta, {
            status: reason ? "incomplete" : "completed",
            output,
            usage,
            incompleteReason: reason,
          });
          expect(terminal.response).toEqual(untimed(expected));
          expect(ended(outcome)).toEqual({ usage: want.usage, finishReason: want.finish, error: undefined });
          // The SDK's accumulation takes it, in any chunking, and ends with what the client was sent.
          const sdk = await sdkFinalResponse(r, text);
          expect(wireOf(sdk)).toEqual(terminal.response);
          expect(sdk.output_text).toBe(messageText(output));
        } else {
          // Items closed before the failure are done; the one open stays open, listed incomplete.
          expect(items.slice(0, -1).every((i) => i.done)).toBe(true);
          expect(items.at(-1)?.done).toBeUndefined();
          expect(open).toBe(items.at(-1));
          const error = { code: failure.code, message: expect.any(String) };
          expect(sse.at(-2)?.data && JSON.parse(sse.at(-2)?.data as string)).toMatchObject({
            type: "error",
            ...error,
            error: { ...error, request_id: "req_1" },
          });
          expect(terminal.response).toMatchObject({ status: "failed", completed_at: null, error });
          expect(terminal.response.output).toEqual(outputOf(shown, meta, "incomplete"));
          if (failure.own) expect(outcome.error).toBe(failure.err);
          else
            expect(outcome.error).toMatchObject({ code: "upstream_stream_interrupted", cause: failure.err });
          // The SDK surfaces it as an error, with OpenAI's code.
          const sdk = await sdkFinalResponse(r, text).catch((err: unknown) => err);
          expect(sdk).toBeInstanceOf(APIError);
          expect((sdk as APIError).code).toBe(failure.code);
        }
      } catch (err) {
        throw withContext(err, `seed ${seed}: ${JSON.stringify(events)}`);
      }
    }
    // The SDK's accumulator checks every event; 300 streams take seconds on a busy machine.
  }, 30_000);

  it(`streams what toResponse says of the whole answer when events come in answer order (${CASES} sequences)`, async () => {
    for (let seed = 1; seed <= CASES; seed++) {
      const r = seeded(seed);
      const events = inAnswerOrder(randomEvents(r, { reasoning: true }));
      const meta: ResponsesEncoderMeta = {
        id: "resp_gw2",
        model: "acme/m-2",
        createdAt: 1_789_686_483,
        ...(r.chance(0.5) ? { inputTokens: 7 } : {}),
        ...(r.chance(0.5) ? { echo: { instructions: "Be brief.", store: false, temperature: 0.3 } } : {}),
      };
      const { text, responses } = await run(events, "close", meta);
      try {
        const whole = toResponse(answerOf(events, meta), meta);
        expect(responses).toEqual([untimed(whole)]);
        expect(wireOf(await sdkFinalResponse(r, text))).toEqual(untimed(whole));
      } catch (err) {
        throw withContext(err, `seed ${seed}: ${JSON.stringify(events)}`);
      }
    }
    // The SDK's accumulator checks every event; 300 streams take seconds on a busy machine.
  }, 30_000);
});
