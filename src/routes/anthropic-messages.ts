import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { anthropicErrorResponse } from "../dialects/anthropic/errors";
import {
  anthropicErrorResponses,
  CountTokensRequestSchema,
  CountTokensResponseSchema,
  MessagesRequestSchema,
  MessagesResponseSchema,
} from "../dialects/anthropic/schema";
import type { AppEnv } from "../env";
import {
  anthropicCountTokensPlan,
  anthropicMessagesPlan,
} from "../gateway/pipeline/plans/anthropic-messages";
import { runCall } from "../gateway/pipeline/run-call";
import { MODEL_BODY_LIMIT, needs } from "../openapi/route-needs";
import { createRouter } from "../openapi/router";
import { jsonBody } from "../openapi/schemas";
import type { AnthropicClientHeaders } from "../providers/types";

/** Claude Code calls `/v1/messages?beta=true`; the flag changes nothing here. */
const BetaQuery = z.object({
  beta: z
    .string()
    .max(16)
    .optional()
    .openapi({ param: { name: "beta", in: "query" }, example: "true" }),
});

const anthropicErrors = anthropicErrorResponses();

const dialect = needs({
  bodyLimit: MODEL_BODY_LIMIT,
  prefetch: "model",
  errorEnvelope: anthropicErrorResponse,
});

/** The headers an Anthropic client sends that go on verbatim to an Anthropic vendor. */
const clientHeaders = (c: Context<AppEnv>): AnthropicClientHeaders => ({
  version: c.req.header("anthropic-version"),
  beta: c.req.header("anthropic-beta"),
});

/** The body as the client sent it (auth's prefetch parsed it once), for a byte-faithful passthrough. */
const rawBody = async (c: Context<AppEnv>) => (await c.req.json()) as Record<string, unknown>;

export const anthropicMessageRoutes = createRouter()
  .openapi(
    createRoute({
      method: "post",
      path: "/v1/messages",
      tags: ["Messages"],
      summary: "Anthropic's Messages API, for any vendor or alias",
      description:
        DOCS &&
        "Drop-in for Anthropic's endpoint: point an Anthropic SDK's `baseURL` (or Claude Code's `ANTHROPIC_BASE_URL`) at the " +
          "gateway. `model` is `vendor/model` or an alias. A vendor of kind `anthropic` gets the body as sent (model swapped in; " +
          "`anthropic-version` and `anthropic-beta` forwarded verbatim) and its answer and stream come back as its own bytes; any " +
          "other vendor is translated, streams with Anthropic's full event lifecycle. Errors are in Anthropic's envelope " +
          '`{"type": "error", "error": {"type", "message"}, "request_id"}`. Auth by `x-api-key` or `Authorization: Bearer`. ' +
          "Caching as for chat completions (`x-cache-ttl`, `Cache-Control`, `x-cache: HIT|MISS|BYPASS`), per user and apart from " +
          "chat completions' entries; `anthropic-version` and `anthropic-beta` are part of the key, and a stored answer is replayed " +
          "as a stream when one is asked for.",
      middleware: [dialect],
      request: { query: BetaQuery, body: jsonBody(MessagesRequestSchema) },
      responses: {
        200: {
          description: DOCS && "The message, or (stream) its events.",
          content: {
            "application/json": { schema: MessagesResponseSchema },
            "text/event-stream": {
              schema: z.string().openapi({
                description:
                  DOCS &&
                  "`message_start`, per content block `content_block_start`, `content_block_delta`s and `content_block_stop`, " +
                    "`message_delta`, `message_stop`; `ping` now and then; `error` in place of the rest on a failure.",
              }),
            },
          },
        },
        ...anthropicErrors,
      },
    }),
    async (c) =>
      runCall(c, "messages", anthropicMessagesPlan(c.req.valid("json"), await rawBody(c), clientHeaders(c))),
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/v1/messages/count_tokens",
      tags: ["Messages"],
      summary: "Count a Messages request's input tokens",
      description:
        DOCS &&
        "An `anthropic` vendor counts them itself; for any other vendor the gateway estimates from the translated prompt.",
      middleware: [dialect],
      request: { query: BetaQuery, body: jsonBody(CountTokensRequestSchema) },
      responses: {
        200: {
          description: DOCS && "The count.",
          content: { "application/json": { schema: CountTokensResponseSchema } },
        },
        ...anthropicErrors,
      },
    }),
    async (c) =>
      runCall(
        c,
        "messages.count_tokens",
        anthropicCountTokensPlan(c.req.valid("json"), await rawBody(c), clientHeaders(c)),
      ) as never,
  );
