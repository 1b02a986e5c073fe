import { z } from "@hono/zod-openapi";
import { ContentPartSchema } from "../chat/openai-schema";
import { conversationMessagePlan } from "../gateway/pipeline/plans/conversation-message";
import { runCall } from "../gateway/pipeline/run-call";
import { routes } from "../openapi/route";
import { MODEL_BODY_LIMIT } from "../openapi/route-needs";
import { createRouter } from "../openapi/router";
import { jsonBody } from "../openapi/schemas";
import { ModelStringSchema } from "../openapi/strings";
import { ConversationParams } from "./conversations";
import { MessageSchema } from "./messages";

const hasContent = (content: string | { type: string; text?: string }[]): boolean =>
  typeof content === "string"
    ? content.trim() !== ""
    : content.some((p) => p.type !== "text" || (p.text ?? "").trim() !== "");

const SendMessageSchema = z
  .object({
    content: z
      .union([
        z.string().openapi({ example: "What should I see in Lisbon?" }),
        z.array(ContentPartSchema).min(1).max(100),
      ])
      .refine(hasContent, "must have some text or an image")
      .openapi({
        description:
          DOCS &&
          "Text, or OpenAI content parts: `text` and `image_url` (`https://` or `data:image/...;base64,` URLs).",
      }),
    stream: z
      .boolean()
      .default(false)
      .openapi({ description: DOCS && "Answer as Server-Sent Events (see the 201 response)." }),
    model: ModelStringSchema.optional().openapi({
      example: "mock/echo",
      description: DOCS && "This turn only; else the conversation's model, else its persona's.",
    }),
    temperature: z
      .number()
      .min(0)
      .max(2)
      .optional()
      .openapi({ example: 0.7, description: DOCS && "Else the persona's, else the model config's default." }),
    max_tokens: z
      .number()
      .int()
      .positive()
      .max(1_000_000)
      .optional()
      .openapi({
        example: 1024,
        description: DOCS && "Else the persona's, else the model config's default.",
      }),
  })
  .strict()
  .openapi("SendMessage");

const SentMessageSchema = z
  .object({
    user_message: MessageSchema,
    assistant_message: MessageSchema,
    usage: z
      .object({
        prompt_tokens: z.number().int().openapi({ example: 42 }),
        completion_tokens: z.number().int().openapi({ example: 128 }),
        total_tokens: z.number().int().openapi({ example: 170 }),
      })
      .openapi("TurnUsage"),
  })
  .openapi("SentMessage");

const SSE_FORMAT =
  'With `stream: true`: Server-Sent Events. `event: message.delta` with data `{"text": "..."}` for each piece ' +
  "of the reply; then `event: message.completed` with data `{user_message, assistant_message, usage}` (the stored " +
  "messages, as in the 201 answer). If the vendor fails mid-stream: `event: error` with data " +
  '`{"error": {type, code, message, request_id}}`, then the stream closes; what was generated is stored with ' +
  '`finish_reason: "cut_off"`, as it is when the client disconnects (which also stops the vendor).';

const route = routes({ tags: ["Conversations"] });

export const conversationMessageRoutes = createRouter().openapi(
  route({
    method: "post",
    path: "/v1/conversations/{id}/messages",
    summary: "Send a message and get the model's reply, both stored",
    description:
      DOCS &&
      "The prompt is the persona's system prompt, the conversation's newest history that fits the model's context " +
        "window, and this message. Model: the request's `model`, else the conversation's, else its persona's. " +
        "`temperature` and `max_tokens`: the request's, else the persona's, else the model config's defaults. " +
        "If the vendor fails before answering, the user message is stored and the error returned. " +
        `${SSE_FORMAT} Optional header \`x-timeout-ms\` bounds the wait for the vendor (default 60 s).`,
    needs: { bodyLimit: MODEL_BODY_LIMIT, prefetch: "turn" },
    errors: [403, 404, 502, 503, 504],
    request: { params: ConversationParams, body: jsonBody(SendMessageSchema) },
    responses: {
      // One success status for both forms: messages are created either way.
      201: {
        description:
          DOCS && "The stored user message and reply; with `stream: true`, the reply as Server-Sent Events.",
        content: {
          "application/json": { schema: SentMessageSchema },
          "text/event-stream": { schema: z.string().openapi({ description: SSE_FORMAT }) },
        },
      },
    },
  }),
  (c) =>
    runCall(c, "conversation.message", conversationMessagePlan(c.req.valid("param").id, c.req.valid("json"))),
);
