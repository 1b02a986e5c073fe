import { describe, expect, it } from "vitest";
import { responseToEvents, responseToSse } from "./replay";

const response = {
  id: "resp_r1",
  object: "response",
  status: "completed",
  output: [
    {
      id: "rs_r1_0",
      type: "reasoning",
      summary: [{ type: "summary_text", text: "Think." }],
      status: "completed",
    },
    {
      id: "msg_r1_1",
      type: "message",
      role: "assistant",
      status: "completed",
      content: [{ type: "output_text", text: "One. Two.", annotations: [], logprobs: [] }],
    },
    {
      id: "fc_r1_2",
      type: "function_call",
      call_id: "c1",
      name: "f",
      arguments: '{"a":1}',
      status: "completed",
    },
    {
      id: "ctc_r1_3",
      type: "custom_tool_call",
      call_id: "c2",
      name: "apply_patch",
      input: "*** Begin Patch",
    },
  ],
  usage: { input_tokens: 3, output_tokens: 4, total_tokens: 7 },
};

describe("responseToEvents", () => {
  const events = responseToEvents(response);

  it("numbers every event from 0 and ends with the one terminal event its status names", () => {
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    expect(events.slice(0, 2).map((e) => e.type)).toEqual(["response.created", "response.in_progress"]);
    expect(events.at(-1)).toEqual({
      type: "response.completed",
      sequence_number: events.length - 1,
      response,
    });
    expect(responseToEvents({ ...response, status: "incomplete" }).at(-1)?.type).toBe("response.incomplete");
  });

  it("adds each item, fills it, and marks it done, one at a time and in order", () => {
    const life = events
      .filter((e) => e.type === "response.output_item.added" || e.type === "response.output_item.done")
      .map((e) => `${String(e.type).split(".").at(-1)}:${e.output_index}`);
    expect(life).toEqual([
      "added:0",
      "done:0",
      "added:1",
      "done:1",
      "added:2",
      "done:2",
      "added:3",
      "done:3",
    ]);
    const text = events.filter((e) => e.type === "response.output_text.delta").map((e) => e.delta);
    expect(text.join("")).toBe("One. Two.");
    expect(events.find((e) => e.type === "response.function_call_arguments.done")).toMatchObject({
      item_id: "fc_r1_2",
      arguments: '{"a":1}',
    });
    expect(events.find((e) => e.type === "response.custom_tool_call_input.done")).toMatchObject({
      input: "*** Begin Patch",
    });
    expect(events.find((e) => e.type === "response.reasoning_summary_text.done")).toMatchObject({
      text: "Think.",
    });
  });

  it("writes one event: and one data: line per event", () => {
    const frames = responseToSse(response).split("\n\n").filter(Boolean);
    expect(frames).toHaveLength(events.length);
    expect(frames[0]).toMatch(/^event: response\.created\ndata: \{/);
  });
});
