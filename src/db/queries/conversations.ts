import { and, asc, desc, eq, getTableColumns, gt, lt, or } from "drizzle-orm";
import type { Db } from "../client";
import { type ConversationRow, conversations, type MessageRow, messages } from "../schema";

export type ConversationInsert = typeof conversations.$inferInsert;
export type ConversationChanges = Partial<Pick<ConversationInsert, "title" | "personaId" | "model">>;

/** Every conversation query is scoped to its owner: another user's id behaves as a missing one. */
const owned = (id: string, ownerId: string) =>
  and(eq(conversations.id, id), eq(conversations.ownerId, ownerId));

export async function findConversation(
  db: Db,
  id: string,
  ownerId: string,
): Promise<ConversationRow | undefined> {
  return (await db.select().from(conversations).where(owned(id, ownerId)).limit(1))[0];
}

/**
 * Newest activity first, keyset-paginated on (updated_at, id) so rows sharing a millisecond are
 * neither repeated nor skipped; served by conversations_owner_updated_idx. Fetches `limit + 1`.
 */
export function listConversations(
  db: Db,
  ownerId: string,
  opts: {
    limit: number;
    personaId?: string | undefined;
    after?: { updatedAt: Date; id: string } | undefined;
  },
): Promise<ConversationRow[]> {
  const { after } = opts;
  return db
    .select()
    .from(conversations)
    .where(
      and(
        eq(conversations.ownerId, ownerId),
        opts.personaId === undefined ? undefined : eq(conversations.personaId, opts.personaId),
        after
          ? or(
              lt(conversations.updatedAt, after.updatedAt),
              and(eq(conversations.updatedAt, after.updatedAt), lt(conversations.id, after.id)),
            )
          : undefined,
      ),
    )
    .orderBy(desc(conversations.updatedAt), desc(conversations.id))
    .limit(opts.limit + 1);
}

export async function insertConversation(db: Db, values: ConversationInsert): Promise<ConversationRow> {
  const [row] = await db.insert(conversations).values(values).returning();
  return row as ConversationRow;
}

/** Any change counts as activity: `updated_at` moves, so the conversation moves to the list's front. */
export async function updateConversation(
  db: Db,
  id: string,
  ownerId: string,
  changes: ConversationChanges,
  now: Date,
): Promise<ConversationRow | undefined> {
  const [row] = await db
    .update(conversations)
    .set({ ...changes, updatedAt: now })
    .where(owned(id, ownerId))
    .returning();
  return row;
}

/** Its messages go with it (ON DELETE CASCADE), in the same statement. */
export async function deleteConversation(db: Db, id: string, ownerId: string): Promise<boolean> {
  const deleted = await db
    .delete(conversations)
    .where(owned(id, ownerId))
    .returning({ id: conversations.id });
  return deleted.length > 0;
}

/**
 * A page of a conversation's messages, oldest first, and whether the caller owns it, in one D1
 * round trip. The messages query is owner-scoped by its join as well, so another user's history
 * is never read, even into memory. Fetches `limit + 1`.
 */
export async function listOwnedMessages(
  db: Db,
  conversationId: string,
  ownerId: string,
  opts: { limit: number; afterId?: string | undefined },
): Promise<{ found: boolean; rows: MessageRow[] }> {
  const [conversation, rows] = await db.batch([
    db.select({ id: conversations.id }).from(conversations).where(owned(conversationId, ownerId)).limit(1),
    db
      .select(getTableColumns(messages))
      .from(messages)
      .innerJoin(conversations, eq(conversations.id, messages.conversationId))
      .where(
        and(
          // Stated on messages too, so SQLite walks messages_conversation_id_idx in id order.
          eq(messages.conversationId, conversationId),
          owned(conversationId, ownerId),
          opts.afterId ? gt(messages.id, opts.afterId) : undefined,
        ),
      )
      .orderBy(asc(messages.id))
      .limit(opts.limit + 1),
  ]);
  return { found: conversation.length > 0, rows };
}
