import type { CallRecord } from "./call-record";

/** One usage_events row on the wire (snake_case, JSON-safe); `id` makes redelivery harmless. */
export interface UsageMessage {
  id: string;
  request_id: string;
  user_id: string | null;
  api_key_id: string | null;
  route: CallRecord["route"];
  vendor: string | null;
  upstream_model: string | null;
  alias: string | null;
  input_tokens: number;
  output_tokens: number;
  cached_tokens: number;
  cost_usd: number;
  latency_ms: number | null;
  ttft_ms: number | null;
  status: number;
  cache_hit: boolean;
  /** The token counts are the gateway's estimate; absent from records queued before it was recorded. */
  tokens_estimated?: boolean;
  retries: number;
  fallback_used: string | null;
  /** Which vendor key answered; absent from records queued before it was recorded. */
  vendor_key_id?: string | null;
  error_code: string | null;
  /** The client's session (session-id.ts); absent from records queued before it was recorded. */
  session_id?: string | null;
  /** The key's metadata tags at call time; absent from records queued before they were recorded. */
  key_metadata?: Record<string, string> | null;
  /** When the call started, ms since the epoch: what daily totals and windows count by. */
  created_at: number;
}
