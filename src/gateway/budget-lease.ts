import { GatewayError } from "../errors/gateway-error";
import { LEASE_CALLS, type LeaseOutcome, type ReservationRef } from "./budget-ledger";
import { type Amount, type BudgetLimits, type BudgetOwner, limitMessage, windowsAt } from "./budget-window";

/**
 * Budgeted calls without waiting on the budget's Durable Object: each isolate holds, per user, a
 * lease of room the object granted in advance (budget-ledger.ts), and a call takes its estimate
 * from the lease in memory. What a call really used goes to the object after the response; the
 * lease is topped up in the background once it runs low or old. Only a call that finds no lease,
 * or one too small for it, waits for the object (as every budgeted call used to).
 *
 * What it costs in accuracy, the bound stated in the README:
 * - spent + held stays within the limits, except by what calls used beyond their estimates (as
 *   without leases: the estimate is the prompt's plus the longest answer allowed);
 * - room leased to one isolate is not usable by another until it is spent, returned or expired
 *   (LEASE_TTL_MS after its last grant): a user near a limit may be refused by one isolate while
 *   another holds room, at most LEASE_CALLS calls' worth per isolate;
 * - lowered limits reach an isolate with its user row (AUTH_CACHE_SECONDS); until then it may
 *   spend what it already leased under the old ones: the overspend is at most the outstanding
 *   leases.
 */

/** An isolate stops using a lease this long before the object would expire it (clock skew, a slow call). */
export const LEASE_MARGIN_MS = 10_000;
const MAX_USERS = 10_000;

/** The budget object's side, as budget.ts reaches it (an RPC stub). */
export interface LeaseTracker {
  lease(
    limits: BudgetLimits,
    need: Amount,
    renew: { id: string; unused: Amount } | null,
  ): Promise<LeaseOutcome>;
  spend(lease: ReservationRef, actual: Amount): Promise<void>;
  returnLease(leaseId: string): Promise<void>;
}

interface Lease {
  ref: ReservationRef;
  limitsKey: string;
  /** Room left once calls in flight took their estimates; below 0 when they used more. */
  available: Amount;
  /** This isolate's clock: it stops using the lease then. */
  expiresAt: number;
  /** Past this (half its life), a call renews it in the background. */
  renewAt: number;
  inFlight: number;
}

/** A call's share of a lease: settle or release it once. */
export interface LeaseHold {
  settle(actual: Amount): void;
  release(): void;
}

export interface LeaseContext {
  tracker: () => LeaseTracker;
  /** Whose budget the refusal names (default: the user's). */
  owner?: BudgetOwner;
  waitUntil(promise: Promise<unknown>): void;
}

/** Negative or non-finite amounts (a vendor's bogus count) never give room back. */
const cleanAmount = (a: Amount): Amount => ({
  tokens: Number.isFinite(a.tokens) && a.tokens > 0 ? a.tokens : 0,
  usd: Number.isFinite(a.usd) && a.usd > 0 ? a.usd : 0,
});

const keyOf = (l: BudgetLimits) => `${l.dailyUsd}|${l.monthlyUsd}|${l.dailyTokens}|${l.monthlyTokens}`;

/** Whether `available` covers `need` in each limited unit, with something left (a used-up lease asks again). */
function fits(available: Amount, need: Amount, limits: BudgetLimits): boolean {
  const tokens = limits.dailyTokens !== null || limits.monthlyTokens !== null;
  const usd = limits.dailyUsd !== null || limits.monthlyUsd !== null;
  return (
    (!tokens || (available.tokens > 0 && available.tokens >= need.tokens)) &&
    (!usd || (available.usd > 0 && available.usd >= need.usd))
  );
}

function budgetUnavailable(cause: unknown): GatewayError {
  // The object could not be reached (overloaded, resetting): a budgeted call is not let through
  // unchecked, and the client is told to retry, not that it failed.
  return new GatewayError(
    503,
    "internal_error",
    "budget_unavailable",
    "The budget could not be checked just now; retry shortly.",
    { retryable: true, headers: { "retry-after": "1" }, cause },
  );
}

function refusal(
  outcome: Extract<LeaseOutcome, { ok: false }>,
  owner: BudgetOwner | undefined,
): GatewayError {
  const retryAfter = Math.max(1, Math.ceil((outcome.hit.resetsAt - Date.now()) / 1000));
  return new GatewayError(429, "rate_limit_error", "budget_exceeded", limitMessage(outcome.hit, owner), {
    retryable: true,
    headers: { "retry-after": String(retryAfter) },
  });
}

function logFailure(code: string, userId: string, err: unknown): void {
  console.error(
    JSON.stringify({
      level: "error",
      code,
      user_id: userId,
      error: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
    }),
  );
}

/**
 * One isolate's leases, per budget (the module's `isolateLeases`; tests make several). A budget is
 * named by its tracker: a user id, or `key:<id>` for a key's own (budget.ts); `userId` below is
 * that name.
 */
export class LeaseBook {
  private readonly leases = new Map<string, Lease>();
  /** A grant being asked for, per user: concurrent calls wait for it rather than ask again. */
  private readonly asking = new Map<string, Promise<void>>();

  /** Takes `need` from the user's lease, asking the object for one (or more) only when short. */
  async hold(userId: string, limits: BudgetLimits, estimate: Amount, cx: LeaseContext): Promise<LeaseHold> {
    const need = cleanAmount(estimate);
    for (let round = 0; ; round++) {
      const lease = this.usable(userId, limits, cx);
      if (lease && fits(lease.available, need, limits)) return this.take(userId, lease, limits, need, cx);
      const asked = this.asking.get(userId);
      // Another call is asking already: its grant may cover this one too. After a few rounds
      // (calls racing for a small room) this call asks for itself, and is refused if it does not fit.
      if (asked && round < 3) {
        await asked;
        continue;
      }
      await this.ask(userId, limits, need, lease, cx, true);
    }
  }

  /** The user's lease, if it is still good for calls under these limits now. */
  private usable(userId: string, limits: BudgetLimits, cx: LeaseContext): Lease | undefined {
    const lease = this.leases.get(userId);
    if (!lease) return undefined;
    const now = Date.now();
    const windows = windowsAt(now);
    if (
      lease.expiresAt > now &&
      lease.limitsKey === keyOf(limits) &&
      lease.ref.day === windows.day &&
      lease.ref.month === windows.month
    ) {
      return lease;
    }
    // Expired here, or for other windows or limits: given back at once unless calls still hold
    // part of it (then it expires in the object by itself).
    this.leases.delete(userId);
    if (lease.inFlight === 0) {
      cx.waitUntil(
        cx
          .tracker()
          .returnLease(lease.ref.id)
          .catch((e: unknown) => logFailure("budget_lease_return_failed", userId, e)),
      );
    }
    return undefined;
  }

  /**
   * Asks the object for room for calls of `need`, on the current lease when there is one.
   * `waiting`: the call waits for the answer, and a refusal or failure is its error; otherwise
   * (a background top-up) they are only logged.
   */
  private ask(
    userId: string,
    limits: BudgetLimits,
    need: Amount,
    current: Lease | undefined,
    cx: LeaseContext,
    waiting: boolean,
  ): Promise<void> {
    const asked = (async () => {
      let outcome: LeaseOutcome;
      try {
        const renew = current && { id: current.ref.id, unused: current.available };
        outcome = await cx.tracker().lease(limits, need, renew ?? null);
      } catch (cause) {
        throw budgetUnavailable(cause);
      }
      if (!outcome.ok) throw refusal(outcome, cx.owner);
      const now = Date.now();
      const life = { expiresAt: now + outcome.ttlMs - LEASE_MARGIN_MS, renewAt: now + outcome.ttlMs / 2 };
      const held = this.leases.get(userId);
      if (held && held.ref.id === outcome.lease.id) {
        held.available = {
          tokens: held.available.tokens + outcome.granted.tokens,
          usd: held.available.usd + outcome.granted.usd,
        };
        Object.assign(held, life);
        return;
      }
      if (this.leases.size >= MAX_USERS) {
        const oldest = this.leases.keys().next().value;
        if (oldest !== undefined) this.leases.delete(oldest);
      }
      this.leases.set(userId, {
        ref: outcome.lease,
        limitsKey: keyOf(limits),
        available: { ...outcome.granted },
        inFlight: 0,
        ...life,
      });
    })();
    const settled = asked.then(
      () => undefined,
      () => undefined,
    );
    this.asking.set(userId, settled);
    void settled.then(() => {
      if (this.asking.get(userId) === settled) this.asking.delete(userId);
    });
    if (waiting) return asked;
    cx.waitUntil(
      asked.catch((e: unknown) => {
        // No room for more is no failure: the lease runs down and the next call is refused.
        if (!(e instanceof GatewayError && e.code === "budget_exceeded")) {
          logFailure("budget_lease_topup_failed", userId, e);
        }
      }),
    );
    return settled;
  }

  private take(
    userId: string,
    lease: Lease,
    limits: BudgetLimits,
    need: Amount,
    cx: LeaseContext,
  ): LeaseHold {
    lease.available = { tokens: lease.available.tokens - need.tokens, usd: lease.available.usd - need.usd };
    lease.inFlight += 1;
    // Running low (less than half a fresh grant's calls left) or half its life gone: topped up
    // beside this call, so the next ones find room without waiting.
    const low = !fits(
      lease.available,
      { tokens: need.tokens * (LEASE_CALLS / 2), usd: need.usd * (LEASE_CALLS / 2) },
      limits,
    );
    if ((low || Date.now() >= lease.renewAt) && !this.asking.has(userId)) {
      void this.ask(userId, limits, need, lease, cx, false);
    }
    let done = false;
    const give = (back: Amount) => {
      if (done) return false;
      done = true;
      lease.inFlight -= 1;
      lease.available = { tokens: lease.available.tokens + back.tokens, usd: lease.available.usd + back.usd };
      return true;
    };
    return {
      settle: (reported) => {
        const actual = cleanAmount(reported);
        if (!give({ tokens: need.tokens - actual.tokens, usd: need.usd - actual.usd })) return;
        cx.waitUntil(
          cx
            .tracker()
            .spend(lease.ref, actual)
            .catch((e: unknown) => logFailure("budget_spend_failed", userId, e)),
        );
      },
      release: () => {
        give(need);
      },
    };
  }
}

/** This isolate's leases. */
export const isolateLeases = new LeaseBook();
