import { and, desc, eq, isNull, lt, or, type SQL } from "drizzle-orm";
import type { Db } from "../client";
import { type PersonaRow, personas } from "../schema";

export type Visibility = "private" | "shared";
export type PersonaInsert = typeof personas.$inferInsert;
export type PersonaChanges = Partial<Omit<PersonaInsert, "id" | "createdAt" | "createdBy">>;

export const visibilityOf = (p: Pick<PersonaRow, "ownerId">): Visibility =>
  p.ownerId === null ? "shared" : "private";

/**
 * What a caller may read: every shared persona plus their own private ones. `userId` is null for
 * the ADMIN_API_KEY, which owns nothing, so it sees only shared ones; it may also be SQL naming
 * the user (the key's, when auth batches a turn's reads: turn-prefetch.ts).
 */
export function personaVisibleTo(userId: string | SQL | null): SQL | undefined {
  return userId === null
    ? isNull(personas.ownerId)
    : or(isNull(personas.ownerId), eq(personas.ownerId, userId));
}

/** The owner a row still has when a write lands, so a concurrent visibility change is not clobbered. */
const ownedBy = (ownerId: string | null) =>
  ownerId === null ? isNull(personas.ownerId) : eq(personas.ownerId, ownerId);

export async function findVisiblePersona(
  db: Db,
  id: string,
  userId: string | null,
): Promise<PersonaRow | undefined> {
  return (
    await db
      .select()
      .from(personas)
      .where(and(eq(personas.id, id), personaVisibleTo(userId)))
      .limit(1)
  )[0];
}

/** Newest first; fetches `limit + 1` rows for toPage. */
export async function listVisiblePersonas(
  db: Db,
  userId: string | null,
  opts: { visibility?: Visibility | undefined; limit: number; beforeId?: string | undefined },
): Promise<PersonaRow[]> {
  let filter: SQL | undefined;
  if (opts.visibility === "shared") filter = isNull(personas.ownerId);
  if (opts.visibility === "private") {
    // The admin key owns nothing, so it has no private personas to list.
    if (userId === null) return [];
    filter = eq(personas.ownerId, userId);
  }
  return db
    .select()
    .from(personas)
    .where(and(personaVisibleTo(userId), filter, opts.beforeId ? lt(personas.id, opts.beforeId) : undefined))
    .orderBy(desc(personas.id))
    .limit(opts.limit + 1);
}

export async function insertPersona(db: Db, values: PersonaInsert): Promise<PersonaRow> {
  const [row] = await db.insert(personas).values(values).returning();
  return row as PersonaRow;
}

/** Updates only if the persona still has the owner the caller's permission check saw. */
export async function updatePersona(
  db: Db,
  id: string,
  expectedOwner: string | null,
  changes: PersonaChanges,
): Promise<PersonaRow | undefined> {
  const [row] = await db
    .update(personas)
    .set(changes)
    .where(and(eq(personas.id, id), ownedBy(expectedOwner)))
    .returning();
  return row;
}

/** Deleting clears `persona_id` on conversations that used it (ON DELETE SET NULL). */
export async function deletePersona(db: Db, id: string, expectedOwner: string | null): Promise<boolean> {
  const deleted = await db
    .delete(personas)
    .where(and(eq(personas.id, id), ownedBy(expectedOwner)))
    .returning({ id: personas.id });
  return deleted.length > 0;
}
