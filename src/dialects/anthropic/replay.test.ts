import type { Message } from "@anthropic-ai/sdk/resources/messages";
import { describe, expect, it } from "vitest";
import { messageAccumulator } from "./accumulate";
import { messageToEvents, messageToSse } from "./replay";

const usage = {
  input_tokens: 25,
  output_tokens: 12,
  cache_creation_input_tokens: 3,
  cache_read_input_tokens: 5,
  cache_creation: { ephemeral_5m_input_tokens: 3, ephemeral_1h_input_tokens: 0 },
  inference_geo: null,
  output_tokens_details: null,
  server_tool_use: null,
  service_tier: "standard",
  speed: null,
} as unknown as Message["usage"];

const message = {
  id: "msg_01",
  type: "message",
  role: "assistant",
  model: "claude-sonnet-4-5",
  content: [
    { type: "thinking", thinking: "Let me look. Then answer.", signature: "sig-abc" },
    { type: "redacted_thinking", data: "opaque" },
    { type: "text", text: "I'll check.\n\nOne moment!", citations: null },
    { type: "tool_use", id: "toolu_1", name: "weather", input: { location: "Paris", days: [1, 2] } },
    { type: "tool_use", id: "toolu_2", name: "clock", input: {} },
  ],
  stop_reason: "tool_use",
  stop_sequence: null,
  stop_details: null,
  container: null,
  diagnostics: null,
  usage,
} as unknown as Message;

describe("messageToEvents", () => {
  it("follows the lifecycle: one start, each block opened, filled and closed in order, then the end", () => {
    const events = messageToEvents(message);
    expect(events[0]).toMatchObject({ type: "message_start", message: { content: [], stop_reason: null } });
    expect(events.at(-2)).toMatchObject({
      type: "message_delta",
      delta: { stop_reason: "tool_use" },
      usage: { output_tokens: 12, input_tokens: 25 },
    });
    expect(events.at(-1)).toEqual({ type: "message_stop" });
    let open: number | null = null;
    let next = 0;
    for (const e of events.slice(1, -2)) {
      if (e.type === "content_block_start") {
        expect(open).toBeNull();
        expect(e.index).toBe(next);
        open = e.index;
      } else if (e.type === "content_block_delta") {
        expect(e.index).toBe(open);
      } else if (e.type === "content_block_stop") {
        expect(e.index).toBe(open);
        open = null;
        next++;
      } else throw new Error(`unexpected ${e.type}`);
    }
    expect(next).toBe(message.content.length);
  });

  it("is rebuilt into the same message by the accumulator", () => {
    const acc = messageAccumulator();
    for (const e of messageToEvents(message)) acc.add(JSON.parse(JSON.stringify(e)));
    expect(acc.result()).toEqual(message);
  });

  it("writes one event: and one data: line per event", () => {
    const sse = messageToSse(message);
    const frames = sse.split("\n\n").filter(Boolean);
    expect(frames).toHaveLength(messageToEvents(message).length);
    expect(frames[0]).toMatch(/^event: message_start\ndata: \{/);
  });
});

describe("messageAccumulator", () => {
  const feed = (events: unknown[]) => {
    const acc = messageAccumulator();
    for (const e of events) acc.add(e);
    return acc.result();
  };
  const whole = messageToEvents(message).map((e) => JSON.parse(JSON.stringify(e)));

  it("has no message before message_stop (a cut-off stream is not cached)", () => {
    expect(feed(whole.slice(0, -1))).toBeNull();
  });

  it("has none when a block is missing or its input does not parse", () => {
    expect(feed(whole.filter((e) => !(e.type === "content_block_start" && e.index === 1)))).toBeNull();
    const badJson = whole.map((e) =>
      e.type === "content_block_delta" && e.delta.type === "input_json_delta"
        ? { ...e, delta: { ...e.delta, partial_json: '{"location": ' } }
        : e,
    );
    expect(feed(badJson)).toBeNull();
  });

  it("keeps cumulative usage from message_delta and leaves null counts as they were", () => {
    const events = whole.map((e) =>
      e.type === "message_delta" ? { ...e, usage: { output_tokens: 40, input_tokens: null } } : e,
    );
    expect(feed(events)?.usage).toMatchObject({ input_tokens: 25, output_tokens: 40 });
  });

  it("keeps block types it does not know as they started", () => {
    const events = [
      whole[0],
      { type: "content_block_start", index: 0, content_block: { type: "future_block", x: 1 } },
      { type: "content_block_stop", index: 0 },
      ...whole.slice(-2),
    ];
    expect(feed(events)?.content).toEqual([{ type: "future_block", x: 1 }]);
  });
});
