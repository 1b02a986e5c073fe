import type { ChatResponse, ToolCall } from "../../chat/types";
import { malformed } from "../http";
import { mapAnthropicStopReason } from "./finish-reason";
import { convertAnthropicUsage } from "./usage";
import { AnthropicMessageSchema } from "./wire";

/**
 * An Anthropic Message → the neutral response: text blocks joined, `tool_use` blocks as tool calls
 * whose arguments are the JSON text of their `input` (ids kept, so results can be sent back).
 * Other blocks (thinking, server tools) have no place in OpenAI's shape and are skipped.
 * @see https://platform.claude.com/docs/en/api/messages#response-content
 */
export function fromAnthropicMessage(vendor: string, body: unknown, requestedModel: string): ChatResponse {
  const parsed = AnthropicMessageSchema.safeParse(body);
  if (!parsed.success) throw malformed(vendor);
  const m = parsed.data;
  let text = "";
  const toolCalls: ToolCall[] = [];
  for (const block of m.content) {
    if (block.type === "text" && "text" in block) text += block.text;
    else if (block.type === "tool_use" && "id" in block) {
      toolCalls.push({ id: block.id, name: block.name, arguments: JSON.stringify(block.input ?? {}) });
    }
  }
  return {
    ...(m.id ? { id: m.id } : {}),
    model: m.model ?? requestedModel,
    content: text === "" && toolCalls.length ? null : text,
    toolCalls,
    finishReason: mapAnthropicStopReason(m.stop_reason),
    usage: convertAnthropicUsage(m.usage),
  };
}
