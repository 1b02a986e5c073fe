import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { StreamEvent } from "../../chat/types";
import { GatewayError } from "../../errors/gateway-error";
import { encodeEvents } from "../../gateway/pipeline/stream/encode-events";
import {
  endWatch,
  parseSse,
  readBody,
  type SourceEnd,
  settle,
  source,
} from "../../gateway/pipeline/stream/stream-test-helpers";
import type { WireResponse } from "./from-neutral";
import { encryptedReasoning, readEncryptedReasoning } from "./reasoning-item";
import { type ResponsesEncoderMeta, responsesEventEncoder } from "./stream-encoder";

/**
 * The encoder's exact wire for the shapes a client meets; the lifecycle over random sequences and
 * the openai SDK's own accumulation are in stream-encoder.property.test.ts.
 */

const NOW = 1_789_686_484;
const META: ResponsesEncoderMeta = { id: "resp_gw1", model: "openai/gpt-4o-mini", createdAt: NOW - 1 };
// biome-ignore lint/suspicious/noExplicitAny: parsed wire events are checked field by field below.
type Wire = any;

async function runEncoder(
  events: StreamEvent[],
  end: SourceEnd<StreamEvent> = "close",
  meta: ResponsesEncoderMeta = META,
) {
  const watch = endWatch();
  const tapped: StreamEvent[] = [];
  const responses: WireResponse[] = [];
  const encoder = responsesEventEncoder(meta, { requestId: "req_1", onResponse: (r) => responses.push(r) });
  const body = encodeEvents(source(events, end).stream, encoder, {
    onEnd: watch.onEnd,
    tap: (e) => tapped.push(e),
  });
  const text = await readBody(body);
  const outcome = await watch.ended;
  await settle();
  return { text, sse: parseSse(text), outcome, tapped, responses, onEndCalls: watch.calls.length };
}

const wire = async (events: StreamEvent[], end: SourceEnd<StreamEvent> = "close"): Promise<Wire[]> =>
  (await runEncoder(events, end)).sse.map((e) => JSON.parse(e.data));
const types = (w: Wire[]) => w.map((e) => e.type);
const TEXT_ITEM = ["response.output_item.added", "response.content_part.added"];
const TEXT_DONE = ["response.output_text.done", "response.content_part.done", "response.output_item.done"];
const CALL_DONE = ["response.function_call_arguments.done", "response.output_item.done"];

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(NOW * 1000);
});
afterEach(() => {
  vi.useRealTimers();
});

const REASONING_DONE = [
  "response.reasoning_summary_text.done",
  "response.reasoning_summary_part.done",
  "response.output_item.done",
];

describe("responsesEventEncoder: reasoning", () => {
  const ORIGIN = { vendor: "anthropic", model: "claude-sonnet-4-5" };

  it("streams the vendor's reasoning as a reasoning item before the message, its summary part by part", async () => {
    const { sse, responses } = await runEncoder(
      [
        { type: "start", model: "claude-sonnet-4-5" },
        { type: "reasoning", text: "Let me " },
        { type: "reasoning", text: "think." },
        { type: "reasoning", text: "", signature: "EqQBsig" },
        { type: "text", text: "Done." },
        { type: "usage", usage: { inputTokens: 10, outputTokens: 40, reasoningTokens: 31 } },
        { type: "finish", finishReason: "stop" },
      ],
      "close",
      { ...META, origin: ORIGIN },
    );
    const w: Wire[] = sse.map((e) => JSON.parse(e.data));
    expect(types(w)).toEqual([
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.reasoning_summary_part.added",
      "response.reasoning_summary_text.delta",
      "response.reasoning_summary_text.delta",
      ...REASONING_DONE,
      ...TEXT_ITEM,
      "response.output_text.delta",
      ...TEXT_DONE,
      "response.completed",
    ]);
    const at = { item_id: "rs_gw1_0", output_index: 0, summary_index: 0 };
    expect(w[2]).toEqual({
      type: "response.output_item.added",
      output_index: 0,
      item: { id: "rs_gw1_0", type: "reasoning", summary: [], status: "in_progress" },
      sequence_number: 2,
    });
    expect(w[3]).toEqual({
      type: "response.reasoning_summary_part.added",
      ...at,
      part: { type: "summary_text", text: "" },
      sequence_number: 3,
    });
    expect(w[4]).toEqual({
      type: "response.reasoning_summary_text.delta",
      ...at,
      delta: "Let me ",
      sequence_number: 4,
    });
    expect(w[6]).toEqual({
      type: "response.reasoning_summary_text.done",
      ...at,
      text: "Let me think.",
      sequence_number: 6,
    });
    expect(w[7]).toEqual({
      type: "response.reasoning_summary_part.done",
      ...at,
      part: { type: "summary_text", text: "Let me think." },
      sequence_number: 7,
    });
    const done = {
      id: "rs_gw1_0",
      type: "reasoning",
      summary: [{ type: "summary_text", text: "Let me think." }],
      encrypted_content: encryptedReasoning(ORIGIN, "EqQBsig"),
      status: "completed",
    };
    expect(w[8]).toMatchObject({ output_index: 0, item: done });
    expect(w[9]).toMatchObject({ output_index: 1, item: { id: "msg_gw1_1", type: "message" } });
    const final = w.at(-1).response;
    expect(final.output[0]).toEqual(done);
    expect(final.usage.output_tokens_details).toEqual({ reasoning_tokens: 31 });
    expect(responses[0]?.output[0]).toEqual(done);
  });

  it("opens an item for a seal alone where it is kept, and reasoning after text as a new item", async () => {
    const w = (
      await runEncoder(
        [
          { type: "reasoning", text: "", signature: "EqQBsig" },
          { type: "text", text: "Hi." },
          { type: "reasoning", text: "", signature: "late" }, // sealing what is shown done: dropped
          { type: "reasoning", text: "More." },
        ],
        "close",
        { ...META, origin: ORIGIN },
      )
    ).sse.map((e) => JSON.parse(e.data));
    expect(types(w).slice(2, -1)).toEqual([
      "response.output_item.added",
      "response.output_item.done",
      ...TEXT_ITEM,
      "response.output_text.delta",
      ...TEXT_DONE,
      "response.output_item.added",
      "response.reasoning_summary_part.added",
      "response.reasoning_summary_text.delta",
      ...REASONING_DONE,
    ]);
    const [sealed, , more] = w.at(-1).response.output;
    expect(sealed).toEqual({
      id: "rs_gw1_0",
      type: "reasoning",
      summary: [],
      encrypted_content: encryptedReasoning(ORIGIN, "EqQBsig"),
      status: "completed",
    });
    expect(more).toMatchObject({ id: "rs_gw1_2", summary: [{ text: "More." }] });
    expect(readEncryptedReasoning(more.encrypted_content)).toEqual(ORIGIN);
  });

  it("never shows a cut-off reasoning item done, and lists it incomplete", async () => {
    const w = await wire([{ type: "reasoning", text: "Half a tho" }], { error: new Error("reset") });
    expect(types(w)).not.toContain("response.output_item.done");
    expect(types(w)).not.toContain("response.reasoning_summary_text.done");
    expect(w.at(-1).response.output).toEqual([
      {
        id: "rs_gw1_0",
        type: "reasoning",
        summary: [{ type: "summary_text", text: "Half a tho" }],
        status: "incomplete",
      },
    ]);
  });
});

describe("responsesEventEncoder (fixtures)", () => {
  it("writes OpenAI's wire for a text answer: `event:` and `data:` lines, sequence numbers from 0, no [DONE]", async () => {
    const { text, responses } = await runEncoder([
      { type: "start", model: "gpt-4o-mini" },
      { type: "text", text: 'Hé "x"' },
      { type: "text", text: "!" },
      { type: "finish", finishReason: "stop" },
      { type: "usage", usage: { inputTokens: 25, outputTokens: 9, cachedTokens: 5 } },
    ]);
    const envelope = (status: string, completedAt: number | null, output: string, usage = "") =>
      `{"id":"resp_gw1","object":"response","created_at":${NOW - 1},"status":"${status}",` +
      `"completed_at":${completedAt},"error":null,"incomplete_details":null,"model":"openai/gpt-4o-mini",` +
      `"output":${output},"access_programs":null,"background":false,"instructions":null,` +
      `"max_output_tokens":null,"max_tool_calls":null,"parallel_tool_calls":true,"previous_response_id":null,` +
      `"reasoning":{"effort":null,"summary":null},"store":true,"temperature":null,"text":{"format":{"type":"text"}},` +
      `"tool_choice":"auto","tools":[],"top_p":null,"truncation":"disabled","metadata":{}${usage}}`;
    const started = envelope("in_progress", null, "[]");
    const part = (t: string) =>
      `{"type":"output_text","annotations":[],"logprobs":[],"text":${JSON.stringify(t)}}`;
    const at = '"item_id":"msg_gw1_0","output_index":0';
    const item = (status: string, content: string) =>
      `{"id":"msg_gw1_0","type":"message","status":"${status}","content":${content},"role":"assistant"}`;
    const whole = item("completed", `[${part('Hé "x"!')}]`);
    const usage =
      ',"usage":{"input_tokens":25,"input_tokens_details":{"cached_tokens":5,"cache_write_tokens":0},' +
      '"output_tokens":9,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":34}';
    const expected = [
      ["response.created", `"response":${started}`],
      ["response.in_progress", `"response":${started}`],
      ["response.output_item.added", `"output_index":0,"item":${item("in_progress", "[]")}`],
      ["response.content_part.added", `${at},"content_index":0,"part":${part("")}`],
      ["response.output_text.delta", `${at},"content_index":0,"delta":"Hé \\"x\\"","logprobs":[]`],
      ["response.output_text.delta", `${at},"content_index":0,"delta":"!","logprobs":[]`],
      ["response.output_text.done", `${at},"content_index":0,"text":"Hé \\"x\\"!","logprobs":[]`],
      ["response.content_part.done", `${at},"content_index":0,"part":${part('Hé "x"!')}`],
      ["response.output_item.done", `"output_index":0,"item":${whole}`],
      ["response.completed", `"response":${envelope("completed", NOW, `[${whole}]`, usage)}`],
    ];
    expect(text).toBe(
      expected
        .map(
          ([type, body], n) => `event: ${type}\ndata: {"type":"${type}",${body},"sequence_number":${n}}\n\n`,
        )
        .join(""),
    );
    // The plan hears the very response the client was sent last.
    expect(responses).toHaveLength(1);
    expect(JSON.stringify(responses[0])).toBe(envelope("completed", NOW, `[${whole}]`, usage));
  });

  it("streams a function call as its own item: call id kept, arguments passed on as they came", async () => {
    const w = await wire([
      { type: "start", model: "gpt-4o-mini" },
      { type: "tool_call", index: 0, id: "call_1", name: "get_weather", argumentsDelta: "" },
      { type: "tool_call", index: 0, argumentsDelta: '{"city": "Zü' },
      { type: "tool_call", index: 0, argumentsDelta: 'rich"}' },
      { type: "finish", finishReason: "tool_calls" },
    ]);
    expect(types(w)).toEqual([
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.function_call_arguments.delta",
      "response.function_call_arguments.delta",
      ...CALL_DONE,
      "response.completed",
    ]);
    const call = { id: "fc_gw1_0", type: "function_call", call_id: "call_1", name: "get_weather" };
    expect(w[2]).toMatchObject({
      output_index: 0,
      item: { ...call, status: "in_progress", arguments: "" },
    });
    expect(w[3]).toEqual({
      type: "response.function_call_arguments.delta",
      item_id: "fc_gw1_0",
      output_index: 0,
      delta: '{"city": "Zü',
      sequence_number: 3,
    });
    expect(w[5]).toMatchObject({ item_id: "fc_gw1_0", output_index: 0, arguments: '{"city": "Zürich"}' });
    const done = { ...call, status: "completed", arguments: '{"city": "Zürich"}' };
    expect(w[6]).toMatchObject({ output_index: 0, item: done });
    expect(w[7].response).toMatchObject({ status: "completed", output: [done] });
    // No usage from the vendor: the terminal event still has usage, from the prompt estimate.
    expect(w[7].response.usage).toMatchObject({ input_tokens: 0, output_tokens: 0, total_tokens: 0 });
  });

  it("gives text and two calls three items in order, indices and ids apart", async () => {
    const w = await wire(
      [
        { type: "text", text: "Checking." },
        { type: "tool_call", index: 0, id: "call_a", name: "f", argumentsDelta: "{}" },
        { type: "tool_call", index: 1, name: "g", argumentsDelta: '{"x":1}' },
        { type: "usage", usage: { inputTokens: 30, outputTokens: 12 } },
        { type: "finish", finishReason: "tool_calls" },
      ],
      "close",
    );
    expect(types(w)).toEqual([
      "response.created",
      "response.in_progress",
      ...TEXT_ITEM,
      "response.output_text.delta",
      ...TEXT_DONE,
      "response.output_item.added",
      "response.function_call_arguments.delta",
      ...CALL_DONE,
      "response.output_item.added",
      "response.function_call_arguments.delta",
      ...CALL_DONE,
      "response.completed",
    ]);
    const final = w.at(-1).response;
    expect(final.output.map((i: Wire) => [i.type, i.id, i.call_id, i.arguments, i.status])).toEqual([
      ["message", "msg_gw1_0", undefined, undefined, "completed"],
      ["function_call", "fc_gw1_1", "call_a", "{}", "completed"],
      // A call the vendor gave no id gets one, so its output can be paired with it.
      ["function_call", "fc_gw1_2", "call_gw1_2", '{"x":1}', "completed"],
    ]);
    expect(final.usage).toMatchObject({ input_tokens: 30, output_tokens: 12, total_tokens: 42 });
  });

  it("opens a new message item for text after a call, and drops arguments of a call already closed", async () => {
    const w = await wire([
      { type: "tool_call", index: 0, id: "a", name: "f", argumentsDelta: '{"x": 1' },
      { type: "text", text: "then" },
      { type: "tool_call", index: 0, argumentsDelta: ', "y": 2}' },
      { type: "tool_call", index: 1, id: "b", name: "g", argumentsDelta: "{}" },
    ]);
    const added = w.filter((e) => e.type === "response.output_item.added");
    expect(added.map((e) => [e.output_index, e.item.type])).toEqual([
      [0, "function_call"],
      [1, "message"],
      [2, "function_call"],
    ]);
    expect(w.at(-1).response.output.map((i: Wire) => i.arguments ?? i.content[0].text)).toEqual([
      '{"x": 1',
      "then",
      "{}",
    ]);
  });

  it("ends with response.incomplete when the answer hit its limit, the item it stopped in incomplete", async () => {
    const w = await wire([
      { type: "text", text: "Rivers are" },
      { type: "finish", finishReason: "length" },
      { type: "usage", usage: { inputTokens: 16, outputTokens: 16 } },
    ]);
    expect(types(w).slice(-4)).toEqual([...TEXT_DONE, "response.incomplete"]);
    expect(w.at(-2).item.status).toBe("incomplete");
    expect(w.at(-1).response).toMatchObject({
      status: "incomplete",
      completed_at: null,
      incomplete_details: { reason: "max_output_tokens" },
      output: [{ status: "incomplete", content: [{ text: "Rivers are" }] }],
    });
    const filtered = await wire([{ type: "finish", finishReason: "content_filter" }]);
    expect(filtered.at(-1)).toMatchObject({
      type: "response.incomplete",
      response: { incomplete_details: { reason: "content_filter" }, output: [] },
    });
  });

  it("fails mid-text with an error event and response.failed, the open item listed but never done", async () => {
    const limited = new GatewayError(429, "rate_limit_error", "upstream_rate_limited", "Slow down.", {
      headers: { "retry-after": "7" },
    });
    const { sse, outcome, responses } = await runEncoder(
      [
        { type: "start", model: "m" },
        { type: "text", text: "Hal" },
        { type: "usage", usage: { inputTokens: 5, outputTokens: 1 } },
      ],
      { error: limited },
    );
    const w = sse.map((e) => ({ event: e.event, ...JSON.parse(e.data) }));
    expect(types(w)).toEqual([
      "response.created",
      "response.in_progress",
      ...TEXT_ITEM,
      "response.output_text.delta",
      "error",
      "response.failed",
    ]);
    const message = "Slow down. Please try again in 7s.";
    expect(w[5]).toEqual({
      event: "error",
      type: "error",
      code: "rate_limit_exceeded",
      message,
      param: null,
      error: {
        type: "rate_limit_error",
        code: "rate_limit_exceeded",
        message,
        param: null,
        request_id: "req_1",
      },
      sequence_number: 5,
    });
    expect(w[6].response).toMatchObject({
      id: "resp_gw1",
      status: "failed",
      completed_at: null,
      error: { code: "rate_limit_exceeded", message },
      output: [{ id: "msg_gw1_0", status: "incomplete", content: [{ type: "output_text", text: "Hal" }] }],
      usage: { input_tokens: 5, output_tokens: 1 },
    });
    expect(outcome.error).toBe(limited);
    expect(responses).toEqual([w[6].response]);
  });

  it("turns a cut-off into response.failed, never a silent end, even before anything was shown", async () => {
    const w = await wire(
      [
        {
          type: "tool_call",
          index: 0,
          id: "c",
          name: "Bash",
          argumentsDelta: '{"command": "rm -rf build/tm',
        },
      ],
      { error: new Error("connection reset") },
    );
    expect(types(w).slice(-3)).toEqual([
      "response.function_call_arguments.delta",
      "error",
      "response.failed",
    ]);
    expect(types(w)).not.toContain("response.output_item.done");
    expect(w.at(-1).response).toMatchObject({
      status: "failed",
      error: { code: "server_error", message: "The upstream stream broke off before it finished." },
      output: [{ type: "function_call", status: "incomplete", arguments: '{"command": "rm -rf build/tm' }],
    });
    expect(w.at(-1).response.usage).toBeUndefined();
    const early = await wire([], {
      error: new GatewayError(504, "timeout_error", "upstream_timeout", "Slow."),
    });
    expect(types(early)).toEqual(["response.created", "response.in_progress", "error", "response.failed"]);
    expect(early.at(-1).response).toMatchObject({ output: [], error: { code: "server_error" } });
  });

  it("still creates and completes the response when the vendor sent nothing, and skips empty pieces", async () => {
    expect(types(await wire([]))).toEqual(["response.created", "response.in_progress", "response.completed"]);
    const w = await wire([
      { type: "reasoning", text: "" },
      { type: "reasoning", text: "", signature: "EqQBsig" }, // a seal nobody keeps (no origin)
      { type: "text", text: "" },
      { type: "text", text: "ok" },
    ]);
    expect(types(w)).toEqual([
      "response.created",
      "response.in_progress",
      ...TEXT_ITEM,
      "response.output_text.delta",
      ...TEXT_DONE,
      "response.completed",
    ]);
  });

  it("echoes the request's fields in every lifecycle event", async () => {
    const { sse } = await runEncoder([{ type: "text", text: "x" }], "close", {
      ...META,
      echo: { instructions: "Be brief.", store: false, max_output_tokens: 64 },
    });
    const lifecycle = sse.map((e) => JSON.parse(e.data)).filter((e) => e.response);
    expect(lifecycle).toHaveLength(3);
    for (const e of lifecycle) {
      expect(e.response).toMatchObject({ instructions: "Be brief.", store: false, max_output_tokens: 64 });
    }
  });
});
