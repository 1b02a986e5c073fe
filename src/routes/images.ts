import { z } from "@hono/zod-openapi";
import { ImageGenerationRequestSchema, ImagesResponseSchema } from "../chat/openai-image-schema";
import { notFound } from "../errors/gateway-error";
import { IMAGE_TTL_SECONDS, loadImage } from "../gateway/image-store";
import { imageGenerationPlan } from "../gateway/pipeline/plans/image-generation";
import { runCall } from "../gateway/pipeline/run-call";
import { routes } from "../openapi/route";
import { MODEL_BODY_LIMIT } from "../openapi/route-needs";
import { createRouter } from "../openapi/router";
import { ErrorSchema, jsonBody, pathParam } from "../openapi/schemas";

const imageBytes = { schema: z.string().openapi({ format: "binary" }) };

const route = routes({ tags: ["Images"] });

export const imageRoutes = createRouter()
  .openapi(
    route({
      method: "post",
      path: "/v1/images/generations",
      summary: "OpenAI Images API: generate images, for any vendor or alias that makes them",
      description:
        DOCS &&
        "Drop-in for OpenAI's `images.generate`: point an OpenAI SDK's `baseURL` at `/v1`. `model` is `vendor/model` or an alias " +
          "whose capabilities include `image_generation`. With `response_format: url` (the default) each image is a link to " +
          "`GET /v1/images/files/{file}`, valid for one hour and readable without a key; with `b64_json` the bytes come inline. " +
          "Optional header `x-timeout-ms` bounds the wait for the vendor (default 60 s).",
      needs: { bodyLimit: MODEL_BODY_LIMIT, prefetch: "model" },
      errors: [403, 404, 502, 503, 504],
      request: { body: jsonBody(ImageGenerationRequestSchema) },
      responses: {
        200: {
          description: DOCS && "The generated images.",
          content: { "application/json": { schema: ImagesResponseSchema } },
        },
      },
    }),
    // The pipeline writes the body (an ImagesResponse, typed in the plan) rather than c.json.
    (c) => runCall(c, "images.generations", imageGenerationPlan(c.req.valid("json"))) as never,
  )
  .openapi(
    route({
      method: "get",
      path: "/v1/images/files/{file}",
      summary: "A generated image, by the link an image generation returned (no key needed)",
      description:
        DOCS &&
        "Public on purpose: the link's random 128-bit id is the credential, like OpenAI's signed image URLs, so browsers " +
          "and `<img>` tags can load it. Links expire one hour after the image was made.",
      needs: { public: true },
      request: { params: z.object({ file: pathParam("file", "9f86d081884c7d659a2feaa0c55ad015.png") }) },
      responses: {
        200: {
          description: DOCS && "The image bytes.",
          content: { "image/png": imageBytes, "image/jpeg": imageBytes, "image/webp": imageBytes },
        },
        404: {
          description: DOCS && "Unknown or expired (`image_not_found`).",
          content: { "application/json": { schema: ErrorSchema } },
        },
        500: {
          description: DOCS && "Unexpected internal error.",
          content: { "application/json": { schema: ErrorSchema } },
        },
      },
    }),
    async (c) => {
      const image = await loadImage(c.env.CACHE, c.req.valid("param").file);
      if (!image) throw notFound("image", "file");
      return c.body(image.bytes, 200, {
        "content-type": image.mediaType,
        "cache-control": `public, max-age=${IMAGE_TTL_SECONDS}, immutable`,
        // Served from the gateway's origin to anyone: never sniffed or run as a document.
        "x-content-type-options": "nosniff",
        "content-security-policy": "default-src 'none'; sandbox",
      });
    },
  );
