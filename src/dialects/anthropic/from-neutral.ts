import type {
  Usage as AnthropicUsage,
  ContentBlock,
  Message,
  TextBlock,
  ThinkingBlock,
  ToolUseBlock,
} from "@anthropic-ai/sdk/resources/messages";
import type { ChatResponse, ToolCall, Usage } from "../../chat/types";
import { anthropicStopReason } from "./stop-reason";
import { gatewaySignature, type ThinkingOrigin } from "./thinking-signature";
import { toolInput } from "./tool-input";

/**
 * A neutral answer as an Anthropic Message (streams: stream-encoder.ts, which builds its blocks
 * and usage with the helpers below, so both say the same). Typed with the SDK's own types (erased
 * at build), so a shape error fails tsc; fields the neutral model does not know are `null`, as the
 * API sends them when they do not apply.
 * @see https://platform.claude.com/docs/en/api/messages#response
 */

export interface MessageMeta {
  /** Ours (newMessageId): the vendor's id names its call, not this answer. */
  id: string;
  /** The model as the client named it. */
  model: string;
  /** Who answered, named in the signature of the answer's thinking block. */
  origin: ThinkingOrigin;
}

const randomHex = () => crypto.randomUUID().replaceAll("-", "");

export const newMessageId = (): string => `msg_${randomHex()}`;

/** For a vendor tool call without an id: Anthropic pairs `tool_result`s with calls by id. */
export const newToolUseId = (): string => `toolu_${randomHex()}`;

/**
 * Neutral usage counts cached prompt tokens inside the input (OpenAI's way); Anthropic's
 * `input_tokens` is the uncached rest, and clients add the three input counts up (Claude Code's
 * context meter does), so the cached part is taken out rather than counted twice. Cache writes
 * are billed apart only by Anthropic, whose answers take the passthrough: here they are 0. The
 * vendor's reasoning tokens, where it counts them, are Anthropic's `thinking_tokens`.
 * @see https://platform.claude.com/docs/en/build-with-claude/prompt-caching#tracking-cache-performance
 */
export function anthropicUsage(u: Usage): AnthropicUsage {
  const cached = u.cachedTokens ?? 0;
  return {
    input_tokens: Math.max(0, u.inputTokens - cached),
    output_tokens: u.outputTokens,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: cached,
    cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
    inference_geo: null,
    output_tokens_details: u.reasoningTokens !== undefined ? { thinking_tokens: u.reasoningTokens } : null,
    server_tool_use: null,
    service_tier: null,
    speed: null,
  };
}

export const textBlock = (text: string): TextBlock => ({ type: "text", text, citations: null });

/** The vendor's reasoning as a thinking block, signed with where it came from (thinking-signature.ts). */
export const thinkingBlock = (thinking: string, origin: ThinkingOrigin): ThinkingBlock => ({
  type: "thinking",
  thinking,
  signature: gatewaySignature(origin),
});

/** A tool call's block; `input` is what tool-input.ts makes of the arguments (why: see there). */
export const toolUseBlock = (id: string, name: string, input: unknown): ToolUseBlock => ({
  type: "tool_use",
  id: id || newToolUseId(),
  name,
  input,
  caller: { type: "direct" },
});

const callBlock = (t: ToolCall) => toolUseBlock(t.id, t.name, toolInput(t.arguments));

export function toAnthropicMessage(answer: ChatResponse, meta: MessageMeta): Message {
  const content: ContentBlock[] = [];
  // Thinking comes first, as Anthropic's own answers have it.
  if (answer.reasoning) content.push(thinkingBlock(answer.reasoning, meta.origin));
  // Anthropic refuses empty text blocks when a client sends the answer back in its history.
  if (answer.content) content.push(textBlock(answer.content));
  content.push(...answer.toolCalls.map(callBlock));
  return {
    id: meta.id,
    type: "message",
    role: "assistant",
    model: meta.model,
    content,
    stop_reason: anthropicStopReason(answer.finishReason),
    stop_sequence: null,
    stop_details: null,
    container: null,
    diagnostics: null,
    usage: anthropicUsage(answer.usage),
  };
}
