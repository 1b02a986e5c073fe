import type { Usage } from "../chat/types";
import { newId } from "../db/ids";
import { saveTurn } from "../db/queries/messages";
import type { MessageRow } from "../db/schema";
import { toMessage } from "./message-json";
import { DEFAULT_TITLE, type Turn } from "./turn";

/** Stored on a reply the stream lost before its end (upstream failure or client gone). */
export const CUT_OFF = "cut_off";

export interface Reply {
  /** `vendor/upstream-model` that answered (after any fallback). */
  model: string;
  text: string;
  usage: Usage;
  /** A neutral finish reason, or CUT_OFF. */
  finishReason: string;
  latencyMs: number;
}

/** Stores the user's message and its reply (the turn succeeded, or a stream broke off mid-way). */
export async function recordExchange(
  turn: Turn,
  reply: Reply,
): Promise<{ user: MessageRow; assistant: MessageRow }> {
  const { user, assistant } = await record(turn, reply);
  return { user, assistant: assistant as MessageRow };
}

/** Stores only the user's message: the vendor failed before answering anything. */
export async function recordUserMessage(turn: Turn): Promise<MessageRow> {
  return (await record(turn)).user;
}

/**
 * One batch: the user's message, the reply if any, and the conversation's activity. Ids are made
 * here, user first, so listing by id gives the pair in order and next to each other.
 */
async function record(turn: Turn, reply?: Reply): Promise<{ user: MessageRow; assistant?: MessageRow }> {
  const none = {
    model: null,
    promptTokens: null,
    completionTokens: null,
    latencyMs: null,
    finishReason: null,
  };
  const user: MessageRow = {
    id: newId("msg"),
    conversationId: turn.conversationId,
    role: "user",
    content: turn.content,
    ...none,
    createdAt: turn.receivedAt,
  };
  const at = new Date();
  const assistant: MessageRow | undefined = reply && {
    id: newId("msg"),
    conversationId: turn.conversationId,
    role: "assistant",
    content: [{ type: "text", text: reply.text }],
    model: reply.model,
    promptTokens: reply.usage.inputTokens,
    completionTokens: reply.usage.outputTokens,
    latencyMs: reply.latencyMs,
    finishReason: reply.finishReason,
    createdAt: at,
  };
  await saveTurn(turn.db, turn.conversationId, assistant ? [user, assistant] : [user], {
    at,
    title: turn.title,
    defaultTitle: DEFAULT_TITLE,
  });
  return { user, assistant };
}

/** The answer to a sent message (201 body and the stream's `message.completed` event). */
export const turnBody = (user: MessageRow, assistant: MessageRow, usage: Usage) => ({
  user_message: toMessage(user),
  assistant_message: toMessage(assistant),
  usage: {
    prompt_tokens: usage.inputTokens,
    completion_tokens: usage.outputTokens,
    total_tokens: usage.inputTokens + usage.outputTokens,
  },
});
