import { OpenAIErrorSchema } from "./wire";

/** The message of an OpenAI-style error body, if it has one. */
export function openaiErrorMessage(body: unknown): string | undefined {
  const parsed = OpenAIErrorSchema.safeParse(body);
  if (!parsed.success) return undefined;
  const e = parsed.data.error;
  return typeof e === "string" ? e : e.message;
}
