/** The API's shapes the console reads (assets/openapi.json has them all). */
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

export interface Model {
  id: string;
  owned_by: string;
}

/** The requests-per-minute tiers a key may have (src/gateway/rate-limit.ts); null = 600. */
export const RATE_LIMIT_TIERS = [60, 600, 3000, 10000] as const;
