import OpenAI from "openai";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { ChatResponse } from "../../chat/types";
import {
  callIds,
  itemId,
  newResponseId,
  type ResponseMeta,
  responsesUsage,
  toResponse,
} from "./from-neutral";
import { encryptedReasoning } from "./reasoning-item";

const NOW = 1_789_686_484;
const META: ResponseMeta = { id: "resp_gw1", model: "openai/gpt-4o-mini", createdAt: NOW - 1 };
const answer = (over: Partial<ChatResponse>): ChatResponse => ({
  model: "gpt-4o-mini-2024-07-18",
  content: "Hi!",
  toolCalls: [],
  finishReason: "stop",
  usage: { inputTokens: 12, outputTokens: 3 },
  ...over,
});

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(NOW * 1000);
});
afterEach(() => {
  vi.useRealTimers();
});

describe("toResponse", () => {
  it("writes a text answer as the API's Response: our ids, the client's model, the defaults echoed", () => {
    expect(toResponse(answer({}), META)).toEqual({
      id: "resp_gw1",
      object: "response",
      created_at: NOW - 1,
      status: "completed",
      completed_at: NOW,
      error: null,
      incomplete_details: null,
      model: "openai/gpt-4o-mini",
      output: [
        {
          id: "msg_gw1_0",
          type: "message",
          status: "completed",
          content: [{ type: "output_text", annotations: [], logprobs: [], text: "Hi!" }],
          role: "assistant",
        },
      ],
      access_programs: null,
      background: false,
      instructions: null,
      max_output_tokens: null,
      max_tool_calls: null,
      parallel_tool_calls: true,
      previous_response_id: null,
      reasoning: { effort: null, summary: null },
      store: true,
      temperature: null,
      text: { format: { type: "text" } },
      tool_choice: "auto",
      tools: [],
      top_p: null,
      truncation: "disabled",
      metadata: {},
      usage: {
        input_tokens: 12,
        input_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 },
        output_tokens: 3,
        output_tokens_details: { reasoning_tokens: 0 },
        total_tokens: 15,
      },
    });
  });

  it("gives each tool call its own function_call item after the message, keeping the vendor's call id", () => {
    const r = toResponse(
      answer({
        content: "Let me look.",
        toolCalls: [
          { id: "call_1", name: "get_weather", arguments: '{"city": "Zürich"}' },
          { id: "call_2", name: "now", arguments: "{}" },
        ],
        finishReason: "tool_calls",
      }),
      META,
    );
    expect(r.status).toBe("completed");
    expect(r.output).toEqual([
      expect.objectContaining({ type: "message", id: "msg_gw1_0" }),
      {
        id: "fc_gw1_1",
        type: "function_call",
        status: "completed",
        arguments: '{"city": "Zürich"}',
        call_id: "call_1",
        name: "get_weather",
      },
      {
        id: "fc_gw1_2",
        type: "function_call",
        status: "completed",
        arguments: "{}",
        call_id: "call_2",
        name: "now",
      },
    ]);
  });

  it("has no message item without text, and makes call ids for calls without one or with a repeated one", () => {
    const r = toResponse(
      answer({
        content: null,
        toolCalls: [
          { id: "", name: "f", arguments: "not json" },
          { id: "dup", name: "g", arguments: "{}" },
          { id: "dup", name: "h", arguments: "{}" },
        ],
        finishReason: "tool_calls",
      }),
      META,
    );
    expect(r.output.map((i) => [i.type, i.id, "call_id" in i ? i.call_id : null])).toEqual([
      ["function_call", "fc_gw1_0", "call_gw1_0"],
      ["function_call", "fc_gw1_1", "dup"],
      ["function_call", "fc_gw1_2", "call_gw1_2"],
    ]);
    // Arguments are passed on as the model wrote them, even when they do not parse.
    expect(r.output[0]).toMatchObject({ arguments: "not json" });
    expect(toResponse(answer({ content: "" }), META).output).toEqual([]);
  });

  it("is incomplete when the answer hit its limit or a filter, the item it stopped in marked so", () => {
    const cut = toResponse(
      answer({
        content: "Rivers are",
        toolCalls: [{ id: "c", name: "f", arguments: '{"a": ' }],
        finishReason: "length",
      }),
      META,
    );
    expect(cut).toMatchObject({
      status: "incomplete",
      completed_at: null,
      incomplete_details: { reason: "max_output_tokens" },
      error: null,
    });
    expect(cut.output.map((i) => ("status" in i ? i.status : null))).toEqual(["completed", "incomplete"]);
    const filtered = toResponse(answer({ finishReason: "content_filter" }), META);
    expect(filtered).toMatchObject({
      status: "incomplete",
      incomplete_details: { reason: "content_filter" },
    });
    expect(filtered.output[0]).toMatchObject({ status: "incomplete" });
  });

  it("echoes the request's fields over the defaults, skipping undefined ones", () => {
    const r = toResponse(answer({}), {
      ...META,
      echo: {
        instructions: "Be brief.",
        temperature: 0.2,
        max_output_tokens: 64,
        store: false,
        previous_response_id: "resp_prev",
        tool_choice: "required",
        tools: [{ type: "function", name: "f", parameters: { type: "object" }, strict: true }],
        metadata: { team: "a" },
        user: "u-1",
        top_p: undefined,
      },
    });
    expect(r).toMatchObject({
      instructions: "Be brief.",
      temperature: 0.2,
      max_output_tokens: 64,
      store: false,
      previous_response_id: "resp_prev",
      tool_choice: "required",
      tools: [{ type: "function", name: "f" }],
      metadata: { team: "a" },
      user: "u-1",
      top_p: null,
      truncation: "disabled",
    });
  });

  it("is what the openai SDK hands its caller, plus the output_text the SDK adds", async () => {
    const body = toResponse(
      answer({ content: "Hello", toolCalls: [{ id: "c", name: "f", arguments: '{"a":[1]}' }] }),
      META,
    );
    const client = new OpenAI({
      apiKey: "k",
      baseURL: "http://gw/v1",
      maxRetries: 0,
      fetch: async () => Response.json(body, { headers: { "x-request-id": "req_1" } }),
    });
    const got = await client.responses.create({ model: META.model, input: "hi" });
    expect(got.output_text).toBe("Hello");
    expect({ ...got, output_text: undefined, _request_id: undefined }).toEqual(body);
  });
});

describe("toResponse: reasoning", () => {
  const ORIGIN = { vendor: "anthropic", model: "claude-sonnet-4-5" };

  it("puts the vendor's reasoning first, as a reasoning item with its summary, sealed where the origin is named", () => {
    const out = toResponse(
      answer({
        reasoning: "Think.",
        reasoningSignature: "EqQBsig",
        usage: { inputTokens: 1, outputTokens: 9, reasoningTokens: 5 },
      }),
      { ...META, origin: ORIGIN },
    );
    expect(out.output).toEqual([
      {
        id: "rs_gw1_0",
        type: "reasoning",
        summary: [{ type: "summary_text", text: "Think." }],
        encrypted_content: encryptedReasoning(ORIGIN, "EqQBsig"),
        status: "completed",
      },
      expect.objectContaining({ id: "msg_gw1_1", type: "message" }),
    ]);
    expect(out.usage?.output_tokens_details).toEqual({ reasoning_tokens: 5 });
    // Without an origin, no encrypted content; a seal alone then is no item at all.
    expect(toResponse(answer({ reasoning: "Think." }), META).output[0]).toEqual({
      id: "rs_gw1_0",
      type: "reasoning",
      summary: [{ type: "summary_text", text: "Think." }],
      status: "completed",
    });
    expect(toResponse(answer({ reasoningSignature: "EqQBsig" }), META).output.map((i) => i.type)).toEqual([
      "message",
    ]);
    expect(
      toResponse(answer({ reasoningSignature: "EqQBsig" }), { ...META, origin: ORIGIN }).output[0],
    ).toMatchObject({
      type: "reasoning",
      summary: [],
    });
  });

  it("marks a reasoning item cut short incomplete when the answer stopped in it", () => {
    const out = toResponse(answer({ content: "", reasoning: "Hm", finishReason: "length" }), META);
    expect(out.output).toEqual([expect.objectContaining({ type: "reasoning", status: "incomplete" })]);
  });
});

describe("responsesUsage", () => {
  it("keeps cached and cache-written tokens inside the input, as the API counts them", () => {
    expect(
      responsesUsage({
        inputTokens: 1000,
        outputTokens: 5,
        cachedTokens: 800,
        cacheWriteTokens: 100,
        cacheWrite1hTokens: 50,
      }),
    ).toEqual({
      input_tokens: 1000,
      input_tokens_details: { cached_tokens: 800, cache_write_tokens: 150 },
      output_tokens: 5,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 1005,
    });
  });
});

describe("ids", () => {
  it("are resp_ and 128 random bits, and item and call ids derive from them", () => {
    const a = newResponseId();
    expect(a).toMatch(/^resp_[0-9a-f]{32}$/);
    expect(newResponseId()).not.toBe(a);
    expect(itemId("msg", a, 3)).toBe(`msg_${a.slice(5)}_3`);
    const ids = callIds(a);
    expect([ids("x", 0), ids(undefined, 1), ids("x", 2), ids("y", 3)]).toEqual([
      "x",
      `call_${a.slice(5)}_1`,
      `call_${a.slice(5)}_2`,
      "y",
    ]);
  });
});
