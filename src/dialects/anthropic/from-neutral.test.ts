import Anthropic from "@anthropic-ai/sdk";
import { describe, expect, it } from "vitest";
import type { ChatResponse } from "../../chat/types";
import { anthropicUsage, newMessageId, toAnthropicMessage } from "./from-neutral";
import { signatureOrigin } from "./thinking-signature";

const META = {
  id: "msg_gw1",
  model: "openai/gpt-4o-mini",
  origin: { vendor: "openai", model: "gpt-4o-mini" },
};
const answer = (over: Partial<ChatResponse>): ChatResponse => ({
  model: "gpt-4o-mini-2024-07-18",
  content: "Hi!",
  toolCalls: [],
  finishReason: "stop",
  usage: { inputTokens: 12, outputTokens: 3 },
  ...over,
});

describe("toAnthropicMessage", () => {
  it("writes a text answer as Anthropic's Message, with our id and the client's model", () => {
    expect(toAnthropicMessage(answer({}), META)).toEqual({
      id: "msg_gw1",
      type: "message",
      role: "assistant",
      model: "openai/gpt-4o-mini",
      content: [{ type: "text", text: "Hi!", citations: null }],
      stop_reason: "end_turn",
      stop_sequence: null,
      stop_details: null,
      container: null,
      diagnostics: null,
      usage: {
        input_tokens: 12,
        output_tokens: 3,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
        cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
        inference_geo: null,
        output_tokens_details: null,
        server_tool_use: null,
        service_tier: null,
        speed: null,
      },
    });
  });

  it("puts the text first, then one tool_use block per call with its input parsed and id kept", () => {
    const m = toAnthropicMessage(
      answer({
        content: "Let me look.",
        toolCalls: [
          { id: "call_1", name: "get_weather", arguments: '{"city": "Zürich"}' },
          { id: "call_2", name: "now", arguments: "" },
        ],
        finishReason: "tool_calls",
      }),
      META,
    );
    expect(m.stop_reason).toBe("tool_use");
    expect(m.content).toEqual([
      { type: "text", text: "Let me look.", citations: null },
      {
        type: "tool_use",
        id: "call_1",
        name: "get_weather",
        input: { city: "Zürich" },
        caller: { type: "direct" },
      },
      { type: "tool_use", id: "call_2", name: "now", input: {}, caller: { type: "direct" } },
    ]);
  });

  it("leaves out an empty text block, which Anthropic would refuse when the answer is sent back", () => {
    const call = { id: "c", name: "f", arguments: "{}" };
    expect(toAnthropicMessage(answer({ content: null, toolCalls: [call] }), META).content).toHaveLength(1);
    expect(toAnthropicMessage(answer({ content: "" }), META).content).toEqual([]);
  });

  it("keeps the whole members of arguments that were cut off or malformed, and ids a call without one", () => {
    const m = toAnthropicMessage(
      answer({
        content: null,
        toolCalls: [
          { id: "c1", name: "Bash", arguments: '{"timeout": 5, "command": "rm -rf build/tm' },
          { id: "", name: "f", arguments: "not json" },
        ],
        finishReason: "length",
      }),
      META,
    );
    expect(m.stop_reason).toBe("max_tokens");
    expect(m.content).toEqual([
      expect.objectContaining({ id: "c1", input: { timeout: 5 } }),
      expect.objectContaining({ id: expect.stringMatching(/^toolu_[0-9a-f]{32}$/), input: {} }),
    ]);
  });

  it("puts the reasoning first, as a thinking block signed with who reasoned", () => {
    const m = toAnthropicMessage(
      answer({
        reasoning: "Weighing it up.",
        content: "Hi!",
        toolCalls: [{ id: "c", name: "f", arguments: "{}" }],
      }),
      { ...META, origin: { vendor: "gemini", model: "gemini-2.5-flash" } },
    );
    expect(m.content.map((b) => b.type)).toEqual(["thinking", "text", "tool_use"]);
    const [thinking] = m.content;
    expect(thinking).toEqual({
      type: "thinking",
      thinking: "Weighing it up.",
      signature: expect.any(String),
    });
    const signature = (thinking as { signature: string }).signature;
    expect(signatureOrigin(signature)).toEqual({ vendor: "gemini", model: "gemini-2.5-flash" });
    expect(toAnthropicMessage(answer({ reasoning: "" }), META).content.map((b) => b.type)).toEqual(["text"]);
  });

  it("maps the other finish reasons", () => {
    expect(toAnthropicMessage(answer({ finishReason: "content_filter" }), META).stop_reason).toBe("refusal");
  });

  it("is what the Anthropic SDK hands its caller, unchanged", async () => {
    const body = toAnthropicMessage(
      answer({ toolCalls: [{ id: "c", name: "f", arguments: '{"a":[1]}' }] }),
      META,
    );
    const client = new Anthropic({
      apiKey: "k",
      baseURL: "http://gw",
      maxRetries: 0,
      fetch: async () => Response.json(body, { headers: { "request-id": "req_1" } }),
    });
    const got = await client.messages.create({
      model: META.model,
      max_tokens: 5,
      messages: [{ role: "user", content: "hi" }],
    });
    expect({ ...got, _request_id: undefined }).toEqual(body);
  });
});

describe("anthropicUsage", () => {
  it("gives the uncached input apart from the cache reads, which neutral usage counts inside it", () => {
    expect(anthropicUsage({ inputTokens: 1000, outputTokens: 5, cachedTokens: 800 })).toMatchObject({
      input_tokens: 200,
      cache_read_input_tokens: 800,
      cache_creation_input_tokens: 0,
      output_tokens: 5,
    });
  });

  it("gives the vendor's reasoning tokens as thinking tokens, where it counted them", () => {
    expect(
      anthropicUsage({ inputTokens: 10, outputTokens: 50, reasoningTokens: 42 }).output_tokens_details,
    ).toEqual({
      thinking_tokens: 42,
    });
    expect(anthropicUsage({ inputTokens: 10, outputTokens: 50 }).output_tokens_details).toBeNull();
  });
});

describe("newMessageId", () => {
  it("is msg_ and 128 random bits", () => {
    const a = newMessageId();
    expect(a).toMatch(/^msg_[0-9a-f]{32}$/);
    expect(newMessageId()).not.toBe(a);
  });
});
