import { asc, eq, gt } from "drizzle-orm";
import type { Db } from "../client";
import { type VendorRow, vendors } from "../schema";

export async function findVendorRow(db: Db, slug: string): Promise<VendorRow | undefined> {
  return (await db.select().from(vendors).where(eq(vendors.slug, slug)).limit(1))[0];
}

export function listVendorRows(db: Db, afterSlug?: string, limit?: number) {
  const q = db
    .select()
    .from(vendors)
    .where(afterSlug ? gt(vendors.slug, afterSlug) : undefined)
    .orderBy(asc(vendors.slug));
  return limit === undefined ? q : q.limit(limit);
}
