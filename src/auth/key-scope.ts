import type { ApiKeyRow } from "../db/schema";
import { GatewayError } from "../errors/gateway-error";
import type { BudgetLimits } from "../gateway/budget-window";

/**
 * What an API key is limited to beyond its user's rights (README "Scoped keys"): the models it
 * may call, its own budgets, and the tags its usage records carry. Read with the key on the hot
 * path (src/db/queries/hot-path.ts), so checking it costs no storage round trip.
 */
export interface KeyScope {
  /** Allowed model strings and `prefix*` patterns; null = every model. */
  models: string[] | null;
  budgets: BudgetLimits;
  metadata: Record<string, string> | null;
}

export const scopeOf = (key: ApiKeyRow): KeyScope => ({
  models: key.models,
  budgets: {
    dailyUsd: key.budgetDailyUsd,
    monthlyUsd: key.budgetMonthlyUsd,
    dailyTokens: key.budgetDailyTokens,
    monthlyTokens: key.budgetMonthlyTokens,
  },
  metadata: key.metadata,
});

/**
 * A pattern: an exact model string (`fast`, `mock/echo`), or one ending in `*` that matches any
 * suffix (`anthropic/*`, `gpt-4o*`); `*` alone matches everything. A `*` anywhere else is refused
 * on write, so matching never has to guess what it meant.
 */
export function patternProblem(pattern: string): string | null {
  if (pattern.length === 0) return "must not be empty";
  if (/\s/.test(pattern)) return "must not contain whitespace";
  if (pattern.slice(0, -1).includes("*")) return "may hold `*` only as its last character";
  return null;
}

export function patternMatches(pattern: string, model: string): boolean {
  return pattern.endsWith("*") ? model.startsWith(pattern.slice(0, -1)) : model === pattern;
}

export const modelAllowed = (models: string[] | null, model: string): boolean =>
  models === null || models.some((p) => patternMatches(p, model));

/**
 * Whether everything `inner` matches is matched by one of `outer` (a scoped key creating a key
 * may hand on no more than it holds): an exact string is covered when it matches, a prefix
 * pattern when a pattern of `outer` has a prefix of it.
 */
export function patternsWithin(inner: string[], outer: string[]): boolean {
  return inner.every((p) =>
    outer.some((o) =>
      o.endsWith("*") ? p.startsWith(o.slice(0, -1)) : !p.endsWith("*") && patternMatches(o, p),
    ),
  );
}

/**
 * Refuses a call for a model the key may not use: 403 `model_not_allowed`, naming it. The model
 * is the one the client asked for (alias or `vendor/model`); fallbacks an admin configured on an
 * allowed alias are not the client's choice and stay allowed.
 */
export function assertModelAllowed(scope: KeyScope | null, model: string, param = "model"): void {
  if (!scope || modelAllowed(scope.models, model)) return;
  throw new GatewayError(
    403,
    "permission_error",
    "model_not_allowed",
    `This API key may not use the model \`${model}\`; it may use: ${scope.models?.map((m) => `\`${m}\``).join(", ") || "no model"}.`,
    { param },
  );
}

/** Metadata bounds (README "Scoped keys"): tags are labels for reports, not a store. */
export const MAX_TAGS = 16;
export const TAG_NAME = /^[a-z0-9_.-]{1,40}$/;
export const MAX_TAG_VALUE_LENGTH = 200;
