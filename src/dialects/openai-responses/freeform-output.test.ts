import { describe, expect, it } from "vitest";
import type { ChatResponse, StreamEvent } from "../../chat/types";
import { encodeEvents } from "../../gateway/pipeline/stream/encode-events";
import { parseSse, readBody, source } from "../../gateway/pipeline/stream/stream-test-helpers";
import { toResponse } from "./from-neutral";
import { type ResponsesEncoderMeta, responsesEventEncoder } from "./stream-encoder";

/** Calls of a request's `custom` (freeform) tools go back as `custom_tool_call` items. */

const PATCH = "*** Begin Patch\n*** Add File: a.txt\n+hi\n*** End Patch";
const META: ResponsesEncoderMeta = {
  id: "resp_ff1",
  model: "anthropic/claude-sonnet-4-5",
  createdAt: 1_789_686_484,
  freeform: new Set(["apply_patch"]),
};

describe("freeform tool calls", () => {
  it("are custom_tool_call items with the raw input in a whole response", () => {
    const answer: ChatResponse = {
      model: "claude-sonnet-4-5",
      content: null,
      toolCalls: [
        { id: "toolu_1", name: "apply_patch", arguments: JSON.stringify({ input: PATCH }) },
        { id: "toolu_2", name: "exec_command", arguments: '{"cmd":"ls"}' },
      ],
      finishReason: "tool_calls",
      usage: { inputTokens: 10, outputTokens: 5 },
    };
    const { output } = toResponse(answer, META);
    expect(output[0]).toEqual({
      id: "ctc_ff1_0",
      type: "custom_tool_call",
      call_id: "toolu_1",
      name: "apply_patch",
      input: PATCH,
    });
    expect(output[1]).toMatchObject({
      type: "function_call",
      name: "exec_command",
      arguments: '{"cmd":"ls"}',
    });
  });

  it("stream their input whole once the call closes, then the item", async () => {
    const args = JSON.stringify({ input: PATCH });
    const events: StreamEvent[] = [
      { type: "start", model: "m" },
      { type: "tool_call", index: 0, id: "toolu_1", name: "apply_patch", argumentsDelta: "" },
      { type: "tool_call", index: 0, argumentsDelta: args.slice(0, 9) },
      { type: "tool_call", index: 0, argumentsDelta: args.slice(9) },
      { type: "finish", finishReason: "tool_calls" },
      { type: "usage", usage: { inputTokens: 10, outputTokens: 5 } },
    ];
    const body = encodeEvents(
      source(events, "close").stream,
      responsesEventEncoder(META, { requestId: "r" }),
    );
    const wire = parseSse(await readBody(body)).map((e) => JSON.parse(e.data));
    expect(wire.map((e) => e.type)).toEqual([
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.custom_tool_call_input.delta",
      "response.custom_tool_call_input.done",
      "response.output_item.done",
      "response.completed",
    ]);
    expect(wire[3]).toMatchObject({ item_id: "ctc_ff1_0", output_index: 0, delta: PATCH });
    expect(wire[4]).toMatchObject({ input: PATCH });
    expect(wire[5].item).toEqual({
      id: "ctc_ff1_0",
      type: "custom_tool_call",
      call_id: "toolu_1",
      name: "apply_patch",
      input: PATCH,
    });
    expect(wire[6].response.output).toEqual([wire[5].item]);
  });
});
