import { z } from "@hono/zod-openapi";
import { identifier } from "./strings";

/** Components shared by every route: the error shape, list envelopes, pagination, security. */

export const ErrorSchema = z
  .object({
    error: z.object({
      type: z
        .enum([
          "invalid_request_error",
          "authentication_error",
          "permission_error",
          "not_found_error",
          "conflict_error",
          "rate_limit_error",
          "upstream_error",
          "timeout_error",
          "internal_error",
        ])
        .openapi({ example: "not_found_error" }),
      code: z.string().openapi({ example: "user_not_found" }),
      message: z.string().openapi({ example: "No such user." }),
      param: z.string().optional().openapi({ example: "id" }),
      request_id: z.string().openapi({ example: "req_01JD7W5X7Q2N5V3K9Y8M4T6R2S" }),
    }),
  })
  .openapi("Error");

const ERROR_DESCRIPTIONS = {
  400: "Invalid request: validation failed, malformed JSON or an invalid cursor.",
  401: "Missing, invalid, revoked or expired API key.",
  403: "The key may not do this: admin only (`admin_required`), a user key is required (`user_key_required`), the key's `models` scope does not include the model asked for (`model_not_allowed`), or a scoped key would create a wider one (`scope_escalation`).",
  404: "No such resource, or it belongs to someone else.",
  409: "Conflicts with an existing resource.",
  413: "The request body is too large.",
  415: "The request body is not JSON (routes that take one).",
  422: "The request is well-formed but refers to something unusable.",
  429: "Rate limited (`Retry-After` says when to retry): the key's requests per minute (`key_rate_limited`), too many failed authentications from this address (`auth_rate_limited`), the user's or the key's own budget (`budget_exceeded`, saying which), or the vendor's limit.",
  500: "Unexpected internal error.",
  502: "The vendor failed, sent something unreadable, or refused the gateway's credentials.",
  503: "A dependency of the call is briefly unavailable (`budget_unavailable`: the user's or key's budget could not be checked); retry after `Retry-After`.",
  504: "The vendor did not answer in time.",
} as const;

export type ErrorStatus = keyof typeof ERROR_DESCRIPTIONS;

/** Error responses for a route: 400, 401, 413, 415, 429 and 500 always apply, plus the given ones. */
export function errorResponses(...statuses: ErrorStatus[]) {
  const all = new Set<ErrorStatus>([400, 401, 413, 415, 429, 500, ...statuses]);
  return Object.fromEntries(
    [...all]
      .sort()
      .map((s) => [
        s,
        { description: ERROR_DESCRIPTIONS[s], content: { "application/json": { schema: ErrorSchema } } },
      ]),
  ) as {
    [S in ErrorStatus]: {
      description: string;
      content: { "application/json": { schema: typeof ErrorSchema } };
    };
  };
}

export const PaginationQuerySchema = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(100)
    .default(20)
    .openapi({ param: { name: "limit", in: "query" }, example: 20, description: "Page size, 1 to 100." }),
  cursor: z
    .string()
    .max(512)
    .optional()
    .openapi({ param: { name: "cursor", in: "query" }, description: "`next_cursor` of the previous page." }),
});

export function listOf<T extends z.ZodType>(item: T, name: string) {
  return z
    .object({
      data: z.array(item),
      next_cursor: z
        .string()
        .nullable()
        .openapi({ description: "Pass as `cursor` for the next page; null at the end." }),
    })
    .openapi(name);
}

export const Timestamp = z.string().openapi({ format: "date-time", example: "2026-11-26T10:00:00.000Z" });

export const iso = (d: Date): string => d.toISOString();
export const isoOrNull = (d: Date | null): string | null => (d ? d.toISOString() : null);

/** Security requirement for authenticated routes: either header works. */
export const authenticated: Record<string, string[]>[] = [{ bearerAuth: [] }, { apiKeyHeader: [] }];

export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { "application/json": { schema } },
});

export const jsonResponse = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

/**
 * A path parameter: any string without control characters, so a malformed id is simply a 404
 * like an unknown one, while one that could never be echoed safely is a 400 naming it.
 */
export const pathParam = (name: string, example: string) =>
  identifier()
    .min(1)
    .max(128)
    .openapi({ param: { name, in: "path" }, example });
