import type { ChatCompletionRequest } from "../chat/openai-schema";
import type { ModelConfigRow } from "../db/schema";
import { invalidRequest } from "../errors/gateway-error";

/**
 * What a model config imposes on a request: its defaults fill what the client left unset, and
 * its capabilities and output limit refuse what the model cannot do with a clear 400 (rather
 * than a vendor error, or silent loss of an image or a tool).
 */
export function applyModelConfig(
  body: ChatCompletionRequest,
  config: ModelConfigRow | null,
): ChatCompletionRequest {
  if (!config) return body;
  const caps = config.capabilities;
  if (body.stream && !caps.streaming) {
    throw invalidRequest(
      "unsupported_capability",
      `The model \`${config.alias}\` does not stream.`,
      "stream",
    );
  }
  if (body.tools?.length && !caps.tools) {
    throw invalidRequest(
      "unsupported_capability",
      `The model \`${config.alias}\` does not take tools.`,
      "tools",
    );
  }
  if (!caps.vision) {
    body.messages.forEach((m, i) => {
      if (m.role === "user" && Array.isArray(m.content) && m.content.some((p) => p.type === "image_url")) {
        throw invalidRequest(
          "unsupported_capability",
          `The model \`${config.alias}\` does not take images.`,
          `messages.${i}.content`,
        );
      }
    });
  }
  const out: ChatCompletionRequest = { ...body };
  for (const [key, value] of Object.entries(config.defaults)) {
    if (out[key] !== undefined && out[key] !== null) continue;
    if (key === "max_tokens" && out.max_completion_tokens != null) continue;
    if (key === "max_completion_tokens" && out.max_tokens != null) continue;
    out[key] = value;
  }
  const max = out.max_completion_tokens ?? out.max_tokens;
  if (config.maxOutputTokens && typeof max === "number" && max > config.maxOutputTokens) {
    throw invalidRequest(
      "max_tokens_too_large",
      `The model \`${config.alias}\` writes at most ${config.maxOutputTokens} tokens.`,
      out.max_completion_tokens != null ? "max_completion_tokens" : "max_tokens",
    );
  }
  return out;
}

/** Whether any user message carries an image part. */
export const hasImages = (body: ChatCompletionRequest): boolean =>
  body.messages.some(
    (m) => m.role === "user" && Array.isArray(m.content) && m.content.some((p) => p.type === "image_url"),
  );
