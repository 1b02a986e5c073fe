import type { ChatCompletion } from "openai/resources/chat/completions";
import type { CompletionUsage } from "openai/resources/completions";
import type { ChatResponse, ToolCall, Usage } from "./types";

/**
 * A neutral answer in OpenAI's Chat Completions shape (streams: gateway/pipeline/stream/openai-chunks.ts).
 * @see https://platform.openai.com/docs/api-reference/chat/object
 */

export interface CompletionMeta {
  id: string;
  created: number;
  model: string;
}

// Types only (erased at build): the SDK's own types check our output shape at compile time.
export const openaiUsage = (u: Usage): CompletionUsage => ({
  prompt_tokens: u.inputTokens,
  completion_tokens: u.outputTokens,
  total_tokens: u.inputTokens + u.outputTokens,
  ...(u.cachedTokens !== undefined ? { prompt_tokens_details: { cached_tokens: u.cachedTokens } } : {}),
  // Clients are shown no reasoning text, but what it cost is part of the completion tokens.
  ...(u.reasoningTokens !== undefined
    ? { completion_tokens_details: { reasoning_tokens: u.reasoningTokens } }
    : {}),
});

const openaiToolCall = (t: ToolCall) => ({
  id: t.id,
  type: "function" as const,
  function: { name: t.name, arguments: t.arguments },
});

export function toOpenAICompletion(r: ChatResponse, meta: CompletionMeta): ChatCompletion {
  return {
    id: meta.id,
    object: "chat.completion" as const,
    created: meta.created,
    model: meta.model,
    choices: [
      {
        index: 0,
        message: {
          role: "assistant" as const,
          content: r.content,
          refusal: null,
          ...(r.toolCalls.length ? { tool_calls: r.toolCalls.map(openaiToolCall) } : {}),
        },
        logprobs: null,
        finish_reason: r.finishReason,
      },
    ],
    usage: openaiUsage(r.usage),
  };
}
