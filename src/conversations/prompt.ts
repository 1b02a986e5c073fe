import { estimateMessageTokens, estimatePromptTokens } from "../chat/tokens";
import type { ChatMessage } from "../chat/types";

export interface PromptInput {
  /** The persona's system prompt, if any: always sent, never trimmed. */
  systemPrompt: string | null;
  /** Stored history, oldest first. */
  history: ChatMessage[];
  /** The message being sent: always sent. */
  next: ChatMessage;
  /** The model's context window, in tokens. */
  contextWindow: number;
  /** Tokens kept free for the answer (its max_tokens). */
  reserveTokens: number;
}

export interface Prompt {
  messages: ChatMessage[];
  /** How many of the oldest history messages were left out. */
  dropped: number;
}

/**
 * The messages one turn sends: system prompt, as much of the newest history as fits the context
 * window after the answer's room, then the new message. Tokens are estimated (src/chat/tokens.ts),
 * so the budget is approximate; what is kept is always a contiguous, newest part of the history,
 * so the model never sees a conversation with holes in it.
 */
export function buildPrompt(input: PromptInput): Prompt {
  const system: ChatMessage[] = input.systemPrompt ? [{ role: "system", content: input.systemPrompt }] : [];
  const { history } = input;
  let budget = input.contextWindow - input.reserveTokens - estimatePromptTokens([...system, input.next]);
  let start = history.length;
  while (start > 0) {
    const cost = estimateMessageTokens(history[start - 1] as ChatMessage);
    if (cost > budget) break;
    budget -= cost;
    start -= 1;
  }
  if (start > 0) {
    // Cut mid-exchange: begin at a user turn. A reply without its question misleads the model,
    // and some vendors (Anthropic, Gemini) refuse a conversation that opens with the assistant.
    while (start < history.length && history[start]?.role !== "user") start += 1;
  }
  return { messages: [...system, ...history.slice(start), input.next], dropped: start };
}
