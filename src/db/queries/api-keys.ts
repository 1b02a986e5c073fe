import { and, desc, eq, isNull, lt, or, sql } from "drizzle-orm";
import type { Db } from "../client";
import { type ApiKeyRow, apiKeys, type UserRow, users } from "../schema";

/**
 * Auth lookup as two statements for one batch: the key, and its user found through the key in
 * SQL. Not a join: D1 batch results are keyed by column name, so a join's `id`, `name` and
 * `created_at` would overwrite each other.
 */
export const keyAndUserQueries = (db: Db, hash: string) =>
  [
    db.select().from(apiKeys).where(eq(apiKeys.hash, hash)).limit(1),
    db
      .select()
      .from(users)
      .where(eq(users.id, sql`(select ${apiKeys.userId} from ${apiKeys} where ${apiKeys.hash} = ${hash})`))
      .limit(1),
  ] as const;

export type KeyWithUser = { key: ApiKeyRow; user: UserRow };

export function keyWithUserFrom(rows: readonly [ApiKeyRow[], UserRow[]]): KeyWithUser | undefined {
  const [key] = rows[0];
  const [user] = rows[1];
  return key && user ? { key, user } : undefined;
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

/** A user's key by id (undefined when it is not that user's). */
export async function findKey(db: Db, userId: string, keyId: string): Promise<ApiKeyRow | undefined> {
  const [row] = await db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.id, keyId), eq(apiKeys.userId, userId)))
    .limit(1);
  return row;
}
