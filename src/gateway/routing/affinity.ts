import type { Context } from "hono";
import type { AppEnv } from "../../env";
import { SESSION_HEADER, sessionIdFrom } from "../session-id";

/** A generic session header, for clients other than Claude Code. */
export const SESSION_ID_HEADER = "x-session-id";

/**
 * What ties a call to its session for routing: calls that share it go to the same deployment and
 * key while those are healthy, so the vendor's prompt cache keeps hitting. In order: Claude
 * Code's session header, `x-session-id`, the Responses API's `prompt_cache_key`, else OpenAI's
 * `user` field. Null (a random choice by weight) when the call names none; like session ids, a
 * value that is not a plausible id (session-id.ts) counts as none.
 */
export function affinityOf(c: Context<AppEnv>): string | null {
  const header =
    sessionIdFrom(c.req.header(SESSION_HEADER)) ?? sessionIdFrom(c.req.header(SESSION_ID_HEADER));
  if (header) return header;
  // The body as the route validated it: read from memory, never parsed again.
  const body = c.req.valid("json" as never) as unknown;
  if (typeof body !== "object" || body === null) return null;
  const { prompt_cache_key: cacheKey, user } = body as { prompt_cache_key?: unknown; user?: unknown };
  if (typeof cacheKey === "string" && sessionIdFrom(cacheKey)) return `prompt_cache_key:${cacheKey.trim()}`;
  if (typeof user === "string" && sessionIdFrom(user)) return `user:${user.trim()}`;
  return null;
}
