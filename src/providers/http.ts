import { GatewayError } from "../errors/gateway-error";

/**
 * The one place upstream HTTP happens: network failures, timeouts and error statuses become
 * GatewayErrors here, so no adapter ever hands a vendor's body or key to the client.
 */

export interface UpstreamRequest {
  /** POST unless said: the Responses API reads and deletes stored responses with GET and DELETE. */
  method?: "POST" | "GET" | "DELETE";
  url: string;
  headers: Record<string, string>;
  /** JSON text; absent for a request without a body (a GET, a DELETE). */
  body?: string;
  signal: AbortSignal;
  vendor: string;
  /** Pulls a human message out of the vendor's error body (each vendor has its own shape). */
  errorMessage: (body: unknown) => string | undefined;
  /**
   * Corrects the status a vendor chose, from its error body (Gemini answers a wrong API key with
   * 400, which must read as the auth failure it is, not as the client's mistake).
   */
  errorStatus?: (status: number, body: unknown) => number;
  /** Keep the vendor's error body (scrubbed) on the error, for clients of its wire format. */
  keepErrorBody?: boolean;
}

export async function postUpstream(req: UpstreamRequest): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(req.url, {
      method: req.method ?? "POST",
      headers: req.body === undefined ? req.headers : { "content-type": "application/json", ...req.headers },
      body: req.body,
      signal: req.signal,
    });
  } catch (err) {
    throw networkError(req.vendor, req.signal, err);
  }
  if (!res.ok) {
    throw await upstreamStatusError(req.vendor, res, req.errorMessage, req.errorStatus, req.keepErrorBody);
  }
  return res;
}

/** Reads a JSON body, turning a non-JSON or cut-off body into a 502. */
export async function readJson(vendor: string, res: Response, signal: AbortSignal): Promise<unknown> {
  let text: string;
  try {
    text = await res.text();
  } catch (err) {
    throw networkError(vendor, signal, err);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw malformed(vendor);
  }
}

export const malformed = (vendor: string, what = "a response it could not read") =>
  new GatewayError(
    502,
    "upstream_error",
    "upstream_malformed_response",
    `The vendor \`${vendor}\` sent ${what}.`,
    {
      retryable: true,
    },
  );

export function networkError(vendor: string, signal: AbortSignal, cause: unknown): GatewayError {
  if (cause instanceof GatewayError) return cause;
  if (signal.aborted) {
    const reason: unknown = signal.reason;
    if (reason instanceof GatewayError) return reason;
    // Nobody reads this answer; it only ends the work (and its log line says why).
    return new GatewayError(400, "invalid_request_error", "client_closed_request", "The client went away.", {
      cause,
    });
  }
  return new GatewayError(
    502,
    "upstream_error",
    "upstream_unreachable",
    `The vendor \`${vendor}\` could not be reached.`,
    {
      cause,
      retryable: true,
    },
  );
}

export const timeoutError = (ms: number) =>
  new GatewayError(504, "timeout_error", "upstream_timeout", `The vendor did not answer within ${ms} ms.`, {
    retryable: true,
  });

/** Key-like tokens a vendor may echo back in an error message ("Incorrect API key provided: sk-..."). */
const SECRETISH = /\b(sk-[A-Za-z0-9_*-]{4,}|AIza[0-9A-Za-z_-]{10,}|[A-Za-z0-9_-]{32,})\b/g;

export function scrubVendorMessage(message: string | undefined): string | undefined {
  if (!message) return undefined;
  return scrubSecrets(message).slice(0, 500);
}

/** Key-like tokens of a vendor's text replaced, wherever they stand. */
export const scrubSecrets = (text: string): string => text.replace(SECRETISH, "[redacted]");

/**
 * Maps a vendor's error status to ours. The vendor's message is kept (scrubbed of key-like
 * strings) where it tells the client what to fix (400/404/422); for auth and server failures
 * it would only describe the gateway's own setup, so a fixed message is used.
 */
export async function upstreamStatusError(
  vendor: string,
  res: Response,
  errorMessage: (body: unknown) => string | undefined,
  errorStatus?: (status: number, body: unknown) => number,
  keepBody = false,
): Promise<GatewayError> {
  let detail: string | undefined;
  let status = res.status;
  let vendorBody: string | undefined;
  try {
    const text = await res.text();
    if (keepBody && text.length <= 64 * 1024) vendorBody = scrubSecrets(text);
    try {
      const body: unknown = JSON.parse(text);
      detail = scrubVendorMessage(errorMessage(body));
      status = errorStatus?.(status, body) ?? status;
    } catch {
      detail = undefined;
    }
  } catch {
    detail = undefined;
  }
  const error = statusError(vendor, status, detail, res.headers);
  if (vendorBody !== undefined) error.vendorBody = vendorBody;
  error.upstreamStatus = status;
  return error;
}

/** Our error for a vendor's error status (see upstreamStatusError). */
function statusError(
  vendor: string,
  status: number,
  detail: string | undefined,
  headers: Headers,
): GatewayError {
  const suffix = detail ? `: ${detail}` : ".";
  if (status === 400 || status === 422) {
    return new GatewayError(
      400,
      "invalid_request_error",
      "upstream_invalid_request",
      `The vendor \`${vendor}\` refused the request${suffix}`,
    );
  }
  if (status === 404) {
    return new GatewayError(
      404,
      "not_found_error",
      "upstream_not_found",
      `The vendor \`${vendor}\` does not know this model or route${suffix}`,
    );
  }
  if (status === 413) {
    return new GatewayError(
      413,
      "invalid_request_error",
      "upstream_request_too_large",
      `The vendor \`${vendor}\` says the request is too large.`,
    );
  }
  if (status === 401 || status === 403) {
    return new GatewayError(
      502,
      "upstream_error",
      "upstream_auth_failed",
      `The vendor \`${vendor}\` refused the gateway's credentials; an admin should check its API key.`,
    );
  }
  // A vendor's Retry-After (seconds) travels with 429 and 503 answers: the retry policy honours
  // it, and the client sees it when we give up.
  const retryAfter = headers.get("retry-after")?.trim();
  const retryHeaders = retryAfter && /^\d+$/.test(retryAfter) ? { "retry-after": retryAfter } : undefined;
  if (status === 429) {
    return new GatewayError(
      429,
      "rate_limit_error",
      "upstream_rate_limited",
      `The vendor \`${vendor}\` is rate limiting requests; retry later.`,
      {
        retryable: true,
        headers: retryHeaders,
      },
    );
  }
  if (status === 408 || status === 504) {
    return new GatewayError(504, "timeout_error", "upstream_timeout", `The vendor \`${vendor}\` timed out.`, {
      retryable: true,
    });
  }
  return new GatewayError(
    502,
    "upstream_error",
    "upstream_unavailable",
    `The vendor \`${vendor}\` failed (HTTP ${status}).`,
    { retryable: status >= 500 || status === 409, headers: status === 503 ? retryHeaders : undefined },
  );
}

/** What a broken stream read becomes: our errors stay, anything else (a reset, a parser error) is a cut-off. */
export function asStreamError(err: unknown): GatewayError {
  if (err instanceof GatewayError) return err;
  return new GatewayError(
    502,
    "upstream_error",
    "upstream_stream_interrupted",
    "The upstream stream broke off before it finished.",
    {
      cause: err,
    },
  );
}

export const streamCutOff = (vendor: string) =>
  new GatewayError(
    502,
    "upstream_error",
    "upstream_stream_interrupted",
    `The vendor \`${vendor}\` stopped the stream before it finished.`,
  );

/** A vendor's own mid-stream error event; its message is scrubbed like any vendor message. */
export function streamErrorEvent(vendor: string, message: string | undefined): GatewayError {
  const detail = scrubVendorMessage(message)?.slice(0, 300);
  return new GatewayError(
    502,
    "upstream_error",
    "upstream_stream_error",
    `The vendor \`${vendor}\` reported an error mid-stream${detail ? `: ${detail}` : "."}`,
  );
}

/** One SSE event's data as JSON, or the stream's error: vendors only ever send JSON events. */
export function eventJson(vendor: string, data: string): unknown {
  try {
    return JSON.parse(data);
  } catch {
    throw streamErrorEvent(vendor, "an unreadable event");
  }
}

/**
 * An OpenAI- or Gemini-style event: a top-level `error` object is the vendor's mid-stream error
 * (after a 200), anything else must match the vendor's chunk schema.
 */
export function parseStreamChunk<T>(
  vendor: string,
  data: string,
  schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } },
  errorMessage: (body: unknown) => string | undefined,
): T {
  const json = eventJson(vendor, data);
  if (json && typeof json === "object" && "error" in json) throw streamErrorEvent(vendor, errorMessage(json));
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw streamErrorEvent(vendor, "an unreadable event");
  return parsed.data;
}
