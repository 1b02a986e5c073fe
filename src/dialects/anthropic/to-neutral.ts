import { parseImageUrl } from "../../chat/image-url";
import { isClientEffort, reasoningOfEffort } from "../../chat/reasoning";
import type {
  ChatMessage,
  ChatRequest,
  ContentPart,
  Reasoning,
  ToolCall,
  ToolChoice,
  ToolDefinition,
} from "../../chat/types";
import { invalidRequest } from "../../errors/gateway-error";
import { checkBodyFields, responseFormatOf } from "./body-fields";
import { documentParts } from "./documents";
import {
  type ContentBlock,
  type CountTokensRequest,
  isCustomTool,
  isKnownBlock,
  type KnownContentBlock,
  type MessageParam,
  type MessagesRequest,
} from "./schema";
import { signatureOrigin } from "./thinking-signature";

/**
 * A validated Messages request as the neutral request, for every vendor but Anthropic's (which
 * takes the client's body as it is). What has no neutral counterpart is refused by name, never
 * silently changed: server tools and their blocks, Files API images and documents, citations
 * (documents: documents.ts; top-level fields and betas: body-fields.ts). Dropped on purpose:
 * - `thinking` and `redacted_thinking` blocks: their signatures are only valid at the vendor and
 *   model that produced them, which the passthrough replays them to; but a thinking block the
 *   gateway signed for the very vendor and model asked now is kept, as the assistant turn's
 *   reasoning (thinking-signature.ts);
 * - `cache_control`: vendors behind the neutral model cache prompts on their own;
 * - `service_tier`: Anthropic's capacity choice.
 * @see https://platform.claude.com/docs/en/api/messages
 */

type Block<T extends KnownContentBlock["type"]> = Extract<KnownContentBlock, { type: T }>;
type Text = Block<"text">;

const ONLY_ANTHROPIC = "can only be sent to `anthropic` vendors";

function refuse(block: ContentBlock, param: string): never {
  throw invalidRequest("unsupported_content", `\`${block.type}\` blocks ${ONLY_ANTHROPIC} for now.`, param);
}

function text(block: Text, param: string): string {
  // Citations point into documents and search results, which only Anthropic is sent.
  if (block.citations?.length) {
    throw invalidRequest("unsupported_citations", `Citations ${ONLY_ANTHROPIC}.`, `${param}.citations`);
  }
  return block.text;
}

function image(block: Block<"image">, param: string): ContentPart {
  const s = block.source;
  if (s.type === "base64")
    return { type: "image", source: { kind: "base64", mediaType: s.media_type, data: s.data } };
  if (s.type === "url") return { type: "image", source: parseImageUrl(s.url, `${param}.source.url`) };
  throw invalidRequest(
    "unsupported_image",
    `Images from Anthropic's Files API ${ONLY_ANTHROPIC}; send them as base64 or a URL.`,
    `${param}.source`,
  );
}

/** A text or image block inside another block (a document's `content` source). */
const inner = (b: Text | Block<"image">, param: string): ContentPart =>
  b.type === "text" ? { type: "text", text: text(b, param) } : image(b, param);

/**
 * A tool result's content as neutral text. Neutral tool messages (like OpenAI's and Gemini's)
 * carry no error flag, so a failed call says so in words, which is what the model reads anyway.
 */
function toolResultText(block: Block<"tool_result">, param: string): string {
  const content = block.content ?? "";
  const parts =
    typeof content === "string"
      ? [content]
      : content.map((b, k) => {
          const at = `${param}.content.${k}`;
          if (isKnownBlock(b) && b.type === "text") return text(b, at);
          if (b.type === "image") {
            throw invalidRequest(
              "unsupported_content",
              `Images in tool results ${ONLY_ANTHROPIC} for now.`,
              at,
            );
          }
          return refuse(b, at);
        });
  const joined = parts.join("\n");
  if (!block.is_error) return joined;
  return joined ? `Error: ${joined}` : "Error";
}

/**
 * A user turn: its tool results first, as neutral `tool` messages (Anthropic requires them to
 * lead the turn, and neutral vendors want each result right after its call), then the rest.
 * @see https://platform.claude.com/docs/en/agents-and-tools/tool-use/implement-tool-use#handling-results-from-client-tools
 */
function userTurn(blocks: ContentBlock[], at: string): ChatMessage[] {
  const results: ChatMessage[] = [];
  const parts: ContentPart[] = [];
  for (const [j, b] of blocks.entries()) {
    const param = `${at}.content.${j}`;
    if (!isKnownBlock(b)) refuse(b, param);
    switch (b.type) {
      case "text":
        parts.push({ type: "text", text: text(b, param) });
        break;
      case "image":
        parts.push(image(b, param));
        break;
      case "document":
        parts.push(...documentParts(b, param, inner));
        break;
      case "tool_result":
        results.push({ role: "tool", toolCallId: b.tool_use_id, content: toolResultText(b, param) });
        break;
      case "thinking":
      case "redacted_thinking":
        break;
      case "tool_use":
        throw invalidRequest("invalid_content", "`tool_use` blocks belong in assistant turns.", param);
      default:
        refuse(b, param);
    }
  }
  return parts.length ? [...results, { role: "user", content: parts }] : results;
}

/** The vendor and model a translation is for: thinking they produced is replayed to them. */
export interface Target {
  vendor: string;
  upstreamModel: string;
}

/** A thinking block's text when the gateway signed it for `target`'s vendor and model, else null. */
function ownThinking(block: Block<"thinking">, target: Target | undefined): string | null {
  const origin = signatureOrigin(block.signature);
  if (!target || !origin) return null;
  return origin.vendor === target.vendor && origin.model === target.upstreamModel ? block.thinking : null;
}

function assistantTurn(blocks: ContentBlock[], at: string, target: Target | undefined): ChatMessage[] {
  let said = "";
  const reasoning: string[] = [];
  const toolCalls: ToolCall[] = [];
  for (const [j, b] of blocks.entries()) {
    const param = `${at}.content.${j}`;
    if (!isKnownBlock(b)) refuse(b, param);
    switch (b.type) {
      case "text":
        said += text(b, param);
        break;
      case "tool_use":
        toolCalls.push({ id: b.id, name: b.name, arguments: JSON.stringify(b.input) });
        break;
      case "thinking": {
        const own = ownThinking(b, target);
        if (own) reasoning.push(own);
        break;
      }
      case "redacted_thinking":
        break;
      case "image":
      case "document":
      case "tool_result":
        throw invalidRequest("invalid_content", `\`${b.type}\` blocks belong in user turns.`, param);
      default:
        refuse(b, param);
    }
  }
  // A turn that held only thinking says nothing, to this vendor or another.
  if (said === "" && !toolCalls.length) return [];
  return [
    {
      role: "assistant",
      content: said === "" ? null : said,
      ...(toolCalls.length ? { toolCalls } : {}),
      ...(reasoning.length ? { reasoning: reasoning.join("\n\n") } : {}),
    },
  ];
}

function systemTurn(blocks: ContentBlock[], at: string): ChatMessage[] {
  const texts = blocks.map((b, j) => {
    if (isKnownBlock(b) && b.type === "text") return text(b, `${at}.content.${j}`);
    throw invalidRequest("invalid_content", "System turns take only text blocks.", `${at}.content.${j}`);
  });
  return [{ role: "system", content: texts.join("\n\n") }];
}

function turn(m: MessageParam, i: number, target: Target | undefined): ChatMessage[] {
  const at = `messages.${i}`;
  if (typeof m.content === "string") {
    if (m.role === "user") return [{ role: "user", content: [{ type: "text", text: m.content }] }];
    if (m.role === "system") return [{ role: "system", content: m.content }];
    return m.content === "" ? [] : [{ role: "assistant", content: m.content }];
  }
  if (m.role === "user") return userTurn(m.content, at);
  if (m.role === "system") return systemTurn(m.content, at);
  return assistantTurn(m.content, at, target);
}

/** The top-level `system`, blocks in order (Claude Code sends several, an attribution line first). */
function system(s: CountTokensRequest["system"]): ChatMessage[] {
  if (s === undefined) return [];
  const content = typeof s === "string" ? s : s.map((b, j) => text(b, `system.${j}`)).join("\n\n");
  return content === "" ? [] : [{ role: "system", content }];
}

function tools(list: NonNullable<CountTokensRequest["tools"]>): ToolDefinition[] {
  return list.map((t, n) => {
    if (!isCustomTool(t)) {
      throw invalidRequest(
        "unsupported_tool",
        `Server tool \`${t.type}\` runs only at Anthropic: it ${ONLY_ANTHROPIC}.`,
        `tools.${n}`,
      );
    }
    return {
      name: t.name,
      ...(t.description ? { description: t.description } : {}),
      parameters: t.input_schema,
      ...(t.strict !== undefined ? { strict: t.strict } : {}),
    };
  });
}

/** @see https://platform.claude.com/docs/en/agents-and-tools/tool-use/implement-tool-use#forcing-tool-use */
function toolChoice(req: ChatRequest, c: NonNullable<CountTokensRequest["tool_choice"]>): void {
  const choice: ToolChoice =
    c.type === "auto"
      ? "auto"
      : c.type === "any"
        ? "required"
        : c.type === "none"
          ? "none"
          : { name: c.name };
  req.toolChoice = choice;
  if (c.type !== "none" && c.disable_parallel_tool_use) req.parallelToolCalls = false;
}

/** The client's headers translation reads: `anthropic-beta`, for the fields betas turn on. */
export interface ClientBetas {
  beta?: string | undefined;
}

/**
 * The prompt alone (what a token count needs): system, turns, tools and tool choice. Without a
 * vendor, no thinking in the history is kept.
 */
export function countTokensToNeutral(
  body: CountTokensRequest,
  upstreamModel: string,
  vendor?: string,
  client: ClientBetas = {},
): ChatRequest {
  checkBodyFields(body, client.beta);
  const target = vendor === undefined ? undefined : { vendor, upstreamModel };
  const req: ChatRequest = {
    model: upstreamModel,
    messages: [...system(body.system), ...body.messages.flatMap((m, i) => turn(m, i, target))],
  };
  if (body.tools?.length) req.tools = tools(body.tools);
  if (body.tool_choice) toolChoice(req, body.tool_choice);
  return req;
}

/**
 * Anthropic's `thinking` as the neutral setting. `between_tools` (thinking only between tool
 * calls) has no counterpart at other vendors; the nearest is to let the model decide, as
 * `adaptive` does. The `output_config.effort` beside it (Claude Code sends `high` with adaptive
 * thinking) is the neutral level, `max` the neutral `xhigh`; an effort other vendors have no
 * name for leaves the level to the model.
 * @see https://platform.claude.com/docs/en/build-with-claude/extended-thinking
 * @see https://platform.claude.com/docs/en/build-with-claude/effort
 */
function reasoning(t: NonNullable<MessagesRequest["thinking"]>, outputConfig: unknown): Reasoning {
  if (t.type === "disabled") return { enabled: false };
  const effort = (outputConfig as { effort?: unknown } | null | undefined)?.effort;
  const level =
    typeof effort === "string" && isClientEffort(effort) ? reasoningOfEffort(effort).effort : undefined;
  return {
    enabled: true,
    ...(t.type === "enabled" ? { budgetTokens: t.budget_tokens } : {}),
    ...(level ? { effort: level } : {}),
  };
}

export function messagesToNeutral(
  body: MessagesRequest,
  upstreamModel: string,
  vendor: string,
  client: ClientBetas = {},
): ChatRequest {
  const req = countTokensToNeutral(body, upstreamModel, vendor, client);
  req.maxTokens = body.max_tokens;
  if (body.stop_sequences?.length) req.stop = body.stop_sequences;
  if (body.temperature !== undefined) req.temperature = body.temperature;
  if (body.top_p !== undefined) req.topP = body.top_p;
  if (body.top_k !== undefined) req.topK = body.top_k;
  if (body.metadata?.user_id) req.user = body.metadata.user_id;
  const format = responseFormatOf(body);
  if (format) req.responseFormat = format;
  if (body.thinking) req.reasoning = reasoning(body.thinking, body.output_config);
  return req;
}
