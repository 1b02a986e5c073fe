import type { Usage } from "../chat/types";
import type { Price } from "./pricing";

/** The endpoints whose calls are recorded (the usage record's `route`). */
export const CALL_ROUTES = [
  "chat.completions",
  "conversation.message",
  "embeddings",
  "images.generations",
  "messages",
  "messages.count_tokens",
  "responses",
  "responses.input_tokens",
  "responses.compact",
] as const;

/**
 * What one gateway call did, filled in by the pipelines (chat completions, conversation
 * messages, images) and handed, after the response, to usage accounting, budgets and the log
 * line. For streams it is completed when the stream ends.
 */
export interface CallRecord {
  requestId: string;
  route: (typeof CALL_ROUTES)[number];
  userId: string | null;
  apiKeyId: string | null;
  /** The vendor and model that answered (after any fallback); null when none was reached. */
  vendor: string | null;
  vendorKind: string | null;
  upstreamModel: string | null;
  /** The model-config alias the client asked for, if it asked for one. */
  alias: string | null;
  usage: Usage | null;
  price: Price | null;
  startedAt: number;
  latencyMs: number | null;
  /** Streams: time until the first byte was sent to the client. */
  ttftMs: number | null;
  status: number;
  errorCode: string | null;
  cacheHit: boolean;
  /** Attempts beyond the first, over all models tried. */
  retries: number;
  /** The model string that answered when it was not the one asked for. */
  fallbackUsed: string | null;
  /** Which of the vendor's keys answered (its id, never its value); null when none was used. */
  vendorKeyId: string | null;
  /** The client's session (`x-claude-code-session-id`, session-id.ts), for grouping usage. */
  sessionId: string | null;
  /** The calling key's metadata tags at call time (src/auth/key-scope.ts), for grouping usage. */
  keyMetadata: Record<string, string> | null;
}

export function newCallRecord(
  init: Pick<CallRecord, "requestId" | "route" | "userId" | "apiKeyId"> &
    Partial<Pick<CallRecord, "sessionId" | "keyMetadata">>,
): CallRecord {
  return {
    sessionId: null,
    keyMetadata: null,
    ...init,
    vendor: null,
    vendorKind: null,
    upstreamModel: null,
    alias: null,
    usage: null,
    price: null,
    startedAt: Date.now(),
    latencyMs: null,
    ttftMs: null,
    status: 200,
    errorCode: null,
    cacheHit: false,
    retries: 0,
    fallbackUsed: null,
    vendorKeyId: null,
  };
}
