import { z } from "@hono/zod-openapi";
import { IMAGE_URL_DESCRIPTION } from "../../chat/image-url";
import { boundedJson, FORWARDED_SCHEMA_LIMITS } from "../../openapi/json";
import { openUnion } from "../../openapi/open-union";
import { identifier, ModelStringSchema } from "../../openapi/strings";

/**
 * OpenAI's Responses API request, as zod (validates input and documents the routes). Every
 * object is loose: an `openai` vendor gets the body as the client sent it, so fields, item types,
 * content parts and tools this gateway does not model (built-in tools and their call items, newer
 * parameters) must pass validation; translation (to-neutral.ts) refuses by name what it cannot
 * carry to another vendor. Optional fields take `null` as well, as the SDKs' types do.
 * @see https://platform.openai.com/docs/api-reference/responses/create
 */

/** JSON Schemas sent on to the vendor (tool parameters, text formats), walked by some adapters. */
const JsonSchemaObject = z.record(z.string(), z.unknown()).superRefine(boundedJson(FORWARDED_SCHEMA_LIMITS));
/** Ids a client echoes back from an earlier answer (`call_…`, `fc_…`, `rs_…`, `msg_…`). */
const ItemId = z.string().min(1).max(1024);
const ToolName = z.string().min(1).max(256);
const status = { status: z.string().nullish() };

// Content parts

export const InputTextPartSchema = z
  .looseObject({
    type: z.literal("input_text"),
    text: z.string().openapi({ example: "What is in this image?" }),
  })
  .openapi("ResponsesInputText");

export const InputImagePartSchema = z
  .looseObject({
    type: z.literal("input_image"),
    image_url: z
      .string()
      .max(20 * 1024 * 1024)
      .nullish()
      .openapi({
        example: "https://example.com/cat.png",
        description: IMAGE_URL_DESCRIPTION,
      }),
    file_id: z.string().max(256).nullish(),
    detail: z.enum(["low", "high", "auto", "original"]).nullish(),
  })
  .refine((p) => p.image_url != null || p.file_id != null, {
    message: "needs an `image_url` or a `file_id`",
    path: ["image_url"],
  })
  .openapi("ResponsesInputImage");

export const InputFilePartSchema = z
  .looseObject({
    type: z.literal("input_file"),
    file_data: z.string().nullish().openapi({ description: "A `data:<media type>;base64,...` URL." }),
    file_url: z.string().max(8192).nullish(),
    file_id: z.string().max(256).nullish(),
    filename: z.string().max(1024).nullish().openapi({ example: "report.pdf" }),
  })
  .openapi("ResponsesInputFile");

export const OutputTextPartSchema = z
  .looseObject({
    type: z.literal("output_text"),
    text: z.string().openapi({ example: "It is a cat." }),
    annotations: z.array(z.unknown()).nullish(),
  })
  .openapi("ResponsesOutputText");

const RefusalPartSchema = z
  .looseObject({ type: z.literal("refusal"), refusal: z.string() })
  .openapi("ResponsesRefusal");

const KNOWN_PARTS = z.discriminatedUnion("type", [
  InputTextPartSchema,
  InputImagePartSchema,
  InputFilePartSchema,
  OutputTextPartSchema,
  RefusalPartSchema,
]);
const KNOWN_PART_TYPES = new Set(["input_text", "input_image", "input_file", "output_text", "refusal"]);

/** A part type this gateway does not model (newer ones: audio, OpenAI's own). */
const OtherPartSchema = z
  .looseObject({ type: z.string().openapi({ example: "input_audio" }) })
  .openapi("ResponsesOtherPart");

export const ContentPartSchema = openUnion(KNOWN_PARTS, OtherPartSchema, (p) =>
  KNOWN_PART_TYPES.has(p.type),
).openapi("ResponsesContentPart");

export type KnownContentPart = z.infer<typeof KNOWN_PARTS>;
export type ContentPart = z.infer<typeof ContentPartSchema>;
export const isKnownPart = (p: { type: string }): p is KnownContentPart => KNOWN_PART_TYPES.has(p.type);

// Input items

/** A message, with or without `type: "message"`; an earlier answer's also has `id` and `status`. */
export const MessageItemSchema = z
  .looseObject({
    type: z.literal("message").optional(),
    role: z.enum(["user", "assistant", "system", "developer"]),
    content: z.union([z.string(), z.array(ContentPartSchema)]),
    id: ItemId.nullish(),
    ...status,
  })
  .openapi("ResponsesMessageItem", { example: { role: "user", content: "Hello!" } });

export const FunctionCallItemSchema = z
  .looseObject({
    type: z.literal("function_call"),
    call_id: ItemId.openapi({ example: "call_9f3c2a7b1d4e" }),
    name: ToolName.openapi({ example: "get_weather" }),
    arguments: z.string().openapi({ example: '{"city":"Zürich"}' }),
    id: ItemId.nullish(),
    namespace: z.string().nullish(),
    ...status,
  })
  .openapi("ResponsesFunctionCallItem");

/** `call_id` is optional in the SDK's types; translation needs it and says so. */
const toolOutput = z.union([z.string(), z.array(ContentPartSchema)]);

export const FunctionCallOutputItemSchema = z
  .looseObject({
    type: z.literal("function_call_output"),
    call_id: ItemId.nullish().openapi({ example: "call_9f3c2a7b1d4e" }),
    output: toolOutput.openapi({ example: '{"temperature_c":12}' }),
    id: ItemId.nullish(),
    ...status,
  })
  .openapi("ResponsesFunctionCallOutputItem");

/** A freeform (`custom` tool) call: raw text, no JSON. Codex's `apply_patch` comes this way. */
const CustomToolCallItemSchema = z
  .looseObject({
    type: z.literal("custom_tool_call"),
    call_id: ItemId,
    name: ToolName,
    input: z.string(),
    id: ItemId.nullish(),
    ...status,
  })
  .openapi("ResponsesCustomToolCallItem");

const CustomToolCallOutputItemSchema = z
  .looseObject({
    type: z.literal("custom_tool_call_output"),
    call_id: ItemId,
    output: toolOutput,
    id: ItemId.nullish(),
  })
  .openapi("ResponsesCustomToolCallOutputItem");

/** `id` is optional: Codex sends reasoning back without it (serde `skip_serializing`). */
const ReasoningItemSchema = z
  .looseObject({
    type: z.literal("reasoning"),
    id: ItemId.nullish(),
    summary: z.array(z.looseObject({ type: z.string(), text: z.string() })),
    content: z.array(z.looseObject({ type: z.string(), text: z.string() })).nullish(),
    encrypted_content: z.string().nullish(),
    ...status,
  })
  .openapi("ResponsesReasoningItem");

const CompactionItemSchema = z
  .looseObject({ type: z.literal("compaction"), encrypted_content: z.string(), id: ItemId.nullish() })
  .openapi("ResponsesCompactionItem");

const ItemReferenceSchema = z
  .looseObject({ type: z.literal("item_reference"), id: ItemId })
  .openapi("ResponsesItemReference");

const KNOWN_ITEMS = z.discriminatedUnion("type", [
  MessageItemSchema,
  FunctionCallItemSchema,
  FunctionCallOutputItemSchema,
  CustomToolCallItemSchema,
  CustomToolCallOutputItemSchema,
  ReasoningItemSchema,
  CompactionItemSchema,
  ItemReferenceSchema,
]);
const KNOWN_ITEM_TYPES = new Set([
  "message",
  "function_call",
  "function_call_output",
  "custom_tool_call",
  "custom_tool_call_output",
  "reasoning",
  "compaction",
  "item_reference",
]);
/** What the known union claims: its types, and a message whose `type` is left out. */
const claimsItem = (i: { type?: string | null | undefined }) =>
  i.type == null ? "role" in i : KNOWN_ITEM_TYPES.has(i.type);

/**
 * An item type this gateway does not model: built-in tool calls and their outputs
 * (`web_search_call`, `local_shell_call`, `mcp_call`, ...), or an `item_reference` without its
 * optional `type`.
 */
const OtherItemSchema = z
  .looseObject({ type: z.string().nullish().openapi({ example: "web_search_call" }) })
  .openapi("ResponsesOtherItem");

export const InputItemSchema = openUnion(KNOWN_ITEMS, OtherItemSchema, claimsItem).openapi(
  "ResponsesInputItem",
);

export type KnownInputItem = z.infer<typeof KNOWN_ITEMS>;
export type InputItem = z.infer<typeof InputItemSchema>;
export type MessageItem = z.infer<typeof MessageItemSchema>;
export const isKnownItem = (i: InputItem): i is KnownInputItem => claimsItem(i);

// Tools

export const FunctionToolSchema = z
  .looseObject({
    type: z.literal("function"),
    name: ToolName.openapi({ example: "get_weather" }),
    description: z.string().nullish().openapi({ example: "The current weather in a city." }),
    parameters: JsonSchemaObject.nullish().openapi({
      example: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
    }),
    strict: z.boolean().nullish(),
  })
  .openapi("ResponsesFunctionTool");

/** A freeform tool: the model writes raw text, optionally held to a grammar. */
export const CustomToolSchema = z
  .looseObject({
    type: z.literal("custom"),
    name: ToolName.openapi({ example: "apply_patch" }),
    description: z.string().nullish(),
    format: z
      .discriminatedUnion("type", [
        z.looseObject({ type: z.literal("text") }),
        z.looseObject({
          type: z.literal("grammar"),
          syntax: z.enum(["lark", "regex"]),
          definition: z.string(),
        }),
      ])
      .nullish(),
  })
  .openapi("ResponsesCustomTool");

/** OpenAI's built-in tools (`web_search`, `file_search`, `mcp`, `local_shell`, ...), as they are. */
const BuiltInToolSchema = z
  .looseObject({ type: z.string().openapi({ example: "web_search" }) })
  .openapi("ResponsesBuiltInTool");

const KNOWN_TOOLS = z.discriminatedUnion("type", [FunctionToolSchema, CustomToolSchema]);
export const ToolSchema = openUnion(KNOWN_TOOLS, BuiltInToolSchema, (t) =>
  ["function", "custom"].includes(t.type),
).openapi("ResponsesTool");

export type Tool = z.infer<typeof ToolSchema>;
export type KnownTool = z.infer<typeof KNOWN_TOOLS>;
export type CustomTool = z.infer<typeof CustomToolSchema>;
export const isKnownTool = (t: { type: string }): t is KnownTool =>
  t.type === "function" || t.type === "custom";

const NamedToolChoice = { name: ToolName };
const KNOWN_TOOL_CHOICES = z.discriminatedUnion("type", [
  z.looseObject({ type: z.literal("function"), ...NamedToolChoice }),
  z.looseObject({ type: z.literal("custom"), ...NamedToolChoice }),
  z.looseObject({
    type: z.literal("allowed_tools"),
    mode: z.enum(["auto", "required"]),
    tools: z.array(z.looseObject({ type: z.string(), name: z.string().nullish() })).max(512),
  }),
]);
export const isKnownToolChoice = (c: { type: string }): c is z.infer<typeof KNOWN_TOOL_CHOICES> =>
  ["function", "custom", "allowed_tools"].includes(c.type);

const ToolChoiceSchema = z
  .union([
    z.enum(["none", "auto", "required"]),
    // A built-in tool forced by type (`{"type": "web_search_preview"}`), or `mcp`.
    openUnion(KNOWN_TOOL_CHOICES, z.looseObject({ type: z.string() }), (c) => isKnownToolChoice(c)),
  ])
  .openapi("ResponsesToolChoice", { example: "auto" });

export type ToolChoice = z.infer<typeof ToolChoiceSchema>;
export type KnownToolChoice = z.infer<typeof KNOWN_TOOL_CHOICES>;

const TextConfigSchema = z
  .looseObject({
    format: z
      .discriminatedUnion("type", [
        z.looseObject({ type: z.literal("text") }),
        z.looseObject({ type: z.literal("json_object") }),
        z.looseObject({
          type: z.literal("json_schema"),
          name: z.string().min(1).max(64),
          schema: JsonSchemaObject,
          description: z.string().nullish(),
          strict: z.boolean().nullish(),
        }),
      ])
      .nullish(),
    verbosity: z.enum(["low", "medium", "high"]).nullish(),
  })
  .openapi("ResponsesTextConfig", {
    example: { format: { type: "json_schema", name: "answer", schema: { type: "object" }, strict: true } },
  });

const ReasoningConfigSchema = z
  .looseObject({
    effort: z.enum(["none", "minimal", "low", "medium", "high", "xhigh", "max"]).nullish(),
    summary: z.enum(["auto", "concise", "detailed"]).nullish(),
    generate_summary: z.enum(["auto", "concise", "detailed"]).nullish(),
  })
  .openapi("ResponsesReasoningConfig", { example: { effort: "medium", summary: "auto" } });

/** What a response and a token count share: the prompt, its tools and its output settings. */
const promptShape = {
  model: ModelStringSchema.openapi({ example: "openai/gpt-4o-mini" }),
  input: z
    .union([z.string(), z.array(InputItemSchema).max(100_000)])
    .optional()
    .openapi({ example: "Tell me a three sentence bedtime story about a unicorn." }),
  instructions: z.string().nullish().openapi({ example: "You are a concise assistant." }),
  tools: z.array(ToolSchema).max(512).nullish(),
  tool_choice: ToolChoiceSchema.nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  text: TextConfigSchema.nullish(),
  reasoning: ReasoningConfigSchema.nullish(),
  truncation: z.enum(["auto", "disabled"]).nullish(),
  previous_response_id: identifier().min(1).max(256).nullish().openapi({ example: "resp_0f3c8a7e2b1d" }),
  conversation: z.union([z.string(), z.looseObject({ id: z.string() })]).nullish(),
};

const EXAMPLE = {
  model: "openai/gpt-4o-mini",
  input: "Tell me a three sentence bedtime story about a unicorn.",
};

/** OpenAI's own limits: 16 pairs, keys up to 64 characters, values up to 512. */
const MetadataSchema = z
  .record(z.string().max(64), z.string().max(512))
  .refine((m) => Object.keys(m).length <= 16, "must have at most 16 keys");

export const ResponsesRequestSchema = z
  .looseObject({
    ...promptShape,
    max_output_tokens: z.number().int().positive().nullish(),
    temperature: z.number().min(0).max(2).nullish(),
    top_p: z.number().min(0).max(1).nullish(),
    top_logprobs: z.number().int().min(0).max(20).nullish(),
    stream: z.boolean().nullish(),
    stream_options: z.looseObject({ include_obfuscation: z.boolean().nullish() }).nullish(),
    store: z.boolean().nullish().openapi({ description: "Defaults to true." }),
    background: z.boolean().nullish(),
    include: z.array(z.string().max(128)).max(32).nullish(),
    metadata: MetadataSchema.nullish(),
    user: z.string().max(256).nullish(),
    safety_identifier: z.string().max(256).nullish(),
    prompt_cache_key: z.string().max(1024).nullish(),
    prompt_cache_retention: z.string().max(32).nullish(),
    service_tier: z.string().max(32).nullish(),
    max_tool_calls: z.number().int().positive().nullish(),
    prompt: z.looseObject({ id: z.string() }).nullish(),
  })
  .openapi("ResponsesRequest", { example: EXAMPLE });

export type ResponsesRequest = z.infer<typeof ResponsesRequestSchema>;

/** POST /v1/responses/input_tokens: the prompt without generation parameters. */
export const InputTokensRequestSchema = z
  .looseObject(promptShape)
  .openapi("ResponsesInputTokensRequest", { example: EXAMPLE });

export type InputTokensRequest = z.infer<typeof InputTokensRequestSchema>;

/** @see https://platform.openai.com/docs/api-reference/responses/input-tokens */
export const InputTokensResponseSchema = z
  .object({
    object: z.literal("response.input_tokens"),
    input_tokens: z.number().int().openapi({ example: 14 }),
  })
  .openapi("ResponsesInputTokens");
