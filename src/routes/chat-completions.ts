import { createRoute, z } from "@hono/zod-openapi";
import { ChatCompletionRequestSchema } from "../chat/openai-schema";
import { getDb } from "../db/client";
import { GatewayError } from "../errors/gateway-error";
import { budgetPayer } from "../gateway/budget";
import { KvResponseCache } from "../gateway/cache/kv";
import { cachePolicy } from "../gateway/cache/policy";
import type { CallRecord } from "../gateway/call-record";
import { runChatCompletion } from "../gateway/chat-completion";
import { circuitBreaker, retryPolicy } from "../gateway/resilience/config";
import { resolveModel } from "../gateway/resolve-model";
import { timeoutFor } from "../gateway/upstream-call";
import { failCall, recordCall, recordContext, startCall } from "../gateway/usage";
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
      "Optional headers: `x-timeout-ms` bounds each wait for the vendor (default 60 s); `x-max-retries` (0–5) sets retries of " +
      "429/5xx/network failures (backoff with jitter, honouring Retry-After). A model config's `fallbacks` answer when the model fails; " +
      "response headers `x-switchboard-model` (who answered), `x-switchboard-retries` and `x-switchboard-fallback` say what happened. " +
      "Caching: `x-cache-ttl` (seconds, 0 or 60+) or the model config's `cache_ttl_seconds` turns it on; `Cache-Control: no-cache` skips the " +
      "read, `no-store` reads and writes nothing; `x-cache: HIT|MISS|BYPASS` tells. Answers are cached per user; errors and cut-off streams never.",
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
      ...errorResponses(404, 502, 503, 504),
    },
  }),
  async (c) => {
    const body = c.req.valid("json");
    const db = getDb(c.env.DB);
    const record = startCall(c, "chat.completions");
    const tracking = recordContext(c);
    try {
      const timeoutMs = timeoutFor(c.env, c.req.header("x-timeout-ms"));
      const retry = retryPolicy(c.env, c.req.header("x-max-retries"));
      const requested = await resolveModel(c.env, db, body.model, "model", c.var.prefetchedModel);
      const cache = cachePolicy(c.env, requested.config, {
        ttl: c.req.header("x-cache-ttl"),
        cacheControl: c.req.header("cache-control"),
      });
      const result = await runChatCompletion(
        {
          env: c.env,
          db,
          requestId: record.requestId,
          clientSignal: c.req.raw.signal,
          timeoutMs,
          retry,
          breaker: circuitBreaker(c.env),
          record,
          cache: new KvResponseCache(c.env.CACHE),
          cachePolicy: cache,
          tenant: record.userId ?? "admin-key",
          payer: budgetPayer(c),
          waitUntil: (p) => c.executionCtx.waitUntil(p),
        },
        body,
        requested,
      );
      // Usage is recorded once the answer is complete (for streams: when they end).
      c.executionCtx.waitUntil(
        result.done.then((o) => {
          if (o.error) endedWithError(record, o.error);
          recordCall(tracking, record);
        }),
      );
      // Relayed bytes or a stream, not an object for c.json.
      return c.body(result.body, 200, result.headers);
    } catch (err) {
      failCall(record, err);
      recordCall(tracking, record);
      throw err;
    }
  },
);

/**
 * A stream that ended badly: a vendor failure keeps its status and code (and the tokens the
 * vendor reported, which it bills); a client that went away is not an error of the call.
 */
function endedWithError(record: CallRecord, error: unknown): void {
  if (error instanceof GatewayError) {
    record.status = error.status;
    record.errorCode = error.code;
  } else {
    record.errorCode = "client_cancelled";
  }
}
