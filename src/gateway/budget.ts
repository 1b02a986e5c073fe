import type { Context } from "hono";
import type { Usage } from "../chat/types";
import type { UserRow } from "../db/schema";
import type { AppEnv } from "../env";
import { GatewayError } from "../errors/gateway-error";
import type { BudgetStatus, ReservationRef } from "./budget-ledger";
import { type Amount, type BudgetLimits, hasLimits, limitMessage } from "./budget-window";
import { costOf, type Price } from "./pricing";

/**
 * Per-user budgets for the pipelines: reserve an estimate before the upstream call, then settle
 * with the real usage after the response (or release it when the call failed). Users without a
 * budget cost nothing: no Durable Object is called for them. The counters live in the user's
 * BudgetTracker Durable Object (budget-tracker.ts), which makes check-and-reserve atomic.
 *
 *   const reservation = await reserveBudget(env, user, estimateCall(prompt, maxOut, price));
 *   try { ...upstream call... } catch (e) { if (reservation) waitUntil(releaseBudget(env, reservation)); throw e; }
 *   if (reservation) waitUntil(settleBudget(env, reservation, amountOf(usage, price)));
 *
 * (holdBudget wraps the three for a pipeline.) settle and release never reject (a failure is
 * logged): they run after the response.
 */

export type BudgetEnv = Pick<Env, "BUDGETS">;

/** An estimate held against a user's budget until settled or released (or expired, 10 min). */
export interface BudgetReservation extends ReservationRef {
  userId: string;
}

export const budgetLimitsOf = (user: UserRow): BudgetLimits => ({
  dailyUsd: user.budgetDailyUsd,
  monthlyUsd: user.budgetMonthlyUsd,
  dailyTokens: user.budgetDailyTokens,
  monthlyTokens: user.budgetMonthlyTokens,
});

const trackerOf = (env: BudgetEnv, userId: string) => env.BUDGETS.get(env.BUDGETS.idFromName(userId));
type BudgetStub = ReturnType<typeof trackerOf>;

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

/** What a call used, as budgets count it: all its tokens, and their cost at the call's price. */
export const amountOf = (usage: Usage, price: Price | null): Amount => ({
  tokens: usage.inputTokens + usage.outputTokens,
  usd: costOf(usage, price),
});

/**
 * Holds `estimate` against the user's budget. Null when the user has no budget (nothing to settle
 * then). Throws 429 `budget_exceeded`, naming the limit and with Retry-After until its window
 * resets, when spent + reserved by calls in flight + estimate would pass a limit.
 */
export async function reserveBudget(
  env: BudgetEnv,
  user: UserRow,
  estimate: Amount,
): Promise<BudgetReservation | null> {
  const limits = budgetLimitsOf(user);
  if (!hasLimits(limits)) return null;
  let outcome: Awaited<ReturnType<BudgetStub["reserve"]>>;
  try {
    outcome = await trackerOf(env, user.id).reserve(limits, estimate);
  } catch (cause) {
    // The tracker could not be reached (an overloaded or resetting Durable Object): a budgeted
    // call is not let through unchecked, and the client is told to retry, not that it failed.
    throw new GatewayError(
      503,
      "internal_error",
      "budget_unavailable",
      "The budget could not be checked just now; retry shortly.",
      { retryable: true, headers: { "retry-after": "1" }, cause },
    );
  }
  if (outcome.ok) return { userId: user.id, ...outcome.reservation };
  const retryAfter = Math.max(1, Math.ceil((outcome.hit.resetsAt - Date.now()) / 1000));
  throw new GatewayError(429, "rate_limit_error", "budget_exceeded", limitMessage(outcome.hit), {
    retryable: true,
    headers: { "retry-after": String(retryAfter) },
  });
}

/** Replaces the reservation by the call's real usage. Call it once, after the response. */
export async function settleBudget(
  env: BudgetEnv,
  reservation: BudgetReservation,
  actual: Amount,
): Promise<void> {
  try {
    await trackerOf(env, reservation.userId).settle(
      { id: reservation.id, day: reservation.day, month: reservation.month },
      actual,
    );
  } catch (err) {
    logFailure("budget_settle_failed", reservation, err);
  }
}

/** The call failed and nothing was spent: frees the reservation at once. */
export async function releaseBudget(env: BudgetEnv, reservation: BudgetReservation): Promise<void> {
  try {
    await trackerOf(env, reservation.userId).release(reservation.id);
  } catch (err) {
    logFailure("budget_release_failed", reservation, err);
  }
}

/** A reservation as the pipelines hold it: settle or release it once, after the response. */
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
  const p = c.var.principal;
  if (p.kind !== "user") return null;
  return { env: c.env, user: p.user, waitUntil: (promise) => c.executionCtx.waitUntil(promise) };
}

/**
 * reserveBudget, wrapped for a pipeline: settle and release run in waitUntil, once (later calls
 * do nothing), so a pipeline can call them from whichever path ends the call. A null payer (the
 * operator's ADMIN_API_KEY has no user) or a user without budgets holds nothing.
 */
export async function holdBudget(
  payer: BudgetPayer | null,
  estimate: Amount | (() => Amount),
): Promise<BudgetHold> {
  // The estimate is only worked out for budgeted users (it walks the whole prompt).
  if (!payer || !userHasBudget(payer.user)) return NO_HOLD;
  const amount = typeof estimate === "function" ? estimate() : estimate;
  const reservation = await reserveBudget(payer.env, payer.user, amount);
  if (!reservation) return NO_HOLD;
  let done = false;
  const once = (work: () => Promise<void>) => {
    if (done) return;
    done = true;
    payer.waitUntil(work());
  };
  return {
    settle: (actual) => once(() => settleBudget(payer.env, reservation, actual)),
    release: () => once(() => releaseBudget(payer.env, reservation)),
  };
}

/** Spent and reserved per window, and when each resets (GET /v1/users/{id}/budget). */
export async function readBudget(env: BudgetEnv, userId: string): Promise<BudgetStatus> {
  return trackerOf(env, userId).status();
}

function logFailure(code: string, reservation: BudgetReservation, err: unknown): void {
  console.error(
    JSON.stringify({
      level: "error",
      code,
      user_id: reservation.userId,
      reservation_id: reservation.id,
      error: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
    }),
  );
}

/** Whether calls by this user are budgeted (so an estimate is worth computing). */
export const userHasBudget = (user: UserRow): boolean => hasLimits(budgetLimitsOf(user));
