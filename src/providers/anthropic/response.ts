import type { ChatResponse, ToolCall } from "../../chat/types";
import { malformed } from "../http";
import { mapAnthropicStopReason } from "./finish-reason";
import { convertAnthropicUsage } from "./usage";
import { AnthropicMessageSchema } from "./wire";

/**
 * An Anthropic Message → the neutral response: text blocks joined, `tool_use` blocks as tool calls
 * whose arguments are the JSON text of their `input` (ids kept, so results can be sent back),
 * `thinking` blocks as the reasoning, with Anthropic's signature when there is one block to sign
 * (see reasoningSeal). Other blocks (redacted thinking, server tools) have no neutral place and
 * are skipped.
 * @see https://platform.claude.com/docs/en/api/messages#response-content
 */
export function fromAnthropicMessage(vendor: string, body: unknown, requestedModel: string): ChatResponse {
  const parsed = AnthropicMessageSchema.safeParse(body);
  if (!parsed.success) throw malformed(vendor);
  const m = parsed.data;
  let text = "";
  const thoughts: string[] = [];
  const signatures: string[] = [];
  const toolCalls: ToolCall[] = [];
  for (const block of m.content) {
    if (block.type === "text" && "text" in block) text += block.text;
    else if (block.type === "tool_use" && "id" in block) {
      toolCalls.push({ id: block.id, name: block.name, arguments: JSON.stringify(block.input ?? {}) });
    } else if (block.type === "thinking" && "signature" in block) {
      if (block.thinking) thoughts.push(block.thinking);
      signatures.push(block.signature);
    } else if (block.type === "redacted_thinking") {
      signatures.push(""); // a block the reasoning cannot stand for: nothing is sealed alone
    }
  }
  const seal = reasoningSeal(signatures);
  return {
    ...(m.id ? { id: m.id } : {}),
    model: m.model ?? requestedModel,
    content: text === "" && toolCalls.length ? null : text,
    toolCalls,
    ...(thoughts.length ? { reasoning: thoughts.join("\n\n") } : {}),
    ...(seal ? { reasoningSignature: seal } : {}),
    finishReason: mapAnthropicStopReason(m.stop_reason),
    usage: convertAnthropicUsage(m.usage),
  };
}

/**
 * The signature the neutral answer carries: the one thinking block's. The neutral model keeps one
 * signature for an answer's reasoning, so an answer with several reasoning blocks (interleaved
 * thinking, which the gateway does not ask for, or redacted thinking beside it) carries none, and
 * its reasoning is not sent back to Anthropic (request.ts says what then).
 */
export function reasoningSeal(signatures: string[]): string | undefined {
  return signatures.length === 1 && signatures[0] ? signatures[0] : undefined;
}
