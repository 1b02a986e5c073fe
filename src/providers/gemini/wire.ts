import { z } from "zod";

/**
 * The parts of Gemini's GenerateContentResponse this gateway reads, as zod schemas: every upstream
 * body (and every streamed event, which is a whole GenerateContentResponse too) is parsed through
 * them, so a malformed one is a clean 502, not a crash. Gemini omits empty fields rather than
 * sending null; `nullish` takes both.
 * @see https://ai.google.dev/api/generate-content#generatecontentresponse
 */

const count = z.number().int().nonnegative().nullish();

export const GeminiUsageSchema = z.object({
  promptTokenCount: count,
  candidatesTokenCount: count,
  /** Tokens the model spent thinking; billed as output, but not part of the candidates' count. */
  thoughtsTokenCount: count,
  cachedContentTokenCount: count,
  totalTokenCount: count,
});

/** @see https://ai.google.dev/api/caching#Part */
export const GeminiPartSchema = z.object({
  text: z.string().nullish(),
  /** A thought summary (thinking models with includeThoughts): reasoning, not part of the answer. */
  thought: z.boolean().nullish(),
  inlineData: z.object({ mimeType: z.string(), data: z.string() }).nullish(),
  functionCall: z
    .object({
      id: z.string().nullish(),
      name: z.string().min(1),
      args: z.record(z.string(), z.unknown()).nullish(),
    })
    .nullish(),
});

const CandidateSchema = z.object({
  // A candidate stopped for safety, or one whose whole budget went on thinking, has no parts.
  content: z.object({ role: z.string().nullish(), parts: z.array(GeminiPartSchema).nullish() }).nullish(),
  finishReason: z.string().nullish(),
  index: z.number().int().nullish(),
});

export const GeminiResponseSchema = z.object({
  candidates: z.array(CandidateSchema).nullish(),
  /** Set when the prompt itself was blocked; there are no candidates then. */
  promptFeedback: z.object({ blockReason: z.string().nullish() }).nullish(),
  usageMetadata: GeminiUsageSchema.nullish(),
  modelVersion: z.string().nullish(),
  responseId: z.string().nullish(),
});

/**
 * Google's error body, `{"error": {code, message, status, details}}`. Some endpoints wrap it in a
 * one-element array (the non-SSE streaming form answers JSON arrays).
 * @see https://ai.google.dev/gemini-api/docs/troubleshooting#error-codes
 */
const ErrorObjectSchema = z.object({
  error: z.object({
    code: z.number().int().nullish(),
    message: z.string().nullish(),
    status: z.string().nullish(),
    details: z.array(z.object({ reason: z.string().nullish() }).loose()).nullish(),
  }),
});
export const GeminiErrorSchema = z.union([ErrorObjectSchema, z.tuple([ErrorObjectSchema])]);

export type GeminiUsage = z.infer<typeof GeminiUsageSchema>;
export type GeminiPart = z.infer<typeof GeminiPartSchema>;
export type GeminiResponse = z.infer<typeof GeminiResponseSchema>;
export type GeminiError = z.infer<typeof ErrorObjectSchema>["error"];
