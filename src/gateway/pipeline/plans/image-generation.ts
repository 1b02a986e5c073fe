import type { ImageGenerationRequest, ImagesResponse } from "../../../chat/openai-image-schema";
import { estimateTextTokens } from "../../../chat/tokens";
import type { GeneratedImage, ImageRequest, ImageResponse } from "../../../chat/types";
import { invalidRequest } from "../../../errors/gateway-error";
import { malformed } from "../../../providers/http";
import { providerFor } from "../../../providers/registry";
import type { Provider } from "../../../providers/types";
import { fromBase64 } from "../../../util/encoding";
import type { Amount } from "../../budget-window";
import { storeImage } from "../../image-store";
import { costOf, type Price } from "../../pricing";
import type { ResolvedModel } from "../../resolve-model";
import type { CallContext } from "../run-call";
import type { CallPlan } from "../types";

type ImageData = ImagesResponse["data"][number];

/**
 * POST /v1/images/generations: the vendor's images in OpenAI's Images API shape, as bytes
 * (`b64_json`) or as links (`url`, the default as with OpenAI) to images kept in KV for an hour.
 * @see https://platform.openai.com/docs/api-reference/images/create
 */
export const imageGenerationPlan =
  (input: ImageGenerationRequest) =>
  async (cx: CallContext): Promise<CallPlan<ImageResponse>> => {
    if (input.stream) {
      throw invalidRequest(
        "unsupported_parameter",
        "Image streaming (partial images) is not supported.",
        "stream",
      );
    }
    const requested = await cx.requestedModel(input.model);
    const admit = (resolved: ResolvedModel) => assertMakesImages(resolved, providerFor(resolved.vendor.kind));
    admit(requested);
    return {
      requested: { ...requested, model: input.model },
      admit,
      estimate: (price) => estimateImages(input.prompt, input.n ?? 1, price),
      // Charged once the vendor answered, whatever happens to the images after.
      chargeEstimateWithoutUsage: true,
      async attempt({ provider, resolved }, { ctx, settle }) {
        try {
          return await (provider.images as NonNullable<typeof provider.images>)(
            toImageRequest(input, resolved.upstreamModel),
            ctx,
          );
        } finally {
          settle();
        }
      },
      usageOf: (answer) => answer.usage,
      async respond(answer, answered) {
        const vendor = answered.resolved.vendor.slug;
        const asUrl = (input.response_format ?? "url") === "url";
        // In parallel, and awaited: the client may fetch a URL the moment it has the answer.
        const data = await Promise.all(
          answer.images.map((image) => (asUrl ? toUrl(image, cx, vendor) : toB64(image, vendor))),
        );
        const usage = answer.usage;
        const body: ImagesResponse = {
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
        return {
          status: 200,
          body: JSON.stringify(body),
          headers: { "content-type": "application/json" },
          done: Promise.resolve(usage ? { usage } : {}),
        };
      },
    };
  };

/**
 * Output tokens assumed per image: gpt-image-1's count for a high-quality 1024×1024 image. Used
 * only for the USD estimate of a model with a known token price; the budget then counts the
 * usage the vendor reports.
 * @see https://platform.openai.com/docs/guides/image-generation#cost-and-latency
 */
const IMAGE_OUTPUT_TOKENS = 4160;

/** The budget estimate of an image call: no tokens, and a USD estimate when a price is known. */
export function estimateImages(prompt: string, n: number, price: Price | null): Amount {
  if (!price) return { tokens: 0, usd: 0 };
  return {
    tokens: 0,
    usd: costOf({ inputTokens: estimateTextTokens(prompt), outputTokens: n * IMAGE_OUTPUT_TOKENS }, price),
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

async function toUrl(image: GeneratedImage, cx: CallContext, vendor: string): Promise<ImageData> {
  if (image.url && !image.b64) return { url: image.url, ...revised(image) };
  if (!image.b64) throw malformed(vendor, "an image without data");
  let bytes: Uint8Array;
  try {
    bytes = fromBase64(image.b64);
  } catch {
    throw malformed(vendor, "an image that is not valid base64");
  }
  const file = await storeImage(cx.env.CACHE, bytes, image.mediaType);
  return { url: `${cx.origin}/v1/images/files/${file}`, ...revised(image) };
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

/** The model must be able to make images: an adapter with `images`, and the config's capability. */
function assertMakesImages(resolved: ResolvedModel, provider: Provider): void {
  const shown = resolved.config ? resolved.config.alias : `${resolved.vendor.slug}/${resolved.upstreamModel}`;
  if (!provider.images || (resolved.config && !resolved.config.capabilities.image_generation)) {
    throw invalidRequest("unsupported_capability", `The model \`${shown}\` does not make images.`, "model");
  }
}
