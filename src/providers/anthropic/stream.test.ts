import { describe, expect, it } from "vitest";
import { replayFixtures } from "../../../test/fixtures/replay-decoder";
import type { StreamEvent } from "../../chat/types";
import { GatewayError } from "../../errors/gateway-error";
import { anthropicStreamToEvents } from "./stream";

const ev = (type: string, data: object) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;

const START = ev("message_start", {
  message: {
    id: "msg_1",
    type: "message",
    role: "assistant",
    model: "claude-sonnet-4-5-20250929",
    content: [],
    stop_reason: null,
    usage: { input_tokens: 10, cache_read_input_tokens: 4, cache_creation_input_tokens: 0, output_tokens: 1 },
  },
});
const END = (stop: string) =>
  ev("message_delta", { delta: { stop_reason: stop, stop_sequence: null }, usage: { output_tokens: 7 } }) +
  ev("message_stop", {});

/** The body split into chunks of `size` bytes, so events and UTF-8 sequences straddle reads. */
function body(text: string, size = 7): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let at = 0;
  return new ReadableStream({
    pull(c) {
      if (at >= bytes.length) return c.close();
      c.enqueue(bytes.slice(at, at + size));
      at += size;
    },
  });
}

async function collect(text: string): Promise<{ events: StreamEvent[]; error?: unknown }> {
  const events: StreamEvent[] = [];
  const reader = anthropicStreamToEvents("anthropic", body(text)).getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { events };
      events.push(value);
    }
  } catch (error) {
    return { events, error };
  }
}

describe("anthropicStreamToEvents", () => {
  it("turns text deltas into text events, with finish and usage at the end", async () => {
    const { events, error } = await collect(
      START +
        ev("content_block_start", { index: 0, content_block: { type: "text", text: "" } }) +
        ev("ping", {}) +
        ev("content_block_delta", { index: 0, delta: { type: "text_delta", text: "Héllo" } }) +
        ev("content_block_delta", { index: 0, delta: { type: "text_delta", text: " wörld" } }) +
        ev("content_block_stop", { index: 0 }) +
        ev("some_future_event", { anything: true }) +
        END("end_turn"),
    );
    expect(error).toBeUndefined();
    expect(events).toEqual([
      { type: "start", id: "msg_1", model: "claude-sonnet-4-5-20250929" },
      { type: "text", text: "Héllo" },
      { type: "text", text: " wörld" },
      { type: "finish", finishReason: "stop" },
      { type: "usage", usage: { inputTokens: 14, outputTokens: 7, cachedTokens: 4 } },
    ]);
  });

  it("numbers tool calls among tool calls, not among content blocks", async () => {
    const { events } = await collect(
      START +
        ev("content_block_start", { index: 0, content_block: { type: "text", text: "Let me see." } }) +
        ev("content_block_stop", { index: 0 }) +
        ev("content_block_start", {
          index: 1,
          content_block: { type: "tool_use", id: "toolu_a", name: "f", input: {} },
        }) +
        ev("content_block_delta", { index: 1, delta: { type: "input_json_delta", partial_json: "" } }) +
        ev("content_block_delta", { index: 1, delta: { type: "input_json_delta", partial_json: '{"x": ' } }) +
        ev("content_block_delta", { index: 1, delta: { type: "input_json_delta", partial_json: "1}" } }) +
        ev("content_block_stop", { index: 1 }) +
        ev("content_block_start", {
          index: 2,
          content_block: { type: "tool_use", id: "toolu_b", name: "g", input: {} },
        }) +
        ev("content_block_stop", { index: 2 }) +
        END("tool_use"),
    );
    expect(events.slice(1, -1)).toEqual([
      { type: "text", text: "Let me see." },
      { type: "tool_call", index: 0, id: "toolu_a", name: "f", argumentsDelta: "" },
      { type: "tool_call", index: 0, argumentsDelta: '{"x": ' },
      { type: "tool_call", index: 0, argumentsDelta: "1}" },
      { type: "tool_call", index: 1, id: "toolu_b", name: "g", argumentsDelta: "" },
      { type: "tool_call", index: 1, argumentsDelta: "{}" },
      { type: "finish", finishReason: "tool_calls" },
    ]);
  });

  it("passes thinking on as reasoning, the first block's signature after its text", async () => {
    const thinking = (index: number, text: string, signature: string) =>
      ev("content_block_start", { index, content_block: { type: "thinking", thinking: "", signature: "" } }) +
      ev("content_block_delta", { index, delta: { type: "thinking_delta", thinking: text } }) +
      ev("content_block_delta", { index, delta: { type: "signature_delta", signature } }) +
      ev("content_block_stop", { index });
    const { events, error } = await collect(
      START +
        thinking(0, "Let me think.", "EqQBsig1") +
        ev("content_block_start", { index: 1, content_block: { type: "text", text: "" } }) +
        ev("content_block_delta", { index: 1, delta: { type: "text_delta", text: "Done." } }) +
        ev("content_block_stop", { index: 1 }) +
        // A second thinking block (interleaved thinking): its text, not its signature.
        thinking(2, "More.", "EqQBsig2") +
        ev("content_block_start", { index: 3, content_block: { type: "redacted_thinking", data: "EmwK" } }) +
        ev("content_block_stop", { index: 3 }) +
        END("end_turn"),
    );
    expect(error).toBeUndefined();
    expect(events.slice(1, -2)).toEqual([
      { type: "reasoning", text: "Let me think." },
      { type: "reasoning", text: "", signature: "EqQBsig1" },
      { type: "text", text: "Done." },
      { type: "reasoning", text: "More." },
    ]);
  });

  it("passes no signature on when redacted thinking came first", async () => {
    const { events } = await collect(
      START +
        ev("content_block_start", { index: 0, content_block: { type: "redacted_thinking", data: "EmwK" } }) +
        ev("content_block_stop", { index: 0 }) +
        ev("content_block_start", {
          index: 1,
          content_block: { type: "thinking", thinking: "", signature: "" },
        }) +
        ev("content_block_delta", { index: 1, delta: { type: "thinking_delta", thinking: "Hm." } }) +
        ev("content_block_delta", { index: 1, delta: { type: "signature_delta", signature: "EqQBsig" } }) +
        ev("content_block_stop", { index: 1 }) +
        END("end_turn"),
    );
    expect(events.filter((e) => e.type === "reasoning")).toEqual([{ type: "reasoning", text: "Hm." }]);
  });

  it("throws the vendor's error event as a stream error", async () => {
    const { events, error } = await collect(
      START +
        ev("content_block_start", { index: 0, content_block: { type: "text", text: "" } }) +
        ev("error", { error: { type: "overloaded_error", message: "Overloaded" } }),
    );
    expect(events).toHaveLength(1);
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).code).toBe("upstream_stream_error");
    expect((error as GatewayError).message).toContain("Overloaded");
  });

  it("treats a stream without message_stop as cut off, even after a stop reason", async () => {
    for (const text of [
      START,
      START + ev("message_delta", { delta: { stop_reason: "end_turn" }, usage: { output_tokens: 2 } }),
    ]) {
      const { events, error } = await collect(text);
      expect(events.map((e) => e.type)).toEqual(["start"]);
      expect((error as GatewayError).code).toBe("upstream_stream_interrupted");
    }
  });

  it("refuses an event that does not match the wire format", async () => {
    const { error } = await collect(START + ev("content_block_delta", { delta: { type: "text_delta" } }));
    expect((error as GatewayError).code).toBe("upstream_stream_error");
  });
});

// The recorded streams (test/fixtures/anthropic/), cut every way a network can cut them.
replayFixtures("anthropic", (body) => anthropicStreamToEvents("anthropic", body));
