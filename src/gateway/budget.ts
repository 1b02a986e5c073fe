import type { Context } from "hono";
import type { Usage } from "../chat/types";
import type { UserRow } from "../db/schema";
import type { AppEnv } from "../env";
import { isolateLeases, type LeaseBook } from "./budget-lease";
import type { BudgetStatus } from "./budget-ledger";
import { type Amount, type BudgetLimits, hasLimits } from "./budget-window";
import { billedInputTokens, costOf, type Price } from "./pricing";

/**
 * Per-user budgets for the pipelines: a call's estimate is held before the upstream call and
 * replaced by the real usage after the response (or given back when the call failed). Users
 * without a budget cost nothing. The counters live in the user's BudgetTracker Durable Object
 * (budget-tracker.ts), which makes every grant atomic; calls take their estimates from a lease
 * of room it granted this isolate in advance (budget-lease.ts), so a warm budgeted call does not
 * wait on the object.
 *
 *   const hold = await holdBudget(payer, () => estimateCall(prompt, maxOut, price));
 *   ...upstream call... then hold.settle(amountOf(usage, price)), or hold.release() on failure.
 *
 * settle and release never reject (a failure is logged): what reaches the object runs after the
 * response, in waitUntil.
 */

export type BudgetEnv = Pick<Env, "BUDGETS">;

export const budgetLimitsOf = (user: UserRow): BudgetLimits => ({
  dailyUsd: user.budgetDailyUsd,
  monthlyUsd: user.budgetMonthlyUsd,
  dailyTokens: user.budgetDailyTokens,
  monthlyTokens: user.budgetMonthlyTokens,
});

const trackerOf = (env: BudgetEnv, userId: string) => env.BUDGETS.get(env.BUDGETS.idFromName(userId));

/**
 * Tokens and USD a chat call may use at most: the prompt estimate plus the longest answer allowed
 * (`max_tokens`, else the room the pipeline reserves for the answer), at the model's price.
 */
export function estimateCall(promptTokens: number, maxOutputTokens: number, price: Price | null): Amount {
  return {
    tokens: promptTokens + maxOutputTokens,
    usd: costOf({ inputTokens: promptTokens, outputTokens: maxOutputTokens }, price),
  };
}

/**
 * What a call used, as budgets count it: the tokens a vendor was paid for (not those the gateway's
 * own cache answered), and their cost at the call's price.
 */
export const amountOf = (usage: Usage, price: Price | null): Amount => ({
  tokens: billedInputTokens(usage) + usage.outputTokens,
  usd: costOf(usage, price),
});

/** A call's hold on its user's budget: settle or release it once, after the response. */
export interface BudgetHold {
  /** Charges what the call really used (see amountOf). */
  settle(actual: Amount): void;
  /** The call failed and spent nothing. */
  release(): void;
}

export const NO_HOLD: BudgetHold = { settle() {}, release() {} };

/** Whom a call is charged to, and a way to outlive the response (the request's waitUntil). */
export interface BudgetPayer {
  env: BudgetEnv;
  user: UserRow;
  waitUntil(promise: Promise<unknown>): void;
}

/** The payer of a request's calls: its user, or null for the operator's ADMIN_API_KEY. */
export function budgetPayer(c: Context<AppEnv>): BudgetPayer | null {
  const p = c.get("principal");
  if (p.kind !== "user") return null;
  return { env: c.env, user: p.user, waitUntil: (promise) => c.executionCtx.waitUntil(promise) };
}

/**
 * Holds the call's estimate against its user's budget. Throws 429 `budget_exceeded`, naming the
 * limit and with Retry-After until its window resets, when spent + held + the estimate would
 * pass a limit; 503 `budget_unavailable` when the budget could not be checked. Later settles and
 * releases of the same hold do nothing. A null payer (the operator's ADMIN_API_KEY has no user)
 * or a user without budgets holds nothing.
 */
export async function holdBudget(
  payer: BudgetPayer | null,
  estimate: Amount | (() => Amount),
  book: LeaseBook = isolateLeases,
): Promise<BudgetHold> {
  // The estimate is only worked out for budgeted users (it walks the whole prompt).
  if (!payer || !userHasBudget(payer.user)) return NO_HOLD;
  const amount = typeof estimate === "function" ? estimate() : estimate;
  const { env, user } = payer;
  return book.hold(user.id, budgetLimitsOf(user), amount, {
    tracker: () => trackerOf(env, user.id),
    waitUntil: payer.waitUntil,
  });
}

/** Spent and reserved per window, and when each resets (GET /v1/users/{id}/budget). */
export async function readBudget(env: BudgetEnv, userId: string): Promise<BudgetStatus> {
  return trackerOf(env, userId).status();
}

/** Whether calls by this user are budgeted (so an estimate is worth computing). */
export const userHasBudget = (user: UserRow): boolean => hasLimits(budgetLimitsOf(user));
