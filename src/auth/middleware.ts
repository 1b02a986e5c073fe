import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { getDb } from "../db/client";
import { type KeyWithUser, touchKey } from "../db/queries/api-keys";
import { type HotPathRows, readHotPath } from "../db/queries/hot-path";
import { HISTORY_LIMIT } from "../db/queries/messages";
import { prefetchTurn } from "../db/queries/turn-prefetch";
import type { ApiKeyRow } from "../db/schema";
import type { AppEnv } from "../env";
import { GatewayError, unauthenticated } from "../errors/gateway-error";
import { routeNeeds, routeParam } from "../openapi/route-needs";
import {
  authCacheSeconds,
  cachedHotPath,
  cacheHotPath,
  hotPathGeneration,
  refreshFailed,
} from "./hot-path-cache";
import { AUTH_BLOCK_SECONDS, authFailureGuard, authRateLimited } from "./ip-block";
import { scopeOf } from "./key-scope";
import { hashApiKey, isAdminKey } from "./keys";
import { assertAdmin, type Principal } from "./principal";

const LAST_USED_RESOLUTION_MS = 60_000;

/** The presented key: `Authorization: Bearer <key>`, or `x-api-key` for Anthropic-style clients. */
export function presentedKey(headers: Headers): string | undefined {
  const auth = headers.get("authorization");
  if (auth) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    return match?.[1];
  }
  return headers.get("x-api-key")?.trim() || undefined;
}

/**
 * Resolves the caller into `c.get("principal")` or answers 401. One D1 round trip (the key and its
 * user, with what the route reads next: see lookUp), none on a warm call; the last-used stamp is
 * written after the response, and only when it is a minute old. A client IP blocked for failing too often is refused
 * (src/auth/ip-block.ts): from this isolate's memory at no cost, from the shared mark on failures.
 */
export const authenticate = createMiddleware<AppEnv>(async (c, next) => {
  const key = presentedKey(c.req.raw.headers);
  const guard = authFailureGuard(c.env, c.req.raw);
  const known = guard?.knownBlock() ?? 0;
  if (known > 0) throw authRateLimited(known);
  let identified: Awaited<ReturnType<typeof identify>>;
  // Work for after the response (a cache refresh), so nothing goes to storage before the vendor.
  const later: (() => void)[] = [];
  try {
    identified = await identify(c, key, later);
  } catch (error) {
    if (guard) {
      // Failures only: the shared block mark, then the count (src/auth/ip-block.ts).
      const blockedFor = await guard.blockedFor();
      if (blockedFor > 0) throw authRateLimited(blockedFor);
      // Only a presented key that is wrong is a guess; a request with no key at all guesses nothing.
      const guessed = key !== undefined && error instanceof GatewayError && error.status === 401;
      if (guessed && (await guard.recordFailure())) throw authRateLimited(AUTH_BLOCK_SECONDS);
    }
    throw error;
  }
  const { principal, key: keyRow } = identified;
  c.set("principal", principal);
  await next();
  // After the route answered (a stream: once its head is out), so the write never goes before
  // the vendor call it would only delay.
  if (keyRow) touchLater(c, keyRow);
  for (const work of later) work();
});

async function identify(
  c: Context<AppEnv>,
  key: string | undefined,
  later: (() => void)[],
): Promise<{ principal: Principal; key?: ApiKeyRow }> {
  if (!key) {
    throw unauthenticated(
      "missing_api_key",
      "No API key: send `Authorization: Bearer <key>` or an `x-api-key` header.",
    );
  }
  const hash = await hashApiKey(key);
  const adminKey = c.env.ADMIN_API_KEY;
  if (adminKey && (await isAdminKey(hash, adminKey))) return { principal: { kind: "root" } };

  const found = await lookUp(c, hash, later);
  if (!found) throw unauthenticated("invalid_api_key", "The API key is not valid.");
  const now = Date.now();
  if (found.key.revokedAt) throw unauthenticated("revoked_api_key", "The API key has been revoked.");
  if (found.key.expiresAt && found.key.expiresAt.getTime() <= now) {
    throw unauthenticated("expired_api_key", "The API key has expired.");
  }

  return {
    principal: {
      kind: "user",
      user: found.user,
      keyId: found.key.id,
      rateLimitPerMinute: found.key.rateLimitPerMinute,
      scope: scopeOf(found.key),
    },
    key: found.key,
  };
}

/**
 * The key and its user, read together with what the route reads next, in one D1 round trip: a
 * conversation message's turn and candidate models, or a model route's model rows; on a warm
 * call, none of it, from this isolate's cache (hot-path-cache.ts). What was read for the route is
 * left in `prefetchedTurn` / `prefetchedModel`.
 */
async function lookUp(
  c: Context<AppEnv>,
  hash: string,
  later: (() => void)[],
): Promise<KeyWithUser | undefined> {
  const { prefetch } = routeNeeds(c);
  const body = prefetch ? await jsonBodyOf(c) : undefined;
  if (body && prefetch === "turn") {
    const { found, turn } = await prefetchTurn(
      getDb(c.env.DB),
      hash,
      routeParam(c, "id") ?? "",
      body.model ?? null,
      HISTORY_LIMIT,
    );
    if (turn) c.set("prefetchedTurn", turn);
    return found;
  }
  if (body?.model && prefetch === "model") {
    const rows = await hotPathRows(c, hash, body.model, later);
    if (rows) {
      c.set("prefetchedModel", {
        model: body.model,
        rows: [rows.config ? [rows.config] : [], rows.vendors, rows.vendorKeys],
      });
    }
    return rows;
  }
  // Any other route: the key and its user, through the same statement and cache (no model).
  return hotPathRows(c, hash, "", later);
}

/**
 * The hot path's one statement (src/db/queries/hot-path.ts) through the isolate cache: a warm
 * entry answers at once, and one past half its bound is read again after the response.
 */
async function hotPathRows(
  c: Context<AppEnv>,
  hash: string,
  model: string,
  later: (() => void)[],
): Promise<HotPathRows | undefined> {
  const seconds = authCacheSeconds(c.env.AUTH_CACHE_SECONDS);
  if (seconds === 0) return readHotPath(c.env.DB, hash, model);
  const cached = cachedHotPath(hash, model, seconds);
  if (cached) {
    if (cached.refresh) later.push(() => refreshLater(c, hash, model));
    return cached.rows;
  }
  return readInto(c.env.DB, hash, model);
}

/** Reads and caches what the read found (a key gone since is forgotten). */
async function readInto(db: D1Database, hash: string, model: string): Promise<HotPathRows | undefined> {
  const generation = hotPathGeneration();
  const readAt = Date.now();
  const rows = await readHotPath(db, hash, model);
  cacheHotPath(hash, model, rows, generation, readAt);
  return rows;
}

/** After the response: a failure is logged and leaves the entry to age out (or a later refresh). */
function refreshLater(c: Context<AppEnv>, hash: string, model: string): void {
  c.executionCtx.waitUntil(
    readInto(c.env.DB, hash, model).catch((error: unknown) => {
      refreshFailed(hash, model);
      console.error(
        JSON.stringify({ level: "error", msg: "auth cache refresh failed", error: String(error) }),
      );
    }),
  );
}

/** The media types the route's JSON validator accepts (hono/validator's own test). */
const JSON_MEDIA_TYPE = /^application\/([\w.-]+\+)?json$/i;

/**
 * The JSON body of a POST to a route that prefetches (route-needs.ts), read ahead so auth can
 * batch its lookup with what the route will read, with its `model` when that is a plausible one.
 * The body is parsed once, here, whatever its size (images as data URLs included): the route's
 * validator is handed the same parse instead of parsing the text again. Anything unusual (not
 * JSON, not an object) skips the prefetch: the route's validation then answers for the body.
 */
async function jsonBodyOf(c: Context<AppEnv>): Promise<{ model: string | undefined } | undefined> {
  if (c.req.method !== "POST") return undefined;
  const mediaType = c.req.header("content-type")?.split(";")[0]?.trim() ?? "";
  if (!JSON_MEDIA_TYPE.test(mediaType)) return undefined;
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    return undefined;
  }
  // HonoRequest.json() parses its cached text on every call; the validator calls it next.
  c.req.json = <T>() => Promise.resolve(body as T);
  if (!body || typeof body !== "object") return undefined;
  const model = (body as { model?: unknown }).model;
  return {
    model: typeof model === "string" && model.length > 0 && model.length <= 256 ? model : undefined,
  };
}

/**
 * Stamps last_used_at after the response, at most once a minute per key. The row read is updated
 * too: a cached one (hot-path-cache.ts) must not ask for a stamp on every call.
 */
function touchLater(c: Context<AppEnv>, key: ApiKeyRow): void {
  const now = Date.now();
  if (now - (key.lastUsedAt?.getTime() ?? 0) < LAST_USED_RESOLUTION_MS) return;
  key.lastUsedAt = new Date(now);
  c.executionCtx.waitUntil(
    touchKey(getDb(c.env.DB), key.id, new Date(now))
      .run()
      .catch((e: unknown) =>
        console.error(
          JSON.stringify({ level: "error", msg: "last_used_at update failed", error: String(e) }),
        ),
      ),
  );
}

/** Route middleware for admin routes: ADMIN_API_KEY or a user whose role is admin. */
export const adminOnly = createMiddleware<AppEnv>(async (c, next) => {
  assertAdmin(c.get("principal"));
  return next();
});
