import { describe, expect, it } from "vitest";
import { mapResponsesFinish } from "./responses-finish-reason";

const item = (type: string) => ({ type });

describe("mapResponsesFinish", () => {
  it("reads a completed response as a stop, or as tool calls when it holds a call for the client", () => {
    expect(mapResponsesFinish("response.completed", { output: [item("reasoning"), item("message")] })).toBe(
      "stop",
    );
    expect(
      mapResponsesFinish("response.completed", { output: [item("message"), item("function_call")] }),
    ).toBe("tool_calls");
    // Codex's freeform apply_patch is a custom tool call.
    expect(mapResponsesFinish("response.completed", { output: [item("custom_tool_call")] })).toBe(
      "tool_calls",
    );
    // Hosted tools ran at the vendor: nothing waits for the client.
    expect(
      mapResponsesFinish("response.completed", { output: [item("web_search_call"), item("message")] }),
    ).toBe("stop");
  });

  it("takes a call the stream showed when the terminal event leaves output out", () => {
    expect(mapResponsesFinish("response.completed", {}, true)).toBe("tool_calls");
    expect(mapResponsesFinish("response.completed", undefined, false)).toBe("stop");
  });

  it("reads an incomplete response's reason: a filter, else the token limit", () => {
    const incomplete = (reason: string | null) =>
      mapResponsesFinish("response.incomplete", { incomplete_details: { reason } });
    expect(incomplete("max_output_tokens")).toBe("length");
    expect(incomplete("content_filter")).toBe("content_filter");
    expect(incomplete(null)).toBe("length");
    expect(mapResponsesFinish("response.incomplete", undefined)).toBe("length");
  });
});
