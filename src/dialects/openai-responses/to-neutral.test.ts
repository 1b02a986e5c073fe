import { describe, expect, it } from "vitest";
import codexRequest from "../../../test/fixtures/openai/requests/codex.json?raw";
import type { ChatMessage } from "../../chat/types";
import { GatewayError } from "../../errors/gateway-error";
import { encryptedReasoning } from "./reasoning-item";
import { InputTokensRequestSchema, ResponsesRequestSchema } from "./schema";
import { inputTokensToNeutral, responsesToNeutral } from "./to-neutral";

/** Bodies go through the schema first, as the route validates them. */
const neutral = (body: Record<string, unknown>, history?: ChatMessage[]) =>
  responsesToNeutral(
    ResponsesRequestSchema.parse({ model: "openai/gpt-4o-mini", ...body }),
    "gpt-4o-mini",
    history,
  );
const hi = { input: "hi" };
const HI: ChatMessage = { role: "user", content: [{ type: "text", text: "hi" }] };
const weather = {
  type: "function",
  name: "get_weather",
  description: "Weather.",
  parameters: { type: "object", properties: { city: { type: "string" } } },
  strict: true,
};
const patch = { type: "custom", name: "apply_patch", description: "Edit files." };

function refusal(body: Record<string, unknown>, history?: ChatMessage[]) {
  try {
    neutral(body, history);
  } catch (err) {
    expect(err).toBeInstanceOf(GatewayError);
    const e = err as GatewayError;
    return { status: e.status, code: e.code, param: e.param, message: e.message };
  }
  throw new Error("expected a refusal");
}

describe("responsesToNeutral", () => {
  it("maps the parameters, with the vendor's model", () => {
    expect(
      neutral({
        ...hi,
        max_output_tokens: 256,
        temperature: 0.2,
        top_p: 0.9,
        parallel_tool_calls: false,
        user: "user_42",
        // Accepted, with no neutral counterpart: see to-neutral.ts.
        store: false,
        stream: true,
        stream_options: { include_obfuscation: false },
        metadata: { ticket: "T-1" },
        include: ["reasoning.encrypted_content", "web_search_call.action.sources"],
        prompt_cache_key: "k",
        prompt_cache_retention: "24h",
        service_tier: "flex",
        truncation: "disabled",
        max_tool_calls: 3,
        top_logprobs: 0,
        background: false,
        reasoning: { effort: "high", summary: "detailed" },
        text: { verbosity: "low" },
      }),
    ).toEqual({
      model: "gpt-4o-mini",
      messages: [HI],
      maxTokens: 256,
      temperature: 0.2,
      topP: 0.9,
      parallelToolCalls: false,
      user: "user_42",
      reasoning: { enabled: true, effort: "high", summaries: true },
    });
  });

  it("maps reasoning: effort to the neutral level (none off, max xhigh), summary to whether text is wanted", () => {
    const reasoningOf = (reasoning: unknown) => neutral({ ...hi, reasoning }).reasoning;
    expect(reasoningOf({ effort: "low" })).toEqual({ enabled: true, effort: "low", summaries: false });
    expect(reasoningOf({ effort: "minimal", summary: "auto" })).toEqual({
      enabled: true,
      effort: "minimal",
      summaries: true,
    });
    expect(reasoningOf({ effort: "max", generate_summary: "concise" })).toEqual({
      enabled: true,
      effort: "xhigh",
      summaries: true,
    });
    expect(reasoningOf({ effort: "none", summary: "auto" })).toEqual({ enabled: false });
    // A summary alone is reasoning at the model's default level.
    expect(reasoningOf({ summary: "detailed" })).toEqual({ enabled: true, summaries: true });
    for (const none of [null, {}, { effort: null, summary: null }]) expect(reasoningOf(none)).toBeUndefined();
  });

  it("keeps reasoning items made for the vendor and model asked, given the vendor", () => {
    const item = {
      type: "reasoning",
      summary: [{ type: "summary_text", text: "Call f." }],
      encrypted_content: encryptedReasoning({ vendor: "anthropic", model: "gpt-4o-mini" }, "EqQBsig"),
    };
    const input = [
      { type: "message", role: "user", content: "go" },
      item,
      { type: "function_call", call_id: "c", name: "f", arguments: "{}" },
    ];
    const body = ResponsesRequestSchema.parse({ model: "x", input });
    expect(responsesToNeutral(body, "gpt-4o-mini", undefined, "anthropic").messages[1]).toEqual({
      role: "assistant",
      content: null,
      toolCalls: [{ id: "c", name: "f", arguments: "{}" }],
      reasoning: "Call f.",
      reasoningSignature: "EqQBsig",
    });
    expect(responsesToNeutral(body, "gpt-4o-mini").messages[1]).not.toHaveProperty("reasoning");
    expect(responsesToNeutral(body, "gpt-4o-mini", undefined, "gemini").messages[1]).not.toHaveProperty(
      "reasoning",
    );
  });

  it("prefers safety_identifier to user as the end user", () => {
    expect(neutral({ ...hi, user: "u_old", safety_identifier: "u_new" }).user).toBe("u_new");
    expect(neutral({ ...hi, safety_identifier: "u_new" }).user).toBe("u_new");
  });

  it("puts instructions first, then the stored history, then the input", () => {
    const history: ChatMessage[] = [
      { role: "user", content: [{ type: "text", text: "earlier" }] },
      { role: "assistant", content: "answer" },
    ];
    expect(
      neutral({ instructions: "Be brief.", input: "hi", previous_response_id: "resp_1" }, history).messages,
    ).toEqual([{ role: "system", content: "Be brief." }, ...history, HI]);
    expect(neutral({ instructions: "", ...hi }).messages).toEqual([HI]);
    // With history, the new input may be only a tool output.
    expect(
      neutral(
        {
          input: [{ type: "function_call_output", call_id: "c", output: "ok" }],
          previous_response_id: "resp_1",
        },
        [{ role: "assistant", content: null, toolCalls: [{ id: "c", name: "f", arguments: "{}" }] }],
      ).messages.at(-1),
    ).toEqual({ role: "tool", toolCallId: "c", content: "ok" });
  });

  it("maps function tools (strict kept, null fields left out) and makes custom tools one-string functions", () => {
    const req = neutral({
      ...hi,
      tools: [
        weather,
        { type: "function", name: "now", parameters: null, strict: null, description: null },
        patch,
        {
          type: "custom",
          name: "sql",
          format: { type: "grammar", syntax: "regex", definition: "SELECT .+" },
        },
      ],
    });
    const freeform = (description: string) => ({
      description,
      parameters: {
        type: "object",
        properties: {
          input: { type: "string", description: "The raw input, exactly as the tool takes it." },
        },
        required: ["input"],
        additionalProperties: false,
      },
    });
    expect(req.tools).toEqual([
      { name: "get_weather", description: "Weather.", parameters: weather.parameters, strict: true },
      { name: "now" },
      { name: "apply_patch", ...freeform("Edit files.") },
      {
        name: "sql",
        ...freeform("The `input` must follow this regular expression grammar:\n```\nSELECT .+\n```"),
      },
    ]);
  });

  it("maps every tool_choice, allowed_tools where it is trivially the same", () => {
    const choice = (tool_choice: unknown) =>
      neutral({ ...hi, tools: [weather, patch], tool_choice }).toolChoice;
    expect(choice("auto")).toBe("auto");
    expect(choice("none")).toBe("none");
    expect(choice("required")).toBe("required");
    expect(choice({ type: "function", name: "get_weather" })).toEqual({ name: "get_weather" });
    expect(choice({ type: "custom", name: "apply_patch" })).toEqual({ name: "apply_patch" });
    const allowed = (mode: string, ...names: [string, string][]) =>
      choice({ type: "allowed_tools", mode, tools: names.map(([type, name]) => ({ type, name })) });
    expect(allowed("auto", ["function", "get_weather"], ["custom", "apply_patch"])).toBe("auto");
    expect(allowed("required", ["custom", "apply_patch"], ["function", "get_weather"])).toBe("required");
    expect(allowed("required", ["function", "get_weather"])).toEqual({ name: "get_weather" });
  });

  it("maps text.format to the response format", () => {
    const format = (f: unknown) => neutral({ ...hi, text: { format: f } }).responseFormat;
    expect(format({ type: "text" })).toEqual({ type: "text" });
    expect(format({ type: "json_object" })).toEqual({ type: "json_object" });
    expect(
      format({
        type: "json_schema",
        name: "answer",
        schema: { type: "object" },
        strict: true,
        description: "The answer.",
      }),
    ).toEqual({
      type: "json_schema",
      name: "answer",
      schema: { type: "object" },
      strict: true,
      description: "The answer.",
    });
    expect(format({ type: "json_schema", name: "a", schema: {}, strict: null })).toEqual({
      type: "json_schema",
      name: "a",
      schema: {},
    });
  });

  it("refuses what only OpenAI can do with a 400 naming the field", () => {
    const cases: [Record<string, unknown>, string, string][] = [
      [{ ...hi, background: true }, "unsupported_parameter", "background"],
      [{ ...hi, conversation: "conv_1" }, "unsupported_parameter", "conversation"],
      [{ ...hi, conversation: { id: "conv_1" } }, "unsupported_parameter", "conversation"],
      [{ prompt: { id: "pmpt_1", variables: {} } }, "unsupported_parameter", "prompt"],
      [{ ...hi, truncation: "auto" }, "unsupported_parameter", "truncation"],
      [{ ...hi, top_logprobs: 5 }, "unsupported_parameter", "top_logprobs"],
      [
        { ...hi, include: ["reasoning.encrypted_content", "message.output_text.logprobs"] },
        "unsupported_parameter",
        "include.1",
      ],
      [{ ...hi, moderation: { model: "omni-moderation-latest" } }, "unsupported_parameter", "moderation"],
      [
        { ...hi, context_management: [{ type: "compaction", compact_threshold: 1000 }] },
        "unsupported_parameter",
        "context_management",
      ],
      [{ ...hi, previous_response_id: "resp_1" }, "unsupported_parameter", "previous_response_id"],
      [{ ...hi, tools: [weather, { type: "web_search" }] }, "unsupported_tool", "tools.1"],
      [
        { ...hi, tools: [{ type: "file_search", vector_store_ids: ["vs_1"] }] },
        "unsupported_tool",
        "tools.0",
      ],
      [{ ...hi, tools: [{ type: "local_shell" }] }, "unsupported_tool", "tools.0"],
      [{ ...hi, tools: [{ type: "namespace", name: "mcp", tools: [] }] }, "unsupported_tool", "tools.0"],
      [{ ...hi, tool_choice: { type: "web_search_preview" } }, "unsupported_tool_choice", "tool_choice"],
      [
        { ...hi, tool_choice: { type: "mcp", server_label: "docs" } },
        "unsupported_tool_choice",
        "tool_choice",
      ],
      [
        {
          ...hi,
          tools: [weather, patch],
          tool_choice: {
            type: "allowed_tools",
            mode: "auto",
            tools: [{ type: "function", name: "get_weather" }],
          },
        },
        "unsupported_tool_choice",
        "tool_choice",
      ],
      [
        {
          ...hi,
          tools: [weather],
          tool_choice: { type: "allowed_tools", mode: "auto", tools: [{ type: "web_search" }] },
        },
        "unsupported_tool",
        "tool_choice.tools.0",
      ],
      [{ instructions: "Be brief." }, "invalid_input", "input"],
      [{ input: [{ type: "reasoning", summary: [] }] }, "invalid_input", "input"],
      [{ input: [{ type: "compaction", encrypted_content: "gAAA" }] }, "unsupported_item", "input.0"],
    ];
    for (const [body, code, param] of cases) {
      expect(refusal(body), param).toMatchObject({ status: 400, code, param });
    }
  });

  it("says why, and how Codex turns its web search off", () => {
    expect(refusal({ ...hi, tools: [{ type: "web_search", external_web_access: false }] }).message).toBe(
      '`web_search` tools run at OpenAI: they can only be sent to `openai` vendors (Codex: `web_search = "disabled"` in config.toml).',
    );
    expect(refusal({ ...hi, tools: [{ type: "code_interpreter" }] }).message).toBe(
      "`code_interpreter` tools run at OpenAI: they can only be sent to `openai` vendors.",
    );
    expect(refusal({ ...hi, tools: [{ type: "apply_patch" }] }).message).toBe(
      "`apply_patch` tools are OpenAI's own tool type: they can only be sent to `openai` vendors for now.",
    );
    expect(refusal({ ...hi, background: true }).message).toBe(
      "Background responses (`background: true`) can only be sent to `openai` vendors.",
    );
    expect(refusal({ ...hi, prompt: { id: "p" } }).message).toBe(
      "Stored prompts (`prompt`) live at OpenAI: they can only be sent to `openai` vendors.",
    );
  });
});

describe("a recorded Codex CLI turn (test/fixtures/openai/requests/codex.json)", () => {
  const codex = JSON.parse(codexRequest) as { tools: { type: string }[] } & Record<string, unknown>;

  it("is refused as Codex sends it by default, for its web_search tool, naming it", () => {
    expect(refusal(codex)).toMatchObject({ code: "unsupported_tool", param: "tools.4" });
  });

  it("translates whole once web search is off", () => {
    const req = neutral({ ...codex, tools: codex.tools.filter((t) => t.type !== "web_search") });
    expect(req.messages.map((m) => m.role)).toEqual([
      "system", // instructions
      "system", // the developer message's permissions
      "user", // AGENTS.md
      "user", // environment context
      "user", // the request
      "assistant", // exec_command (reasoning dropped)
      "tool",
      "assistant", // words, then apply_patch (a freeform call)
      "tool",
      "assistant", // exec_command again, joining nothing: a tool output came between
      "tool",
    ]);
    const [, , , , request, , , patched] = req.messages;
    expect(request).toEqual({
      role: "user",
      content: [
        {
          type: "text",
          text: "Rename `estimateTextTokens` in src/chat/tokens.ts to `estimateTokens` and fix its callers. Merci d’avance 🙂",
        },
      ],
    });
    expect(patched).toMatchObject({
      role: "assistant",
      content: expect.stringContaining("rename it in all three files"),
      toolCalls: [{ id: "call_Hb7kP1mX9wQ3rT5vN2zL8cF4", name: "apply_patch" }],
    });
    const patchCall = patched?.role === "assistant" ? patched.toolCalls?.[0] : undefined;
    expect(JSON.parse(patchCall?.arguments ?? "")).toEqual({
      input: expect.stringMatching(/^\*\*\* Begin Patch\n\*\*\* Update File: src\/chat\/tokens\.ts\n/),
    });
    expect(req.tools?.map((t) => t.name)).toEqual([
      "exec_command",
      "write_stdin",
      "update_plan",
      "apply_patch",
      "view_image",
    ]);
    expect(req.tools?.[3]?.description).toContain("start: begin_patch hunk+ end_patch");
    expect(req).toMatchObject({ toolChoice: "auto", parallelToolCalls: true });
    expect(req.maxTokens).toBeUndefined();
  });
});

describe("inputTokensToNeutral", () => {
  it("takes the prompt and tools without generation parameters", () => {
    const body = InputTokensRequestSchema.parse({
      model: "m",
      instructions: "Be brief.",
      input: "hi",
      tools: [weather],
      tool_choice: "auto",
      text: { format: { type: "json_object" } },
    });
    expect(inputTokensToNeutral(body, "gpt-4o-mini")).toEqual({
      model: "gpt-4o-mini",
      messages: [{ role: "system", content: "Be brief." }, HI],
      tools: [{ name: "get_weather", description: "Weather.", parameters: weather.parameters, strict: true }],
      toolChoice: "auto",
      responseFormat: { type: "json_object" },
    });
  });
});
