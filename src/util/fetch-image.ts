import { sniffImageType } from "../chat/image-type";
import { GatewayError, invalidRequest } from "../errors/gateway-error";
import { networkError } from "../providers/http";
import { concatBytes } from "./encoding";

/**
 * Fetches an image a client linked, for vendors that take only inline bytes (Gemini). The URL is
 * the client's, so it is treated as hostile: https only (redirects too, at most MAX_REDIRECTS,
 * followed here rather than by fetch so each hop is checked), no credentials or client headers
 * sent, the call's signal (its timeout), at most MAX_IMAGE_BYTES counted as the body arrives
 * (a `content-length` may lie or be absent), and the type read from the bytes, never the
 * `content-type`. Every refusal is a 400 naming the part (`param`), with its own code.
 */

/** Gemini's own bound on a request with inline data. @see https://ai.google.dev/gemini-api/docs/image-understanding */
export const MAX_IMAGE_BYTES = 20 * 1024 * 1024;
export const MAX_REDIRECTS = 3;

export type FetchFn = (url: string, init: RequestInit) => Promise<Response>;

export interface FetchedImage {
  bytes: Uint8Array;
  mediaType: string;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export async function fetchImage(
  url: string,
  param: string,
  opts: { signal: AbortSignal; fetch?: FetchFn },
): Promise<FetchedImage> {
  // Looked up at call time, not captured at load, so the runtime's fetch is the one used.
  const send: FetchFn = opts.fetch ?? ((u, init) => fetch(u, init));
  let at = httpsUrl(url, param);
  for (let hops = 0; ; hops++) {
    let res: Response;
    try {
      res = await send(at.href, {
        method: "GET",
        redirect: "manual",
        headers: { accept: "image/*" },
        signal: opts.signal,
      });
    } catch (err) {
      throw fetchFailed(err, opts.signal, param);
    }
    if (REDIRECTS.has(res.status) && res.headers.has("location")) {
      await res.body?.cancel();
      if (hops === MAX_REDIRECTS) {
        throw invalidRequest(
          "image_url_too_many_redirects",
          `The image URL redirected more than ${MAX_REDIRECTS} times.`,
          param,
        );
      }
      at = redirectTarget(res.headers.get("location") as string, at, param);
      continue;
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw invalidRequest("image_url_http_error", `The image URL answered HTTP ${res.status}.`, param);
    }
    const bytes = await readCapped(res, param, opts.signal);
    const mediaType = sniffImageType(bytes);
    if (!mediaType) {
      throw invalidRequest(
        "image_url_not_an_image",
        "The image URL did not serve a PNG, JPEG, GIF, WebP, HEIC or HEIF image.",
        param,
      );
    }
    return { bytes, mediaType };
  }
}

function httpsUrl(url: string, param: string): URL {
  let parsed: URL | null;
  try {
    parsed = new URL(url);
  } catch {
    parsed = null;
  }
  if (parsed?.protocol !== "https:") {
    throw invalidRequest(
      "image_url_not_https",
      "Image URLs the gateway fetches must be https:// URLs.",
      param,
    );
  }
  return parsed;
}

function redirectTarget(location: string, from: URL, param: string): URL {
  let next: URL | null;
  try {
    next = new URL(location, from);
  } catch {
    next = null;
  }
  if (next?.protocol !== "https:") {
    throw invalidRequest(
      "image_url_redirect_not_https",
      "The image URL redirected to a URL that is not https://.",
      param,
    );
  }
  return next;
}

/** The body, refused as soon as it passes the cap (the declared length is checked first, too). */
async function readCapped(res: Response, param: string, signal: AbortSignal): Promise<Uint8Array> {
  const tooLarge = () =>
    invalidRequest(
      "image_url_too_large",
      `The image at the URL is larger than ${MAX_IMAGE_BYTES / (1024 * 1024)} MB.`,
      param,
    );
  if (Number(res.headers.get("content-length")) > MAX_IMAGE_BYTES) {
    await res.body?.cancel();
    throw tooLarge();
  }
  if (!res.body) return new Uint8Array();
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > MAX_IMAGE_BYTES) {
        await reader.cancel();
        throw tooLarge();
      }
      chunks.push(value);
    }
  } catch (err) {
    throw fetchFailed(err, signal, param);
  }
  return concatBytes(...chunks);
}

/**
 * A fetch that threw: the call's timeout, the client leaving (not the client's mistake, and
 * nobody reads the answer), or a host that could not be reached.
 */
function fetchFailed(err: unknown, signal: AbortSignal, param: string): GatewayError {
  if (err instanceof GatewayError) return err;
  if (signal.aborted) {
    const reason: unknown = signal.reason;
    if (reason instanceof GatewayError && reason.type === "timeout_error") {
      return invalidRequest(
        "image_url_timeout",
        "The image URL was not fetched within the request's timeout.",
        param,
      );
    }
    return networkError("image host", signal, err);
  }
  return invalidRequest(
    "image_url_fetch_failed",
    "The image URL could not be fetched: its host could not be reached.",
    param,
  );
}
