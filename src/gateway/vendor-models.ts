import { toGatewayError } from "../errors/to-response";
import { timeoutError } from "../providers/http";
import { listOpenAIModels, type ServedModel } from "../providers/openai/models";
import type { Vendor } from "../providers/vendor-directory";
import { apiKeyOf } from "./upstream-call";

/**
 * What OpenAI-compatible hosts serve, for GET /v1/models, asked of each host (`GET {base}/models`)
 * and kept in KV rather than in isolate memory: every isolate (and every location) then shares
 * one answer per TTL, so a busy deployment asks a host once per few minutes instead of once per
 * isolate, and a KV read is cheap on a route that is no call's hot path. The key holds the
 * vendor's `updated_at`, so an admin's change (base URL, key) is asked anew at once.
 */
export const MODEL_LIST_TTL_SECONDS = 300;
/**
 * A host that failed is not asked again for a minute (KV's shortest TTL): a host that is down
 * would otherwise cost every list its timeout.
 */
const FAILED_TTL_SECONDS = 60;
/** How long a list waits for a host before leaving it out. */
export const MODEL_LIST_TIMEOUT_MS = 2000;

interface Entry {
  /** null: the host could not say (unreachable, an error status, an unreadable answer). */
  models: ServedModel[] | null;
}

const keyOf = (v: Vendor) => `vendor-models:${v.slug}:${v.updatedAt?.getTime() ?? 0}`;

/**
 * The models each vendor serves, by slug, asked in parallel; a vendor that cannot say is absent
 * (and logged), never a failed list.
 */
export async function servedModels(
  env: Env,
  vendors: Vendor[],
  requestId: string,
): Promise<Map<string, ServedModel[]>> {
  const lists = await Promise.all(vendors.map((v) => servedBy(env, v, requestId)));
  const served = new Map<string, ServedModel[]>();
  for (const [i, models] of lists.entries()) if (models) served.set((vendors[i] as Vendor).slug, models);
  return served;
}

async function servedBy(env: Env, vendor: Vendor, requestId: string): Promise<ServedModel[] | null> {
  const key = keyOf(vendor);
  try {
    const hit = await env.CACHE.get<Entry>(key, "json");
    if (hit) return hit.models;
  } catch (err) {
    log(requestId, vendor, "model list cache read failed", err);
  }
  const models = await ask(env, vendor).catch((err: unknown) => {
    log(requestId, vendor, "vendor model list unavailable; left out", err);
    return null;
  });
  const entry: Entry = { models };
  await env.CACHE.put(key, JSON.stringify(entry), {
    expirationTtl: models ? MODEL_LIST_TTL_SECONDS : FAILED_TTL_SECONDS,
  }).catch((err: unknown) => log(requestId, vendor, "model list cache write failed", err));
  return models;
}

async function ask(env: Env, vendor: Vendor): Promise<ServedModel[]> {
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(timeoutError(MODEL_LIST_TIMEOUT_MS)),
    MODEL_LIST_TIMEOUT_MS,
  );
  try {
    const apiKey = await apiKeyOf(env, vendor);
    return await listOpenAIModels({ vendor, apiKey, signal: controller.signal });
  } finally {
    clearTimeout(timer);
  }
}

/** The vendor's slug and our error code only: never its base URL, key or answer. */
function log(requestId: string, vendor: Vendor, msg: string, err: unknown) {
  console.error(
    JSON.stringify({
      level: "warn",
      msg,
      request_id: requestId,
      vendor: vendor.slug,
      error_code: toGatewayError(err).code,
    }),
  );
}
