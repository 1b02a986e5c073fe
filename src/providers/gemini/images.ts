import type { GeneratedImage, ImageRequest, ImageResponse, Usage } from "../../chat/types";
import { GatewayError, invalidRequest } from "../../errors/gateway-error";
import { malformed, readJson } from "../http";
import type { UpstreamContext } from "../types";
import { mapGeminiFinishReason } from "./finish-reason";
import { convertGeminiUsage } from "./usage";
import { GeminiResponseSchema } from "./wire";

export type GeminiSend = (
  model: string,
  method: "generateContent",
  body: Record<string, unknown>,
  ctx: UpstreamContext,
) => Promise<Response>;

/**
 * Aspect ratios Gemini's image models draw; an OpenAI `size` picks the nearest one.
 * @see https://ai.google.dev/gemini-api/docs/image-generation#aspect_ratios
 */
const ASPECT_RATIOS = ["1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9"];

export function aspectRatioFor(size: string | undefined): string | undefined {
  const m = /^(\d+)x(\d+)$/.exec(size ?? "");
  if (!m) return undefined; // "auto", or nothing asked
  const want = Math.log(Number(m[1]) / Number(m[2]));
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const ratio of ASPECT_RATIOS) {
    const [w, h] = ratio.split(":").map(Number) as [number, number];
    const distance = Math.abs(Math.log(w / h) - want);
    if (distance < bestDistance) {
      best = ratio;
      bestDistance = distance;
    }
  }
  return best;
}

const noImage = (vendor: string, reason: string | null | undefined) => {
  const filtered = mapGeminiFinishReason(reason, false) === "content_filter";
  return new GatewayError(
    502,
    "upstream_error",
    "upstream_no_image",
    `The vendor \`${vendor}\` answered without an image${reason ? ` (finish reason ${reason})` : ""}.`,
    // A safety refusal stays a refusal; an answer that was merely text may draw next time.
    { retryable: !filtered },
  );
};

async function oneImage(
  req: ImageRequest,
  ctx: UpstreamContext,
  send: GeminiSend,
): Promise<{ image: GeneratedImage; usage: Usage }> {
  const aspectRatio = aspectRatioFor(req.size);
  const res = await send(
    req.model,
    "generateContent",
    {
      contents: [{ role: "user", parts: [{ text: req.prompt }] }],
      generationConfig: {
        responseModalities: ["IMAGE"],
        ...(aspectRatio ? { imageConfig: { aspectRatio } } : {}),
      },
    },
    ctx,
  );
  const parsed = GeminiResponseSchema.safeParse(await readJson(ctx.vendor.slug, res, ctx.signal));
  if (!parsed.success) throw malformed(ctx.vendor.slug);
  const candidate = parsed.data.candidates?.[0];
  const part = candidate?.content?.parts?.find((p) => p.inlineData?.mimeType.startsWith("image/"));
  if (!part?.inlineData) {
    throw noImage(ctx.vendor.slug, candidate?.finishReason ?? parsed.data.promptFeedback?.blockReason);
  }
  return {
    image: { b64: part.inlineData.data, mediaType: part.inlineData.mimeType },
    usage: convertGeminiUsage(parsed.data.usageMetadata),
  };
}

/**
 * Image generation with Gemini's native image models (`gemini-2.5-flash-image`, ...): a
 * generateContent call that asks for the IMAGE modality; the image comes back as an `inlineData`
 * part. One call draws one image, so `n` images are `n` calls in parallel.
 * @see https://ai.google.dev/gemini-api/docs/image-generation
 */
export async function geminiImages(
  req: ImageRequest,
  ctx: UpstreamContext,
  send: GeminiSend,
): Promise<ImageResponse> {
  // Imagen models have another endpoint (`:predict`) and body; they are not served here.
  if (req.model.startsWith("imagen-")) {
    throw invalidRequest(
      "unsupported_model",
      "Imagen models are not supported; use a Gemini image model such as `gemini-2.5-flash-image`.",
      "model",
    );
  }
  const results = await Promise.all(Array.from({ length: req.n }, () => oneImage(req, ctx, send)));
  const usage = results.reduce<Usage>(
    (sum, r) => ({
      inputTokens: sum.inputTokens + r.usage.inputTokens,
      outputTokens: sum.outputTokens + r.usage.outputTokens,
    }),
    { inputTokens: 0, outputTokens: 0 },
  );
  return { model: req.model, images: results.map((r) => r.image), usage };
}
