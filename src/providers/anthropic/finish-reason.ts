import type { FinishReason } from "../../chat/types";

/**
 * Anthropic's stop reasons in OpenAI's terms. `end_turn` and `stop_sequence` are a normal stop;
 * so is `pause_turn` (a server tool paused a long turn: this answer ends as it is), and so are
 * unknown values (the API adds some now and then).
 * @see https://platform.claude.com/docs/en/build-with-claude/handling-stop-reasons
 */
export function mapAnthropicStopReason(reason: string | null | undefined): FinishReason {
  switch (reason) {
    case "max_tokens":
    case "model_context_window_exceeded":
      return "length";
    case "tool_use":
      return "tool_calls";
    case "refusal":
      return "content_filter";
    default:
      return "stop";
  }
}
