import { z } from "@hono/zod-openapi";
import { requireUser } from "../auth/principal";
import { ContentPartSchema } from "../chat/openai-schema";
import { toMessage } from "../conversations/message-json";
import { getDb } from "../db/client";
import { keysetPage } from "../db/cursor";
import { listOwnedMessages } from "../db/queries/conversations";
import { routes } from "../openapi/route";
import { createRouter } from "../openapi/router";
import { jsonResponse, listOf, PaginationQuerySchema, Timestamp } from "../openapi/schemas";
import { CONVERSATION_ID, ConversationParams, conversationNotFound } from "./conversations";

export const MessageUsageSchema = z
  .object({
    prompt_tokens: z.number().int().openapi({ example: 42 }),
    completion_tokens: z.number().int().openapi({ example: 128 }),
  })
  .openapi("MessageUsage");

export const MessageSchema = z
  .object({
    id: z.string().openapi({ example: "msg_01JD7W5X7Q2N5V3K9Y8M4T6R2S" }),
    conversation_id: z.string().openapi({ example: CONVERSATION_ID }),
    role: z.enum(["system", "user", "assistant", "tool"]),
    content: z.array(ContentPartSchema).openapi({ example: [{ type: "text", text: "Hello!" }] }),
    model: z
      .string()
      .nullable()
      .openapi({ example: "mock/echo", description: DOCS && "The model that wrote an assistant message." }),
    usage: MessageUsageSchema.nullable().openapi({
      description: DOCS && "Tokens of the call that wrote it.",
    }),
    latency_ms: z.number().int().nullable().openapi({ example: 850 }),
    finish_reason: z.string().nullable().openapi({ example: "stop" }),
    created_at: Timestamp,
  })
  .openapi("Message");

const route = routes({ tags: ["Conversations"] });

export const messageRoutes = createRouter().openapi(
  route({
    method: "get",
    path: "/v1/conversations/{id}/messages",
    summary: "List a conversation's messages, oldest first",
    errors: [403, 404],
    request: { params: ConversationParams, query: PaginationQuerySchema },
    responses: { 200: jsonResponse(listOf(MessageSchema, "MessageList"), "A page of messages.") },
  }),
  async (c) => {
    const user = requireUser(c.get("principal"));
    const db = getDb(c.env.DB);
    const { id } = c.req.valid("param");
    const read = async (limit: number, afterId?: string) => {
      const { found, rows } = await listOwnedMessages(db, id, user.id, { limit, afterId });
      if (!found) throw conversationNotFound();
      return rows;
    };
    return c.json(await keysetPage(c.req.valid("query"), read, (m) => m.id, toMessage), 200);
  },
);
