import type { ImageGenerationRequest, ImagesResponse } from "../chat/openai-image-schema";
import type { GeneratedImage, ImageRequest, ImageResponse } from "../chat/types";
import { invalidRequest } from "../errors/gateway-error";
import { malformed } from "../providers/http";
import { fromBase64 } from "../util/encoding";
import { storeImage } from "./image-store";
import type { PreparedCall } from "./upstream-call";

type ImageData = ImagesResponse["data"][number];

/**
 * POST /v1/images/generations once the model is resolved: the vendor's images in OpenAI's
 * Images API shape, as bytes (`b64_json`) or as links (`url`, the default as with OpenAI).
 * @see https://platform.openai.com/docs/api-reference/images/create
 */
export async function runImageGeneration(
  call: PreparedCall,
  input: ImageGenerationRequest,
  opts: { origin: string; kv: KVNamespace },
): Promise<ImagesResponse> {
  const { provider, ctx, resolved } = call;
  let answer: ImageResponse;
  try {
    if (input.stream) {
      throw invalidRequest(
        "unsupported_parameter",
        "Image streaming (partial images) is not supported.",
        "stream",
      );
    }
    const shown = resolved.config ? resolved.config.alias : `${ctx.vendor.slug}/${resolved.upstreamModel}`;
    if (!provider.images || (resolved.config && !resolved.config.capabilities.image_generation)) {
      throw invalidRequest("unsupported_capability", `The model \`${shown}\` does not make images.`, "model");
    }
    answer = await provider.images(toImageRequest(input, resolved.upstreamModel), ctx);
  } finally {
    call.settle();
  }

  const asUrl = (input.response_format ?? "url") === "url";
  // In parallel, and awaited: the client may fetch a URL the moment it has the answer.
  const data = await Promise.all(
    answer.images.map((image) =>
      asUrl ? toUrl(image, opts, ctx.vendor.slug) : toB64(image, ctx.vendor.slug),
    ),
  );
  const usage = answer.usage;
  return {
    created: Math.floor(Date.now() / 1000),
    data,
    ...(usage
      ? {
          usage: {
            input_tokens: usage.inputTokens,
            output_tokens: usage.outputTokens,
            total_tokens: usage.inputTokens + usage.outputTokens,
          },
        }
      : {}),
  };
}

function toImageRequest(input: ImageGenerationRequest, model: string): ImageRequest {
  return {
    model,
    prompt: input.prompt,
    n: input.n ?? 1,
    size: input.size ?? undefined,
    quality: input.quality ?? undefined,
    style: input.style ?? undefined,
    background: input.background ?? undefined,
    outputFormat: input.output_format ?? undefined,
    user: input.user ?? undefined,
  };
}

const revised = (image: GeneratedImage) =>
  image.revisedPrompt ? { revised_prompt: image.revisedPrompt } : {};

async function toUrl(
  image: GeneratedImage,
  opts: { origin: string; kv: KVNamespace },
  vendor: string,
): Promise<ImageData> {
  if (image.url && !image.b64) return { url: image.url, ...revised(image) };
  if (!image.b64) throw malformed(vendor, "an image without data");
  let bytes: Uint8Array;
  try {
    bytes = fromBase64(image.b64);
  } catch {
    throw malformed(vendor, "an image that is not valid base64");
  }
  const file = await storeImage(opts.kv, bytes, image.mediaType);
  return { url: `${opts.origin}/v1/images/files/${file}`, ...revised(image) };
}

/**
 * Bytes as the vendor sent them. A vendor that answered with a link only (none of ours does:
 * the OpenAI adapter asks dall-e for bytes) has its link passed on rather than fetched here.
 */
async function toB64(image: GeneratedImage, vendor: string): Promise<ImageData> {
  if (image.b64) return { b64_json: image.b64, ...revised(image) };
  if (!image.url) throw malformed(vendor, "an image without data");
  return { url: image.url, ...revised(image) };
}
