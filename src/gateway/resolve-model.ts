import { eq, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { type ModelConfigRow, modelConfigs, type VendorRow, vendors } from "../db/schema";
import type { OptionalConfig } from "../env";
import { GatewayError } from "../errors/gateway-error";
import { findBuiltin } from "../providers/builtins";
import { mergeVendor, type Vendor } from "../providers/vendor-directory";

/** A model string resolved: `vendor/upstream-model`, or a model-config alias (PRODUCT.md). */
export interface ResolvedModel {
  vendor: Vendor;
  upstreamModel: string;
  config: ModelConfigRow | null;
}

const modelNotFound = (model: string, param: string, why: string) =>
  new GatewayError(404, "not_found_error", "model_not_found", `The model \`${model}\` ${why}.`, { param });

/** `vendor/upstream-model` split, or null for an alias. */
function splitModel(model: string): { vendorSlug: string; upstreamModel: string } | null {
  const slash = model.indexOf("/");
  if (slash <= 0 || slash >= model.length - 1) return null;
  return { vendorSlug: model.slice(0, slash), upstreamModel: model.slice(slash + 1) };
}

/**
 * The statements that resolve a model, to run in one D1 batch (with others: auth joins them on
 * the hot path, src/auth/middleware.ts): the alias's config, and the vendor row, found by slug or
 * through the alias in the same statement, so nothing waits on a first answer.
 */
export function modelQueries(db: Db, model: string) {
  const split = splitModel(model);
  const configQuery = db
    .select()
    .from(modelConfigs)
    .where(eq(modelConfigs.alias, split ? "" : model))
    .limit(1);
  const vendorSlug = split
    ? sql`${split.vendorSlug}`
    : sql`(select ${modelConfigs.vendor} from ${modelConfigs} where ${modelConfigs.alias} = ${model})`;
  const vendorQuery = db.select().from(vendors).where(sql`${vendors.slug} = ${vendorSlug}`).limit(1);
  return [configQuery, vendorQuery] as const;
}

export type ModelRows = [ModelConfigRow[], VendorRow[]];

/** From rows read for several candidate models, those resolving `model` (as modelQueries reads them). */
export function rowsFor(
  model: string,
  configs: readonly ModelConfigRow[],
  vendorRows: readonly VendorRow[],
): ModelRows {
  const split = splitModel(model);
  const config = split ? undefined : configs.find((c) => c.alias === model);
  const slug = split ? split.vendorSlug : config?.vendor;
  const vendor = vendorRows.find((v) => v.slug === slug);
  return [config ? [config] : [], vendor ? [vendor] : []];
}

/** Resolves from the rows `modelQueries` read. */
export function resolveFromRows(
  env: OptionalConfig,
  model: string,
  rows: ModelRows,
  param = "model",
): ResolvedModel {
  const split = splitModel(model);
  const config = split ? null : (rows[0][0] ?? null);
  if (!split && !config) throw modelNotFound(model, param, "is neither `vendor/model` nor a known alias");
  const vendorSlug = split ? split.vendorSlug : (config as ModelConfigRow).vendor;
  const upstreamModel = split ? split.upstreamModel : (config as ModelConfigRow).upstreamModel;
  const vendor = mergeVendor(findBuiltin(env, vendorSlug), rows[1][0]);
  if (!vendor) throw modelNotFound(model, param, `names an unknown vendor \`${vendorSlug}\``);
  if (!vendor.enabled) throw modelNotFound(model, param, `uses the disabled vendor \`${vendorSlug}\``);
  return { vendor, upstreamModel, config };
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
