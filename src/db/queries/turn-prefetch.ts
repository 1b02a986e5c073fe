import { type SQL, sql } from "drizzle-orm";
import type { Db } from "../client";
import {
  apiKeys,
  conversations,
  type ModelConfigRow,
  modelConfigs,
  personas,
  type VendorKeyRow,
  type VendorRow,
  vendorKeys,
  vendors,
} from "../schema";
import { type KeyWithUser, keyAndUserQueries, keyWithUserFrom } from "./api-keys";
import { ownedConversation, type TurnContext, turnContextFrom, turnContextQueries } from "./messages";
import { personaVisibleTo } from "./personas";

/**
 * Everything a conversation message reads before the vendor is called, in ONE D1 round trip: the
 * key and its user (auth), the conversation, its persona and newest messages (the turn), and the
 * rows of every model the turn may use: the request's, the conversation's and the persona's
 * (which one wins is decided after, by chooseModel). The turn's statements are scoped to the
 * key's user in SQL, so nothing of another user's is read even before auth has checked the key
 * (and all of it is dropped if the key turns out revoked or expired).
 */
export interface PrefetchedTurn {
  conversationId: string;
  ownerId: string;
  /** Undefined when the conversation is not the key's user's. */
  context: TurnContext | undefined;
  configs: ModelConfigRow[];
  vendors: VendorRow[];
  vendorKeys: VendorKeyRow[];
}

/** `vendor/model` → `vendor`, in SQL (null for an alias or null). */
const vendorOf = (model: SQL) =>
  sql`case when instr(${model}, '/') > 1 then substr(${model}, 1, instr(${model}, '/') - 1) end`;

export async function prefetchTurn(
  db: Db,
  hash: string,
  conversationId: string,
  bodyModel: string | null,
  historyLimit: number,
): Promise<{ found: KeyWithUser | undefined; turn: PrefetchedTurn | undefined }> {
  const owner = sql`(select ${apiKeys.userId} from ${apiKeys} where ${apiKeys.hash} = ${hash})`;
  const owned = ownedConversation(conversationId, owner);
  const candidates = [
    sql`${bodyModel}`,
    sql`(select ${conversations.model} from ${conversations} where ${owned})`,
    // The persona's model counts only where the persona may be read (shared, or the user's own).
    sql`(select ${personas.model} from ${personas} where ${personas.id} = (select ${conversations.personaId} from ${conversations} where ${owned}) and ${personaVisibleTo(owner)})`,
  ];
  const aliasIn = sql`${modelConfigs.alias} in (${sql.join(candidates, sql`, `)})`;
  // Every vendor a candidate names, directly or through an alias's targets.
  const slugs = sql`select value from json_each(json_array(${sql.join(candidates.map(vendorOf), sql`, `)}))
    union select ${modelConfigs.vendor} from ${modelConfigs} where ${aliasIn}
    union select t.value ->> 'vendor' from ${modelConfigs}, json_each(${modelConfigs.targets}) as t where ${aliasIn}`;
  const [key, user, conversation, persona, history, configs, vendorRows, keyRows] = await db.batch([
    ...keyAndUserQueries(db, hash),
    ...turnContextQueries(db, conversationId, owner, historyLimit),
    db.select().from(modelConfigs).where(aliasIn),
    db.select().from(vendors).where(sql`${vendors.slug} in (${slugs})`),
    db.select().from(vendorKeys).where(sql`${vendorKeys.vendor} in (${slugs})`),
  ]);
  const found = keyWithUserFrom([key, user]);
  if (!found) return { found, turn: undefined };
  return {
    found,
    turn: {
      conversationId,
      ownerId: found.user.id,
      context: turnContextFrom([conversation, persona, history]),
      configs,
      vendors: vendorRows,
      vendorKeys: keyRows,
    },
  };
}
