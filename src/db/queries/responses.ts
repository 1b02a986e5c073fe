import { and, eq, gt, inArray, isNull, lt, type SQL } from "drizzle-orm";
import type { Db } from "../client";
import { type ResponseRow, responses } from "../schema";

export type ResponseInsert = typeof responses.$inferInsert;

/** A response's owner: a user, or (null) the admin key's own calls. */
export type ResponseOwner = string | null;

const ownedBy = (owner: ResponseOwner): SQL =>
  owner === null ? isNull(responses.userId) : eq(responses.userId, owner);

/** Another user's response, or an expired one, behaves as a missing one. */
const readable = (id: string, owner: ResponseOwner, now: Date) =>
  and(eq(responses.id, id), ownedBy(owner), gt(responses.expiresAt, now));

export async function findResponse(
  db: Db,
  id: string,
  owner: ResponseOwner,
  now = new Date(),
): Promise<ResponseRow | undefined> {
  return (
    await db
      .select()
      .from(responses)
      .where(readable(id, owner, now))
      .limit(1)
  )[0];
}

/** The caller's unexpired responses among `ids` (the rest are simply absent). */
export function findResponses(
  db: Db,
  ids: string[],
  owner: ResponseOwner,
  now = new Date(),
): Promise<ResponseRow[]> {
  if (!ids.length) return Promise.resolve([]);
  return db
    .select()
    .from(responses)
    .where(and(inArray(responses.id, ids), ownedBy(owner), gt(responses.expiresAt, now)));
}

/** Deletes the caller's response; false when there was none of theirs to delete. */
export async function deleteResponse(db: Db, id: string, owner: ResponseOwner): Promise<boolean> {
  const gone = await db
    .delete(responses)
    .where(and(eq(responses.id, id), ownedBy(owner)))
    .returning({ id: responses.id });
  return gone.length > 0;
}

/** How far back `previous_response_id` is followed: a longer chain is cut at its oldest end. */
export const MAX_CHAIN = 200;

/**
 * The chain that ends at `id`, oldest first, in one round trip (a recursive query over
 * `previous_response_id`). Every link must be the caller's and unexpired: the walk stops at the
 * first that is not, so a chain never reads into another user's responses. Empty when `id`
 * itself is not the caller's.
 */
export async function responseChain(
  d1: D1Database,
  id: string,
  owner: ResponseOwner,
  now = Date.now(),
): Promise<ResponseRow[]> {
  const ownerTest = owner === null ? "user_id is null" : "user_id = ?3";
  const query = `
    with recursive chain(id, prev, depth) as (
      select id, previous_response_id, 0 from responses
        where id = ?1 and expires_at > ?2 and ${ownerTest}
      union all
      select r.id, r.previous_response_id, chain.depth + 1 from responses r
        join chain on r.id = chain.prev
        where chain.depth < ${MAX_CHAIN - 1} and r.expires_at > ?2 and r.${ownerTest}
    )
    select r.* from responses r join chain on r.id = chain.id order by chain.depth desc`;
  const stmt = d1.prepare(query);
  const bound = owner === null ? stmt.bind(id, now) : stmt.bind(id, now, owner);
  const { results } = await bound.all<RawResponseRow>();
  return results.map(fromRaw);
}

/** A row as D1 returns it from raw SQL: snake_case columns, JSON as text, times as numbers. */
interface RawResponseRow {
  id: string;
  user_id: string | null;
  origin: ResponseRow["origin"];
  vendor: string;
  upstream_model: string;
  status: string;
  previous_response_id: string | null;
  response: string | null;
  input_items: string | null;
  created_at: number;
  expires_at: number;
}

const fromRaw = (r: RawResponseRow): ResponseRow => ({
  id: r.id,
  userId: r.user_id,
  origin: r.origin,
  vendor: r.vendor,
  upstreamModel: r.upstream_model,
  status: r.status,
  previousResponseId: r.previous_response_id,
  response: r.response === null ? null : JSON.parse(r.response),
  inputItems: r.input_items === null ? null : JSON.parse(r.input_items),
  createdAt: new Date(r.created_at),
  expiresAt: new Date(r.expires_at),
});

export async function insertResponse(db: Db, row: ResponseInsert): Promise<void> {
  await db.insert(responses).values(row);
}

/** When this isolate last pruned: a store prunes at most once a minute per isolate. */
let lastPrune = 0;
const PRUNE_EVERY_MS = 60_000;

/**
 * Expired responses, a bounded batch at a time, after a store; at most once a minute per isolate
 * (`npm run bench` priced a prune after every stored call at a second D1 write per call).
 */
export async function pruneExpiredResponses(db: Db, now = new Date(), batch = 50): Promise<void> {
  if (now.getTime() - lastPrune < PRUNE_EVERY_MS) return;
  lastPrune = now.getTime();
  const expired = db
    .select({ id: responses.id })
    .from(responses)
    .where(lt(responses.expiresAt, now))
    .limit(batch);
  await db.delete(responses).where(inArray(responses.id, expired));
}
