import { and, desc, eq, isNull, lt, or } from "drizzle-orm";
import type { Db } from "../client";
import { apiKeys, users } from "../schema";

/** Auth lookup: the key and its user in one round trip. */
export async function findKeyWithUser(db: Db, hash: string) {
  const rows = await db
    .select({ key: apiKeys, user: users })
    .from(apiKeys)
    .innerJoin(users, eq(users.id, apiKeys.userId))
    .where(eq(apiKeys.hash, hash))
    .limit(1);
  return rows[0];
}

/** Touch last_used_at at most once a minute per key; the WHERE makes racing writers a no-op. */
export function touchKey(db: Db, keyId: string, now: Date) {
  const staleBefore = new Date(now.getTime() - 60_000);
  return db
    .update(apiKeys)
    .set({ lastUsedAt: now })
    .where(and(eq(apiKeys.id, keyId), or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, staleBefore))));
}

export function listKeys(db: Db, userId: string, limit: number, beforeId?: string) {
  return db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.userId, userId), beforeId ? lt(apiKeys.id, beforeId) : undefined))
    .orderBy(desc(apiKeys.id))
    .limit(limit + 1);
}
