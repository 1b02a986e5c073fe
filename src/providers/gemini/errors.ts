import { type GeminiError, GeminiErrorSchema } from "./wire";

function errorOf(body: unknown): GeminiError | undefined {
  const parsed = GeminiErrorSchema.safeParse(body);
  if (!parsed.success) return undefined;
  return Array.isArray(parsed.data) ? parsed.data[0].error : parsed.data.error;
}

/** The message of a Google error body, if it has one. */
export function geminiErrorMessage(body: unknown): string | undefined {
  return errorOf(body)?.message ?? undefined;
}

/**
 * Google answers a wrong API key with 400 INVALID_ARGUMENT (reason API_KEY_INVALID), not 401: it
 * is the gateway's credentials that failed, not the client's request, so it is treated as a 401.
 * @see https://ai.google.dev/gemini-api/docs/troubleshooting#error-codes
 */
export function geminiErrorStatus(status: number, body: unknown): number {
  const e = errorOf(body);
  if (status === 400 && e?.details?.some((d) => d.reason === "API_KEY_INVALID")) return 401;
  return status;
}
