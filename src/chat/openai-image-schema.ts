import { z } from "@hono/zod-openapi";
import { identifier } from "../openapi/strings";

/**
 * OpenAI Images API (`images.generate`): request and response, as zod. The request is loose like
 * the chat one: parameters the neutral ImageRequest does not carry (moderation,
 * output_compression, ...) are accepted and not sent on. Vendor-specific values (sizes,
 * qualities, styles) are plain strings, since the vendors' lists keep growing and they refuse what
 * they do not know with a 400 of their own.
 * @see https://platform.openai.com/docs/api-reference/images/create
 */

const vendorValue = (example: string, description: string) =>
  z.string().min(1).max(64).nullish().openapi({ example, description });

export const ImageGenerationRequestSchema = z
  .looseObject({
    model: identifier()
      .min(1)
      .max(256)
      .openapi({ example: "openai/gpt-image-1", description: "`vendor/model` or a model-config alias." }),
    prompt: z.string().min(1).max(32_000).openapi({ example: "A lighthouse at dusk, watercolour" }),
    n: z
      .number()
      .int()
      .min(1)
      .max(10)
      .nullish()
      .openapi({ default: 1, description: "How many images, 1 to 10." }),
    size: vendorValue("1024x1024", "As the vendor names it: `1024x1024`, `auto`, ..."),
    quality: vendorValue("high", "`low`, `medium`, `high`, `auto` (GPT image), `standard`, `hd` (dall-e)."),
    style: vendorValue("vivid", "`vivid` or `natural` (dall-e-3)."),
    background: vendorValue("transparent", "`transparent`, `opaque` or `auto`."),
    output_format: z.enum(["png", "jpeg", "webp"]).nullish(),
    response_format: z.enum(["b64_json", "url"]).nullish().openapi({
      default: "url",
      description:
        "`url` (default, as with OpenAI): a link served by this gateway for one hour (no key needed), or the vendor's own link. `b64_json`: the bytes inline.",
    }),
    stream: z
      .boolean()
      .nullish()
      .openapi({ description: "Partial-image streaming is not supported; only `false` is accepted." }),
    user: z.string().max(256).nullish(),
  })
  .openapi("ImageGenerationRequest");

export type ImageGenerationRequest = z.infer<typeof ImageGenerationRequestSchema>;

export const ImagesResponseSchema = z
  .object({
    created: z.number().int().openapi({ example: 1732612345 }),
    data: z.array(
      z.object({
        b64_json: z.string().optional().openapi({ description: "With `response_format: b64_json`." }),
        url: z
          .string()
          .optional()
          .openapi({ example: "https://gateway.example/v1/images/files/0f3c9a….png" }),
        revised_prompt: z.string().optional(),
      }),
    ),
    usage: z
      .object({
        input_tokens: z.number().int(),
        output_tokens: z.number().int(),
        total_tokens: z.number().int(),
      })
      .optional(),
  })
  .openapi("ImagesResponse");

export type ImagesResponse = z.infer<typeof ImagesResponseSchema>;
