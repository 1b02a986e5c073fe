import { and, asc, eq, getTableColumns, gt, type SQL, sql } from "drizzle-orm";
import type { Db } from "../client";
import { type Capabilities, type ModelConfigRow, modelConfigs, vendors } from "../schema";

/** How many referring aliases an error message names. */
const NAMED = 10;

export async function findModelConfig(db: Db, alias: string): Promise<ModelConfigRow | undefined> {
  return (await db.select().from(modelConfigs).where(eq(modelConfigs.alias, alias)).limit(1))[0];
}

export function listModelConfigs(db: Db, limit: number, afterAlias?: string) {
  return db
    .select()
    .from(modelConfigs)
    .where(afterAlias ? gt(modelConfigs.alias, afterAlias) : undefined)
    .orderBy(asc(modelConfigs.alias))
    .limit(limit + 1);
}

/** Every model config, for `GET /v1/models` (admin-curated, so a handful). */
export function allModelConfigs(db: Db) {
  return db.select().from(modelConfigs).orderBy(asc(modelConfigs.alias));
}

/** SQL true when a config (alias `m`) names the vendor, as its own or in one of its targets. */
export const configUsesVendor = (slug: string) =>
  sql`(${modelConfigs.vendor} = ${slug} or exists (select 1 from json_each(${modelConfigs.targets}) as t where t.value ->> 'vendor' = ${slug}))`;

export async function aliasesUsingVendor(db: Db, slug: string): Promise<string[]> {
  const rows = await db
    .select({ alias: modelConfigs.alias })
    .from(modelConfigs)
    .where(configUsesVendor(slug))
    .orderBy(asc(modelConfigs.alias))
    .limit(NAMED);
  return rows.map((r) => r.alias);
}

/** SQL true when some other config lists `alias` among its fallbacks. */
const isFallbackOfAnother = (alias: string) =>
  sql`exists (select 1 from ${modelConfigs} as m, json_each(m.fallbacks) where json_each.value = ${alias} and m.alias <> ${alias})`;

export async function aliasesFallingBackTo(db: Db, alias: string): Promise<string[]> {
  const rows = await db.all<{ alias: string }>(
    sql`select distinct m.alias as alias from ${modelConfigs} as m, json_each(m.fallbacks)
        where json_each.value = ${alias} and m.alias <> ${alias} order by m.alias limit ${NAMED}`,
  );
  return rows.map((r) => r.alias);
}

/** The vendor rows still exist (built-ins have no row to check, so they are not listed); SQL true for none. */
const vendorRowsExist = (slugs: readonly string[]): SQL =>
  slugs.length === 0
    ? sql`1`
    : sql.join(
        slugs.map((slug) => sql`exists (select 1 from ${vendors} where ${vendors.slug} = ${slug})`),
        sql` and `,
      );

/**
 * Inserts a config, but only if its admin-added vendor still exists: the check is part of the
 * statement, so a concurrent vendor DELETE (which refuses while a config uses the vendor) cannot
 * slip between check and insert. Undefined when the vendor is gone; a taken alias throws a unique
 * violation.
 */
export async function insertModelConfig(
  db: Db,
  row: ModelConfigRow,
  vendorRows: readonly string[],
): Promise<ModelConfigRow | undefined> {
  // INSERT ... SELECT lists every column in table order; each value goes through its column's
  // encoder, so JSON and timestamp columns are stored exactly as a plain insert would store them.
  const values = Object.entries(getTableColumns(modelConfigs)).map(([key, column]) =>
    sql.param(row[key as keyof ModelConfigRow], column),
  );
  const condition = vendorRowsExist(vendorRows);
  const [inserted] = await db
    .insert(modelConfigs)
    .select(sql`select ${sql.join(values, sql`, `)} where ${condition}`)
    .returning();
  return inserted;
}

export type ModelConfigChanges = Partial<Omit<ModelConfigRow, "alias" | "createdAt" | "capabilities">>;

/**
 * Updates a config; `capabilities` is merged field by field inside the statement (json_patch), so
 * concurrent updates of different flags both stick. Only if the `vendorRows` named still exist
 * (see insertModelConfig). Undefined when nothing matched.
 */
export async function updateModelConfig(
  db: Db,
  alias: string,
  changes: ModelConfigChanges,
  capabilities: Partial<Capabilities> | undefined,
  vendorRows: readonly string[],
): Promise<ModelConfigRow | undefined> {
  const [row] = await db
    .update(modelConfigs)
    .set({
      ...changes,
      ...(capabilities
        ? { capabilities: sql`json_patch(${modelConfigs.capabilities}, ${JSON.stringify(capabilities)})` }
        : {}),
    })
    .where(and(eq(modelConfigs.alias, alias), vendorRowsExist(vendorRows)))
    .returning();
  return row;
}

/**
 * Deletes a config unless another lists it as a fallback. The check is part of the DELETE; when it
 * refuses, the reason is looked up afterwards, and the DELETE retried if the referrer went away
 * in between. Answers "deleted", "missing", or the referring aliases (empty if they kept changing).
 */
export async function deleteModelConfig(db: Db, alias: string): Promise<"deleted" | "missing" | string[]> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const deleted = await db
      .delete(modelConfigs)
      .where(and(eq(modelConfigs.alias, alias), sql`not ${isFallbackOfAnother(alias)}`))
      .returning({ alias: modelConfigs.alias });
    if (deleted.length > 0) return "deleted";
    if (!(await findModelConfig(db, alias))) return "missing";
    const referrers = await aliasesFallingBackTo(db, alias);
    if (referrers.length > 0) return referrers;
  }
  return [];
}
