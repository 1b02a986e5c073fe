import { describe, expect, it } from "vitest";
import { CountTokensRequestSchema, MessagesRequestSchema } from "./schema";

const base = { model: "openai/gpt-4o-mini", max_tokens: 64 };
const user = (content: unknown) => ({ ...base, messages: [{ role: "user", content }] });

/** The paths zod names for a body it refuses, or [] when it accepts it. */
function refusedAt(body: unknown, schema = MessagesRequestSchema): string[] {
  const r = schema.safeParse(body);
  return r.success ? [] : r.error.issues.map((i) => i.path.join("."));
}

const nested = (depth: number): unknown => (depth === 0 ? 1 : { a: nested(depth - 1) });

describe("MessagesRequestSchema", () => {
  it("takes a Claude-Code-shaped body and keeps every field it does not model", () => {
    const body = {
      ...base,
      system: [
        { type: "text", text: "x-anthropic-billing-header: cc_version=2.1" },
        { type: "text", text: "You are Claude Code.", cache_control: { type: "ephemeral", ttl: "1h" } },
      ],
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "hi", cache_control: { type: "ephemeral" } },
            { type: "web_fetch_tool_result", tool_use_id: "srvtoolu_1", content: { any: "thing" } },
          ],
        },
        {
          role: "assistant",
          content: [
            { type: "thinking", thinking: "hm", signature: "sig" },
            { type: "redacted_thinking", data: "opaque" },
            { type: "tool_use", id: "toolu_1", name: "Bash", input: { command: "ls" } },
          ],
        },
        {
          role: "user",
          content: [{ type: "tool_result", tool_use_id: "toolu_1", content: [{ type: "text", text: "a" }] }],
        },
      ],
      tools: [
        { name: "Bash", input_schema: { type: "object" }, eager_input_streaming: true },
        { type: "web_search_20250305", name: "web_search", max_uses: 3 },
      ],
      tool_choice: { type: "auto", disable_parallel_tool_use: true },
      thinking: { type: "adaptive" },
      metadata: { user_id: "user_abc" },
      context_management: { edits: [] },
      stream: true,
    };
    const r = MessagesRequestSchema.safeParse(body);
    expect(r.success && r.data).toEqual(body);
  });

  it("refuses a malformed known block naming its field, not a vague union failure", () => {
    expect(refusedAt(user([{ type: "text" }]))).toEqual(["messages.0.content.0.text"]);
    expect(
      refusedAt(user([{ type: "image", source: { type: "base64", media_type: "image/bmp", data: "x" } }])),
    ).toEqual(["messages.0.content.0.source.media_type"]);
    expect(refusedAt(user([{ type: "tool_result", content: "x" }]))).toEqual([
      "messages.0.content.0.tool_use_id",
    ]);
    expect(
      refusedAt(user([{ type: "tool_result", tool_use_id: "t", content: [{ type: "text", text: 1 }] }])),
    ).toEqual(["messages.0.content.0.content.0.text"]);
  });

  it("passes block types it does not model on, inside tool results too", () => {
    expect(refusedAt(user([{ type: "search_result", source: "s", title: "t", content: [] }]))).toEqual([]);
    const toolResult = {
      type: "tool_result",
      tool_use_id: "t",
      content: [{ type: "tool_reference", name: "x" }],
    };
    expect(refusedAt(user([toolResult]))).toEqual([]);
  });

  it("refuses a custom tool without a schema by name, and takes server tools as they are", () => {
    expect(refusedAt({ ...user("hi"), tools: [{ name: "f" }] })).toEqual(["tools.0.input_schema"]);
    expect(refusedAt({ ...user("hi"), tools: [{ type: "custom", name: "f" }] })).toEqual([
      "tools.0.input_schema",
    ]);
    expect(
      refusedAt({ ...user("hi"), tools: [{ type: "code_execution_20250825", name: "code_execution" }] }),
    ).toEqual([]);
  });

  it("requires max_tokens and holds sampling to Anthropic's ranges", () => {
    expect(refusedAt({ model: "m", messages: [{ role: "user", content: "hi" }] })).toEqual(["max_tokens"]);
    expect(refusedAt({ ...user("hi"), max_tokens: 0 })).toEqual(["max_tokens"]);
    expect(refusedAt({ ...user("hi"), temperature: 1.5, top_p: 2, top_k: 1.5 })).toEqual([
      "temperature",
      "top_p",
      "top_k",
    ]);
    expect(refusedAt({ ...base, messages: [] })).toEqual(["messages"]);
    expect(refusedAt({ ...base, messages: [{ role: "tool", content: "x" }] })).toEqual(["messages.0.role"]);
  });

  it("bounds the nesting of tool inputs and input schemas", () => {
    const deepInput = user([{ type: "tool_use", id: "t", name: "f", input: nested(70) }]);
    expect(refusedAt(deepInput)).toEqual(["messages.0.content.0.input"]);
    expect(refusedAt({ ...user("hi"), tools: [{ name: "f", input_schema: nested(70) }] })).toEqual([
      "tools.0.input_schema",
    ]);
    // A big but shallow input (a file being written) is fine.
    const big = user([{ type: "tool_use", id: "t", name: "Write", input: { content: "x".repeat(2 << 20) } }]);
    expect(refusedAt(big)).toEqual([]);
  });

  it("refuses a model string with control characters", () => {
    expect(refusedAt({ ...user("hi"), model: "openai/gpt\n" })).toEqual(["model"]);
  });
});

describe("CountTokensRequestSchema", () => {
  it("takes the prompt without max_tokens, and keeps unknown fields", () => {
    const body = { model: "m", messages: [{ role: "user", content: "hi" }], system: "s", extra: 1 };
    const r = CountTokensRequestSchema.safeParse(body);
    expect(r.success && r.data).toEqual(body);
  });
});
