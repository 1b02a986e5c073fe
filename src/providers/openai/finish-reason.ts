import type { FinishReason } from "../../chat/types";

/**
 * OpenAI's finish reasons, with the legacy `function_call` folded into `tool_calls`. Unknown
 * values (compatible hosts invent some, e.g. `eos`) count as a normal stop.
 * @see https://platform.openai.com/docs/api-reference/chat/object#chat/object-choices
 */
export function mapOpenAIFinishReason(reason: string | null | undefined): FinishReason {
  switch (reason) {
    case "length":
      return "length";
    case "tool_calls":
    case "function_call":
      return "tool_calls";
    case "content_filter":
      return "content_filter";
    default:
      return "stop";
  }
}
