/** The API's resource shapes the console reads (assets/openapi.json, components.schemas). */

export const VENDOR_KINDS = ["openai", "anthropic", "gemini", "openai-compatible", "mock"] as const;
export type VendorKind = (typeof VENDOR_KINDS)[number];

export interface Vendor {
  slug: string;
  kind: VendorKind;
  base_url: string | null;
  enabled: boolean;
  builtin: boolean;
  has_api_key: boolean;
  api_key_source: "stored" | "environment" | null;
  created_at: string | null;
  updated_at: string | null;
}

export const CAPABILITIES = ["vision", "tools", "image_generation", "streaming"] as const;
export type Capability = (typeof CAPABILITIES)[number];

export interface ModelPricing {
  input_per_mtok: number;
  output_per_mtok: number;
}

export interface ModelTarget {
  vendor: string;
  upstream_model: string;
  weight: number;
}

export interface ModelConfig {
  alias: string;
  vendor: string;
  upstream_model: string;
  /** The deployments calls are spread over by weight (one: vendor and upstream_model). */
  targets: ModelTarget[];
  capabilities: Record<Capability, boolean>;
  context_window: number | null;
  max_output_tokens: number | null;
  pricing: ModelPricing | null;
  defaults: Record<string, unknown>;
  fallbacks: string[];
  cache_ttl_seconds: number | null;
  created_at: string;
  updated_at: string;
}

export interface Model {
  id: string;
  object: "model";
  created: number;
  owned_by: string;
}

export type Visibility = "private" | "shared";

export interface Persona {
  id: string;
  name: string;
  description: string | null;
  system_prompt: string;
  model: string;
  temperature: number | null;
  max_tokens: number | null;
  visibility: Visibility;
  owner_id: string | null;
  created_at: string;
  updated_at: string;
}

export interface Conversation {
  id: string;
  title: string;
  persona_id: string | null;
  model: string | null;
  created_at: string;
  updated_at: string;
}

export type ContentPart =
  | { type: "text"; text: string }
  | { type: "image_url"; image_url: { url: string; detail?: string } };

export interface Message {
  id: string;
  conversation_id: string;
  role: "system" | "user" | "assistant" | "tool";
  content: ContentPart[];
  model: string | null;
  usage: { prompt_tokens: number; completion_tokens: number } | null;
  latency_ms: number | null;
  finish_reason: string | null;
  created_at: string;
}

export interface User {
  id: string;
  email: string;
  name: string | null;
  role: "user" | "admin";
  budgets: Budgets;
  created_at: string;
}

export interface Budgets {
  daily_usd: number | null;
  monthly_usd: number | null;
  daily_tokens: number | null;
  monthly_tokens: number | null;
}

export interface ApiKey {
  id: string;
  name: string | null;
  prefix: string;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
  rate_limit_per_minute: number | null;
  /** Models the key may call (exact or ending in `*`); null = every model. */
  models: string[] | null;
  budgets: Budgets;
  metadata: Record<string, string> | null;
}

export interface CreatedApiKey extends ApiKey {
  key: string;
}

export interface BudgetWindow {
  window: string;
  limit_usd: number | null;
  limit_tokens: number | null;
  spent_usd: number;
  spent_tokens: number;
  reserved_usd: number;
  reserved_tokens: number;
  resets_at: string;
}

export interface BudgetStatus {
  user_id: string;
  daily: BudgetWindow;
  monthly: BudgetWindow;
}

/** The requests-per-minute tiers a key may have (src/gateway/rate-limit.ts); null = 600. */
export const RATE_LIMIT_TIERS = [60, 600, 3000, 10000] as const;

export interface UsageGroup {
  key: string | null;
  requests: number;
  errors: number;
  cache_hits: number;
  input_tokens: number;
  output_tokens: number;
  cached_tokens: number;
  cost_usd: number;
  avg_latency_ms: number | null;
}

export interface UsageReport {
  from: string;
  to: string;
  group_by: string;
  data: UsageGroup[];
  totals: Omit<UsageGroup, "key">;
}
