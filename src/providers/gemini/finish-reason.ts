import type { FinishReason } from "../../chat/types";

/**
 * Gemini's finish reasons. STOP also ends a turn that called functions (Gemini has no reason of
 * its own for that), so it becomes `tool_calls` when the answer holds function calls. Every
 * blocking reason (safety, recitation, blocklists, PII, image safety) is a content filter; the
 * rest (OTHER, LANGUAGE, MALFORMED_FUNCTION_CALL, unknown future values) count as a stop.
 * @see https://ai.google.dev/api/generate-content#FinishReason
 */
export function mapGeminiFinishReason(
  reason: string | null | undefined,
  hasToolCalls: boolean,
): FinishReason {
  switch (reason) {
    case "MAX_TOKENS":
      return "length";
    case "SAFETY":
    case "RECITATION":
    case "BLOCKLIST":
    case "PROHIBITED_CONTENT":
    case "SPII":
    case "IMAGE_SAFETY":
    case "IMAGE_PROHIBITED_CONTENT":
    case "IMAGE_RECITATION":
      return "content_filter";
    default:
      return hasToolCalls ? "tool_calls" : "stop";
  }
}
