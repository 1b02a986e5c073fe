import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { AppEnv } from "../env";
import { type ErrorType, GatewayError } from "./gateway-error";

export interface ErrorBody {
  error: { type: ErrorType; code: string; message: string; param?: string; request_id: string };
}

const TYPE_BY_STATUS: Partial<Record<number, ErrorType>> = {
  400: "invalid_request_error",
  401: "authentication_error",
  403: "permission_error",
  404: "not_found_error",
  405: "invalid_request_error",
  409: "conflict_error",
  413: "invalid_request_error",
  415: "invalid_request_error",
  422: "invalid_request_error",
  429: "rate_limit_error",
  502: "upstream_error",
  504: "timeout_error",
};

/**
 * Turns anything thrown into a GatewayError. Hono's own exceptions (malformed JSON from the
 * validator, the body limit) keep their status; anything unknown becomes a 500 whose message
 * says nothing about internals.
 */
export function toGatewayError(err: unknown): GatewayError {
  if (err instanceof GatewayError) return err;
  if (err instanceof HTTPException) {
    const status = err.status as ContentfulStatusCode;
    if (status === 413) {
      return new GatewayError(
        413,
        "invalid_request_error",
        "body_too_large",
        "The request body is too large.",
      );
    }
    if (status === 415) {
      return new GatewayError(
        415,
        "invalid_request_error",
        "unsupported_media_type",
        "Send the request body as JSON with `Content-Type: application/json`.",
      );
    }
    if (status === 400 && /json/i.test(err.message)) {
      return new GatewayError(
        400,
        "invalid_request_error",
        "invalid_json",
        "The request body is not valid JSON.",
      );
    }
    const type = TYPE_BY_STATUS[status] ?? (status >= 500 ? "internal_error" : "invalid_request_error");
    return new GatewayError(status, type, "http_error", err.message || "Request failed.");
  }
  return new GatewayError(500, "internal_error", "internal_error", "An unexpected error occurred.", {
    cause: err,
  });
}

/** The one error shape (PRODUCT.md) of an error, for a response body or a stream's error event. */
export function errorBody(err: unknown, requestId: string): ErrorBody {
  const e = toGatewayError(err);
  return {
    error: {
      type: e.type,
      code: e.code,
      message: e.message,
      ...(e.param !== undefined ? { param: e.param } : {}),
      request_id: requestId,
    },
  };
}

export function errorResponse(c: Context<AppEnv>, err: unknown): Response {
  const e = toGatewayError(err);
  logServerError(c.get("requestId"), e);
  return c.json(errorBody(e, c.get("requestId") ?? ""), e.status, e.headers);
}

/** A 5xx as one structured log line, never request bodies or keys; every error envelope calls it. */
export function logServerError(requestId: string | undefined, e: GatewayError): void {
  if (e.status < 500) return;
  console.error(
    JSON.stringify({
      level: "error",
      request_id: requestId,
      code: e.code,
      error: describeCause(e),
    }),
  );
}

/**
 * The innermost cause, for the log line. Drizzle wraps D1 errors in a message that repeats the
 * SQL and its parameters (key hashes among them); the driver's own error says what went wrong.
 */
function describeCause(e: GatewayError): string {
  let cause: unknown = e.cause;
  while (cause instanceof Error && cause.cause instanceof Error) cause = cause.cause;
  return cause instanceof Error ? `${cause.name}: ${cause.message}` : e.message;
}
