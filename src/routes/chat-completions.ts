import { z } from "@hono/zod-openapi";
import { ChatCompletionRequestSchema } from "../chat/openai-schema";
import { chatCompletionPlan } from "../gateway/pipeline/plans/chat-completion";
import { runCall } from "../gateway/pipeline/run-call";
import { routes } from "../openapi/route";
import { MODEL_BODY_LIMIT } from "../openapi/route-needs";
import { createRouter } from "../openapi/router";
import { jsonBody } from "../openapi/schemas";

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

const route = routes({ tags: ["Chat"] });

export const chatCompletionRoutes = createRouter().openapi(
  route({
    method: "post",
    path: "/v1/chat/completions",
    summary: "OpenAI Chat Completions, for any vendor or alias",
    description:
      DOCS &&
      "Drop-in for OpenAI's endpoint: point an OpenAI SDK's `baseURL` at `/v1`. `model` is `vendor/model` or an alias. " +
        "With `stream: true` the answer is Server-Sent Events of `chat.completion.chunk` objects ending with `data: [DONE]`; " +
        '`stream_options.include_usage` adds a usage chunk. An upstream failure mid-stream arrives as one `data: {"error": ...}` event. ' +
        "Optional headers: `x-timeout-ms` bounds each wait for the vendor (default 60 s); `x-max-retries` (0–5) sets retries of " +
        "429/5xx/network failures (backoff with jitter, honouring Retry-After). A model config's `fallbacks` answer when the model fails; " +
        "response headers `x-switchboard-model` (who answered: for an alias with several `targets`, the one chosen by weight, " +
        "the same for calls of one session: `x-claude-code-session-id`, `x-session-id` or `user`), `x-switchboard-vendor-key` " +
        "(the id of the vendor key used), `x-switchboard-retries` and `x-switchboard-fallback` say what happened. " +
        "Caching: `x-cache-ttl` (seconds, 0 or 60+) or the model config's `cache_ttl_seconds` turns it on; `Cache-Control: no-cache` skips the " +
        "read, `no-store` reads and writes nothing; `x-cache: HIT|MISS|BYPASS` tells. Answers are cached per user; errors and cut-off streams never.",
    needs: { bodyLimit: MODEL_BODY_LIMIT, prefetch: "model" },
    errors: [403, 404, 502, 503, 504],
    request: { body: jsonBody(ChatCompletionRequestSchema) },
    responses: {
      200: {
        description: DOCS && "The completion, or (stream) its chunks.",
        content: {
          "application/json": { schema: ChatCompletionSchema },
          "text/event-stream": {
            schema: z.string().openapi({
              description: DOCS && "`data: {chat.completion.chunk}` events, then `data: [DONE]`.",
            }),
          },
        },
      },
    },
  }),
  (c) => runCall(c, "chat.completions", chatCompletionPlan(c.req.valid("json"))),
);
