import { describe, expect, it } from "vitest";
import { anthropicStopReason } from "./stop-reason";

describe("anthropicStopReason", () => {
  it("names each neutral finish reason the way Anthropic does", () => {
    expect(
      (["stop", "length", "tool_calls", "content_filter", undefined] as const).map(anthropicStopReason),
    ).toEqual(["end_turn", "max_tokens", "tool_use", "refusal", "end_turn"]);
  });
});
