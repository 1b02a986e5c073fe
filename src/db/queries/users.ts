import { desc, eq, lt } from "drizzle-orm";
import type { Db } from "../client";
import { type UserRow, users } from "../schema";

export function listUsers(db: Db, limit: number, beforeId?: string) {
  return db
    .select()
    .from(users)
    .where(beforeId ? lt(users.id, beforeId) : undefined)
    .orderBy(desc(users.id))
    .limit(limit + 1);
}

export async function findUser(db: Db, id: string): Promise<UserRow | undefined> {
  return (await db.select().from(users).where(eq(users.id, id)).limit(1))[0];
}
