import { sql } from "drizzle-orm";
import { check, index, integer, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { VENDOR_KINDS } from "../providers/kinds";

/**
 * The data model. Times are integer milliseconds since the epoch (exposed as ISO-8601 UTC).
 * Ids are prefixed, time-ordered strings (see src/db/ids.ts), so `ORDER BY id` is creation order
 * and a single column is a stable pagination key.
 *
 * Cascades are deliberate: deleting a user removes what only that user owned (keys, private
 * personas, conversations and their messages); records other people rely on survive with the
 * link cleared (shared personas, usage history kept for accounting).
 */

const createdAt = () =>
  integer("created_at", { mode: "timestamp_ms" })
    .notNull()
    .default(sql`(cast(unixepoch('subsecond') * 1000 as integer))`);
const updatedAt = () =>
  integer("updated_at", { mode: "timestamp_ms" })
    .notNull()
    .default(sql`(cast(unixepoch('subsecond') * 1000 as integer))`);

export const users = sqliteTable(
  "users",
  {
    id: text("id").primaryKey(),
    // Stored lower-cased so uniqueness is case-insensitive.
    email: text("email").notNull(),
    name: text("name"),
    role: text("role", { enum: ["user", "admin"] })
      .notNull()
      .default("user"),
    // Spending limits (null = none), enforced by the user's budget Durable Object; windows are
    // UTC calendar days and months.
    budgetDailyUsd: real("budget_daily_usd"),
    budgetMonthlyUsd: real("budget_monthly_usd"),
    budgetDailyTokens: integer("budget_daily_tokens"),
    budgetMonthlyTokens: integer("budget_monthly_tokens"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("users_email_unique").on(t.email),
    check("users_role_check", sql`${t.role} in ('user', 'admin')`),
  ],
);

export const apiKeys = sqliteTable(
  "api_keys",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    name: text("name"),
    // First characters of the key, safe to show, so people can tell their keys apart.
    prefix: text("prefix").notNull(),
    // SHA-256 of the whole key (hex). The key itself is never stored.
    hash: text("hash").notNull(),
    createdAt: createdAt(),
    expiresAt: integer("expires_at", { mode: "timestamp_ms" }),
    // Revoked keys are kept (not deleted) so the audit trail and usage records still name them.
    revokedAt: integer("revoked_at", { mode: "timestamp_ms" }),
    // Written after the response, at most once a minute per key, to keep auth read-only.
    lastUsedAt: integer("last_used_at", { mode: "timestamp_ms" }),
    // Requests per minute for this key; null = the deployment's default tier.
    rateLimitPerMinute: integer("rate_limit_per_minute"),
    // Scopes (src/auth/key-scope.ts). The model allow-list (exact strings or `prefix*` patterns);
    // null = every model its user may call.
    models: text("models", { mode: "json" }).$type<string[]>(),
    // The key's own spending limits, held beside its user's by a budget Durable Object of its
    // own (`key:<id>`); null = none of that kind.
    budgetDailyUsd: real("budget_daily_usd"),
    budgetMonthlyUsd: real("budget_monthly_usd"),
    budgetDailyTokens: integer("budget_daily_tokens"),
    budgetMonthlyTokens: integer("budget_monthly_tokens"),
    // String tags copied into every usage record of the key (usage_events.key_metadata).
    metadata: text("metadata", { mode: "json" }).$type<Record<string, string>>(),
  },
  (t) => [uniqueIndex("api_keys_hash_unique").on(t.hash), index("api_keys_user_id_idx").on(t.userId, t.id)],
);

/** The kinds as an SQL list (trusted literals from kinds.ts, so raw is safe). */
const VENDOR_KIND_LIST = sql.raw(VENDOR_KINDS.map((k) => `'${k}'`).join(", "));

export const vendors = sqliteTable(
  "vendors",
  {
    // Rows here are admin-added vendors, or overrides of a built-in one (same slug).
    slug: text("slug").primaryKey(),
    kind: text("kind", { enum: VENDOR_KINDS }).notNull(),
    // Null means the kind's default (or the built-in's configured base URL).
    baseUrl: text("base_url"),
    // AES-GCM ciphertext (src/auth/secrets.ts); null means none stored (fall back to the env secret).
    apiKeyEncrypted: text("api_key_encrypted"),
    // When the vendor last refused the primary key (stored or the env's) as unauthorised: it is
    // skipped until then (src/gateway/routing/key-pool.ts). Shown by GET /v1/vendors/{slug}.
    apiKeyDisabledUntil: integer("api_key_disabled_until", { mode: "timestamp_ms" }),
    enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  // The enum above is TypeScript only in SQLite; this is what the database itself enforces.
  (t) => [check("vendors_kind_check", sql`${t.kind} in (${VENDOR_KIND_LIST})`)],
);

/**
 * A vendor's further API keys, beside its primary one (vendors.api_key_encrypted), each used by
 * weight, so a key can be rotated without downtime: add the new one, then remove the old. Not a
 * foreign key: built-in vendors have no row; deleting a vendor deletes its keys in the same batch.
 */
export const vendorKeys = sqliteTable(
  "vendor_keys",
  {
    id: text("id").primaryKey(),
    vendor: text("vendor").notNull(),
    // AES-GCM ciphertext bound to the vendor slug, like vendors.api_key_encrypted.
    apiKeyEncrypted: text("api_key_encrypted").notNull(),
    weight: integer("weight").notNull().default(1),
    // The key's last four characters, so admins can tell keys apart without seeing them.
    last4: text("last_4"),
    // Set when the vendor refused the key as unauthorised: skipped until then.
    disabledUntil: integer("disabled_until", { mode: "timestamp_ms" }),
    createdAt: createdAt(),
  },
  (t) => [index("vendor_keys_vendor_idx").on(t.vendor, t.id)],
);

/** One deployment of an alias: the vendor and its model name there, used by weight. */
export type StoredTarget = { vendor: string; upstream_model: string; weight: number };

export type Capabilities = {
  vision: boolean;
  tools: boolean;
  image_generation: boolean;
  streaming: boolean;
  // Absent from configs stored before embeddings existed: such a model does not embed.
  embeddings?: boolean;
};
export type Pricing = { input_per_mtok: number; output_per_mtok: number };
export type ModelDefaults = Record<string, unknown>;

export const modelConfigs = sqliteTable(
  "model_configs",
  {
    alias: text("alias").primaryKey(),
    // Not a foreign key: built-in vendors have no row. Deleting a vendor that is in use is refused.
    vendor: text("vendor").notNull(),
    upstreamModel: text("upstream_model").notNull(),
    // Several deployments to spread calls over, by weight; empty means the one above. When set,
    // `vendor` and `upstream_model` repeat the first target (they stay the alias's primary).
    targets: text("targets", { mode: "json" }).$type<StoredTarget[]>().notNull().default(sql`'[]'`),
    capabilities: text("capabilities", { mode: "json" }).$type<Capabilities>().notNull(),
    contextWindow: integer("context_window"),
    maxOutputTokens: integer("max_output_tokens"),
    pricing: text("pricing", { mode: "json" }).$type<Pricing>(),
    defaults: text("defaults", { mode: "json" }).$type<ModelDefaults>().notNull(),
    fallbacks: text("fallbacks", { mode: "json" }).$type<string[]>().notNull(),
    cacheTtlSeconds: integer("cache_ttl_seconds"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("model_configs_vendor_idx").on(t.vendor)],
);

export const personas = sqliteTable(
  "personas",
  {
    id: text("id").primaryKey(),
    // Null owner = shared with every user (visibility is derived, so the two can never disagree).
    ownerId: text("owner_id").references(() => users.id, { onDelete: "cascade" }),
    // Who wrote it; kept for shared personas, cleared (not cascaded) when that admin is deleted.
    createdBy: text("created_by").references(() => users.id, { onDelete: "set null" }),
    name: text("name").notNull(),
    description: text("description"),
    systemPrompt: text("system_prompt").notNull(),
    model: text("model").notNull(),
    temperature: real("temperature"),
    maxTokens: integer("max_tokens"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("personas_owner_id_idx").on(t.ownerId, t.id)],
);

export const conversations = sqliteTable(
  "conversations",
  {
    id: text("id").primaryKey(),
    ownerId: text("owner_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    // A conversation outlives its persona: the link is cleared, the history stays.
    personaId: text("persona_id").references(() => personas.id, { onDelete: "set null" }),
    model: text("model"),
    title: text("title").notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    // Lists are newest activity first.
    index("conversations_owner_updated_idx").on(t.ownerId, t.updatedAt, t.id),
    index("conversations_persona_id_idx").on(t.personaId),
  ],
);

export type StoredContentPart =
  | { type: "text"; text: string }
  | { type: "image_url"; image_url: { url: string; detail?: "auto" | "low" | "high" } };

export const messages = sqliteTable(
  "messages",
  {
    id: text("id").primaryKey(),
    conversationId: text("conversation_id")
      .notNull()
      .references(() => conversations.id, { onDelete: "cascade" }),
    role: text("role", { enum: ["system", "user", "assistant", "tool"] }).notNull(),
    // Always an array of OpenAI content parts, even for plain text, so readers have one shape.
    content: text("content", { mode: "json" }).$type<StoredContentPart[]>().notNull(),
    model: text("model"),
    promptTokens: integer("prompt_tokens"),
    completionTokens: integer("completion_tokens"),
    latencyMs: integer("latency_ms"),
    finishReason: text("finish_reason"),
    createdAt: createdAt(),
  },
  (t) => [
    index("messages_conversation_id_idx").on(t.conversationId, t.id),
    check("messages_role_check", sql`${t.role} in ('system', 'user', 'assistant', 'tool')`),
  ],
);

/** One row per gateway call (chat, conversation message, image); filled by the gateway issue. */
export const usageEvents = sqliteTable(
  "usage_events",
  {
    id: text("id").primaryKey(),
    requestId: text("request_id").notNull(),
    // Accounting outlives users and keys: links are cleared, the spend is kept.
    userId: text("user_id").references(() => users.id, { onDelete: "set null" }),
    apiKeyId: text("api_key_id").references(() => apiKeys.id, { onDelete: "set null" }),
    route: text("route").notNull(),
    vendor: text("vendor"),
    upstreamModel: text("upstream_model"),
    alias: text("alias"),
    inputTokens: integer("input_tokens").notNull().default(0),
    outputTokens: integer("output_tokens").notNull().default(0),
    cachedTokens: integer("cached_tokens").notNull().default(0),
    costUsd: real("cost_usd").notNull().default(0),
    latencyMs: integer("latency_ms"),
    ttftMs: integer("ttft_ms"),
    status: integer("status").notNull(),
    cacheHit: integer("cache_hit", { mode: "boolean" }).notNull().default(false),
    // The token counts are the gateway's estimate (src/chat/tokens.ts), not the vendor's: Gemini's
    // embeddings report none. Budgets and cost still use them, so reports can say which are guesses.
    tokensEstimated: integer("tokens_estimated", { mode: "boolean" }).notNull().default(false),
    retries: integer("retries").notNull().default(0),
    fallbackUsed: text("fallback_used"),
    // Which of the vendor's keys answered (vendor_keys.id, `primary` or `environment`), never
    // the key; null when no vendor was reached.
    vendorKeyId: text("vendor_key_id"),
    // Our error code when the call failed (status >= 400), for error-rate breakdowns.
    errorCode: text("error_code"),
    // The client's own session label (x-claude-code-session-id), for usage per session; null when
    // the client sent none, or one that was not a plausible id (src/gateway/session-id.ts).
    sessionId: text("session_id"),
    // The key's metadata tags (JSON object of strings) as they were when the call was made, so
    // reports group and filter by tag; null for keys without tags and the admin key.
    keyMetadata: text("key_metadata"),
    createdAt: createdAt(),
  },
  (t) => [
    index("usage_events_user_created_idx").on(t.userId, t.createdAt),
    index("usage_events_created_idx").on(t.createdAt),
    index("usage_events_api_key_idx").on(t.apiKeyId),
    index("usage_events_vendor_created_idx").on(t.vendor, t.createdAt),
    // The reports' session_id filter: one session's calls, over a range.
    index("usage_events_session_created_idx").on(t.sessionId, t.createdAt),
  ],
);

/**
 * Usage older than USAGE_RETENTION_DAYS, summed per UTC day (src/gateway/usage-rollup.ts): one row
 * per day and combination of the reports' dimensions (the key's tags included), where usage_events
 * has one per call. The
 * dimensions are NOT NULL with '' for "none" (reports read it back as null), because SQLite's
 * unique index treats NULLs as distinct and the roll-up's upsert needs one row per combination.
 * No foreign keys: deleting a user clears its ids here in the same batch (users route).
 */
export const usageDaily = sqliteTable(
  "usage_daily",
  {
    // YYYY-MM-DD, UTC.
    day: text("day").notNull(),
    userId: text("user_id").notNull().default(""),
    apiKeyId: text("api_key_id").notNull().default(""),
    vendor: text("vendor").notNull().default(""),
    upstreamModel: text("upstream_model").notNull().default(""),
    alias: text("alias").notNull().default(""),
    sessionId: text("session_id").notNull().default(""),
    // The calling key's metadata tags at call time, as usage_events keeps them (JSON text).
    keyMetadata: text("key_metadata").notNull().default(""),
    status: integer("status").notNull(),
    requests: integer("requests").notNull(),
    cacheHits: integer("cache_hits").notNull(),
    inputTokens: integer("input_tokens").notNull(),
    outputTokens: integer("output_tokens").notNull(),
    cachedTokens: integer("cached_tokens").notNull(),
    costUsd: real("cost_usd").notNull(),
    // The average latency is latency_sum_ms / latency_count, as over raw rows (nulls not counted).
    latencySumMs: integer("latency_sum_ms").notNull(),
    latencyCount: integer("latency_count").notNull(),
  },
  (t) => [
    uniqueIndex("usage_daily_dims_unique").on(
      t.day,
      t.userId,
      t.apiKeyId,
      t.vendor,
      t.upstreamModel,
      t.alias,
      t.sessionId,
      t.keyMetadata,
      t.status,
    ),
    index("usage_daily_user_day_idx").on(t.userId, t.day),
  ],
);

/**
 * Responses API answers kept for `previous_response_id`, GET and input items (OpenAI's `store`).
 * `origin` says where a response lives: `gateway` (translated for a non-OpenAI vendor: the
 * response and its input are here) or `vendor` (an `openai` vendor stores it; only who owns its id
 * is kept here, since the vendor key is shared and OpenAI itself would answer anyone). A user's
 * responses go with the user; `expires_at` bounds how long any is kept (RESPONSE_RETENTION_DAYS).
 */
export const responses = sqliteTable(
  "responses",
  {
    id: text("id").primaryKey(),
    // Null for the admin key's own calls (it has no user row).
    userId: text("user_id").references(() => users.id, { onDelete: "cascade" }),
    origin: text("origin", { enum: ["gateway", "vendor"] }).notNull(),
    vendor: text("vendor").notNull(),
    upstreamModel: text("upstream_model").notNull(),
    status: text("status").notNull(),
    previousResponseId: text("previous_response_id"),
    // The Response as the client was sent it, and the input items of its request (gateway only).
    response: text("response", { mode: "json" }).$type<Record<string, unknown>>(),
    inputItems: text("input_items", { mode: "json" }).$type<Record<string, unknown>[]>(),
    createdAt: createdAt(),
    expiresAt: integer("expires_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [
    index("responses_user_created_idx").on(t.userId, t.createdAt),
    index("responses_expires_idx").on(t.expiresAt),
    check("responses_origin_check", sql`${t.origin} in ('gateway', 'vendor')`),
  ],
);

export type UserRow = typeof users.$inferSelect;
export type ApiKeyRow = typeof apiKeys.$inferSelect;
export type VendorRow = typeof vendors.$inferSelect;
export type ModelConfigRow = typeof modelConfigs.$inferSelect;
export type VendorKeyRow = typeof vendorKeys.$inferSelect;
export type PersonaRow = typeof personas.$inferSelect;
export type ConversationRow = typeof conversations.$inferSelect;
export type MessageRow = typeof messages.$inferSelect;
export type ResponseRow = typeof responses.$inferSelect;
