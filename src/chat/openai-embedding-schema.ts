import { z } from "@hono/zod-openapi";
import { identifier } from "../openapi/strings";
import { EMBEDDING_INPUT_TYPES } from "./types";

/**
 * OpenAI's embeddings API (`embeddings.create`): request and response, as zod. The request is loose
 * like the chat one: fields the gateway does not know reach OpenAI-wire vendors as they are.
 * `input`'s bounds (not empty, no empty text, at most MAX_EMBEDDING_INPUTS items) are checked by
 * the plan, which names the offending item.
 * @see https://platform.openai.com/docs/api-reference/embeddings/create
 */

/** OpenAI's limit on the items of one request. */
export const MAX_EMBEDDING_INPUTS = 2048;

const tokenIds = z.array(z.int().min(0));

export const EmbeddingRequestSchema = z
  .looseObject({
    model: identifier().min(1).max(256).openapi({
      example: "openai/text-embedding-3-small",
      description: "`vendor/model` or a model-config alias whose capabilities include `embeddings`.",
    }),
    input: z.union([z.string(), z.array(z.string()), tokenIds, z.array(tokenIds)]).openapi({
      example: ["The food was delicious.", "The waiter was friendly."],
      description:
        `A text, an array of texts, or token ids (one array, or an array of arrays): 1 to ${MAX_EMBEDDING_INPUTS} ` +
        "items, none empty. Token ids reach `openai` and `openai-compatible` vendors only; others answer 400.",
    }),
    dimensions: z.int().min(1).max(65_536).nullish().openapi({
      example: 256,
      description:
        "Length of each vector, where the model can shorten them (Gemini's `outputDimensionality`).",
    }),
    encoding_format: z
      .enum(["float", "base64"])
      .nullish()
      .openapi({
        default: "float",
        description:
          "`float`: arrays of numbers. `base64`: each vector's little-endian float32 bytes, base64-encoded " +
          "(what the official SDKs ask for and decode when the caller sets nothing). Both for every vendor.",
      }),
    input_type: z
      .enum(EMBEDDING_INPUT_TYPES)
      .nullish()
      .openapi({
        example: "query",
        description:
          "What the vectors are for. Gemini tunes them to it (`taskType`: `query` is RETRIEVAL_QUERY, " +
          "`document` RETRIEVAL_DOCUMENT, the others their upper-case names); vendors without the notion ignore it.",
      }),
    user: z.string().max(256).nullish(),
  })
  .openapi("EmbeddingRequest");

export type EmbeddingRequestBody = z.infer<typeof EmbeddingRequestSchema>;

export const EmbeddingsResponseSchema = z
  .object({
    object: z.literal("list"),
    data: z.array(
      z.object({
        object: z.literal("embedding"),
        index: z.int().openapi({ description: "The item's position in `input`." }),
        embedding: z.union([z.array(z.number()), z.string()]).openapi({
          description: "Numbers, or base64 little-endian float32 bytes with `encoding_format: base64`.",
        }),
      }),
    ),
    model: z.string().openapi({ example: "text-embedding-3-small" }),
    usage: z.object({
      prompt_tokens: z.int().openapi({ description: "Every item's tokens, cached ones included." }),
      total_tokens: z.int(),
    }),
  })
  .openapi("EmbeddingsResponse");

export type EmbeddingsResponse = z.infer<typeof EmbeddingsResponseSchema>;
