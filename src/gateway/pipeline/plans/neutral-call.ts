import type { ChatRequest, ChatResponse, StreamEvent } from "../../../chat/types";
import { networkError } from "../../../providers/http";
import type { Provider, UpstreamContext } from "../../../providers/types";
import { inlineImages } from "../../inline-images";

/** A vendor's answer through the neutral model: whole, or as a stream of events. */
export type NeutralAnswer =
  | { kind: "answer"; answer: ChatResponse }
  | { kind: "events"; events: ReadableStream<StreamEvent> };

/**
 * One attempt through the neutral model. `settle` ends the attempt's timeout once the vendor
 * answered; for a stream that is once it started: the timeout bounds the wait for the stream, not
 * its length, and nothing is retried after it. For a vendor that takes no image URLs, the
 * request's URL images are fetched first (kept a while in `imageCache`, the CACHE binding), under
 * the attempt's signal; a refusal is the 400 of the client's dialect.
 */
export async function callNeutral(
  provider: Provider,
  neutral: ChatRequest,
  stream: boolean,
  attempt: { ctx: UpstreamContext; settle(): void },
  imageCache: KVNamespace,
): Promise<NeutralAnswer> {
  const request = provider.needsInlineImages
    ? await inlineImages(neutral, { kv: imageCache, signal: attempt.ctx.signal })
    : neutral;
  if (stream) {
    const events = await provider.stream(request, attempt.ctx);
    attempt.settle();
    return { kind: "events", events };
  }
  try {
    return { kind: "answer", answer: await provider.chat(request, attempt.ctx) };
  } finally {
    attempt.settle();
  }
}

/**
 * Each candidate's translation, made once (its refusals are a 400 naming the field); per vendor
 * and model, as thinking in the history is kept only for the vendor and model that produced it.
 */
export function translations(
  translate: (vendor: string, upstreamModel: string) => ChatRequest,
): (vendor: string, upstreamModel: string) => ChatRequest {
  const made = new Map<string, ChatRequest>();
  return (vendor, upstreamModel) => {
    const key = `${vendor}/${upstreamModel}`;
    let req = made.get(key);
    if (!req) {
      req = translate(vendor, upstreamModel);
      made.set(key, req);
    }
    return req;
  };
}

/** A whole answer's body; the attempt's timeout ends once it is read (or failed to be). */
export async function upstreamText(res: Response, ctx: UpstreamContext, settle: () => void): Promise<string> {
  try {
    return await res.text();
  } catch (err) {
    throw networkError(ctx.vendor.slug, ctx.signal, err);
  } finally {
    settle();
  }
}
