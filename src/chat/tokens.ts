import type { ChatMessage } from "./types";

/**
 * A cheap token estimate (about four characters a token for English text, a flat cost per image
 * and per message). Good enough to trim history to a context window; never used for billing,
 * which takes the vendor's own counts.
 */
const CHARS_PER_TOKEN = 4;
const PER_MESSAGE = 4;
const PER_IMAGE = 765; // OpenAI's cost of a 1024px high-detail image; a safe middle for others

export const estimateTextTokens = (text: string): number => Math.ceil(text.length / CHARS_PER_TOKEN);

export function estimateMessageTokens(m: ChatMessage): number {
  switch (m.role) {
    case "user":
      return (
        PER_MESSAGE +
        m.content.reduce((n, p) => n + (p.type === "text" ? estimateTextTokens(p.text) : PER_IMAGE), 0)
      );
    case "assistant":
      return (
        PER_MESSAGE +
        estimateTextTokens(m.content ?? "") +
        (m.toolCalls ?? []).reduce((n, t) => n + estimateTextTokens(t.name + t.arguments), 0)
      );
    default:
      return PER_MESSAGE + estimateTextTokens(m.content);
  }
}

export const estimatePromptTokens = (messages: ChatMessage[]): number =>
  messages.reduce((n, m) => n + estimateMessageTokens(m), 0);
