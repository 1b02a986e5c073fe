import { z } from "@hono/zod-openapi";
import { boundedJson, FORWARDED_SCHEMA_LIMITS } from "../openapi/json";
import { identifier } from "../openapi/strings";
import { IMAGE_URL_DESCRIPTION } from "./image-url";

/**
 * OpenAI Chat Completions request, as zod (validates input and documents the route).
 * The top level is loose: parameters this gateway does not model (logprobs, n, ...) are forwarded
 * untouched to OpenAI-wire vendors and ignored by translated ones.
 * @see https://platform.openai.com/docs/api-reference/chat/create
 */

/** OpenAI's content parts (PRODUCT.md `ContentPart`): requests use them, stored messages keep them. */
export const TextPartSchema = z
  .object({
    type: z.literal("text"),
    text: z.string().openapi({ example: "What is in this picture?" }),
  })
  .openapi("TextContentPart");

export const ImagePartSchema = z
  .object({
    type: z.literal("image_url"),
    image_url: z.object({
      url: z
        .string()
        .max(20 * 1024 * 1024)
        .openapi({
          example: "https://example.com/cat.png",
          description: IMAGE_URL_DESCRIPTION,
        }),
      detail: z.enum(["auto", "low", "high"]).optional(),
    }),
  })
  .openapi("ImageContentPart");

export const ContentPartSchema = z
  .discriminatedUnion("type", [TextPartSchema, ImagePartSchema])
  .openapi("ContentPart");

const textContent = z.union([z.string(), z.array(TextPartSchema)]);

const ToolCallSchema = z.object({
  id: z.string().min(1),
  type: z.literal("function"),
  function: z.object({ name: z.string().min(1), arguments: z.string() }),
});

const MessageSchema = z.discriminatedUnion("role", [
  z.object({ role: z.literal("system"), content: textContent, name: z.string().optional() }),
  z.object({ role: z.literal("developer"), content: textContent, name: z.string().optional() }),
  z.object({
    role: z.literal("user"),
    content: z.union([z.string(), z.array(ContentPartSchema).min(1)]),
    name: z.string().optional(),
  }),
  z.object({
    role: z.literal("assistant"),
    content: textContent.nullish(),
    tool_calls: z.array(ToolCallSchema).optional(),
    refusal: z.string().nullish(),
    name: z.string().optional(),
  }),
  z.object({ role: z.literal("tool"), content: textContent, tool_call_id: z.string().min(1) }),
]);

/** A JSON Schema passed on to the vendor, walked by some adapters: bounded like stored JSON, looser. */
const JsonSchemaObject = z.record(z.string(), z.unknown()).superRefine(boundedJson(FORWARDED_SCHEMA_LIMITS));

const ToolSchema = z.object({
  type: z.literal("function"),
  function: z.object({
    name: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
    description: z.string().optional(),
    parameters: JsonSchemaObject.optional(),
    strict: z.boolean().nullish(),
  }),
});

const ToolChoiceSchema = z.union([
  z.enum(["none", "auto", "required"]),
  z.object({ type: z.literal("function"), function: z.object({ name: z.string() }) }),
]);

const ResponseFormatSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("text") }),
  z.object({ type: z.literal("json_object") }),
  z.object({
    type: z.literal("json_schema"),
    json_schema: z.object({
      name: z.string().min(1).max(64),
      description: z.string().optional(),
      schema: JsonSchemaObject.optional(),
      strict: z.boolean().nullish(),
    }),
  }),
]);

export const ChatCompletionRequestSchema = z
  .looseObject({
    model: identifier().min(1).max(256).openapi({ example: "mock/echo" }),
    messages: z.array(MessageSchema).min(1).max(10_000),
    stream: z.boolean().optional(),
    stream_options: z.object({ include_usage: z.boolean().optional() }).nullish(),
    temperature: z.number().min(0).max(2).nullish(),
    top_p: z.number().min(0).max(1).nullish(),
    max_tokens: z.number().int().positive().nullish(),
    max_completion_tokens: z.number().int().positive().nullish(),
    stop: z.union([z.string(), z.array(z.string()).max(4)]).nullish(),
    tools: z.array(ToolSchema).max(128).optional(),
    tool_choice: ToolChoiceSchema.optional(),
    parallel_tool_calls: z.boolean().optional(),
    response_format: ResponseFormatSchema.optional(),
    user: z.string().max(256).optional(),
    seed: z.number().int().nullish(),
    presence_penalty: z.number().min(-2).max(2).nullish(),
    frequency_penalty: z.number().min(-2).max(2).nullish(),
    n: z.number().int().min(1).max(16).nullish(),
    // A string, not OpenAI's enum: OpenAI-wire vendors get it as sent (a level added after this
    // gateway was built, a host's own such as Groq's `default`, still reaches them); translated
    // vendors take the levels they know (from-openai.ts).
    reasoning_effort: z
      .string()
      .max(32)
      .nullish()
      .openapi({ example: "low", description: "none, minimal, low, medium, high, xhigh or max." }),
  })
  .openapi("ChatCompletionRequest");

export type ChatCompletionRequest = z.infer<typeof ChatCompletionRequestSchema>;
export type OpenAIMessage = z.infer<typeof MessageSchema>;
