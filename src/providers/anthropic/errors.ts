import { AnthropicErrorSchema } from "./wire";

/**
 * The message of Anthropic's error body, `{"type": "error", "error": {"type", "message"}}`.
 * @see https://platform.claude.com/docs/en/api/errors#error-shapes
 */
export function anthropicErrorMessage(body: unknown): string | undefined {
  const parsed = AnthropicErrorSchema.safeParse(body);
  return parsed.success ? parsed.data.error.message : undefined;
}
