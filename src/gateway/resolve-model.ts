import { eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { type ModelConfigRow, modelConfigs } from "../db/schema";
import type { OptionalConfig } from "../env";
import { GatewayError } from "../errors/gateway-error";
import { getVendor, type Vendor } from "../providers/vendor-directory";

/** A model string resolved: `vendor/upstream-model`, or a model-config alias (PRODUCT.md). */
export interface ResolvedModel {
  vendor: Vendor;
  upstreamModel: string;
  config: ModelConfigRow | null;
}

const modelNotFound = (model: string, param: string, why: string) =>
  new GatewayError(404, "not_found_error", "model_not_found", `The model \`${model}\` ${why}.`, { param });

export async function resolveModel(
  env: OptionalConfig,
  db: Db,
  model: string,
  param = "model",
): Promise<ResolvedModel> {
  const slash = model.indexOf("/");
  let config: ModelConfigRow | null = null;
  let vendorSlug: string;
  let upstreamModel: string;
  if (slash > 0 && slash < model.length - 1) {
    vendorSlug = model.slice(0, slash);
    upstreamModel = model.slice(slash + 1);
  } else {
    config = (await db.select().from(modelConfigs).where(eq(modelConfigs.alias, model)).limit(1))[0] ?? null;
    if (!config) throw modelNotFound(model, param, "is neither `vendor/model` nor a known alias");
    vendorSlug = config.vendor;
    upstreamModel = config.upstreamModel;
  }
  const vendor = await getVendor(env, db, vendorSlug);
  if (!vendor) throw modelNotFound(model, param, `names an unknown vendor \`${vendorSlug}\``);
  if (!vendor.enabled) throw modelNotFound(model, param, `uses the disabled vendor \`${vendorSlug}\``);
  return { vendor, upstreamModel, config };
}
