import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { EXPECTED_RESPONSES, type ExpectedResponses } from "../../../../test/fixtures/expected-responses";
import {
  everyBytes,
  fixture,
  fixtureNames,
  SPLITS,
  splitBytes,
  streamOf,
} from "../../../../test/fixtures/index";
import { GatewayError } from "../../../errors/gateway-error";
import type { CallEnd } from "../types";
import { passthroughResponsesStream } from "./responses-passthrough";
import {
  bytes,
  ended,
  endWatch,
  parseSse,
  readBody,
  readThenLeave,
  settle,
  source,
} from "./stream-test-helpers";

/**
 * The Responses passthrough over OpenAI's recorded streams (test/fixtures/openai-responses/, what
 * each means: expected-responses.ts), cut every way a network cuts them, and over hand-made
 * bodies for what no recording shows. Then the official SDK's accumulator reads what it relays.
 */

/** A relayed event as a client parses it, with the fields these tests read. */
interface Event {
  type: string;
  sequence_number: number;
  /** The SSE event name it came under. */
  "(event)"?: string | undefined;
  delta?: string;
  item?: { type: string; call_id?: string; name?: string; arguments?: string };
  response?: { id?: string; status?: string; error?: { code?: string; message?: string } | null };
  error?: { code?: string };
}

async function relay(body: ReadableStream<Uint8Array>) {
  const watch = endWatch();
  const events: Event[] = [];
  const ids: string[] = [];
  const out = await readBody(
    passthroughResponsesStream("openai", body, {
      requestId: "req_0123abcd",
      onEnd: watch.onEnd,
      onEvent: (e) => events.push(e as unknown as Event),
      onResponseId: (id) => ids.push(id),
    }),
  );
  const outcome = await watch.ended;
  await settle();
  return { out, outcome, events, ids, onEndCalls: watch.calls.length };
}

/** The client's view: every event's JSON, with its SSE event name. */
const eventsOf = (text: string): Event[] =>
  parseSse(text).map((e) => ({ ...(JSON.parse(e.data) as Event), "(event)": e.event }));

const joined = (events: Event[], type: string) =>
  events
    .filter((e) => e.type === type)
    .map((e) => e.delta)
    .join("");

const TERMINAL = ["response.completed", "response.incomplete", "response.failed"];

function checkClientView(out: string, want: ExpectedResponses) {
  const events = eventsOf(out);
  expect(joined(events, "response.output_text.delta")).toBe(want.text);
  expect(joined(events, "response.reasoning_summary_text.delta")).toBe(want.reasoning ?? "");
  const calls = events
    .filter((e) => e.type === "response.output_item.done" && e.item?.type === "function_call")
    .map((e) => ({ callId: e.item?.call_id, name: e.item?.name, arguments: e.item?.arguments }));
  expect(calls).toEqual(want.toolCalls ?? []);
  // Exactly one terminal event, the last; sequence numbers from 0, one up each time.
  const terminal = events.filter((e) => TERMINAL.includes(e.type));
  expect(terminal).toHaveLength(1);
  expect(events.at(-1)).toBe(terminal[0]);
  expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
  expect(out).not.toContain("[DONE]");
  return { events, terminal: terminal[0] as Event };
}

describe("passthroughResponsesStream (fixtures)", () => {
  const names = fixtureNames("openai-responses");

  it("has an expectation for every fixture, and a fixture for every expectation", () => {
    expect(names.length).toBeGreaterThan(0);
    expect(names).toEqual(Object.keys(EXPECTED_RESPONSES).sort());
  });

  for (const name of names) {
    const want = EXPECTED_RESPONSES[name] as ExpectedResponses;
    describe(name, () => {
      for (const [label, split] of Object.entries(SPLITS)) {
        it(label, async () => {
          const text = fixture("openai-responses", name);
          const { out, outcome, events, ids, onEndCalls } = await relay(streamOf(splitBytes(text, split)));
          expect(onEndCalls).toBe(1);
          expect(ids).toEqual([want.responseId]);
          const view = checkClientView(out, want);
          // The plan hears every event the client got, in order.
          expect(events.map((e) => e.sequence_number)).toEqual(view.events.map((e) => e.sequence_number));
          expect(events.at(-1)?.type).toBe(view.terminal.type);
          if (!want.error) {
            const kept = (want.dropped ?? []).reduce((t, frame) => t.replace(frame, ""), text);
            expect(out).toBe(kept);
            expect(ended(outcome)).toEqual({
              usage: want.usage,
              finishReason: want.finish,
              error: undefined,
            });
            return;
          }
          expect(view.terminal.type).toBe("response.failed");
          expect(view.terminal.response?.status).toBe("failed");
          expect(view.terminal.response?.id).toBe(want.responseId);
          expect(view.terminal.response?.error?.code).toBe(want.error.responseCode);
          const errors = view.events.filter((e) => e.type === "error");
          expect(errors).toHaveLength(want.sdk === "throws" ? 1 : 0);
          expect(outcome.error).toBeInstanceOf(GatewayError);
          const error = outcome.error as GatewayError;
          expect(error.code).toBe(want.error.code);
          expect(outcome.finishReason).toBeUndefined();
          if (want.error.includes) expect(error.message).toContain(want.error.includes);
          if (want.error.excludes) {
            expect(out).not.toContain(want.error.excludes);
            expect(error.message).not.toContain(want.error.excludes);
            expect(JSON.stringify(events)).not.toContain(want.error.excludes);
          }
          if (want.error.added === "none") {
            // The vendor's own events, as many as it sent, only their messages scrubbed.
            expect(view.events.length).toBe(parseSse(text).length);
            if (!want.error.excludes) expect(out).toBe(text);
            expect(JSON.parse(error.vendorBody ?? "{}").code).toBe(want.error.responseCode);
          } else {
            expect(out.startsWith(text)).toBe(true);
            expect(eventsOf(out.slice(text.length)).map((e) => e.type)).toEqual(["error", "response.failed"]);
          }
        });
      }
    });
  }
});

/** The official SDK reading a stream the passthrough relays (`fetch` answers with it). */
function sdkOver(text: string, split = everyBytes(7)) {
  const client = new OpenAI({
    apiKey: "k",
    baseURL: "http://vendor.test/v1",
    maxRetries: 0,
    fetch: async () =>
      new Response(
        passthroughResponsesStream("openai", streamOf(splitBytes(text, split)), { requestId: "req_sdk" }),
        { headers: { "content-type": "text/event-stream" } },
      ),
  });
  return client.responses.stream({ model: "gpt-5-mini", input: "hi" });
}

describe("the openai SDK's responses.stream() over the relayed fixtures", () => {
  for (const [name, want] of Object.entries(EXPECTED_RESPONSES)) {
    it(`${name}: ${want.sdk === "throws" ? "raises" : `finalResponse() is ${want.sdk}`}`, async () => {
      const stream = sdkOver(fixture("openai-responses", name));
      if (want.sdk === "throws") {
        // The error event's message: the vendor's (scrubbed), or ours for a cut-off.
        await expect(stream.finalResponse()).rejects.toThrow(want.error?.includes ?? "stopped the stream");
        return;
      }
      const response = await stream.finalResponse();
      expect(response.id).toBe(want.responseId);
      expect(response.status).toBe(want.sdk);
      expect(response.output_text).toBe(want.text);
      if (want.usage) {
        expect(response.usage).toMatchObject({
          input_tokens: want.usage.inputTokens,
          output_tokens: want.usage.outputTokens,
        });
      }
      const calls = response.output.filter((item) => item.type === "function_call");
      expect(calls.map((c) => ({ callId: c.call_id, name: c.name, arguments: c.arguments }))).toEqual(
        want.toolCalls ?? [],
      );
    });
  }
});

// Hand-made bodies: OpenAI's framing, the events cut to what each case needs.
const CREATED = {
  type: "response.created",
  sequence_number: 0,
  response: {
    id: "resp_up1",
    object: "response",
    created_at: 1,
    status: "in_progress",
    model: "m",
    output: [],
  },
};
const frame = (e: object) => `event: ${(e as { type: string }).type}\ndata: ${JSON.stringify(e)}\n\n`;
const delta = (seq: number, text: string) =>
  frame({
    type: "response.output_text.delta",
    sequence_number: seq,
    item_id: "msg_1",
    output_index: 0,
    delta: text,
  });
const MESSAGE = { id: "msg_1", type: "message", status: "completed", role: "assistant", content: [] };
const ITEM_DONE = { type: "response.output_item.done", sequence_number: 2, output_index: 0, item: MESSAGE };
const completed = (seq: number, response: object = {}) =>
  frame({
    type: "response.completed",
    sequence_number: seq,
    response: { ...CREATED.response, status: "completed", output: [], ...response },
  });
const usage = { input_tokens: 10, input_tokens_details: { cached_tokens: 2 }, output_tokens: 5 };

async function relayText(text: string, end: "close" | { error: unknown } = "close") {
  return relay(source([bytes(text)], end).stream);
}

describe("passthroughResponsesStream, what no recording shows", () => {
  it("ends a stream that broke off with an error event and a failed response built from response.created", async () => {
    const body = frame(CREATED) + delta(1, "Hal") + frame(ITEM_DONE);
    const { out, outcome } = await relayText(body, { error: new Error("connection reset") });
    const added = eventsOf(out.slice(body.length));
    expect(out.startsWith(body)).toBe(true);
    expect(added.map((e) => [e.type, e["(event)"], e.sequence_number])).toEqual([
      ["error", "error", 3],
      ["response.failed", "response.failed", 4],
    ]);
    const [error, failed] = added as [Event, Event];
    expect(error.error).toMatchObject({ code: "server_error", request_id: "req_0123abcd" });
    expect(failed.response).toMatchObject({
      id: "resp_up1",
      model: "m",
      status: "failed",
      error: { code: "server_error" },
      output: [MESSAGE], // the items the vendor finished
      usage: null,
    });
    expect((outcome.error as GatewayError).code).toBe("upstream_stream_interrupted");
  });

  it("answers a body that is not SSE with the failure alone, in a minimal response", async () => {
    const { out, outcome, ids } = await relayText('{"id":"resp_x","object":"response","status":"completed"}');
    const events = eventsOf(out);
    expect(events.map((e) => [e.type, e.sequence_number])).toEqual([
      ["error", 0],
      ["response.failed", 1],
    ]);
    expect(events[1]?.response).toMatchObject({ id: "resp_0123abcd", object: "response", status: "failed" });
    expect((outcome.error as GatewayError).code).toBe("upstream_malformed_response");
    expect(ids).toEqual([]);
  });

  it("ends at an event that is not JSON", async () => {
    const { out, outcome } = await relayText(`${frame(CREATED)}data: {not json\n\n${delta(1, "late")}`);
    expect(eventsOf(out).map((e) => e.type)).toEqual(["response.created", "error", "response.failed"]);
    expect((outcome.error as GatewayError).code).toBe("upstream_stream_error");
  });

  it("adds only its response.failed after a vendor error event the stream ends on, with the vendor's code", async () => {
    const error = {
      type: "error",
      sequence_number: 1,
      error: { type: "insufficient_quota", code: "insufficient_quota", message: "You exceeded your quota." },
    };
    const { out, outcome } = await relayText(frame(CREATED) + frame(error));
    const events = eventsOf(out);
    expect(events.map((e) => [e.type, e.sequence_number])).toEqual([
      ["response.created", 0],
      ["error", 1],
      ["response.failed", 2],
    ]);
    expect(events[2]?.response?.error).toEqual({
      code: "insufficient_quota",
      message: "You exceeded your quota.",
    });
    const e = outcome.error as GatewayError;
    expect(e.code).toBe("upstream_stream_error");
    expect(e.message).toContain("You exceeded your quota.");
    expect(JSON.parse(e.vendorBody ?? "")).toEqual({
      code: "insufficient_quota",
      message: "You exceeded your quota.",
    });
  });

  it("lets nothing but response.failed follow a vendor error event", async () => {
    const error = { type: "error", sequence_number: 1, code: "server_error", message: "boom", param: null };
    const { out } = await relayText(frame(CREATED) + frame(error) + delta(2, "more") + delta(3, "again"));
    const events = eventsOf(out);
    expect(events.map((e) => e.type)).toEqual(["response.created", "error", "response.failed"]);
    // The published (flat) shape of the error event is read too.
    expect(events[2]?.response?.error).toEqual({ code: "server_error", message: "boom" });
  });

  it("drops what follows the terminal event, comments included; comments before it pass", async () => {
    const body = `: keep-alive\n\n${frame(CREATED)}${completed(1, { usage })}`;
    const { out, outcome } = await relayText(`${body}: late comment\n\n${delta(2, "late")}data: [DONE]\n\n`);
    expect(out).toBe(body);
    expect(ended(outcome)).toEqual({
      usage: { inputTokens: 10, outputTokens: 5, cachedTokens: 2 },
      finishReason: "stop",
      error: undefined,
    });
  });

  it("adds nothing when the connection breaks after the terminal event", async () => {
    const body = frame(CREATED) + completed(1);
    const { out } = await relayText(body, { error: new Error("reset after the end") });
    expect(out).toBe(body);
  });

  it("reads a tool call from the streamed items when the terminal event leaves output out", async () => {
    const call = { id: "fc_1", type: "function_call", call_id: "call_1", name: "f", arguments: "{}" };
    const added = { type: "response.output_item.added", sequence_number: 1, output_index: 0, item: call };
    const { outcome } = await relayText(frame(CREATED) + frame(added) + completed(2, { output: undefined }));
    expect(outcome.finishReason).toBe("tool_calls");
  });

  it("maps an incomplete response's reason", async () => {
    const incomplete = (reason: string) =>
      frame({
        type: "response.incomplete",
        sequence_number: 1,
        response: { ...CREATED.response, status: "incomplete", incomplete_details: { reason } },
      });
    expect((await relayText(frame(CREATED) + incomplete("content_filter"))).outcome.finishReason).toBe(
      "content_filter",
    );
    expect((await relayText(frame(CREATED) + incomplete("max_output_tokens"))).outcome.finishReason).toBe(
      "length",
    );
  });

  it("stops reading the vendor when the client leaves", async () => {
    const src = source([bytes(frame(CREATED)), bytes(delta(1, "a")), bytes(delta(2, "b"))], "hang");
    const watch = endWatch();
    const body = passthroughResponsesStream("openai", src.stream, { requestId: "req_1", onEnd: watch.onEnd });
    const seen = await readThenLeave(body, 2);
    const outcome: CallEnd = await watch.ended;
    expect(seen).toHaveLength(2);
    expect(src.cancels).toHaveLength(1);
    expect(typeof outcome.error).toBe("symbol");
  });
});
