import { z } from "zod";

/**
 * The parts of OpenAI's Chat Completions responses this gateway reads, as zod schemas: every
 * upstream body is parsed through them, so a malformed one is a clean 502, not a crash.
 * @see https://platform.openai.com/docs/api-reference/chat/object
 */

export const OpenAIUsageSchema = z.object({
  prompt_tokens: z.number().int().nonnegative(),
  completion_tokens: z.number().int().nonnegative(),
  prompt_tokens_details: z.object({ cached_tokens: z.number().int().nonnegative().nullish() }).nullish(),
  /** The reasoning tokens inside `completion_tokens` (OpenAI's reasoning models, DeepSeek, vLLM). */
  completion_tokens_details: z
    .object({ reasoning_tokens: z.number().int().nonnegative().nullish() })
    .nullish()
    .catch(undefined),
});

/**
 * A compatible host's reasoning text: `reasoning_content` (DeepSeek, vLLM, Qwen) or `reasoning`
 * (OpenRouter, newer vLLM). Anything but a string (a host with its own shape) reads as none
 * rather than failing the answer.
 * @see https://api-docs.deepseek.com/guides/thinking_mode
 * @see https://openrouter.ai/docs/use-cases/reasoning-tokens
 */
const ReasoningTextSchema = z.string().nullish().catch(undefined);
const reasoningFields = { reasoning_content: ReasoningTextSchema, reasoning: ReasoningTextSchema };

const ToolCallSchema = z.object({
  id: z.string(),
  type: z.literal("function").optional(),
  function: z.object({ name: z.string(), arguments: z.string() }),
});

export const OpenAICompletionSchema = z.object({
  id: z.string().optional(),
  model: z.string().optional(),
  choices: z
    .array(
      z.object({
        message: z.object({
          content: z.string().nullish(),
          refusal: z.string().nullish(),
          tool_calls: z.array(ToolCallSchema).nullish(),
          ...reasoningFields,
        }),
        finish_reason: z.string().nullish(),
      }),
    )
    .min(1),
  usage: OpenAIUsageSchema.nullish(),
});

export const OpenAIChunkSchema = z.object({
  id: z.string().optional(),
  model: z.string().optional(),
  choices: z
    .array(
      z.object({
        index: z.number().int().optional(),
        delta: z
          .object({
            content: z.string().nullish(),
            refusal: z.string().nullish(),
            ...reasoningFields,
            tool_calls: z
              .array(
                z.object({
                  index: z.number().int(),
                  id: z.string().nullish(),
                  function: z
                    .object({ name: z.string().nullish(), arguments: z.string().nullish() })
                    .nullish(),
                }),
              )
              .nullish(),
          })
          .nullish(),
        finish_reason: z.string().nullish(),
      }),
    )
    // Some compatible hosts send their usage-only chunk without a `choices` key at all.
    .default([]),
  usage: OpenAIUsageSchema.nullish(),
  /** Groq puts a stream's usage here, on its last chunk, instead of a top-level `usage`. */
  x_groq: z.object({ usage: OpenAIUsageSchema.nullish() }).nullish(),
});

/** `{"error": {"message": ...}}`, OpenAI's and most compatible hosts' error body. */
export const OpenAIErrorSchema = z.object({
  error: z.object({ message: z.string().optional() }).or(z.string()),
});

export type OpenAIUsage = z.infer<typeof OpenAIUsageSchema>;
export type OpenAIChunk = z.infer<typeof OpenAIChunkSchema>;
