import type { Context } from "hono";
import type { Usage } from "../chat/types";
import type { UserRow } from "../db/schema";
import type { AppEnv } from "../env";
import { isolateLeases, type LeaseBook } from "./budget-lease";
import type { BudgetStatus } from "./budget-ledger";
import { type Amount, type BudgetLimits, type BudgetOwner, hasLimits } from "./budget-window";
import { billedInputTokens, costOf, type Price } from "./pricing";

/**
 * Per-user and per-key budgets for the pipelines: a call's estimate is held before the upstream call and
 * replaced by the real usage after the response (or given back when the call failed). Users
 * without a budget cost nothing. The counters live in the user's (or key's) BudgetTracker Durable Object
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

const trackerOf = (env: BudgetEnv, name: string) => env.BUDGETS.get(env.BUDGETS.idFromName(name));

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
  /** The calling key and its own limits (src/auth/key-scope.ts); null when it has none. */
  key: { id: string; limits: BudgetLimits } | null;
  waitUntil(promise: Promise<unknown>): void;
}

/** The payer of a request's calls: its user and key, or null for the operator's ADMIN_API_KEY. */
export function budgetPayer(c: Context<AppEnv>): BudgetPayer | null {
  const p = c.get("principal");
  if (p.kind !== "user") return null;
  return {
    env: c.env,
    user: p.user,
    key: { id: p.keyId, limits: p.scope.budgets },
    waitUntil: (promise) => c.executionCtx.waitUntil(promise),
  };
}

/** A key's own budget lives in a tracker of its own, in the same namespace as users' (ids never clash). */
export const keyBudgetName = (keyId: string): string => `key:${keyId}`;

/** The budgets a call is held against: its user's and its key's, those with a limit set. */
function budgetsOf(payer: BudgetPayer): { name: string; limits: BudgetLimits; owner: BudgetOwner }[] {
  const all = [
    { name: payer.user.id, limits: budgetLimitsOf(payer.user), owner: "user" as const },
    ...(payer.key
      ? [{ name: keyBudgetName(payer.key.id), limits: payer.key.limits, owner: "API key" as const }]
      : []),
  ];
  return all.filter((b) => hasLimits(b.limits));
}

/**
 * Holds the call's estimate against its user's budget and its key's own, together: both are asked
 * at once, and when one refuses, what the other granted is given back at once. Throws 429
 * `budget_exceeded`, naming the limit, whose it is (the user's or the API key's), and with
 * Retry-After until its window resets, when spent + held + the estimate would pass a limit; 503
 * `budget_unavailable` when a budget could not be checked. Later settles and releases of the same
 * hold do nothing. A null payer (the operator's ADMIN_API_KEY has no user) or a call with neither
 * budget holds nothing. Each budget keeps its own bound (budget-lease.ts): holding two changes
 * neither.
 */
export async function holdBudget(
  payer: BudgetPayer | null,
  estimate: Amount | (() => Amount),
  book: LeaseBook = isolateLeases,
): Promise<BudgetHold> {
  const budgets = payer ? budgetsOf(payer) : [];
  // The estimate is only worked out for budgeted calls (it walks the whole prompt).
  if (!payer || budgets.length === 0) return NO_HOLD;
  const amount = typeof estimate === "function" ? estimate() : estimate;
  const { env } = payer;
  const held = await Promise.allSettled(
    budgets.map((b) =>
      book.hold(b.name, b.limits, amount, {
        tracker: () => trackerOf(env, b.name),
        waitUntil: payer.waitUntil,
        owner: b.owner,
      }),
    ),
  );
  const refused = held.find((h) => h.status === "rejected");
  if (refused) {
    for (const h of held) if (h.status === "fulfilled") h.value.release();
    throw refused.reason;
  }
  const holds = held.map((h) => (h as PromiseFulfilledResult<BudgetHold>).value);
  if (holds.length === 1) return holds[0] as BudgetHold;
  return {
    settle: (actual) => {
      for (const h of holds) h.settle(actual);
    },
    release: () => {
      for (const h of holds) h.release();
    },
  };
}

/**
 * Spent and reserved per window, and when each resets: a user's (GET /v1/users/{id}/budget, by
 * user id) or a key's own (by keyBudgetName).
 */
export async function readBudget(env: BudgetEnv, name: string): Promise<BudgetStatus> {
  return trackerOf(env, name).status();
}
