import { and, asc, eq, inArray, sql } from "drizzle-orm";
import type { VendorKind } from "../../providers/kinds";
import type { Db } from "../client";
import { type VendorKeyRow, vendorKeys, vendors } from "../schema";

/** The ids of a vendor's own key: stored on its row (PATCH `api_key`), or the env secret. */
export const PRIMARY_KEY_ID = "primary";
export const ENVIRONMENT_KEY_ID = "environment";

/** How many further keys a vendor may hold: enough to rotate, few enough to read on every call. */
export const MAX_VENDOR_KEYS = 16;

/** The further keys of these vendors (of every vendor without a list), oldest first. */
export function keysOfVendors(db: Db, slugs?: string[]): Promise<VendorKeyRow[]> {
  return db
    .select()
    .from(vendorKeys)
    .where(slugs ? inArray(vendorKeys.vendor, slugs) : undefined)
    .orderBy(asc(vendorKeys.id));
}

/**
 * Adds a key unless the vendor already holds MAX_VENDOR_KEYS: the count is part of the statement,
 * so two adds racing cannot both slip past it. Undefined when it refused.
 */
export async function insertVendorKey(db: Db, row: VendorKeyRow): Promise<VendorKeyRow | undefined> {
  const [inserted] = await db
    .insert(vendorKeys)
    .select(
      sql`select ${row.id}, ${row.vendor}, ${row.apiKeyEncrypted}, ${row.weight}, ${row.last4}, null, ${row.createdAt.getTime()}
          where (select count(*) from ${vendorKeys} where ${vendorKeys.vendor} = ${row.vendor}) < ${MAX_VENDOR_KEYS}`,
    )
    .returning();
  return inserted;
}

export async function deleteVendorKey(db: Db, vendor: string, id: string): Promise<boolean> {
  const deleted = await db
    .delete(vendorKeys)
    .where(and(eq(vendorKeys.vendor, vendor), eq(vendorKeys.id, id)))
    .returning({ id: vendorKeys.id });
  return deleted.length > 0;
}

/** Clears the vendor's stored primary key (what PATCH `api_key: null` does). */
export async function clearPrimaryKey(db: Db, vendor: string): Promise<boolean> {
  const cleared = await db
    .update(vendors)
    .set({ apiKeyEncrypted: null, apiKeyDisabledUntil: null, updatedAt: new Date() })
    .where(and(eq(vendors.slug, vendor), sql`${vendors.apiKeyEncrypted} is not null`))
    .returning({ slug: vendors.slug });
  return cleared.length > 0;
}

/**
 * Records that the vendor refused a key until `until`, so every isolate skips it and admins see
 * it; `primary` and `environment` are the vendor's own key, recorded on its row (a built-in
 * without one gets an override row that changes nothing else).
 */
export async function recordKeyRefused(
  db: Db,
  vendor: { slug: string; kind: VendorKind },
  keyId: string,
  until: number,
): Promise<void> {
  const at = new Date(until);
  if (keyId !== PRIMARY_KEY_ID && keyId !== ENVIRONMENT_KEY_ID) {
    await db
      .update(vendorKeys)
      .set({ disabledUntil: at })
      .where(and(eq(vendorKeys.vendor, vendor.slug), eq(vendorKeys.id, keyId)));
    return;
  }
  await db
    .insert(vendors)
    .values({ slug: vendor.slug, kind: vendor.kind, apiKeyDisabledUntil: at })
    .onConflictDoUpdate({ target: vendors.slug, set: { apiKeyDisabledUntil: at } });
}
