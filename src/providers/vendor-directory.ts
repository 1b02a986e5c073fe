import type { Db } from "../db/client";
import { findVendorRow, listVendorRows } from "../db/queries/vendors";
import type { VendorRow } from "../db/schema";
import type { OptionalConfig } from "../env";
import {
  type BuiltinVendor,
  builtinVendors,
  DEFAULT_BASE_URLS,
  findBuiltin,
  type VendorKind,
} from "./builtins";

/** A vendor as the gateway uses it: a built-in from the configuration, a D1 row, or both merged. */
export interface Vendor {
  slug: string;
  kind: VendorKind;
  baseUrl: string | null;
  enabled: boolean;
  builtin: boolean;
  /** Ciphertext of a key stored through the API (preferred over the environment's). */
  apiKeyEncrypted: string | null;
  envApiKey: string | undefined;
  createdAt: Date | null;
  updatedAt: Date | null;
}

export const hasApiKey = (v: Vendor): boolean => Boolean(v.apiKeyEncrypted || v.envApiKey);

export function mergeVendor(
  builtin: BuiltinVendor | undefined,
  row: VendorRow | undefined,
): Vendor | undefined {
  if (!builtin && !row) return undefined;
  const kind = (builtin?.kind ?? row?.kind) as VendorKind;
  return {
    slug: (builtin?.slug ?? row?.slug) as string,
    kind,
    baseUrl: row?.baseUrl ?? builtin?.baseUrl ?? DEFAULT_BASE_URLS[kind],
    enabled: row?.enabled ?? true,
    builtin: Boolean(builtin),
    apiKeyEncrypted: row?.apiKeyEncrypted ?? null,
    envApiKey: builtin?.envApiKey,
    createdAt: row?.createdAt ?? null,
    updatedAt: row?.updatedAt ?? null,
  };
}

export async function getVendor(env: OptionalConfig, db: Db, slug: string): Promise<Vendor | undefined> {
  return mergeVendor(findBuiltin(env, slug), await findVendorRow(db, slug));
}

/** Every vendor, built-ins first merged with their overrides, sorted by slug. */
export async function allVendors(env: OptionalConfig, db: Db): Promise<Vendor[]> {
  const rows = await listVendorRows(db);
  const bySlug = new Map(rows.map((r) => [r.slug, r]));
  const builtins = builtinVendors(env);
  const merged = builtins.map((b) => mergeVendor(b, bySlug.get(b.slug)) as Vendor);
  for (const row of rows) {
    if (!builtins.some((b) => b.slug === row.slug)) merged.push(mergeVendor(undefined, row) as Vendor);
  }
  return merged.sort((a, b) => (a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0));
}
