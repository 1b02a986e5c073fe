import { describe, expect, it } from "vitest";
import { GatewayError } from "../../errors/gateway-error";
import { mapAnthropicStopReason } from "./finish-reason";
import { fromAnthropicMessage } from "./response";
import { convertAnthropicUsage } from "./usage";

describe("fromAnthropicMessage", () => {
  it("joins text blocks, keeps tool_use ids, reads thinking as reasoning and skips blocks it cannot carry", () => {
    const answer = fromAnthropicMessage(
      "anthropic",
      {
        id: "msg_1",
        type: "message",
        role: "assistant",
        model: "claude-sonnet-4-5-20250929",
        content: [
          { type: "thinking", thinking: "hmm", signature: "sig" },
          { type: "text", text: "Checking. " },
          { type: "text", text: "One moment." },
          { type: "tool_use", id: "toolu_1", name: "weather", input: { city: "Paris" } },
        ],
        stop_reason: "tool_use",
        stop_sequence: null,
        usage: { input_tokens: 3, output_tokens: 2 },
      },
      "claude-sonnet-4-5",
    );
    expect(answer).toEqual({
      id: "msg_1",
      model: "claude-sonnet-4-5-20250929",
      content: "Checking. One moment.",
      toolCalls: [{ id: "toolu_1", name: "weather", arguments: '{"city":"Paris"}' }],
      reasoning: "hmm",
      reasoningSignature: "sig",
      finishReason: "tool_calls",
      usage: { inputTokens: 3, outputTokens: 2 },
    });
  });

  it("keeps a signature only for a single thinking block, and counts thinking tokens where given", () => {
    const answer = (content: unknown[], usage: object = {}) =>
      fromAnthropicMessage(
        "anthropic",
        { content, stop_reason: "end_turn", usage: { input_tokens: 1, output_tokens: 9, ...usage } },
        "claude-x",
      );
    const thinking = (t: string, signature: string) => ({ type: "thinking", thinking: t, signature });
    expect(answer([thinking("a", "s1"), thinking("b", "s2")])).toMatchObject({ reasoning: "a\n\nb" });
    expect(answer([thinking("a", "s1"), thinking("b", "s2")])).not.toHaveProperty("reasoningSignature");
    const redacted = answer([{ type: "redacted_thinking", data: "EmwKAhgB" }, thinking("a", "s1")]);
    expect(redacted).toMatchObject({ reasoning: "a" });
    expect(redacted).not.toHaveProperty("reasoningSignature");
    // Thinking shown as omitted: no text, still a signature to send back.
    const omitted = answer([thinking("", "s1"), { type: "text", text: "ok" }]);
    expect(omitted).toMatchObject({ content: "ok", reasoningSignature: "s1" });
    expect(omitted).not.toHaveProperty("reasoning");
    expect(answer([], { output_tokens_details: { thinking_tokens: 7 } }).usage).toEqual({
      inputTokens: 1,
      outputTokens: 9,
      reasoningTokens: 7,
    });
  });

  it("answers null content for a tool call alone, and a 502 for a body off the wire format", () => {
    const only = fromAnthropicMessage(
      "anthropic",
      {
        content: [{ type: "tool_use", id: "t", name: "f", input: {} }],
        stop_reason: "tool_use",
        usage: { input_tokens: 1, output_tokens: 1 },
      },
      "claude-x",
    );
    expect(only).toMatchObject({ model: "claude-x", content: null, toolCalls: [{ arguments: "{}" }] });
    for (const bad of [
      {},
      { content: [{ type: "text" }], usage: { input_tokens: 1, output_tokens: 1 } },
      "x",
    ]) {
      let err: unknown;
      try {
        fromAnthropicMessage("anthropic", bad, "m");
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(GatewayError);
      expect((err as GatewayError).code).toBe("upstream_malformed_response");
    }
  });
});

describe("mapAnthropicStopReason", () => {
  it.each([
    ["end_turn", "stop"],
    ["stop_sequence", "stop"],
    ["pause_turn", "stop"],
    ["max_tokens", "length"],
    ["model_context_window_exceeded", "length"],
    ["tool_use", "tool_calls"],
    ["refusal", "content_filter"],
    ["something_new", "stop"],
    [null, "stop"],
  ])("%s → %s", (reason, expected) => {
    expect(mapAnthropicStopReason(reason)).toBe(expected);
  });
});

describe("convertAnthropicUsage", () => {
  it("counts cached input into the input tokens, as OpenAI's prompt_tokens does", () => {
    expect(
      convertAnthropicUsage({
        input_tokens: 25,
        output_tokens: 12,
        cache_read_input_tokens: 5,
        cache_creation_input_tokens: 3,
      }),
    ).toEqual({
      inputTokens: 33,
      outputTokens: 12,
      cachedTokens: 5,
      cacheWriteTokens: 3,
      cacheWrite1hTokens: 0,
    });
    expect(
      convertAnthropicUsage({ input_tokens: 2, output_tokens: 1, cache_read_input_tokens: null }),
    ).toEqual({
      inputTokens: 2,
      outputTokens: 1,
    });
  });
});
