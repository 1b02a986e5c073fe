import type { ChatMessage, ChatRequest, ContentPart, ImageSource } from "../chat/types";
import { base64, toHex } from "../util/encoding";
import { type FetchedImage, fetchImage } from "../util/fetch-image";

/**
 * A request's URL images as inline bytes, for vendors that take no URLs (Provider.needsInlineImages).
 * Fetched images are kept in KV for IMAGE_CACHE_SECONDS under a hash of the URL, so a retry, a
 * fallback or the next turn of a conversation does not fetch them again. The entry is keyed by
 * URL alone, not by tenant: the fetch carries nothing of the caller, so any caller sending the
 * same URL would have been served the same bytes.
 */
export const IMAGE_CACHE_SECONDS = 300;

type UrlImage = Extract<ContentPart, { type: "image" }> & { source: { kind: "url" } };

const isUrlImage = (p: ContentPart): p is UrlImage => p.type === "image" && p.source.kind === "url";

interface CachedMeta {
  mediaType: string;
}

export interface InlineDeps {
  kv: KVNamespace;
  /** The call's signal: its timeout bounds the fetches too. */
  signal: AbortSignal;
}

/** The request with every URL image part replaced by its bytes; unchanged when it has none. */
export async function inlineImages(req: ChatRequest, deps: InlineDeps): Promise<ChatRequest> {
  // Each URL once (a refusal names its first part), in the order the client gave them.
  const params = new Map<string, string>();
  req.messages.forEach((m, i) => {
    if (m.role !== "user") return;
    m.content.forEach((p, j) => {
      if (isUrlImage(p) && !params.has(p.source.url)) {
        params.set(p.source.url, p.source.param ?? `messages.${i}.content.${j}.image_url.url`);
      }
    });
  });
  if (params.size === 0) return req;
  const urls = [...params.keys()];
  // Every fetch is let finish, so the refusal reported is the first failing part's, in order,
  // and none is left running once the attempt is over (its signal no longer ends them).
  const settled = await Promise.allSettled(
    urls.map((url) => cachedImage(url, params.get(url) as string, deps)),
  );
  const inline = new Map<string, ImageSource>();
  for (const [k, s] of settled.entries()) {
    if (s.status === "rejected") throw s.reason;
    inline.set(urls[k] as string, {
      kind: "base64",
      mediaType: s.value.mediaType,
      data: base64(s.value.bytes),
    });
  }
  const messages = req.messages.map(
    (m): ChatMessage =>
      m.role === "user"
        ? {
            ...m,
            content: m.content.map((p) =>
              isUrlImage(p) ? { ...p, source: inline.get(p.source.url) as ImageSource } : p,
            ),
          }
        : m,
  );
  return { ...req, messages };
}

async function cachedImage(url: string, param: string, deps: InlineDeps): Promise<FetchedImage> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(url));
  const key = `imgurl:${toHex(new Uint8Array(digest))}`;
  try {
    const hit = await deps.kv.getWithMetadata<CachedMeta>(key, "arrayBuffer");
    if (hit.value && hit.metadata?.mediaType) {
      return { bytes: new Uint8Array(hit.value), mediaType: hit.metadata.mediaType };
    }
  } catch (err) {
    log("image cache read failed; fetching", err);
  }
  const image = await fetchImage(url, param, { signal: deps.signal });
  // Awaited, not left to waitUntil: the fetch of up to 20 MB dwarfs the write, and the next call
  // for the same URL (a retry right after) then finds it.
  try {
    const meta: CachedMeta = { mediaType: image.mediaType };
    await deps.kv.put(key, image.bytes, { expirationTtl: IMAGE_CACHE_SECONDS, metadata: meta });
  } catch (err) {
    log("image cache write failed", err);
  }
  return image;
}

const log = (msg: string, err: unknown) =>
  console.error(
    JSON.stringify({ level: "warn", msg, error: err instanceof Error ? err.message : String(err) }),
  );
