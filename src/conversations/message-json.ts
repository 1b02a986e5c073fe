import type { MessageRow } from "../db/schema";

/** A stored message as the API shows it (the `Message` schema of src/routes/messages.ts). */
export const toMessage = (m: MessageRow) => ({
  id: m.id,
  conversation_id: m.conversationId,
  role: m.role,
  content: m.content,
  model: m.model,
  // Only messages a model wrote carry token counts; user messages have none to report.
  usage:
    m.promptTokens === null && m.completionTokens === null
      ? null
      : { prompt_tokens: m.promptTokens ?? 0, completion_tokens: m.completionTokens ?? 0 },
  latency_ms: m.latencyMs,
  finish_reason: m.finishReason,
  created_at: m.createdAt.toISOString(),
});
