import { z } from "@hono/zod-openapi";

/**
 * Budget limits as the API reads and writes them, for users (users.ts) and for API keys' own
 * (api-keys.ts): the same four columns on both tables.
 */

const usdLimit = z.number().min(0).max(1_000_000_000).nullable();
const tokenLimit = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).nullable();
const BUDGETS_DESCRIPTION =
  "Spending limits per UTC calendar day and month, in USD (from model pricing) and in tokens (prompt + " +
  "completion); null = no limit. A call that would pass one is refused with 429 `budget_exceeded`.";

export const BudgetsSchema = z
  .object({
    daily_usd: usdLimit.openapi({ example: 5 }),
    monthly_usd: usdLimit.openapi({ example: 100 }),
    daily_tokens: tokenLimit.openapi({ example: 1_000_000 }),
    monthly_tokens: tokenLimit.openapi({ example: null }),
  })
  .openapi("UserBudgets", { description: BUDGETS_DESCRIPTION });

/** Writes give only the limits they change; the others stay as they are. */
export const BudgetsInputSchema = BudgetsSchema.partial()
  .strict()
  .openapi("UserBudgetsInput", {
    description: DOCS && `${BUDGETS_DESCRIPTION} Fields left out are unchanged (on creation: null).`,
  });

type BudgetsInput = z.infer<typeof BudgetsInputSchema>;

interface BudgetColumns {
  budgetDailyUsd: number | null;
  budgetMonthlyUsd: number | null;
  budgetDailyTokens: number | null;
  budgetMonthlyTokens: number | null;
}

export const budgetsOf = (row: BudgetColumns) => ({
  daily_usd: row.budgetDailyUsd,
  monthly_usd: row.budgetMonthlyUsd,
  daily_tokens: row.budgetDailyTokens,
  monthly_tokens: row.budgetMonthlyTokens,
});

/** The columns a budgets input sets; fields it leaves out are not touched. */
export function budgetColumns(b: BudgetsInput | undefined): Partial<BudgetColumns> {
  if (!b) return {};
  return {
    ...(b.daily_usd !== undefined ? { budgetDailyUsd: b.daily_usd } : {}),
    ...(b.monthly_usd !== undefined ? { budgetMonthlyUsd: b.monthly_usd } : {}),
    ...(b.daily_tokens !== undefined ? { budgetDailyTokens: b.daily_tokens } : {}),
    ...(b.monthly_tokens !== undefined ? { budgetMonthlyTokens: b.monthly_tokens } : {}),
  };
}
