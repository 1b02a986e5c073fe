import type { Db } from "../db/client";
import { ENVIRONMENT_KEY_ID, keysOfVendors, PRIMARY_KEY_ID } from "../db/queries/vendor-keys";
import { findVendorRow, listVendorRows } from "../db/queries/vendors";
import type { VendorKeyRow, VendorRow } from "../db/schema";
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
  /** Every key a call may use, the primary one (stored, else the environment's) first. */
  keys: VendorKey[];
  createdAt: Date | null;
  updatedAt: Date | null;
}

/**
 * One of a vendor's keys. Ids: `primary` for the key stored on the vendor (PATCH `api_key`),
 * `environment` for the env secret used when none is stored, else the vendor_keys row's id.
 */
export interface VendorKey {
  id: string;
  weight: number;
  /** Ciphertext bound to the vendor slug; null for the environment's key. */
  encrypted: string | null;
  /** The environment's key (never stored, never returned). */
  plain?: string;
  last4: string | null;
  /** Epoch ms until which the key is skipped (the vendor refused it); null when it is not. */
  disabledUntil: number | null;
  createdAt: Date | null;
}

export const hasApiKey = (v: Vendor): boolean => v.keys.length > 0;

function primaryKey(builtin: BuiltinVendor | undefined, row: VendorRow | undefined): VendorKey | null {
  const disabledUntil = row?.apiKeyDisabledUntil?.getTime() ?? null;
  if (row?.apiKeyEncrypted) {
    const at = row.updatedAt ?? null;
    return {
      id: PRIMARY_KEY_ID,
      weight: 1,
      encrypted: row.apiKeyEncrypted,
      last4: null,
      disabledUntil,
      createdAt: at,
    };
  }
  const plain = builtin?.envApiKey;
  if (!plain) return null;
  return {
    id: ENVIRONMENT_KEY_ID,
    weight: 1,
    encrypted: null,
    plain,
    last4: plain.length >= 12 ? plain.slice(-4) : null,
    disabledUntil,
    createdAt: null,
  };
}

export const toVendorKey = (k: VendorKeyRow): VendorKey => ({
  id: k.id,
  weight: k.weight,
  encrypted: k.apiKeyEncrypted,
  last4: k.last4,
  disabledUntil: k.disabledUntil?.getTime() ?? null,
  createdAt: k.createdAt,
});

/** A vendor from its built-in entry, its row and its further keys (rows of other vendors are ignored). */
export function mergeVendor(
  builtin: BuiltinVendor | undefined,
  row: VendorRow | undefined,
  keyRows: readonly VendorKeyRow[] = [],
): Vendor | undefined {
  if (!builtin && !row) return undefined;
  const kind = (builtin?.kind ?? row?.kind) as VendorKind;
  const slug = (builtin?.slug ?? row?.slug) as string;
  const primary = primaryKey(builtin, row);
  const extra = keyRows
    .filter((k) => k.vendor === slug)
    .sort((a, b) => (a.id < b.id ? -1 : 1))
    .map(toVendorKey);
  return {
    slug,
    kind,
    baseUrl: row?.baseUrl ?? builtin?.baseUrl ?? DEFAULT_BASE_URLS[kind],
    enabled: row?.enabled ?? true,
    builtin: Boolean(builtin),
    apiKeyEncrypted: row?.apiKeyEncrypted ?? null,
    envApiKey: builtin?.envApiKey,
    keys: primary ? [primary, ...extra] : extra,
    createdAt: row?.createdAt ?? null,
    updatedAt: row?.updatedAt ?? null,
  };
}

export async function getVendor(env: OptionalConfig, db: Db, slug: string): Promise<Vendor | undefined> {
  const [row, keys] = await Promise.all([findVendorRow(db, slug), keysOfVendors(db, [slug])]);
  return mergeVendor(findBuiltin(env, slug), row, keys);
}

/** Every vendor, built-ins first merged with their overrides, sorted by slug. */
export async function allVendors(env: OptionalConfig, db: Db): Promise<Vendor[]> {
  const [rows, keys] = await Promise.all([listVendorRows(db), keysOfVendors(db)]);
  const bySlug = new Map(rows.map((r) => [r.slug, r]));
  const builtins = builtinVendors(env);
  const merged = builtins.map((b) => mergeVendor(b, bySlug.get(b.slug), keys) as Vendor);
  for (const row of rows) {
    if (!builtins.some((b) => b.slug === row.slug)) merged.push(mergeVendor(undefined, row, keys) as Vendor);
  }
  return merged.sort((a, b) => (a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0));
}
