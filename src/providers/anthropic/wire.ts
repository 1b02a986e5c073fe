import { z } from "zod";

/**
 * The parts of Anthropic's Messages API responses this gateway reads, as zod schemas: every
 * upstream body and stream event is parsed through them, so a malformed one is a clean 502, not a
 * crash. Request bodies are typed with the official SDK's types instead (type-only imports in
 * request.ts), which keeps the SDK out of the Worker bundle.
 * @see https://platform.claude.com/docs/en/api/messages
 */

const tokens = z.number().int().nonnegative();

/**
 * `input_tokens` counts only the uncached part of the prompt; the cache fields are reported
 * beside it (and may be absent or null on older models and in `message_delta`).
 * @see https://platform.claude.com/docs/en/build-with-claude/prompt-caching#tracking-cache-performance
 */
export const AnthropicUsageSchema = z.object({
  input_tokens: tokens.nullish(),
  output_tokens: tokens.nullish(),
  cache_read_input_tokens: tokens.nullish(),
  cache_creation_input_tokens: tokens.nullish(),
  /** The cache writes split by entry lifetime (the 1-hour ones are priced higher). */
  cache_creation: z
    .object({ ephemeral_5m_input_tokens: tokens.nullish(), ephemeral_1h_input_tokens: tokens.nullish() })
    .nullish(),
  /** The thinking inside `output_tokens`, on models that count it apart. */
  output_tokens_details: z.object({ thinking_tokens: tokens.nullish() }).nullish(),
});

const TextBlockSchema = z.object({ type: z.literal("text"), text: z.string() });

const ToolUseBlockSchema = z.object({
  type: z.literal("tool_use"),
  id: z.string(),
  name: z.string(),
  input: z.unknown(),
});

/**
 * Claude's reasoning and Anthropic's seal over it, which must come back unchanged for Claude to
 * take the thinking back (`signature` is "" in a stream's `content_block_start`, then sent in a
 * `signature_delta`).
 * @see https://platform.claude.com/docs/en/build-with-claude/extended-thinking
 */
const ThinkingBlockSchema = z.object({
  type: z.literal("thinking"),
  thinking: z.string(),
  signature: z.string(),
});

const KNOWN_BLOCKS = new Set(["text", "tool_use", "thinking"]);

/** Blocks this gateway does not translate (redacted thinking, server tools' results, ...) are skipped. */
const OtherBlockSchema = z.object({ type: z.string().refine((t) => !KNOWN_BLOCKS.has(t)) });

const ContentBlockSchema = z.union([
  TextBlockSchema,
  ToolUseBlockSchema,
  ThinkingBlockSchema,
  OtherBlockSchema,
]);

export const AnthropicMessageSchema = z.object({
  id: z.string().optional(),
  type: z.literal("message").optional(),
  model: z.string().optional(),
  content: z.array(ContentBlockSchema),
  stop_reason: z.string().nullish(),
  usage: AnthropicUsageSchema.extend({ input_tokens: tokens, output_tokens: tokens }),
});

/** `{"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}`. */
export const AnthropicErrorSchema = z.object({
  type: z.literal("error").optional(),
  error: z.object({ type: z.string().optional(), message: z.string().optional() }),
});

/**
 * Streaming events, in the order the docs give: `message_start`, then per content block
 * `content_block_start`, `content_block_delta`s and `content_block_stop`, then `message_delta`
 * (stop reason, cumulative usage) and `message_stop`; `ping`s anywhere, and `error` events.
 * @see https://platform.claude.com/docs/en/build-with-claude/streaming#event-types
 */
const KNOWN_DELTAS = new Set(["text_delta", "input_json_delta", "thinking_delta", "signature_delta"]);

export const AnthropicStreamEventSchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("message_start"),
    message: z.object({
      id: z.string().optional(),
      model: z.string().optional(),
      usage: AnthropicUsageSchema.nullish(),
    }),
  }),
  z.object({
    type: z.literal("content_block_start"),
    index: z.number().int().nonnegative(),
    content_block: ContentBlockSchema,
  }),
  z.object({
    type: z.literal("content_block_delta"),
    index: z.number().int().nonnegative(),
    delta: z.union([
      z.object({ type: z.literal("text_delta"), text: z.string() }),
      z.object({ type: z.literal("input_json_delta"), partial_json: z.string() }),
      z.object({ type: z.literal("thinking_delta"), thinking: z.string() }),
      z.object({ type: z.literal("signature_delta"), signature: z.string() }),
      // citations_delta: nothing the neutral model carries.
      z.object({ type: z.string().refine((t) => !KNOWN_DELTAS.has(t)) }),
    ]),
  }),
  z.object({ type: z.literal("content_block_stop"), index: z.number().int().nonnegative() }),
  z.object({
    type: z.literal("message_delta"),
    delta: z.object({ stop_reason: z.string().nullish() }),
    usage: AnthropicUsageSchema.nullish(),
  }),
  z.object({ type: z.literal("message_stop") }),
  z.object({ type: z.literal("ping") }),
  AnthropicErrorSchema.extend({ type: z.literal("error") }),
]);

export type AnthropicUsage = z.infer<typeof AnthropicUsageSchema>;
export type AnthropicStreamEvent = z.infer<typeof AnthropicStreamEventSchema>;
