import { postUpstream, readJson } from "../http";
import type { AnthropicClientHeaders, Provider, UpstreamContext } from "../types";
import { anthropicErrorMessage } from "./errors";
import { type AnthropicRequestBody, toAnthropicBody } from "./request";
import { fromAnthropicMessage } from "./response";
import { anthropicStreamToEvents } from "./stream";

/**
 * The API version this adapter's wire format follows; Anthropic requires it on every request.
 * @see https://platform.claude.com/docs/en/api/versioning
 */
const ANTHROPIC_VERSION = "2023-06-01";

const send = (body: AnthropicRequestBody, ctx: UpstreamContext) => post("/v1/messages", body, ctx, {}, false);

function post(
  path: string,
  body: object,
  ctx: UpstreamContext,
  client: AnthropicClientHeaders,
  keepErrorBody: boolean,
): Promise<Response> {
  return postUpstream({
    url: `${ctx.vendor.baseUrl}${path}`,
    headers: {
      ...(ctx.apiKey ? { "x-api-key": ctx.apiKey } : {}),
      "anthropic-version": client.version ?? ANTHROPIC_VERSION,
      ...(client.beta ? { "anthropic-beta": client.beta } : {}),
    },
    body: JSON.stringify(body),
    signal: ctx.signal,
    vendor: ctx.vendor.slug,
    errorMessage: anthropicErrorMessage,
    keepErrorBody,
  });
}

/**
 * Anthropic's Messages API. Its 529 `overloaded_error` is an ordinary 5xx to postUpstream: a
 * retryable 502.
 * @see https://platform.claude.com/docs/en/api/messages
 * @see https://platform.claude.com/docs/en/api/errors#http-errors
 */
export const anthropicProvider: Provider = {
  kind: "anthropic",
  requiresApiKey: true,
  anthropicWire: { send: (path, body, ctx, headers) => post(path, body, ctx, headers, true) },
  async chat(req, ctx) {
    const res = await send(toAnthropicBody(req, false), ctx);
    return fromAnthropicMessage(ctx.vendor.slug, await readJson(ctx.vendor.slug, res, ctx.signal), req.model);
  },
  async stream(req, ctx) {
    const res = await send(toAnthropicBody(req, true), ctx);
    return anthropicStreamToEvents(ctx.vendor.slug, res.body as ReadableStream<Uint8Array>);
  },
};
