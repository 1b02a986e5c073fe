import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { GatewayError } from "../../errors/gateway-error";
import { logServerError, toGatewayError } from "../../errors/to-response";

/**
 * The Anthropic Messages API's error envelope, which every error of the dialect's routes is
 * answered in: the Anthropic SDKs read `error.type` and pick their error class by status, and
 * Claude Code's recovery keys on both. Our own `code` has no place in it, and `param` goes into
 * the message the way Anthropic words validation errors (`messages.1.content.0: ...`).
 * @see https://platform.claude.com/docs/en/api/errors#error-shapes
 */

export type AnthropicErrorType =
  | "invalid_request_error"
  | "authentication_error"
  | "permission_error"
  | "not_found_error"
  | "request_too_large"
  | "rate_limit_error"
  | "api_error"
  | "overloaded_error";

export interface AnthropicErrorBody {
  type: "error";
  error: { type: AnthropicErrorType; message: string };
  request_id: string;
}

/**
 * Anthropic's error type for a status. Anthropic uses `invalid_request_error` for 4xx it does not
 * list and answers its own failures with 500 `api_error`; our vendor failures (502), unavailable
 * dependencies (503) and timeouts (504) keep their status, so the SDKs still retry them, and read
 * as `api_error`. 529 is a vendor overload, which the SDKs retry with backoff.
 * @see https://platform.claude.com/docs/en/api/errors#http-errors
 */
export function anthropicErrorType(status: number): AnthropicErrorType {
  switch (status) {
    case 401:
      return "authentication_error";
    case 403:
      return "permission_error";
    case 404:
      return "not_found_error";
    case 413:
      return "request_too_large";
    case 429:
      return "rate_limit_error";
    case 529:
      return "overloaded_error";
    default:
      return status >= 500 ? "api_error" : "invalid_request_error";
  }
}

/** The envelope of an error, for a response body or a stream's `event: error`. */
export function anthropicErrorBody(err: unknown, requestId: string): AnthropicErrorBody {
  const e = toGatewayError(err);
  // Validation messages already start with the path (src/openapi/router.ts).
  const message = e.param && !e.message.startsWith(`${e.param}:`) ? `${e.param}: ${e.message}` : e.message;
  return {
    type: "error",
    error: { type: anthropicErrorType(e.status), message },
    request_id: requestId,
  };
}

/**
 * Retry-After as the whole seconds the SDKs' retry logic reads (an HTTP date becomes the seconds
 * until it); anything else is left out rather than sent on unreadable.
 */
function retryAfterSeconds(raw: string | undefined): string | undefined {
  const value = raw?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return String(Math.ceil(Number(value)));
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : String(Math.max(0, Math.ceil((at - Date.now()) / 1000)));
}

/**
 * The route's `errorEnvelope` (src/openapi/route-needs.ts): the envelope with our status, the
 * request id under Anthropic's header name (`request-id`, which the SDKs expose as `requestID`)
 * and ours, and the error's own headers (`www-authenticate`, `allow`), Retry-After made whole.
 */
export function anthropicErrorResponse(c: Context, err: unknown): Response {
  const e = toGatewayError(err);
  const requestId = c.get("requestId") ?? "";
  logServerError(requestId, e);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(e.headers ?? {})) {
    if (name.toLowerCase() !== "retry-after") headers[name] = value;
  }
  const retryAfter = retryAfterSeconds(
    Object.entries(e.headers ?? {}).find(([name]) => name.toLowerCase() === "retry-after")?.[1],
  );
  if (retryAfter !== undefined) headers["retry-after"] = retryAfter;
  headers["request-id"] = requestId;
  headers["x-request-id"] = requestId;
  const own = vendorError(e);
  if (own) {
    return c.body(own.text, own.overloaded ? (529 as ContentfulStatusCode) : e.status, {
      ...headers,
      "content-type": "application/json",
    });
  }
  return c.json(anthropicErrorBody(e, requestId), e.status, headers);
}

/**
 * An Anthropic vendor's own error body (scrubbed by the upstream call), passed on as it wrote it:
 * Claude Code's recovery reads Anthropic's wording and types (a 529 `overloaded_error` is retried
 * differently from a 500). Not when the vendor refused the gateway's own key: that is no fault of
 * the client's key, and saying so in Anthropic's words would make a client sign in again.
 */
function vendorError(e: GatewayError): { text: string; overloaded: boolean } | null {
  if (!e.vendorBody || e.code === "upstream_auth_failed") return null;
  let body: unknown;
  try {
    body = JSON.parse(e.vendorBody);
  } catch {
    return null;
  }
  const error = (body as { type?: unknown; error?: { type?: unknown } } | null) ?? {};
  if (error.type !== "error" || typeof error.error?.type !== "string") return null;
  return { text: e.vendorBody, overloaded: error.error.type === "overloaded_error" };
}
