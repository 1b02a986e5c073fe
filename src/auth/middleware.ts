import { createMiddleware } from "hono/factory";
import { getDb } from "../db/client";
import { findKeyWithUser, touchKey } from "../db/queries/api-keys";
import type { AppEnv } from "../env";
import { unauthenticated } from "../errors/gateway-error";
import { hashApiKey, secretsEqual } from "./keys";
import { assertAdmin } from "./principal";

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
 * Resolves the caller into `c.var.principal` or answers 401. One D1 read (key joined to its user);
 * the last-used stamp is written after the response, and only when it is a minute old.
 */
export const authenticate = createMiddleware<AppEnv>(async (c, next) => {
  const key = presentedKey(c.req.raw.headers);
  if (!key) {
    throw unauthenticated(
      "missing_api_key",
      "No API key: send `Authorization: Bearer <key>` or an `x-api-key` header.",
    );
  }
  const adminKey = c.env.ADMIN_API_KEY;
  if (adminKey && (await secretsEqual(key, adminKey))) {
    c.set("principal", { kind: "root" });
    return next();
  }

  const db = getDb(c.env.DB);
  const found = await findKeyWithUser(db, await hashApiKey(key));
  if (!found) throw unauthenticated("invalid_api_key", "The API key is not valid.");
  const now = Date.now();
  if (found.key.revokedAt) throw unauthenticated("revoked_api_key", "The API key has been revoked.");
  if (found.key.expiresAt && found.key.expiresAt.getTime() <= now) {
    throw unauthenticated("expired_api_key", "The API key has expired.");
  }

  c.set("principal", { kind: "user", user: found.user, keyId: found.key.id });
  const lastUsed = found.key.lastUsedAt?.getTime() ?? 0;
  if (now - lastUsed >= LAST_USED_RESOLUTION_MS) {
    c.executionCtx.waitUntil(
      touchKey(db, found.key.id, new Date(now))
        .run()
        .catch((e: unknown) =>
          console.error(
            JSON.stringify({ level: "error", msg: "last_used_at update failed", error: String(e) }),
          ),
        ),
    );
  }
  return next();
});

/** Route middleware for admin routes: ADMIN_API_KEY or a user whose role is admin. */
export const adminOnly = createMiddleware<AppEnv>(async (c, next) => {
  assertAdmin(c.var.principal);
  return next();
});
