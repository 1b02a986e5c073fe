import { z } from "zod";
import type { ImageRequest, ImageResponse } from "../../chat/types";
import { malformed, postUpstream, readJson } from "../http";
import type { UpstreamContext } from "../types";
import { openaiErrorMessage } from "./errors";
import { convertOpenAIUsage } from "./usage";

/** @see https://platform.openai.com/docs/api-reference/images/create */
const ImagesResponseSchema = z.object({
  data: z.array(
    z.object({
      b64_json: z.string().nullish(),
      url: z.string().nullish(),
      revised_prompt: z.string().nullish(),
    }),
  ),
  output_format: z.string().nullish(),
  usage: z.object({ input_tokens: z.number().int(), output_tokens: z.number().int() }).nullish(),
});

export async function openaiImages(
  req: ImageRequest,
  ctx: UpstreamContext,
  authHeaders: Record<string, string>,
): Promise<ImageResponse> {
  const body: Record<string, unknown> = { model: req.model, prompt: req.prompt, n: req.n };
  if (req.size) body.size = req.size;
  if (req.quality) body.quality = req.quality;
  if (req.style) body.style = req.style;
  if (req.background) body.background = req.background;
  if (req.outputFormat) body.output_format = req.outputFormat;
  if (req.user) body.user = req.user;
  // dall-e models default to hosted URLs; ask for bytes so every model answers alike.
  if (req.model.startsWith("dall-e")) body.response_format = "b64_json";
  const res = await postUpstream({
    url: `${ctx.vendor.baseUrl}/images/generations`,
    headers: authHeaders,
    body: JSON.stringify(body),
    signal: ctx.signal,
    vendor: ctx.vendor.slug,
    errorMessage: openaiErrorMessage,
  });
  const parsed = ImagesResponseSchema.safeParse(await readJson(ctx.vendor.slug, res, ctx.signal));
  if (!parsed.success || parsed.data.data.length === 0) throw malformed(ctx.vendor.slug);
  const mediaType = `image/${parsed.data.output_format ?? "png"}`;
  const usage = parsed.data.usage;
  return {
    model: req.model,
    images: parsed.data.data.map((d) => ({
      ...(d.b64_json ? { b64: d.b64_json } : {}),
      ...(d.url ? { url: d.url } : {}),
      mediaType,
      ...(d.revised_prompt ? { revisedPrompt: d.revised_prompt } : {}),
    })),
    ...(usage
      ? {
          usage: convertOpenAIUsage({
            prompt_tokens: usage.input_tokens,
            completion_tokens: usage.output_tokens,
          }),
        }
      : {}),
  };
}
