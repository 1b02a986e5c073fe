import { eq, type SQL, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import {
  type ModelConfigRow,
  modelConfigs,
  type VendorKeyRow,
  type VendorRow,
  vendorKeys,
  vendors,
} from "../db/schema";
import type { OptionalConfig } from "../env";
import { GatewayError } from "../errors/gateway-error";
import { findBuiltin } from "../providers/builtins";
import { mergeVendor, type Vendor } from "../providers/vendor-directory";
import { configTargets } from "./routing/targets";

/** One deployment a call may go to: a vendor, the model's name there, its share of calls. */
export interface Target {
  vendor: Vendor;
  upstreamModel: string;
  weight: number;
}

/**
 * A model string resolved: `vendor/upstream-model`, or a model-config alias (PRODUCT.md).
 * `vendor` and `upstreamModel` are the primary target (the first usable one: prices, cache keys
 * and checks before the call use it); `targets` lists every usable one, the primary first.
 */
export interface ResolvedModel {
  vendor: Vendor;
  upstreamModel: string;
  config: ModelConfigRow | null;
  targets: Target[];
}

/** The resolved model as one of its targets answers it. */
export const atTarget = (resolved: ResolvedModel, target: Target): ResolvedModel => ({
  ...resolved,
  vendor: target.vendor,
  upstreamModel: target.upstreamModel,
});

const modelNotFound = (model: string, param: string, why: string) =>
  new GatewayError(404, "not_found_error", "model_not_found", `The model \`${model}\` ${why}.`, { param });

/** `vendor/upstream-model` split, or null for an alias. */
export function splitModel(model: string): { vendorSlug: string; upstreamModel: string } | null {
  const slash = model.indexOf("/");
  if (slash <= 0 || slash >= model.length - 1) return null;
  return { vendorSlug: model.slice(0, slash), upstreamModel: model.slice(slash + 1) };
}

/** In SQL, the slugs of every vendor an alias's targets name (its `vendor` and each target's). */
export const aliasVendorSlugs = (alias: SQL) =>
  sql`select ${modelConfigs.vendor} from ${modelConfigs} where ${modelConfigs.alias} = ${alias}
      union select t.value ->> 'vendor' from ${modelConfigs}, json_each(${modelConfigs.targets}) as t
      where ${modelConfigs.alias} = ${alias}`;

/**
 * The statements that resolve a model, to run in one D1 batch (with others: auth joins them on
 * the hot path, src/auth/middleware.ts): the alias's config, and the rows and further keys of its
 * vendors, found by slug or through the alias in the same statement, so nothing waits on a first
 * answer.
 */
export function modelQueries(db: Db, model: string) {
  const split = splitModel(model);
  const configQuery = db
    .select()
    .from(modelConfigs)
    .where(eq(modelConfigs.alias, split ? "" : model))
    .limit(1);
  const slugs = split ? sql`select ${split.vendorSlug}` : aliasVendorSlugs(sql`${model}`);
  const vendorQuery = db.select().from(vendors).where(sql`${vendors.slug} in (${slugs})`);
  const keyQuery = db.select().from(vendorKeys).where(sql`${vendorKeys.vendor} in (${slugs})`);
  return [configQuery, vendorQuery, keyQuery] as const;
}

export type ModelRows = [ModelConfigRow[], VendorRow[], VendorKeyRow[]];

/** From rows read for several candidate models, those resolving `model` (as modelQueries reads them). */
export function rowsFor(
  model: string,
  configs: readonly ModelConfigRow[],
  vendorRows: readonly VendorRow[],
  keyRows: readonly VendorKeyRow[],
): ModelRows {
  const split = splitModel(model);
  const config = split ? undefined : configs.find((c) => c.alias === model);
  const slugs = new Set(
    split ? [split.vendorSlug] : config ? configTargets(config).map((t) => t.vendor) : [],
  );
  return [
    config ? [config] : [],
    vendorRows.filter((v) => slugs.has(v.slug)),
    keyRows.filter((k) => slugs.has(k.vendor)),
  ];
}

/**
 * Resolves from the rows `modelQueries` read. An alias's target whose vendor is unknown or
 * disabled is left out (disabling a vendor takes its deployments out of rotation); only when no
 * target is left is the model refused, for the first target's reason.
 */
export function resolveFromRows(
  env: OptionalConfig,
  model: string,
  rows: ModelRows,
  param = "model",
): ResolvedModel {
  const split = splitModel(model);
  const config = split ? null : (rows[0][0] ?? null);
  if (!split && !config) throw modelNotFound(model, param, "is neither `vendor/model` nor a known alias");
  const wanted = split
    ? [{ vendor: split.vendorSlug, upstream_model: split.upstreamModel, weight: 1 }]
    : configTargets(config as ModelConfigRow);
  const targets: Target[] = [];
  let refusal: GatewayError | undefined;
  for (const t of wanted) {
    const row = rows[1].find((v) => v.slug === t.vendor);
    const vendor = mergeVendor(findBuiltin(env, t.vendor), row, rows[2]);
    if (!vendor) refusal ??= modelNotFound(model, param, `names an unknown vendor \`${t.vendor}\``);
    else if (!vendor.enabled)
      refusal ??= modelNotFound(model, param, `uses the disabled vendor \`${t.vendor}\``);
    else targets.push({ vendor, upstreamModel: t.upstream_model, weight: t.weight });
  }
  const [primary] = targets;
  if (!primary) throw refusal ?? modelNotFound(model, param, "has no target");
  return { vendor: primary.vendor, upstreamModel: primary.upstreamModel, config, targets };
}

/** One D1 round trip; `prefetched` rows (read with the caller's auth) make it none. */
export async function resolveModel(
  env: OptionalConfig,
  db: Db,
  model: string,
  param = "model",
  prefetched?: { model: string; rows: ModelRows },
): Promise<ResolvedModel> {
  if (prefetched && prefetched.model === model) return resolveFromRows(env, model, prefetched.rows, param);
  const rows = await db.batch(modelQueries(db, model));
  return resolveFromRows(env, model, rows as ModelRows, param);
}
