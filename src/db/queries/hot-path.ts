import type { ApiKeyRow, ModelConfigRow, UserRow, VendorKeyRow, VendorRow } from "../schema";

/**
 * The request hot path's one D1 statement: the API key, its user, and the rows resolving the
 * body's model (the alias's config; its vendors, by slug or through the alias's targets, with
 * their further keys) in a single row.
 *
 * Written as SQL once, not built through Drizzle per request: the benchmark (bench/README.md)
 * showed query building as the largest share of the gateway's own CPU, and one statement costs
 * D1 less than a batch of four. Column lists follow src/db/schema.ts; the tests cover both paths
 * (this one and Drizzle's), so a schema change that forgets this file fails them.
 */
/** The vendors the model names: `?3` (the slug of `vendor/model`), or the alias's and its targets'. */
const SLUGS = `(select ?3 where ?3 is not null
    union select vendor from model_configs where alias = ?2
    union select t.value ->> 'vendor' from model_configs m, json_each(m.targets) t where m.alias = ?2)`;

const HOT_PATH_SQL = `
select
  k.id as k_id, k.user_id as k_user_id, k.name as k_name, k.prefix as k_prefix, k.hash as k_hash,
  k.created_at as k_created_at, k.expires_at as k_expires_at, k.revoked_at as k_revoked_at,
  k.last_used_at as k_last_used_at, k.rate_limit_per_minute as k_rate_limit_per_minute,
  k.models as k_models, k.metadata as k_metadata,
  k.budget_daily_usd as k_budget_daily_usd, k.budget_monthly_usd as k_budget_monthly_usd,
  k.budget_daily_tokens as k_budget_daily_tokens, k.budget_monthly_tokens as k_budget_monthly_tokens,
  u.id as u_id, u.email as u_email, u.name as u_name, u.role as u_role,
  u.budget_daily_usd as u_budget_daily_usd, u.budget_monthly_usd as u_budget_monthly_usd,
  u.budget_daily_tokens as u_budget_daily_tokens, u.budget_monthly_tokens as u_budget_monthly_tokens,
  u.created_at as u_created_at, u.updated_at as u_updated_at,
  (select json_object(
     'alias', m.alias, 'vendor', m.vendor, 'upstream_model', m.upstream_model, 'targets', json(m.targets),
     'capabilities', json(m.capabilities), 'context_window', m.context_window,
     'max_output_tokens', m.max_output_tokens, 'pricing', json(m.pricing), 'defaults', json(m.defaults),
     'fallbacks', json(m.fallbacks), 'cache_ttl_seconds', m.cache_ttl_seconds,
     'created_at', m.created_at, 'updated_at', m.updated_at)
   from model_configs m where m.alias = ?2) as config,
  (select json_group_array(json_object(
     'slug', v.slug, 'kind', v.kind, 'base_url', v.base_url, 'api_key_encrypted', v.api_key_encrypted,
     'api_key_disabled_until', v.api_key_disabled_until,
     'enabled', v.enabled, 'created_at', v.created_at, 'updated_at', v.updated_at))
   from vendors v where v.slug in ${SLUGS}) as vendors,
  (select json_group_array(json_object(
     'id', vk.id, 'vendor', vk.vendor, 'api_key_encrypted', vk.api_key_encrypted, 'weight', vk.weight,
     'last_4', vk.last_4, 'disabled_until', vk.disabled_until, 'created_at', vk.created_at))
   from vendor_keys vk where vk.vendor in ${SLUGS}) as vendor_keys
from api_keys k join users u on u.id = k.user_id
where k.hash = ?1
limit 1`;

interface HotRow {
  k_id: string;
  k_user_id: string;
  k_name: string | null;
  k_prefix: string;
  k_hash: string;
  k_created_at: number;
  k_expires_at: number | null;
  k_revoked_at: number | null;
  k_last_used_at: number | null;
  k_rate_limit_per_minute: number | null;
  k_models: string | null;
  k_metadata: string | null;
  k_budget_daily_usd: number | null;
  k_budget_monthly_usd: number | null;
  k_budget_daily_tokens: number | null;
  k_budget_monthly_tokens: number | null;
  u_id: string;
  u_email: string;
  u_name: string | null;
  u_role: "user" | "admin";
  u_budget_daily_usd: number | null;
  u_budget_monthly_usd: number | null;
  u_budget_daily_tokens: number | null;
  u_budget_monthly_tokens: number | null;
  u_created_at: number;
  u_updated_at: number;
  config: string | null;
  vendors: string;
  vendor_keys: string;
}

export interface HotPathRows {
  key: ApiKeyRow;
  user: UserRow;
  config: ModelConfigRow | null;
  vendors: VendorRow[];
  vendorKeys: VendorKeyRow[];
}

const date = (ms: number | null): Date | null => (ms === null ? null : new Date(ms));
/** A JSON column as Drizzle's `mode: "json"` reads it. */
const json = <T>(text: string | null): T | null => (text === null ? null : (JSON.parse(text) as T));

function configFrom(json: string | null): ModelConfigRow | null {
  if (json === null) return null;
  const c = JSON.parse(json);
  return {
    alias: c.alias,
    vendor: c.vendor,
    upstreamModel: c.upstream_model,
    targets: c.targets,
    capabilities: c.capabilities,
    contextWindow: c.context_window,
    maxOutputTokens: c.max_output_tokens,
    pricing: c.pricing,
    defaults: c.defaults,
    fallbacks: c.fallbacks,
    cacheTtlSeconds: c.cache_ttl_seconds,
    createdAt: new Date(c.created_at),
    updatedAt: new Date(c.updated_at),
  };
}

/** The rows as the statement's json_object gives them: SQL column names, times as epoch ms. */
interface VendorJson {
  slug: string;
  kind: VendorRow["kind"];
  base_url: string | null;
  api_key_encrypted: string | null;
  api_key_disabled_until: number | null;
  enabled: number;
  created_at: number;
  updated_at: number;
}
type VendorKeyJson = Pick<VendorKeyRow, "id" | "vendor" | "weight"> & {
  api_key_encrypted: string;
  last_4: string | null;
  disabled_until: number | null;
  created_at: number;
};

function vendorsFrom(json: string): VendorRow[] {
  return (JSON.parse(json) as VendorJson[]).map((v) => ({
    slug: v.slug,
    kind: v.kind,
    baseUrl: v.base_url,
    apiKeyEncrypted: v.api_key_encrypted,
    apiKeyDisabledUntil: date(v.api_key_disabled_until),
    enabled: v.enabled === 1,
    createdAt: new Date(v.created_at),
    updatedAt: new Date(v.updated_at),
  }));
}

function vendorKeysFrom(json: string): VendorKeyRow[] {
  return (JSON.parse(json) as VendorKeyJson[]).map((k) => ({
    id: k.id,
    vendor: k.vendor,
    apiKeyEncrypted: k.api_key_encrypted,
    weight: k.weight,
    last4: k.last_4,
    disabledUntil: date(k.disabled_until),
    createdAt: new Date(k.created_at),
  }));
}

/**
 * Reads the key by its hash, with its user and what `model` resolves to (`vendor/model` → the
 * vendor row; an alias → its config and its targets' vendor rows; both with the vendors' further
 * keys). Undefined when no key has this hash.
 *
 * Through D1's Sessions API: the nearest copy answers (a read replica, when the database has
 * them). A replica may lag the primary by a moment, so a key or alias created just now could be
 * missing there: a read a replica answered without finding them is asked of the primary again,
 * which is also what a wrong key costs (failures are rate-limited per IP, src/auth/ip-block.ts).
 * @see https://developers.cloudflare.com/d1/best-practices/read-replication/
 */
export async function readHotPath(
  d1: D1Database,
  hash: string,
  model: string,
): Promise<HotPathRows | undefined> {
  const slash = model.indexOf("/");
  const vendorSlug = slash > 0 && slash < model.length - 1 ? model.slice(0, slash) : null;
  const read = async (session: D1DatabaseSession) => {
    const { results, meta } = await session
      .prepare(HOT_PATH_SQL)
      .bind(hash, vendorSlug === null ? model : "", vendorSlug)
      .all<HotRow>();
    return { row: results[0], replica: meta.served_by_primary === false };
  };
  let { row, replica } = await read(d1.withSession("first-unconstrained"));
  const aliasMissing = row !== undefined && vendorSlug === null && model !== "" && row.config === null;
  if (replica && (!row || aliasMissing)) ({ row } = await read(d1.withSession("first-primary")));
  return row ? rowsFrom(row) : undefined;
}

function rowsFrom(row: HotRow): HotPathRows {
  return {
    key: {
      id: row.k_id,
      userId: row.k_user_id,
      name: row.k_name,
      prefix: row.k_prefix,
      hash: row.k_hash,
      createdAt: new Date(row.k_created_at),
      expiresAt: date(row.k_expires_at),
      revokedAt: date(row.k_revoked_at),
      lastUsedAt: date(row.k_last_used_at),
      rateLimitPerMinute: row.k_rate_limit_per_minute,
      models: json<string[]>(row.k_models),
      metadata: json<Record<string, string>>(row.k_metadata),
      budgetDailyUsd: row.k_budget_daily_usd,
      budgetMonthlyUsd: row.k_budget_monthly_usd,
      budgetDailyTokens: row.k_budget_daily_tokens,
      budgetMonthlyTokens: row.k_budget_monthly_tokens,
    },
    user: {
      id: row.u_id,
      email: row.u_email,
      name: row.u_name,
      role: row.u_role,
      budgetDailyUsd: row.u_budget_daily_usd,
      budgetMonthlyUsd: row.u_budget_monthly_usd,
      budgetDailyTokens: row.u_budget_daily_tokens,
      budgetMonthlyTokens: row.u_budget_monthly_tokens,
      createdAt: new Date(row.u_created_at),
      updatedAt: new Date(row.u_updated_at),
    },
    config: configFrom(row.config),
    vendors: vendorsFrom(row.vendors),
    vendorKeys: vendorKeysFrom(row.vendor_keys),
  };
}
