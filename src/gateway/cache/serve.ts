import { encodeOpenAIStream, type StreamOutcome } from "../../chat/to-openai";
import { convertOpenAIUsage } from "../../providers/openai/usage";
import { SSE_HEADERS } from "../../providers/sse";
import type { CallRecord } from "../call-record";
import type { CompletionResult } from "../chat-completion";
import { completionToEvents } from "./replay";
import type { CachedAnswer } from "./types";

/** A cached answer, as JSON or replayed as a stream; recorded as a hit (no vendor cost). */
export function serveFromCache(
  hit: CachedAnswer,
  record: CallRecord,
  stream: boolean,
  includeUsage: boolean,
  requestId: string,
): CompletionResult {
  const [vendor, ...model] = hit.model.split("/");
  record.cacheHit = true;
  record.vendor = vendor ?? null;
  record.upstreamModel = model.join("/") || null;
  const usage = hit.completion.usage ? convertOpenAIUsage(hit.completion.usage) : undefined;
  record.usage = usage ?? null;
  const headers = { "x-switchboard-model": hit.model, "x-cache": "HIT" };
  if (!stream) {
    return {
      body: JSON.stringify(hit.completion),
      headers: { "content-type": "application/json", ...headers },
      done: Promise.resolve({ usage }),
    };
  }
  let finish!: (o: StreamOutcome) => void;
  const done = new Promise<StreamOutcome>((resolve) => {
    finish = resolve;
  });
  const body = encodeOpenAIStream(
    completionToEvents(hit.completion),
    { id: hit.completion.id, created: hit.completion.created, model: hit.completion.model },
    { includeUsage, requestId, onEnd: finish },
  );
  return { body, headers: { ...SSE_HEADERS, ...headers }, done };
}

/** When an entry was made and when it goes stale. */
export const stamp = (ttlSeconds: number) => ({
  cachedAt: Date.now(),
  expiresAt: Date.now() + ttlSeconds * 1000,
});
