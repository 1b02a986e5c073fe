import { DurableObject } from "cloudflare:workers";
import { BudgetLedger, type ReservationRef } from "./budget-ledger";
import type { Amount, BudgetLimits } from "./budget-window";

/**
 * One user's budget counters: a SQLite-backed Durable Object per user (binding BUDGETS, named by
 * the user id), called over RPC by src/gateway/budget.ts.
 *
 * Why a Durable Object and not atomic D1 statements: a budget is only as good as the check that
 * precedes each call, and concurrent calls must not each see the same room and all go ahead.
 * D1 could do the check and the reservation in one conditional INSERT ... SELECT, but every
 * budgeted call would then be two writes (reserve, settle) to the deployment's single D1
 * primary, shared by all users, often an ocean away from the caller; D1 read replicas cannot
 * help, since the check must see every reservation just made elsewhere. A Durable Object gives
 * each user a single-threaded owner of their counters, with storage in the same process (each
 * RPC is one round trip, the SQL itself microseconds), created near where the user calls from,
 * and scaling out by user instead of queueing everyone on one database. Calls do not wait on it
 * either: each gateway isolate spends from a lease of room granted here in advance
 * (budget-lease.ts) and reports what each call spent after the response. The limits themselves
 * stay in D1 (users.budget_*) and come with each call, from the user row auth already read.
 */
export class BudgetTracker extends DurableObject<Env> {
  private readonly ledger: BudgetLedger;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.ledger = new BudgetLedger(ctx.storage.sql);
  }

  lease(limits: BudgetLimits, need: Amount, renew: { id: string; unused: Amount } | null) {
    return this.ledger.lease(limits, need, renew);
  }

  spend(lease: ReservationRef, actual: Amount): void {
    this.ledger.spend(lease, actual);
  }

  returnLease(leaseId: string): void {
    this.ledger.returnLease(leaseId);
  }

  status() {
    return this.ledger.status();
  }
}
