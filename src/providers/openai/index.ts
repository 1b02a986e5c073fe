import type { VendorKind } from "../builtins";
import { postUpstream, readJson } from "../http";
import type { Provider, UpstreamContext } from "../types";
import { type EmbeddingWireFormat, openaiEmbed } from "./embeddings";
import { openaiErrorMessage } from "./errors";
import { openaiImages } from "./images";
import { type OpenAIBodyOptions, toOpenAIBody } from "./request";
import { fromOpenAICompletion } from "./response";
import { openaiResponsesWire } from "./responses";
import { openaiStreamToEvents } from "./stream";

export const authHeaders = (ctx: UpstreamContext): Record<string, string> =>
  ctx.apiKey ? { authorization: `Bearer ${ctx.apiKey}` } : {};

/**
 * OpenAI's Chat Completions API, and (through `openai-compatible`) every host that speaks it.
 * @see https://platform.openai.com/docs/api-reference/chat
 */
export function createOpenAIProvider(
  kind: VendorKind,
  opts: OpenAIBodyOptions & { requiresApiKey: boolean; embeddingFormat: EmbeddingWireFormat },
): Provider {
  const send = (body: Record<string, unknown>, ctx: UpstreamContext) =>
    postUpstream({
      url: `${ctx.vendor.baseUrl}/chat/completions`,
      headers: authHeaders(ctx),
      body: JSON.stringify(body),
      signal: ctx.signal,
      vendor: ctx.vendor.slug,
      errorMessage: openaiErrorMessage,
    });

  return {
    kind,
    requiresApiKey: opts.requiresApiKey,
    openaiWire: { send },
    async chat(req, ctx) {
      const res = await send(toOpenAIBody(req, false, { ...opts, vendor: ctx.vendor.slug }), ctx);
      return fromOpenAICompletion(
        ctx.vendor.slug,
        await readJson(ctx.vendor.slug, res, ctx.signal),
        req.model,
      );
    },
    async stream(req, ctx) {
      const res = await send(toOpenAIBody(req, true, { ...opts, vendor: ctx.vendor.slug }), ctx);
      return openaiStreamToEvents(ctx.vendor.slug, res.body as ReadableStream<Uint8Array>);
    },
    images: (req, ctx) => openaiImages(req, ctx, authHeaders(ctx)),
    embed: (req, ctx) => openaiEmbed(req, ctx, authHeaders(ctx), opts.embeddingFormat),
    embedsTokenIds: true,
  };
}

export const openaiProvider: Provider = {
  ...createOpenAIProvider("openai", {
    maxTokensField: "max_completion_tokens",
    pdfInput: true,
    reasoningEffort: true,
    replayReasoning: false,
    requiresApiKey: true,
    embeddingFormat: "base64",
  }),
  responsesWire: openaiResponsesWire(authHeaders),
};
