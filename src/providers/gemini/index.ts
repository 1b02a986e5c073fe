import { postUpstream, readJson } from "../http";
import type { Provider, UpstreamContext } from "../types";
import { geminiEmbed } from "./embeddings";
import { geminiErrorMessage, geminiErrorStatus } from "./errors";
import { geminiImages } from "./images";
import { toGeminiBody } from "./request";
import { fromGeminiResponse } from "./response";
import { geminiStreamToEvents } from "./stream";

/** `gemini-2.5-flash`, also written `models/gemini-2.5-flash` in Google's docs. */
const modelPath = (model: string) => encodeURIComponent(model.replace(/^models\//, ""));

/**
 * The key goes in the `x-goog-api-key` header, never in the `?key=` query Google also accepts:
 * URLs end up in logs.
 * @see https://ai.google.dev/gemini-api/docs/api-key#provide-api-key-explicitly
 */
function send(
  model: string,
  method: "generateContent" | "streamGenerateContent" | "batchEmbedContents",
  body: Record<string, unknown>,
  ctx: UpstreamContext,
): Promise<Response> {
  // Without `alt=sse` the stream is one JSON array sent piece by piece; with it, SSE events.
  const query = method === "streamGenerateContent" ? "?alt=sse" : "";
  return postUpstream({
    url: `${ctx.vendor.baseUrl}/v1beta/models/${modelPath(model)}:${method}${query}`,
    headers: ctx.apiKey ? { "x-goog-api-key": ctx.apiKey } : {},
    body: JSON.stringify(body),
    signal: ctx.signal,
    vendor: ctx.vendor.slug,
    errorMessage: geminiErrorMessage,
    errorStatus: geminiErrorStatus,
  });
}

/**
 * Google's Gemini API (generateContent, batchEmbedContents), translated to and from the neutral model.
 * @see https://ai.google.dev/api/generate-content
 */
export const geminiProvider: Provider = {
  kind: "gemini",
  requiresApiKey: true,
  // Gemini reads no image URLs (its fileData takes only its own Files API's URIs).
  // @see https://ai.google.dev/gemini-api/docs/image-understanding
  needsInlineImages: true,
  async chat(req, ctx) {
    const res = await send(req.model, "generateContent", toGeminiBody(req), ctx);
    return fromGeminiResponse(ctx.vendor.slug, await readJson(ctx.vendor.slug, res, ctx.signal), req.model);
  },
  async stream(req, ctx) {
    const res = await send(req.model, "streamGenerateContent", toGeminiBody(req), ctx);
    return geminiStreamToEvents(ctx.vendor.slug, res.body as ReadableStream<Uint8Array>, req.model);
  },
  images: (req, ctx) => geminiImages(req, ctx, send),
  embed: (req, ctx) => geminiEmbed(req, ctx, send),
};
