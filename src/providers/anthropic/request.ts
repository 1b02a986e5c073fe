import type {
  ContentBlockParam,
  DocumentBlockParam,
  ImageBlockParam,
  MessageCreateParamsBase,
  Tool,
  ToolChoice,
  ToolResultBlockParam,
} from "@anthropic-ai/sdk/resources/messages";
import type { ChatMessage, ChatRequest, ContentPart, ResponseFormat } from "../../chat/types";
import { invalidRequest } from "../../errors/gateway-error";
import { anthropicThinking } from "./thinking";

/**
 * The neutral request as an Anthropic Messages API body.
 * @see https://platform.claude.com/docs/en/api/messages
 */

/**
 * The SDK's types follow API version 2026-10-21, which dropped the sampling parameters; this
 * adapter speaks 2023-06-01 (index.ts), where `temperature`, `top_p` and `top_k` are still
 * accepted (some newer models refuse non-default values; their 400 reaches the client with the
 * vendor's message).
 * @see https://platform.claude.com/docs/en/api/versioning
 */
export type AnthropicRequestBody = MessageCreateParamsBase & {
  temperature?: number;
  top_p?: number;
  top_k?: number;
};

interface Turn {
  role: "user" | "assistant";
  content: ContentBlockParam[];
}

/**
 * `max_tokens` is required by Anthropic, while OpenAI clients usually leave it out; 4096 is what
 * every current Claude model can produce.
 * @see https://platform.claude.com/docs/en/api/messages#body-max-tokens
 */
export const DEFAULT_MAX_TOKENS = 4096;

/** @see https://platform.claude.com/docs/en/build-with-claude/vision#ensuring-image-quality */
const IMAGE_TYPES = ["image/jpeg", "image/png", "image/gif", "image/webp"] as const;
type ImageMediaType = (typeof IMAGE_TYPES)[number];
const isImageType = (t: string): t is ImageMediaType => (IMAGE_TYPES as readonly string[]).includes(t);

function imageBlock(part: Extract<ContentPart, { type: "image" }>, param: string): ImageBlockParam {
  const s = part.source;
  // Anthropic fetches https URLs itself; `detail` has no counterpart and is dropped.
  if (s.kind === "url") return { type: "image", source: { type: "url", url: s.url } };
  if (!isImageType(s.mediaType)) {
    throw invalidRequest(
      "unsupported_image",
      `Anthropic accepts JPEG, PNG, GIF and WebP images, not \`${s.mediaType}\`.`,
      param,
    );
  }
  return { type: "image", source: { type: "base64", media_type: s.mediaType, data: s.data } };
}

/** A PDF as a `document` block, its file name as the title. Anthropic fetches https URLs itself. */
function documentBlock(part: Extract<ContentPart, { type: "file" }>, param: string): DocumentBlockParam {
  if (part.mediaType !== "application/pdf") {
    throw invalidRequest("unsupported_document", "Anthropic reads only PDF documents as files.", param);
  }
  const title = part.filename ? { title: part.filename } : {};
  if (part.source.kind === "url")
    return { type: "document", source: { type: "url", url: part.source.url }, ...title };
  return {
    type: "document",
    source: { type: "base64", media_type: "application/pdf", data: part.source.data },
    ...title,
  };
}

/** A tool call's JSON arguments as the object Anthropic's `tool_use.input` must be. */
function toolInput(args: string, param: string): Record<string, unknown> {
  // OpenAI-style clients send "" for a call without arguments.
  if (args.trim() === "") return {};
  let input: unknown;
  try {
    input = JSON.parse(args);
  } catch {
    input = undefined;
  }
  if (input === null || typeof input !== "object" || Array.isArray(input)) {
    throw invalidRequest(
      "invalid_tool_arguments",
      "A tool call's arguments must be a JSON object for Anthropic.",
      param,
    );
  }
  return input as Record<string, unknown>;
}

function blocksOf(m: Exclude<ChatMessage, { role: "system" }>, i: number): Turn {
  switch (m.role) {
    case "user":
      return {
        role: "user",
        content: m.content.flatMap((p, j): ContentBlockParam[] => {
          if (p.type === "image") return [imageBlock(p, `messages.${i}.content.${j}.image_url.url`)];
          if (p.type === "file") return [documentBlock(p, `messages.${i}.content.${j}`)];
          // Anthropic refuses empty text blocks ("text content blocks must be non-empty").
          return p.text === "" ? [] : [{ type: "text", text: p.text }];
        }),
      };
    case "assistant":
      return {
        role: "assistant",
        content: [
          // Claude's own thinking goes back first, as it came, with Anthropic's signature; without
          // one (another vendor's reasoning) it cannot go back at all.
          ...(m.reasoningSignature
            ? [{ type: "thinking" as const, thinking: m.reasoning ?? "", signature: m.reasoningSignature }]
            : []),
          ...(m.content ? [{ type: "text" as const, text: m.content }] : []),
          ...(m.toolCalls ?? []).map(
            (t, k): ContentBlockParam => ({
              type: "tool_use",
              id: t.id,
              name: t.name,
              input: toolInput(t.arguments, `messages.${i}.tool_calls.${k}.function.arguments`),
            }),
          ),
        ],
      };
    case "tool": {
      // Tool results travel in a user turn, matched to the call by its id (kept as the client sent it).
      const result: ToolResultBlockParam = { type: "tool_result", tool_use_id: m.toolCallId };
      if (m.content !== "") result.content = m.content;
      return { role: "user", content: [result] };
    }
  }
}

/**
 * Neutral messages → Anthropic's `system` and `messages`.
 * - System messages, wherever they are, go to the top-level `system`, joined by blank lines.
 * - Turns alternate user/assistant, starting with user: consecutive same-role turns (a tool
 *   result is a user turn) merge into one message with several content blocks. The API would
 *   combine them itself, but only merged turns let the next rule hold:
 * - in a user turn, `tool_result` blocks must come before any other block.
 * @see https://platform.claude.com/docs/en/api/messages#body-messages
 * @see https://platform.claude.com/docs/en/agents-and-tools/tool-use/implement-tool-use#handling-tool-use-and-tool-result-content-blocks
 */
export function toAnthropicMessages(messages: ChatMessage[]): { system: string[]; turns: Turn[] } {
  const system: string[] = [];
  const turns: Turn[] = [];
  messages.forEach((m, i) => {
    if (m.role === "system") {
      if (m.content.trim() !== "") system.push(m.content);
      return;
    }
    const turn = blocksOf(m, i);
    if (turn.content.length === 0) return;
    const last = turns.at(-1);
    if (last?.role === turn.role) last.content.push(...turn.content);
    else turns.push(turn);
  });
  for (const t of turns) {
    if (t.role === "user") t.content.sort((a, b) => rank(a) - rank(b)); // stable: order kept otherwise
  }
  // A conversation opening with the assistant (a greeting stored by a client) would be refused;
  // a minimal user turn in front keeps it valid without changing what the assistant said.
  if (turns[0]?.role === "assistant") turns.unshift({ role: "user", content: [{ type: "text", text: "." }] });
  return { system, turns };
}

const rank = (b: ContentBlockParam) => (b.type === "tool_result" ? 0 : 1);

/**
 * Anthropic has no JSON mode for every model (structured outputs exist only on some), so JSON
 * response formats become an instruction in the system prompt, with the schema when one is given.
 * The answer is not validated; like OpenAI's `json_object`, it is the model's best effort.
 * @see https://platform.claude.com/docs/en/test-and-evaluate/strengthen-guardrails/increase-consistency
 */
export function jsonInstruction(f: ResponseFormat): string | null {
  if (f.type === "text") return null;
  const base =
    "Respond with only a single valid JSON object: no text before or after it, and no Markdown code fences.";
  if (f.type === "json_object" || !f.schema) return base;
  return `${base}\nThe JSON object must conform to this JSON Schema (${f.name}${f.description ? `: ${f.description}` : ""}):\n${JSON.stringify(f.schema)}`;
}

function toolChoice(req: ChatRequest): ToolChoice | undefined {
  const c = req.toolChoice ?? (req.parallelToolCalls === false ? "auto" : undefined);
  if (c === undefined) return undefined;
  // OpenAI's `parallel_tool_calls: false` is a flag on Anthropic's tool_choice.
  // @see https://platform.claude.com/docs/en/agents-and-tools/tool-use/implement-tool-use#parallel-tool-use
  const single = req.parallelToolCalls === false ? { disable_parallel_tool_use: true } : {};
  if (c === "none") return { type: "none" };
  if (c === "auto") return { type: "auto", ...single };
  if (c === "required") return { type: "any", ...single };
  return { type: "tool", name: c.name, ...single };
}

export function toAnthropicBody(req: ChatRequest, stream: boolean): AnthropicRequestBody {
  const { system, turns } = toAnthropicMessages(req.messages);
  const instruction = req.responseFormat ? jsonInstruction(req.responseFormat) : null;
  if (instruction) system.push(instruction);
  const body: AnthropicRequestBody = {
    model: req.model,
    messages: turns,
    max_tokens: req.maxTokens ?? DEFAULT_MAX_TOKENS,
  };
  if (system.length) body.system = system.join("\n\n");
  if (stream) body.stream = true;
  if (req.temperature !== undefined) {
    // OpenAI allows 0..2; Anthropic 0..1. Scaling would change the meaning, so refuse instead.
    // @see https://platform.claude.com/docs/en/api/messages#body-temperature
    if (req.temperature > 1) {
      throw invalidRequest(
        "unsupported_parameter",
        "Anthropic models take a temperature from 0 to 1.",
        "temperature",
      );
    }
    body.temperature = req.temperature;
  }
  if (req.topP !== undefined) body.top_p = req.topP;
  if (req.topK !== undefined) body.top_k = req.topK;
  if (req.stop?.length) body.stop_sequences = req.stop;
  if (req.user) body.metadata = { user_id: req.user };
  const thinking = anthropicThinking(req, turns, DEFAULT_MAX_TOKENS);
  if (thinking) {
    body.thinking = thinking.thinking;
    body.max_tokens = thinking.maxTokens;
  }
  if (req.tools?.length) {
    body.tools = req.tools.map(
      (t): Tool => ({
        name: t.name,
        ...(t.description ? { description: t.description } : {}),
        // Anthropic requires a schema; a tool without parameters takes an empty object.
        input_schema: (t.parameters as Tool.InputSchema | undefined) ?? { type: "object", properties: {} },
      }),
    );
    const choice = toolChoice(req);
    if (choice) body.tool_choice = choice;
  } else {
    // Anthropic refuses a history holding tool_use/tool_result blocks when the request defines no
    // tools ("Requests which include `tool_use` or `tool_result` blocks must define tools"), which
    // OpenAI clients do when they stop offering tools mid-conversation. Declare the tools the
    // history used, and forbid new calls, as OpenAI's behaviour would be.
    const used = [
      ...new Set(
        req.messages.flatMap((m) => (m.role === "assistant" ? (m.toolCalls ?? []) : [])).map((t) => t.name),
      ),
    ];
    if (used.length) {
      body.tools = used.map((name): Tool => ({ name, input_schema: { type: "object", properties: {} } }));
      body.tool_choice = { type: "none" };
    }
  }
  // seed, presence_penalty and frequency_penalty have no Anthropic counterpart and are dropped.
  return body;
}
