import type { ContentfulStatusCode } from "hono/utils/http-status";

/** The `type` values of PRODUCT.md's error shape. */
export type ErrorType =
  | "invalid_request_error"
  | "authentication_error"
  | "permission_error"
  | "not_found_error"
  | "conflict_error"
  | "rate_limit_error"
  | "upstream_error"
  | "timeout_error"
  | "internal_error";

export interface GatewayErrorOptions {
  param?: string;
  cause?: unknown;
  /** Whether the same request may succeed if tried again (429, 5xx, network). */
  retryable?: boolean;
  headers?: Record<string, string>;
  /**
   * The vendor's own error body, scrubbed of key-like strings, for a client of the vendor's own
   * wire format: Anthropic clients (Claude Code's recovery) read Anthropic's wording and types.
   */
  vendorBody?: string;
}

/** The one error class the code throws; `app.onError` turns it into the JSON error shape. */
export class GatewayError extends Error {
  readonly param: string | undefined;
  readonly retryable: boolean;
  readonly headers: Record<string, string> | undefined;
  /** Set by the upstream call when it keeps the vendor's body (GatewayErrorOptions.vendorBody). */
  vendorBody: string | undefined;
  /** The vendor's own HTTP status, set by the upstream call (401 and 403 both map to 502). */
  upstreamStatus: number | undefined;

  constructor(
    readonly status: ContentfulStatusCode,
    readonly type: ErrorType,
    readonly code: string,
    message: string,
    options: GatewayErrorOptions = {},
  ) {
    super(message, { cause: options.cause });
    this.name = "GatewayError";
    this.param = options.param;
    this.retryable = options.retryable ?? false;
    this.headers = options.headers;
    this.vendorBody = options.vendorBody;
  }
}

export const invalidRequest = (
  code: string,
  message: string,
  param?: string,
  status: 400 | 413 | 422 = 400,
) => new GatewayError(status, "invalid_request_error", code, message, { param });

export const notFound = (what: string, param?: string) =>
  new GatewayError(404, "not_found_error", `${what.replaceAll(" ", "_")}_not_found`, `No such ${what}.`, {
    param,
  });

export const conflict = (code: string, message: string, param?: string) =>
  new GatewayError(409, "conflict_error", code, message, { param });

export const forbidden = (code: string, message: string) =>
  new GatewayError(403, "permission_error", code, message);

export const unauthenticated = (code: string, message: string) =>
  new GatewayError(401, "authentication_error", code, message, {
    headers: { "www-authenticate": 'Bearer realm="switchboard"' },
  });
