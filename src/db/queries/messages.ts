import { and, desc, eq, getTableColumns, type SQL, sql } from "drizzle-orm";
import type { Db } from "../client";
import {
  type ConversationRow,
  conversations,
  type MessageRow,
  messages,
  type PersonaRow,
  personas,
} from "../schema";
import { personaVisibleTo } from "./personas";

/** How much history one turn reads at most; the context window trims it further. */
export const HISTORY_LIMIT = 500;

/** What sending a message needs before the model is called; read in one D1 round trip. */
export interface TurnContext {
  conversation: ConversationRow;
  /** Null when none is linked, or when the caller can no longer see it (another user's private one). */
  persona: PersonaRow | null;
  /** The newest messages (at most `historyLimit`), oldest first. */
  history: MessageRow[];
}

/** The caller's conversation, by id and owner (a user id, or SQL naming it). */
export const ownedConversation = (conversationId: string, owner: string | SQL) =>
  and(eq(conversations.id, conversationId), eq(conversations.ownerId, owner)) as SQL;

/**
 * The statements of a turn's context, for one D1 batch: the caller's conversation, its persona if
 * the caller may read it, and its newest messages. Every statement is owner-scoped, so another
 * user's history is never read; the owner is a user id, or SQL naming it (the key's user, when
 * auth batches these with its own lookup: src/db/queries/turn-prefetch.ts). The persona rule is the
 * one of `findVisiblePersona` (shared, or the caller's own), so a persona that turned private
 * under someone else simply comes back missing. (Three statements rather than a join: D1's batch
 * results are keyed by column name, which a join would make collide.)
 */
export function turnContextQueries(
  db: Db,
  conversationId: string,
  owner: string | SQL,
  historyLimit: number,
) {
  const owned = ownedConversation(conversationId, owner);
  const linkedPersona = db.select({ id: conversations.personaId }).from(conversations).where(owned);
  return [
    db.select().from(conversations).where(owned).limit(1),
    db
      .select()
      .from(personas)
      .where(and(eq(personas.id, linkedPersona), personaVisibleTo(owner)))
      .limit(1),
    db
      .select(getTableColumns(messages))
      .from(messages)
      .innerJoin(conversations, eq(conversations.id, messages.conversationId))
      // Stated on messages too, so SQLite walks messages_conversation_id_idx backwards.
      .where(and(eq(messages.conversationId, conversationId), owned))
      .orderBy(desc(messages.id))
      .limit(historyLimit),
  ] as const;
}

/** The turn context from the results of turnContextQueries; undefined when the conversation is not the caller's. */
export function turnContextFrom(
  results: readonly [ConversationRow[], PersonaRow[], MessageRow[]],
): TurnContext | undefined {
  const [found, persona, newest] = results;
  const conversation = found[0];
  if (!conversation) return undefined;
  return { conversation, persona: persona[0] ?? null, history: [...newest].reverse() };
}

/** A turn's context in one D1 round trip (see turnContextQueries). */
export async function loadTurnContext(
  db: Db,
  conversationId: string,
  ownerId: string,
  historyLimit: number,
): Promise<TurnContext | undefined> {
  return turnContextFrom(await db.batch(turnContextQueries(db, conversationId, ownerId, historyLimit)));
}

/**
 * Stores a turn's messages (the user's, and the reply when there is one) and marks the
 * conversation active, atomically (a D1 batch is one transaction). The title is set only while it
 * is still `defaultTitle`, checked in SQL so a rename that lands meanwhile is kept.
 */
export async function saveTurn(
  db: Db,
  conversationId: string,
  rows: [MessageRow, ...MessageRow[]],
  activity: { at: Date; title?: string | undefined; defaultTitle: string },
): Promise<void> {
  const { at, title, defaultTitle } = activity;
  await db.batch([
    db.insert(messages).values(rows),
    db
      .update(conversations)
      .set({
        updatedAt: at,
        ...(title
          ? {
              title: sql`case when ${conversations.title} = ${defaultTitle} then ${title} else ${conversations.title} end`,
            }
          : {}),
      })
      .where(eq(conversations.id, conversationId)),
  ]);
}
