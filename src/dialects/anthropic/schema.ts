import { z } from "@hono/zod-openapi";
import { IMAGE_URL_DESCRIPTION } from "../../chat/image-url";
import { boundedJson, FORWARDED_SCHEMA_LIMITS, type JsonLimits } from "../../openapi/json";
import { openUnion } from "../../openapi/open-union";
import { MODEL_BODY_LIMIT } from "../../openapi/route-needs";
import { ModelStringSchema } from "../../openapi/strings";

/**
 * Anthropic's Messages API request, as zod (validates input and documents the routes). Every
 * object is loose: an `anthropic` vendor gets the body as the client sent it, so fields and block
 * types this gateway does not model (newer betas, server tools) must pass validation; translation
 * (to-neutral.ts) refuses by name what it cannot carry to another vendor.
 * @see https://platform.claude.com/docs/en/api/messages
 */

/** Free-form JSON objects sent on to the vendor: bounded in depth, which walkers overflow on. */
const jsonObject = (limits: JsonLimits) => z.record(z.string(), z.unknown()).superRefine(boundedJson(limits));
/** A tool call's input can be a whole file (Claude Code writes files this way): only depth is tight. */
const TOOL_INPUT_LIMITS: JsonLimits = { maxDepth: 64, maxBytes: MODEL_BODY_LIMIT };

const CacheControlSchema = z
  .looseObject({ type: z.literal("ephemeral"), ttl: z.string().optional().openapi({ example: "5m" }) })
  .nullish();

export const TextBlockSchema = z
  .looseObject({
    type: z.literal("text"),
    text: z.string().openapi({ example: "What is in this picture?" }),
    cache_control: CacheControlSchema,
    citations: z.array(z.looseObject({ type: z.string() })).nullish(),
  })
  .openapi("AnthropicTextBlock");

const ImageSourceSchema = z.discriminatedUnion("type", [
  z.looseObject({
    type: z.literal("base64"),
    media_type: z.enum(["image/jpeg", "image/png", "image/gif", "image/webp"]),
    data: z.string().min(1),
  }),
  z.looseObject({
    type: z.literal("url"),
    url: z
      .string()
      .min(1)
      .openapi({ example: "https://example.com/cat.png", description: IMAGE_URL_DESCRIPTION }),
  }),
  z.looseObject({ type: z.literal("file"), file_id: z.string().min(1) }),
]);

export const ImageBlockSchema = z
  .looseObject({ type: z.literal("image"), source: ImageSourceSchema, cache_control: CacheControlSchema })
  .openapi("AnthropicImageBlock");

/**
 * A document's source: a PDF (base64 or URL), plain text, content blocks, or a Files API id. A
 * source type it does not model passes on (to an `anthropic` vendor; translation refuses it).
 * @see https://platform.claude.com/docs/en/build-with-claude/pdf-support
 */
const KNOWN_DOCUMENT_SOURCES = z.discriminatedUnion("type", [
  z.looseObject({
    type: z.literal("base64"),
    media_type: z.literal("application/pdf"),
    data: z.string().min(1),
  }),
  z.looseObject({
    type: z.literal("url"),
    url: z.string().min(1).openapi({ example: "https://example.com/report.pdf" }),
  }),
  z.looseObject({ type: z.literal("text"), media_type: z.literal("text/plain"), data: z.string() }),
  z.looseObject({
    type: z.literal("content"),
    content: z.union([
      z.string(),
      z.array(z.discriminatedUnion("type", [TextBlockSchema, ImageBlockSchema])),
    ]),
  }),
  z.looseObject({ type: z.literal("file"), file_id: z.string().min(1) }),
]);
const KNOWN_DOCUMENT_SOURCE_TYPES = new Set<string>(
  KNOWN_DOCUMENT_SOURCES.options.map((o) => o.shape.type.value),
);

export type KnownDocumentSource = z.infer<typeof KNOWN_DOCUMENT_SOURCES>;
export const isKnownDocumentSource = (s: { type: string }): s is KnownDocumentSource =>
  KNOWN_DOCUMENT_SOURCE_TYPES.has(s.type);

const DocumentSourceSchema = openUnion(
  KNOWN_DOCUMENT_SOURCES,
  z.looseObject({ type: z.string() }),
  isKnownDocumentSource,
);

const DocumentBlockSchema = z
  .looseObject({
    type: z.literal("document"),
    source: DocumentSourceSchema,
    title: z.string().nullish().openapi({ example: "Annual report 2025" }),
    context: z.string().nullish(),
    cache_control: CacheControlSchema,
    citations: z.looseObject({ enabled: z.boolean().optional() }).nullish(),
  })
  .openapi("AnthropicDocumentBlock");

/** A block type this gateway does not model (server tool blocks, search results, newer betas). */
const OtherBlockSchema = z
  .looseObject({ type: z.string().openapi({ example: "web_search_tool_result" }) })
  .openapi("AnthropicOtherBlock");

const ToolResultContentSchema = openUnion(
  z.discriminatedUnion("type", [TextBlockSchema, ImageBlockSchema, DocumentBlockSchema]),
  OtherBlockSchema,
  (b) => ["text", "image", "document"].includes(b.type),
);

const ToolUseBlockSchema = z
  .looseObject({
    type: z.literal("tool_use"),
    id: z.string().min(1).openapi({ example: "toolu_01A09q90qw90lq917835lq9" }),
    name: z.string().min(1).openapi({ example: "get_weather" }),
    input: jsonObject(TOOL_INPUT_LIMITS).openapi({ example: { city: "Zürich" } }),
    cache_control: CacheControlSchema,
  })
  .openapi("AnthropicToolUseBlock");

const ToolResultBlockSchema = z
  .looseObject({
    type: z.literal("tool_result"),
    tool_use_id: z.string().min(1).openapi({ example: "toolu_01A09q90qw90lq917835lq9" }),
    content: z.union([z.string(), z.array(ToolResultContentSchema)]).optional(),
    is_error: z.boolean().optional(),
    cache_control: CacheControlSchema,
  })
  .openapi("AnthropicToolResultBlock");

const ThinkingBlockSchema = z
  .looseObject({ type: z.literal("thinking"), thinking: z.string(), signature: z.string() })
  .openapi("AnthropicThinkingBlock");

const RedactedThinkingBlockSchema = z
  .looseObject({ type: z.literal("redacted_thinking"), data: z.string() })
  .openapi("AnthropicRedactedThinkingBlock");

const KNOWN_BLOCKS = z.discriminatedUnion("type", [
  TextBlockSchema,
  ImageBlockSchema,
  DocumentBlockSchema,
  ToolUseBlockSchema,
  ToolResultBlockSchema,
  ThinkingBlockSchema,
  RedactedThinkingBlockSchema,
]);
const KNOWN_BLOCK_TYPES = new Set(KNOWN_BLOCKS.options.map((o) => o.shape.type.value as string));

export const ContentBlockSchema = openUnion(KNOWN_BLOCKS, OtherBlockSchema, (b) =>
  KNOWN_BLOCK_TYPES.has(b.type),
).openapi("AnthropicContentBlock");

export type KnownContentBlock = z.infer<typeof KNOWN_BLOCKS>;
export type ContentBlock = z.infer<typeof ContentBlockSchema>;
/** Narrows a block to the types this gateway models (the catch-all's `type` is any string). */
export const isKnownBlock = (b: { type: string }): b is KnownContentBlock => KNOWN_BLOCK_TYPES.has(b.type);

const MessageParamSchema = z
  .looseObject({
    // `system` turns inside `messages` are in the SDK's types beside the top-level `system`.
    role: z.enum(["user", "assistant", "system"]),
    content: z.union([z.string(), z.array(ContentBlockSchema)]),
  })
  .openapi("AnthropicMessageParam");

export type MessageParam = z.infer<typeof MessageParamSchema>;

export const CustomToolSchema = z
  .looseObject({
    type: z.literal("custom").nullish(),
    name: z.string().min(1).max(256).openapi({ example: "get_weather" }),
    description: z.string().optional().openapi({ example: "The current weather in a city." }),
    input_schema: jsonObject(FORWARDED_SCHEMA_LIMITS).openapi({
      example: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
    }),
    strict: z.boolean().optional(),
    cache_control: CacheControlSchema,
  })
  .openapi("AnthropicCustomTool");

/** Anthropic's server tools (`web_search_20250305`, `code_execution_...`): run by Anthropic itself. */
const ServerToolSchema = z
  .looseObject({
    type: z.string().nullish().openapi({ example: "web_search_20250305" }),
    name: z.string().optional().openapi({ example: "web_search" }),
  })
  .openapi("AnthropicServerTool");

export const ToolSchema = openUnion(CustomToolSchema, ServerToolSchema, (t) => isCustomTool(t));
export type CustomTool = z.infer<typeof CustomToolSchema>;
export const isCustomTool = (t: { type?: string | null | undefined }): t is CustomTool =>
  t.type == null || t.type === "custom";

const parallel = { disable_parallel_tool_use: z.boolean().optional() };
const ToolChoiceSchema = z
  .discriminatedUnion("type", [
    z.looseObject({ type: z.literal("auto"), ...parallel }),
    z.looseObject({ type: z.literal("any"), ...parallel }),
    z.looseObject({ type: z.literal("tool"), name: z.string().min(1), ...parallel }),
    z.looseObject({ type: z.literal("none") }),
  ])
  .openapi("AnthropicToolChoice");

const ThinkingConfigSchema = z
  .discriminatedUnion("type", [
    z.looseObject({ type: z.literal("enabled"), budget_tokens: z.number().int().positive() }),
    z.looseObject({ type: z.literal("disabled") }),
    z.looseObject({ type: z.literal("adaptive") }),
    z.looseObject({ type: z.literal("between_tools") }),
  ])
  .openapi("AnthropicThinkingConfig", { example: { type: "enabled", budget_tokens: 2048 } });

/** What a Messages call and a token count share: the prompt, its tools and thinking. */
const promptShape = {
  model: ModelStringSchema.openapi({ example: "openai/gpt-4o-mini" }),
  // Anthropic's own limit on messages per request.
  messages: z.array(MessageParamSchema).min(1).max(100_000),
  system: z
    .union([z.string(), z.array(TextBlockSchema)])
    .optional()
    .openapi({ example: "You are a concise assistant." }),
  tools: z.array(ToolSchema).optional(),
  tool_choice: ToolChoiceSchema.optional(),
  thinking: ThinkingConfigSchema.optional(),
};

const EXAMPLE = {
  model: "openai/gpt-4o-mini",
  max_tokens: 1024,
  messages: [{ role: "user", content: "Hello, Claude" }],
};

export const MessagesRequestSchema = z
  .looseObject({
    ...promptShape,
    max_tokens: z.number().int().positive().openapi({ example: 1024 }),
    stop_sequences: z.array(z.string()).optional(),
    stream: z.boolean().optional(),
    temperature: z.number().min(0).max(1).optional(),
    top_p: z.number().min(0).max(1).optional(),
    top_k: z.number().int().min(0).optional(),
    metadata: z.looseObject({ user_id: z.string().max(256).nullish() }).optional(),
    service_tier: z.enum(["auto", "standard_only"]).optional(),
  })
  .openapi("AnthropicMessagesRequest", { example: EXAMPLE });

export type MessagesRequest = z.infer<typeof MessagesRequestSchema>;

export const CountTokensRequestSchema = z.looseObject(promptShape).openapi("AnthropicCountTokensRequest", {
  example: { model: EXAMPLE.model, messages: EXAMPLE.messages },
});

export type CountTokensRequest = z.infer<typeof CountTokensRequestSchema>;

// Responses, for the OpenAPI document (from-neutral.ts types its output with the SDK's own).

const ResponseBlockSchema = z
  .union([
    z.looseObject({ type: z.literal("text"), text: z.string(), citations: z.array(z.unknown()).nullable() }),
    z.looseObject({
      type: z.literal("tool_use"),
      id: z.string(),
      name: z.string(),
      input: z.record(z.string(), z.unknown()),
    }),
    z.looseObject({ type: z.literal("thinking"), thinking: z.string(), signature: z.string() }),
    z.looseObject({ type: z.string() }),
  ])
  .openapi("AnthropicResponseBlock");

export const MessagesResponseSchema = z
  .looseObject({
    id: z.string().openapi({ example: "msg_0f3c8a7e2b1d4c5a9e6f7b8c9d0a1b2c" }),
    type: z.literal("message"),
    role: z.literal("assistant"),
    model: z.string().openapi({ example: "openai/gpt-4o-mini" }),
    content: z.array(ResponseBlockSchema),
    stop_reason: z
      .enum(["end_turn", "max_tokens", "stop_sequence", "tool_use", "pause_turn", "refusal"])
      .or(z.string())
      .nullable(),
    stop_sequence: z.string().nullable(),
    usage: z.looseObject({
      input_tokens: z.number().int(),
      output_tokens: z.number().int(),
      cache_creation_input_tokens: z.number().int().nullable(),
      cache_read_input_tokens: z.number().int().nullable(),
    }),
  })
  .openapi("AnthropicMessage");

export const CountTokensResponseSchema = z
  .object({ input_tokens: z.number().int().openapi({ example: 14 }) })
  .openapi("AnthropicCountTokens");

export const AnthropicErrorEnvelopeSchema = z
  .object({
    type: z.literal("error"),
    error: z.object({
      type: z
        .enum([
          "invalid_request_error",
          "authentication_error",
          "permission_error",
          "not_found_error",
          "request_too_large",
          "rate_limit_error",
          "api_error",
          "overloaded_error",
        ])
        .openapi({ example: "invalid_request_error" }),
      message: z
        .string()
        .openapi({ example: "max_tokens: Invalid input: expected number, received undefined" }),
    }),
    request_id: z.string().openapi({ example: "req_01JD7W5X7Q2N5V3K9Y8M4T6R2S" }),
  })
  .openapi("AnthropicError");

const ERROR_DESCRIPTIONS = {
  400: "Invalid request (`invalid_request_error`), or something the chosen vendor cannot be sent.",
  401: "Missing or invalid API key (`authentication_error`).",
  403: "The key may not use this model (`permission_error`).",
  404: "No such model (`not_found_error`).",
  413: "The request body is too large (`request_too_large`).",
  429: "Rate limited or over budget (`rate_limit_error`); `retry-after` says when to retry.",
  500: "Unexpected internal error (`api_error`).",
  502: "The vendor failed or sent something unreadable (`api_error`).",
  503: "A dependency of the call is briefly unavailable (`api_error`).",
  504: "The vendor did not answer in time (`api_error`).",
  529: "The vendor is overloaded (`overloaded_error`).",
} as const;

/** The error responses of a Messages-dialect route, in Anthropic's envelope. */
export function anthropicErrorResponses() {
  const content = { "application/json": { schema: AnthropicErrorEnvelopeSchema } };
  return Object.fromEntries(
    Object.entries(ERROR_DESCRIPTIONS).map(([status, description]) => [status, { description, content }]),
  ) as { [S in keyof typeof ERROR_DESCRIPTIONS]: { description: string; content: typeof content } };
}
