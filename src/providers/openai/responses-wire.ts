import { z } from "zod";

/**
 * The parts of OpenAI's Responses API stream events this gateway reads when it relays them (the
 * rest goes on untouched, so these schemas stay loose): usage, how the response ended, who it is,
 * and a failure's code.
 * @see https://platform.openai.com/docs/api-reference/responses-streaming
 * @see https://platform.openai.com/docs/api-reference/responses/object
 */

const count = z.number().int().nonnegative();

export const ResponsesUsageSchema = z.object({
  /** All prompt tokens, the cached ones included. */
  input_tokens: count,
  input_tokens_details: z.object({ cached_tokens: count.nullish() }).nullish(),
  /** All generated tokens, the reasoning ones included. */
  output_tokens: count,
  output_tokens_details: z.object({ reasoning_tokens: count.nullish() }).nullish(),
});

/** A failed response's `error`, and the `error` event's (nested, as the API sends it, or flat). */
export const ResponsesErrorSchema = z.object({
  code: z.string().nullish(),
  message: z.string().nullish(),
});

export const ResponsesResponseSchema = z.object({
  id: z.string().optional(),
  status: z.string().nullish(),
  output: z.array(z.object({ type: z.string() })).nullish(),
  // A usage or reason this gateway cannot read counts as none, rather than failing the stream.
  usage: ResponsesUsageSchema.nullish().catch(undefined),
  incomplete_details: z.object({ reason: z.string().nullish() }).nullish().catch(undefined),
  error: ResponsesErrorSchema.nullish().catch(undefined),
});

export const ResponsesEventSchema = z.object({
  type: z.string(),
  sequence_number: z.number().int().optional().catch(undefined),
  /** The lifecycle events' response (`response.created`, `.in_progress`, `.completed`, ...). */
  response: ResponsesResponseSchema.optional().catch(undefined),
  /** `response.output_item.added` and `.done`. */
  item: z.object({ type: z.string() }).optional().catch(undefined),
  output_index: z.number().int().optional().catch(undefined),
  /** The `error` event's details, nested (OpenAI) ... */
  error: ResponsesErrorSchema.nullish().catch(undefined),
  /** ... or at the top level (the published schema). */
  code: z.string().nullish().catch(undefined),
  message: z.string().nullish().catch(undefined),
});

export type ResponsesUsage = z.infer<typeof ResponsesUsageSchema>;
export type ResponsesEvent = z.infer<typeof ResponsesEventSchema>;
export type ResponsesResponse = z.infer<typeof ResponsesResponseSchema>;
