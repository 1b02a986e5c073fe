import type { z } from "@hono/zod-openapi";
import type {
  ResponseCreateParamsNonStreaming,
  ResponseCreateParamsStreaming,
} from "openai/resources/responses/responses";
import { describe, expect, it } from "vitest";
import codexRequest from "../../../test/fixtures/openai/requests/codex.json?raw";
import { InputTokensRequestSchema, ResponsesRequestSchema } from "./schema";

const base = { model: "openai/gpt-4o-mini" };
const input = (...items: unknown[]) => ({ ...base, input: items });

/** The paths zod names for a body it refuses, or [] when it accepts it. */
function refusedAt(body: unknown, schema: z.ZodType = ResponsesRequestSchema): string[] {
  const r = schema.safeParse(body);
  return r.success ? [] : r.error.issues.map((i) => i.path.join("."));
}

/** A body is taken whole: every field it does not model is kept for the passthrough. */
function expectKept(body: unknown) {
  const r = ResponsesRequestSchema.safeParse(body);
  expect(r.error?.issues ?? []).toEqual([]);
  expect(r.data).toEqual(body);
}

const nested = (depth: number): unknown => (depth === 0 ? 1 : { a: nested(depth - 1) });

describe("ResponsesRequestSchema takes what real clients send", () => {
  it("the openai SDK's responses.create: a string input, instructions and generation parameters", () => {
    expectKept({
      ...base,
      instructions: "You are a concise assistant.",
      input: "Tell me a three sentence bedtime story about a unicorn.",
      max_output_tokens: 256,
      temperature: 0.7,
      top_p: 0.9,
      metadata: { ticket: "T-1024" },
      store: true,
      user: "user_42",
      safety_identifier: "b1946ac92492d2347c6235b4d2611184",
      service_tier: "auto",
      truncation: "disabled",
    } satisfies ResponseCreateParamsNonStreaming);
  });

  it("the openai SDK's responses.create: images, a file, a function tool, a structured output", () => {
    expectKept({
      ...base,
      input: [
        {
          role: "user",
          content: [
            { type: "input_text", text: "What is in this image, and what does the report say?" },
            { type: "input_image", image_url: "https://example.com/cat.png", detail: "auto" },
            { type: "input_image", image_url: "data:image/png;base64,iVBORw0KGgo=", detail: "low" },
            { type: "input_file", filename: "report.pdf", file_data: "data:application/pdf;base64,JVBERi0=" },
          ],
        },
      ],
      tools: [
        {
          type: "function",
          name: "get_weather",
          description: "The current weather in a city.",
          parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
          strict: true,
        },
      ],
      tool_choice: { type: "function", name: "get_weather" },
      text: {
        format: {
          type: "json_schema",
          name: "answer",
          schema: { type: "object", properties: { text: { type: "string" } }, required: ["text"] },
          strict: true,
        },
        verbosity: "low",
      },
      reasoning: { effort: "low", summary: "auto" },
      stream: true,
      stream_options: { include_obfuscation: false },
    } satisfies ResponseCreateParamsStreaming);
  });

  it("the Vercel AI SDK's openai provider: typed messages, ids, a tool round trip, references", () => {
    // As @ai-sdk/openai's convert-to-openai-responses-input.ts writes them: its own types, which
    // put `output_text` and an `id` on easy assistant messages where the openai SDK's do not.
    expectKept({
      ...base,
      input: [
        { role: "developer", content: "Answer in French." },
        { role: "user", content: [{ type: "input_text", text: "Weather in Zürich?" }] },
        {
          role: "assistant",
          content: [{ type: "output_text", text: "Je regarde." }],
          id: "msg_0a1b2c3d4e5f",
        },
        {
          type: "function_call",
          call_id: "call_9f3c2a7b1d4e",
          name: "get_weather",
          arguments: '{"city":"Zürich"}',
          id: "fc_0a1b2c3d4e5f",
        },
        { type: "function_call_output", call_id: "call_9f3c2a7b1d4e", output: '{"temperature_c":12}' },
        { type: "item_reference", id: "rs_0a1b2c3d4e5f" },
        { type: "reasoning", id: "rs_1b2c3d4e5f6a", encrypted_content: "gAAAAABo", summary: [] },
      ],
      tools: [
        {
          type: "function",
          name: "get_weather",
          description: "The current weather in a city.",
          parameters: {
            type: "object",
            properties: { city: { type: "string" } },
            required: ["city"],
            additionalProperties: false,
            $schema: "http://json-schema.org/draft-07/schema#",
          },
          strict: false,
        },
      ],
      tool_choice: "auto",
      parallel_tool_calls: false,
      max_output_tokens: 1024,
      store: false,
      include: ["reasoning.encrypted_content"],
      previous_response_id: "resp_0f3c8a7e2b1d",
      prompt_cache_key: "chat-42",
    });
  });

  it("a recorded Codex CLI turn (test/fixtures/openai/requests/codex.json), whole", () => {
    const body: unknown = JSON.parse(codexRequest);
    expectKept(body);
  });

  it("built-in tools, their call items and choices, and unknown parts, for the passthrough", () => {
    expectKept({
      ...input(
        { type: "web_search_call", id: "ws_1", status: "completed", action: { type: "search", query: "x" } },
        { type: "local_shell_call", call_id: "call_1", status: "completed", action: { type: "exec" } },
        { type: "compaction", encrypted_content: "gAAAAABo" },
        { id: "msg_0a1b2c3d4e5f" },
        { role: "user", content: [{ type: "input_audio", input_audio: { data: "UklGRg==" } }] },
      ),
      tools: [
        { type: "web_search", external_web_access: false },
        { type: "file_search", vector_store_ids: ["vs_1"] },
        { type: "code_interpreter", container: { type: "auto" } },
        { type: "mcp", server_label: "docs", server_url: "https://mcp.example.com" },
        { type: "local_shell" },
        { type: "shell" },
        { type: "apply_patch" },
        {
          type: "custom",
          name: "sql",
          format: { type: "grammar", syntax: "regex", definition: "SELECT .+" },
        },
      ],
      tool_choice: { type: "web_search_preview" },
      background: true,
      conversation: { id: "conv_1" },
      prompt: { id: "pmpt_1", version: "2", variables: { city: "Zürich" } },
      context_management: [{ type: "compaction", compact_threshold: 200000 }],
    });
  });

  it("takes null for optional fields, as the SDKs' types allow", () => {
    expectKept({
      ...base,
      input: "hi",
      instructions: null,
      max_output_tokens: null,
      temperature: null,
      tools: null,
      tool_choice: null,
      text: { format: null, verbosity: null },
      reasoning: { effort: null, summary: null },
      previous_response_id: null,
      truncation: null,
      top_logprobs: null,
      metadata: null,
    });
  });
});

describe("ResponsesRequestSchema refuses malformed requests", () => {
  it("names the field of a malformed known item or part, not a vague union failure", () => {
    expect(refusedAt(input({ role: "user", content: [{ type: "input_text" }] }))).toEqual([
      "input.0.content.0.text",
    ]);
    expect(refusedAt(input({ type: "message", role: "tool", content: "x" }))).toEqual(["input.0.role"]);
    expect(refusedAt(input({ role: "user" }))).toEqual(["input.0.content"]);
    expect(refusedAt(input({ type: "function_call", call_id: "c", name: "f" }))).toEqual([
      "input.0.arguments",
    ]);
    expect(refusedAt(input({ type: "function_call_output", call_id: "c" }))).toEqual(["input.0.output"]);
    expect(refusedAt(input({ type: "custom_tool_call", call_id: "c", name: "f" }))).toEqual([
      "input.0.input",
    ]);
    expect(refusedAt(input({ type: "reasoning", encrypted_content: "x" }))).toEqual(["input.0.summary"]);
    expect(refusedAt(input({ type: "item_reference" }))).toEqual(["input.0.id"]);
    expect(refusedAt(input({ role: "user", content: [{ type: "input_image", detail: "auto" }] }))).toEqual([
      "input.0.content.0.image_url",
    ]);
    expect(
      refusedAt(input({ role: "user", content: [{ type: "input_image", image_url: "x", detail: "max" }] })),
    ).toEqual(["input.0.content.0.detail"]);
    expect(
      refusedAt(input({ type: "function_call_output", call_id: "c", output: [{ type: "input_text" }] })),
    ).toEqual(["input.0.output.0.text"]);
  });

  it("names the field of a malformed tool, choice or format", () => {
    expect(refusedAt({ ...base, tools: [{ type: "function" }] })).toEqual(["tools.0.name"]);
    expect(refusedAt({ ...base, tools: [{ type: "function", name: "" }] })).toEqual(["tools.0.name"]);
    expect(
      refusedAt({ ...base, tools: [{ type: "custom", name: "f", format: { type: "grammar" } }] }),
    ).toEqual(["tools.0.format.syntax", "tools.0.format.definition"]);
    // Without a `type`, no option claims it: zod names only the tool.
    expect(refusedAt({ ...base, tools: [{ name: "f" }] })).toEqual(["tools.0"]);
    expect(refusedAt({ ...base, tool_choice: { type: "function" } })).toEqual(["tool_choice.name"]);
    expect(refusedAt({ ...base, tool_choice: "any" })).toEqual(["tool_choice"]);
    expect(refusedAt({ ...base, text: { format: { type: "json_schema", name: "a" } } })).toEqual([
      "text.format.schema",
    ]);
    expect(refusedAt({ ...base, text: { format: { type: "xml" } } })).toEqual(["text.format.type"]);
    expect(refusedAt({ ...base, reasoning: { effort: "extreme" } })).toEqual(["reasoning.effort"]);
  });

  it("holds parameters to OpenAI's ranges and the gateway's bounds", () => {
    expect(refusedAt({ model: "x", input: "hi", temperature: 2.5, top_p: 1.5, top_logprobs: 21 })).toEqual([
      "temperature",
      "top_p",
      "top_logprobs",
    ]);
    expect(refusedAt({ ...base, max_output_tokens: 0 })).toEqual(["max_output_tokens"]);
    expect(refusedAt({ ...base, truncation: "sometimes" })).toEqual(["truncation"]);
    const many = Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, "v"]));
    expect(refusedAt({ ...base, metadata: many })).toEqual(["metadata"]);
    expect(refusedAt({ ...base, metadata: { k: "v".repeat(513) } })).toEqual(["metadata.k"]);
    expect(refusedAt({ ...base, tools: [{ type: "function", name: "f", parameters: nested(70) }] })).toEqual([
      "tools.0.parameters",
    ]);
    expect(refusedAt({ ...base, input: 42 })).toEqual(["input"]);
    expect(refusedAt({ input: "hi" })).toEqual(["model"]);
    expect(refusedAt({ ...base, model: "openai/gpt\n" })).toEqual(["model"]);
    expect(refusedAt({ ...base, previous_response_id: "resp_1\r\n" })).toEqual(["previous_response_id"]);
  });
});

describe("InputTokensRequestSchema", () => {
  it("takes the prompt without generation parameters, and keeps unknown fields", () => {
    const body = { ...base, input: "hi", instructions: "Be brief.", tools: [], personality: "pragmatic" };
    const r = InputTokensRequestSchema.safeParse(body);
    expect(r.success && r.data).toEqual(body);
    expect(refusedAt({ input: "hi" }, InputTokensRequestSchema)).toEqual(["model"]);
  });
});
