import type { ConversationRow, ModelConfigRow, PersonaRow } from "../db/schema";
import { invalidRequest } from "../errors/gateway-error";

/** The window assumed for a `vendor/model` string, which carries no model config to say better. */
export const DEFAULT_CONTEXT_WINDOW = 128_000;
/** Room kept for the answer when nothing sets max_tokens. */
export const DEFAULT_ANSWER_RESERVE = 4096;

/** Which model answers: the request's, else the conversation's, else its persona's. */
export function chooseModel(
  requested: string | undefined,
  conversation: Pick<ConversationRow, "model">,
  persona: Pick<PersonaRow, "model"> | null,
): string {
  const model = requested ?? conversation.model ?? persona?.model;
  if (!model) {
    throw invalidRequest(
      "model_required",
      "Name a `model`: neither this conversation nor a persona it uses sets one.",
      "model",
    );
  }
  return model;
}

export interface TurnRequest {
  stream: boolean;
  temperature?: number | undefined;
  max_tokens?: number | undefined;
}

export interface TurnSettings {
  temperature?: number;
  maxTokens?: number;
  contextWindow: number;
  /** Tokens the prompt leaves free for the answer. */
  reserveTokens: number;
  /** Whether stored images are replayed as images (else as a placeholder). */
  vision: boolean;
}

const numberOr = (v: unknown): number | undefined => (typeof v === "number" ? v : undefined);

/**
 * Sampling parameters (the request's, else the persona's, else the model config's defaults), and
 * what a model config refuses: images without vision, streams without streaming, an answer
 * longer than it writes. A `vendor/model` string has no config, so nothing is refused up front.
 */
export function turnSettings(
  req: TurnRequest,
  persona: Pick<PersonaRow, "temperature" | "maxTokens"> | null,
  config: ModelConfigRow | null,
  hasImages: boolean,
): TurnSettings {
  const defaults = config?.defaults ?? {};
  const temperature = req.temperature ?? persona?.temperature ?? numberOr(defaults.temperature);
  const maxTokens =
    req.max_tokens ??
    persona?.maxTokens ??
    numberOr(defaults.max_tokens) ??
    numberOr(defaults.max_completion_tokens);
  if (config) {
    const caps = config.capabilities;
    if (hasImages && !caps.vision) {
      throw invalidRequest(
        "unsupported_capability",
        `The model \`${config.alias}\` does not take images.`,
        "content",
      );
    }
    if (req.stream && !caps.streaming) {
      throw invalidRequest(
        "unsupported_capability",
        `The model \`${config.alias}\` does not stream.`,
        "stream",
      );
    }
    if (config.maxOutputTokens && maxTokens !== undefined && maxTokens > config.maxOutputTokens) {
      throw invalidRequest(
        "max_tokens_too_large",
        `The model \`${config.alias}\` writes at most ${config.maxOutputTokens} tokens.`,
        "max_tokens",
      );
    }
  }
  const reserveTokens =
    maxTokens ?? Math.min(DEFAULT_ANSWER_RESERVE, config?.maxOutputTokens ?? DEFAULT_ANSWER_RESERVE);
  return {
    ...(temperature !== undefined ? { temperature } : {}),
    ...(maxTokens !== undefined ? { maxTokens } : {}),
    contextWindow: config?.contextWindow ?? DEFAULT_CONTEXT_WINDOW,
    reserveTokens,
    vision: config?.capabilities.vision ?? true,
  };
}
