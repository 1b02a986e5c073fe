import { createRoute, z } from "@hono/zod-openapi";
import { ChatCompletionRequestSchema } from "../chat/openai-schema";
import { getDb } from "../db/client";
import { runChatCompletion } from "../gateway/chat-completion";
import { prepareCall, timeoutFor } from "../gateway/upstream-call";
import { createRouter } from "../openapi/router";
import { authenticated, errorResponses, jsonBody } from "../openapi/schemas";

const UsageSchema = z
  .object({
    prompt_tokens: z.number().int(),
    completion_tokens: z.number().int(),
    total_tokens: z.number().int(),
    prompt_tokens_details: z.object({ cached_tokens: z.number().int() }).optional(),
  })
  .openapi("CompletionUsage");

const ChatCompletionSchema = z
  .object({
    id: z.string().openapi({ example: "chatcmpl-0f3c..." }),
    object: z.literal("chat.completion"),
    created: z.number().int(),
    model: z.string().openapi({ example: "gpt-4o-mini" }),
    choices: z.array(
      z.object({
        index: z.number().int(),
        message: z.object({
          role: z.literal("assistant"),
          content: z.string().nullable(),
          refusal: z.string().nullable().optional(),
          tool_calls: z
            .array(
              z.object({
                id: z.string(),
                type: z.literal("function"),
                function: z.object({ name: z.string(), arguments: z.string() }),
              }),
            )
            .optional(),
        }),
        logprobs: z.null().optional(),
        finish_reason: z.enum(["stop", "length", "tool_calls", "content_filter"]),
      }),
    ),
    usage: UsageSchema,
  })
  .openapi("ChatCompletion");

export const chatCompletionRoutes = createRouter().openapi(
  createRoute({
    method: "post",
    path: "/v1/chat/completions",
    tags: ["Chat"],
    summary: "OpenAI Chat Completions, for any vendor or alias",
    description:
      "Drop-in for OpenAI's endpoint: point an OpenAI SDK's `baseURL` at `/v1`. `model` is `vendor/model` or an alias. " +
      "With `stream: true` the answer is Server-Sent Events of `chat.completion.chunk` objects ending with `data: [DONE]`; " +
      '`stream_options.include_usage` adds a usage chunk. An upstream failure mid-stream arrives as one `data: {"error": ...}` event. ' +
      "Optional header `x-timeout-ms` bounds the wait for the vendor (default 60 s).",
    security: authenticated,
    request: { body: jsonBody(ChatCompletionRequestSchema) },
    responses: {
      200: {
        description: "The completion, or (stream) its chunks.",
        content: {
          "application/json": { schema: ChatCompletionSchema },
          "text/event-stream": {
            schema: z
              .string()
              .openapi({ description: "`data: {chat.completion.chunk}` events, then `data: [DONE]`." }),
          },
        },
      },
      ...errorResponses(404, 502, 504),
    },
  }),
  async (c) => {
    const body = c.req.valid("json");
    const call = await prepareCall(c.env, getDb(c.env.DB), body.model, {
      clientSignal: c.req.raw.signal,
      timeoutMs: timeoutFor(c.env, c.req.header("x-timeout-ms")),
    });
    // Relayed bytes or a stream, not an object for c.json.
    const result = await runChatCompletion(call, body, { requestId: c.get("requestId") });
    return c.body(result.body, 200, result.headers);
  },
);
