import type { ModelConfigRow, StoredTarget } from "../../db/schema";

/**
 * An alias's targets as stored: its `targets` list, or (configs with one deployment, the shape
 * before targets existed) its `vendor` and `upstream_model` at weight 1.
 */
export function configTargets(
  config: Pick<ModelConfigRow, "vendor" | "upstreamModel" | "targets">,
): StoredTarget[] {
  if (config.targets && config.targets.length > 0) return config.targets;
  return [{ vendor: config.vendor, upstream_model: config.upstreamModel, weight: 1 }];
}
