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

export interface ModelConfig {
  alias: string;
  vendor: string;
  upstream_model: string;
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
