import { reasoningOfEffort } from "../../chat/reasoning";
import type {
  ChatMessage,
  ChatRequest,
  ToolChoice as NeutralToolChoice,
  Reasoning,
  ResponseFormat,
  ToolDefinition,
} from "../../chat/types";
import { invalidRequest } from "../../errors/gateway-error";
import { freeformToolDefinition } from "./freeform-tools";
import { inputToMessages } from "./input-items";
import type { ReasoningOrigin } from "./reasoning-item";
import {
  type InputTokensRequest,
  isKnownTool,
  isKnownToolChoice,
  type KnownToolChoice,
  type ResponsesRequest,
  type Tool,
  type ToolChoice,
} from "./schema";

/**
 * A validated Responses request as the neutral request, for every vendor but OpenAI's (which
 * takes the client's body as it is). `instructions` is a system message first, `input` follows
 * (input-items.ts); function tools are neutral tools, `custom` (freeform) tools functions of one
 * string (freeform-tools.ts); `text.format` is the response format, `max_output_tokens` the
 * token limit, `safety_identifier` (else `user`) the end user. What has no neutral counterpart
 * is refused by name, never silently changed: built-in tools, `background`, `conversation`,
 * stored prompts (`prompt`), `truncation: "auto"`, log probabilities, `moderation`, server-side
 * compaction (`context_management`), an `allowed_tools` choice narrower than `tools`.
 *
 * Accepted and deliberately not sent to translated vendors, as none has a counterpart:
 * - `store`, `metadata`: the gateway's own storage (the plan's) keeps or drops the response;
 * - `include`: `reasoning.encrypted_content` asks for reasoning only OpenAI encrypts, the others
 *   (sources and outputs of built-in tools, image URLs of the input) concern what is refused or
 *   what the client sent;
 * - `prompt_cache_key`, `prompt_cache_retention`, `service_tier`, `stream_options`,
 *   `text.verbosity`, `max_tool_calls` (built-in tools only), `truncation: "disabled"` (what
 *   every vendor does anyway: a prompt over the context window is the vendor's 400);
 * - `strict` left out of a function tool: OpenAI then normalizes the schema into strict mode; a
 *   translated vendor gets the schema as sent, without strict mode.
 * `reasoning.effort` is the neutral level (`none` reasoning off, `max` the neutral `xhigh`), and
 * `reasoning.summary` whether the reasoning's text is wanted back (Gemini is asked for its thought
 * summaries only then; OpenAI too returns none unasked). Reasoning items of `input` go back to
 * the vendor and model that made them (input-items.ts).
 * `previous_response_id` is resolved by the plan, which passes the stored items before it as
 * `history`; without `history` it is refused (nothing here can read stored responses).
 * @see https://platform.openai.com/docs/api-reference/responses/create
 */

const ONLY_OPENAI = "can only be sent to `openai` vendors";

const openaiOnly = (what: string, param: string) =>
  invalidRequest("unsupported_parameter", `${what} ${ONLY_OPENAI}.`, param);

/** Built-in tools OpenAI runs on its own servers; the others are its tool types clients run. */
const HOSTED_TOOLS = new Set([
  "web_search",
  "web_search_2025_08_26",
  "web_search_preview",
  "web_search_preview_2025_03_11",
  "file_search",
  "code_interpreter",
  "image_generation",
  "mcp",
  "tool_search",
]);

function refuseTool(type: string, param: string): never {
  // Codex offers `web_search` by default; its config turns it off.
  const hint = type.startsWith("web_search") ? ' (Codex: `web_search = "disabled"` in config.toml)' : "";
  throw invalidRequest(
    "unsupported_tool",
    HOSTED_TOOLS.has(type)
      ? `\`${type}\` tools run at OpenAI: they ${ONLY_OPENAI}${hint}.`
      : `\`${type}\` tools are OpenAI's own tool type: they ${ONLY_OPENAI} for now.`,
    param,
  );
}

function tools(list: Tool[]): ToolDefinition[] {
  return list.map((t, n): ToolDefinition => {
    if (!isKnownTool(t)) refuseTool(t.type, `tools.${n}`);
    if (t.type === "custom") return freeformToolDefinition(t);
    return {
      name: t.name,
      ...(t.description ? { description: t.description } : {}),
      ...(t.parameters ? { parameters: t.parameters } : {}),
      ...(t.strict != null ? { strict: t.strict } : {}),
    };
  });
}

/**
 * `allowed_tools` limits the model to some of `tools` (OpenAI keeps the list whole for its prompt
 * cache). It maps when it allows every tool (its mode), or forces the one it names.
 * @see https://platform.openai.com/docs/guides/function-calling#tool-choice
 */
function allowedTools(c: Extract<KnownToolChoice, { type: "allowed_tools" }>, declared: ToolDefinition[]) {
  const names = c.tools.map((t, k) => {
    if ((t.type === "function" || t.type === "custom") && t.name) return t.name;
    return refuseTool(t.type, `tool_choice.tools.${k}`);
  });
  const allowed = new Set(names);
  if (declared.every((t) => allowed.has(t.name))) return c.mode;
  if (c.mode === "required" && allowed.size === 1) return { name: names[0] as string };
  throw invalidRequest(
    "unsupported_tool_choice",
    `An \`allowed_tools\` choice narrower than \`tools\` ${ONLY_OPENAI}; send only the allowed tools in \`tools\`.`,
    "tool_choice",
  );
}

function toolChoice(c: ToolChoice, declared: ToolDefinition[]): NeutralToolChoice {
  if (typeof c === "string") return c;
  if (!isKnownToolChoice(c)) {
    throw invalidRequest(
      "unsupported_tool_choice",
      `Forcing \`${c.type}\` tools ${ONLY_OPENAI}.`,
      "tool_choice",
    );
  }
  return c.type === "allowed_tools" ? allowedTools(c, declared) : { name: c.name };
}

function responseFormat(f: NonNullable<NonNullable<InputTokensRequest["text"]>["format"]>): ResponseFormat {
  if (f.type !== "json_schema") return { type: f.type };
  return {
    type: "json_schema",
    name: f.name,
    schema: f.schema,
    ...(f.strict != null ? { strict: f.strict } : {}),
    ...(f.description ? { description: f.description } : {}),
  };
}

const hasTurn = (messages: ChatMessage[]) => messages.some((m) => m.role !== "system");

/**
 * The prompt alone (what a token count needs): instructions, the stored history before
 * `previous_response_id` (resolved by the plan), `input`, tools and output settings. `vendor`
 * names who the request goes to, so reasoning items it made are kept (input-items.ts); without
 * it none is.
 */
export function inputTokensToNeutral(
  body: InputTokensRequest,
  upstreamModel: string,
  history?: ChatMessage[],
  vendor?: string,
): ChatRequest {
  if (body.conversation != null) {
    throw openaiOnly("Conversations (`conversation`) are stored at OpenAI: they", "conversation");
  }
  if (body.truncation === "auto") {
    throw openaiOnly('`truncation: "auto"` (dropping input to fit the context window)', "truncation");
  }
  if (Array.isArray(body.context_management) && body.context_management.length) {
    throw openaiOnly("Server-side compaction (`context_management`)", "context_management");
  }
  if (body.previous_response_id != null && history === undefined) {
    throw invalidRequest(
      "unsupported_parameter",
      "`previous_response_id` needs stored responses, which this call cannot read; send the whole conversation in `input`.",
      "previous_response_id",
    );
  }
  const messages: ChatMessage[] = [
    ...(body.instructions ? [{ role: "system" as const, content: body.instructions }] : []),
    ...(history ?? []),
    ...inputToMessages(body.input, "input", target(vendor, upstreamModel)),
  ];
  if (!hasTurn(messages)) {
    throw invalidRequest("invalid_input", "`input` holds no message or tool output to answer.", "input");
  }
  const req: ChatRequest = { model: upstreamModel, messages };
  if (body.tools?.length) req.tools = tools(body.tools);
  if (body.tool_choice != null) req.toolChoice = toolChoice(body.tool_choice, req.tools ?? []);
  if (body.parallel_tool_calls != null) req.parallelToolCalls = body.parallel_tool_calls;
  if (body.text?.format) req.responseFormat = responseFormat(body.text.format);
  return req;
}

const target = (vendor: string | undefined, model: string): ReasoningOrigin | undefined =>
  vendor === undefined ? undefined : { vendor, model };

/**
 * `reasoning` as the neutral setting; absent (or all null), none, and the vendor's default
 * applies. A summary asked without an effort is reasoning at the model's default level.
 * @see https://platform.openai.com/docs/api-reference/responses/create#responses_create-reasoning
 */
function reasoning(r: NonNullable<ResponsesRequest["reasoning"]>): Reasoning | undefined {
  const summary = r.summary ?? r.generate_summary;
  if (r.effort == null && summary == null) return undefined;
  if (r.effort === "none") return { enabled: false };
  return { ...(r.effort ? reasoningOfEffort(r.effort) : { enabled: true }), summaries: summary != null };
}

/** `include` values asking for what translated vendors do not return. */
const LOGPROBS = "message.output_text.logprobs";

export function responsesToNeutral(
  body: ResponsesRequest,
  upstreamModel: string,
  history?: ChatMessage[],
  vendor?: string,
): ChatRequest {
  if (body.background) throw openaiOnly("Background responses (`background: true`)", "background");
  if (body.prompt != null) throw openaiOnly("Stored prompts (`prompt`) live at OpenAI: they", "prompt");
  if (body.moderation != null) throw openaiOnly("`moderation` runs at OpenAI: it", "moderation");
  if (body.top_logprobs) throw openaiOnly("Log probabilities (`top_logprobs`)", "top_logprobs");
  const logprobs = body.include?.indexOf(LOGPROBS) ?? -1;
  if (logprobs >= 0) throw openaiOnly(`Log probabilities (\`${LOGPROBS}\`)`, `include.${logprobs}`);
  const req = inputTokensToNeutral(body, upstreamModel, history, vendor);
  if (body.max_output_tokens != null) req.maxTokens = body.max_output_tokens;
  const thinking = body.reasoning && reasoning(body.reasoning);
  if (thinking) req.reasoning = thinking;
  if (body.temperature != null) req.temperature = body.temperature;
  if (body.top_p != null) req.topP = body.top_p;
  // `safety_identifier` replaces `user` for abuse monitoring, which is what the neutral field is.
  const user = body.safety_identifier || body.user;
  if (user) req.user = user;
  return req;
}
