import type { StopReason } from "@anthropic-ai/sdk/resources/messages";
import type { FinishReason } from "../../chat/types";

/**
 * A neutral finish reason as Anthropic's `stop_reason` (the reverse of
 * src/providers/anthropic/finish-reason.ts). A normal stop is `end_turn`: the neutral model does
 * not say whether one of the client's stop sequences ended the answer (OpenAI's `stop` covers
 * both), so `stop_sequence` is never claimed; an answer that ended without a reason reads the same.
 * @see https://platform.claude.com/docs/en/build-with-claude/handling-stop-reasons
 */
export function anthropicStopReason(reason: FinishReason | undefined): StopReason {
  switch (reason) {
    case "length":
      return "max_tokens";
    case "tool_calls":
      return "tool_use";
    case "content_filter":
      return "refusal";
    default:
      return "end_turn";
  }
}
