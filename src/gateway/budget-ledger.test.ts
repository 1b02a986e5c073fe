import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { BudgetLedger, LEASE_CALLS, LEASE_TTL_MS } from "./budget-ledger";
import type { Amount, BudgetLimits } from "./budget-window";

const NONE: BudgetLimits = { dailyUsd: null, monthlyUsd: null, dailyTokens: null, monthlyTokens: null };

/** A ledger in a fresh BudgetTracker's storage, with a clock the test moves. */
function withLedger(fn: (ledger: BudgetLedger, clock: { now: number }) => void) {
  const stub = env.BUDGETS.get(env.BUDGETS.idFromName(`ledger-${crypto.randomUUID()}`));
  return runInDurableObject(stub, (_instance, state) => {
    const clock = { now: Date.parse("2026-11-26T12:00:00.000Z") };
    fn(new BudgetLedger(state.storage.sql, () => clock.now), clock);
  });
}

const ZERO = { tokens: 0, usd: 0 };
const lease = (
  ledger: BudgetLedger,
  limits: BudgetLimits,
  need: Amount,
  renew: { id: string; unused: Amount } | null = null,
) => {
  const outcome = ledger.lease(limits, need, renew);
  if (!outcome.ok) throw new Error(`expected a lease, got ${JSON.stringify(outcome.hit)}`);
  return outcome;
};

describe("BudgetLedger", () => {
  it("leases LEASE_CALLS calls' worth, at most the room left, and refuses a call that does not fit", () =>
    withLedger((ledger) => {
      const limits = { ...NONE, dailyTokens: 1000, dailyUsd: 1 };
      const a = lease(ledger, limits, { tokens: 50, usd: 0.01 });
      expect(a.granted).toEqual({ tokens: 50 * LEASE_CALLS, usd: 0.01 * LEASE_CALLS });
      expect(a.ttlMs).toBe(LEASE_TTL_MS);
      // A second isolate's lease gets what is left (600 tokens), capped by the room.
      const b = lease(ledger, limits, { tokens: 100, usd: 0 });
      expect(b.granted.tokens).toBe(600);
      expect(b.lease.id).not.toBe(a.lease.id);
      expect(ledger.lease(limits, { tokens: 1, usd: 0 }, null)).toMatchObject({
        ok: false,
        hit: { limit: "daily_tokens", committed: 1000, estimate: 1 },
      });
      expect(ledger.status().daily).toEqual({
        window: "2026-11-26",
        spent: { tokens: 0, usd: 0 },
        reserved: { tokens: 1000, usd: 0.01 * LEASE_CALLS + 1e-6 },
        resetsAt: Date.parse("2026-11-27T00:00:00.000Z"),
      });
    }));

  it("holds nothing in a unit no limit is set on", () =>
    withLedger((ledger) => {
      expect(lease(ledger, { ...NONE, monthlyUsd: 5 }, { tokens: 900, usd: 0.5 }).granted).toEqual({
        tokens: 0,
        usd: 4,
      });
    }));

  it("charges each call's spend and takes it off the lease; a returned lease frees its room", () =>
    withLedger((ledger) => {
      const limits = { ...NONE, dailyTokens: 100 };
      const a = lease(ledger, limits, { tokens: 10, usd: 0 });
      expect(a.granted.tokens).toBe(80);
      ledger.spend(a.lease, { tokens: 25, usd: 0.125 });
      let s = ledger.status();
      expect(s.daily.spent).toEqual({ tokens: 25, usd: 0.125 });
      expect(s.daily.reserved.tokens).toBe(55);
      expect(s.monthly.spent).toEqual({ tokens: 25, usd: 0.125 });
      // More on the same lease, all of it handed to calls in flight: the room left is 100 - 25 - 55.
      const more = lease(ledger, limits, { tokens: 5, usd: 0 }, { id: a.lease.id, unused: ZERO });
      expect(more.lease.id).toBe(a.lease.id);
      expect(more.granted.tokens).toBe(20);
      expect(ledger.status().daily.reserved.tokens).toBe(75);
      // Renewed with 60 unused for calls of 5: weighed against spending alone, and resized to 8 calls.
      const resized = lease(
        ledger,
        limits,
        { tokens: 5, usd: 0 },
        { id: a.lease.id, unused: { tokens: 60, usd: 0 } },
      );
      expect(resized.granted.tokens).toBe(40 - 60);
      expect(ledger.status().daily.reserved.tokens).toBe(55);
      ledger.returnLease(a.lease.id);
      s = ledger.status();
      expect(s.daily.reserved).toEqual({ tokens: 0, usd: 0 });
      expect(lease(ledger, limits, { tokens: 75, usd: 0 }).granted.tokens).toBe(75);
    }));

  it("stops counting a lease nobody renewed after its TTL; renewing restarts it", () =>
    withLedger((ledger, clock) => {
      const limits = { ...NONE, dailyTokens: 1000 };
      const a = lease(ledger, limits, { tokens: 100, usd: 0 });
      expect(a.granted.tokens).toBe(800);
      clock.now += LEASE_TTL_MS - 1;
      expect(ledger.lease(limits, { tokens: 201, usd: 0 }, null).ok).toBe(false);
      clock.now += 1;
      expect(ledger.status().daily.reserved.tokens).toBe(0);
      const b = lease(ledger, limits, { tokens: 10, usd: 0 });
      clock.now += LEASE_TTL_MS - 1;
      ledger.spend(b.lease, { tokens: 10, usd: 0 });
      expect(
        lease(ledger, limits, { tokens: 1, usd: 0 }, { id: b.lease.id, unused: ZERO }).granted.tokens,
      ).toBe(LEASE_CALLS);
      clock.now += LEASE_TTL_MS - 1;
      expect(ledger.status().daily.reserved.tokens).toBe(80 - 10 + LEASE_CALLS);
      // A spend on a lease that has expired is still charged (the call happened).
      ledger.spend(a.lease, { tokens: 3, usd: 0 });
      expect(ledger.status().daily.spent.tokens).toBe(13);
    }));

  it("starts a new day at UTC midnight, and a new month on the 1st", () =>
    withLedger((ledger, clock) => {
      clock.now = Date.parse("2026-11-30T23:59:00.000Z");
      const limits = { ...NONE, dailyTokens: 100, monthlyTokens: 150 };
      const a = lease(ledger, limits, { tokens: 100, usd: 0 });
      ledger.spend(a.lease, { tokens: 100, usd: 0 });
      expect(ledger.lease(limits, { tokens: 1, usd: 0 }, null)).toMatchObject({
        ok: false,
        hit: { limit: "daily_tokens", resetsAt: Date.parse("2026-12-01T00:00:00.000Z") },
      });

      clock.now = Date.parse("2026-12-01T00:00:00.000Z");
      const s = ledger.status();
      expect(s.daily).toMatchObject({ window: "2026-12-01", spent: { tokens: 0 } });
      expect(s.monthly).toMatchObject({
        window: "2026-12",
        spent: { tokens: 0 },
        resetsAt: Date.parse("2027-01-01T00:00:00.000Z"),
      });
      // A lease of the old windows is not grown in the new ones: a new one is granted.
      const b = lease(ledger, limits, { tokens: 100, usd: 0 }, { id: a.lease.id, unused: ZERO });
      expect(b.lease.id).not.toBe(a.lease.id);
      expect(b.lease.day).toBe("2026-12-01");
    }));

  it("keeps the month's spending across days, and charges a call to the windows its lease is of", () =>
    withLedger((ledger, clock) => {
      clock.now = Date.parse("2026-11-25T23:59:00.000Z");
      const limits = { ...NONE, dailyTokens: 100, monthlyTokens: 150 };
      const a = lease(ledger, limits, { tokens: 80, usd: 0 });
      expect(a.granted.tokens).toBe(100);
      clock.now = Date.parse("2026-11-26T00:00:30.000Z");
      // Held across midnight: it holds against the month, not against the new day.
      expect(ledger.status().daily.reserved.tokens).toBe(0);
      expect(ledger.status().monthly.reserved.tokens).toBe(100);
      ledger.spend(a.lease, { tokens: 80, usd: 0 });
      expect(ledger.status().daily.spent.tokens).toBe(0);
      expect(ledger.status().monthly.spent.tokens).toBe(80);
      expect(ledger.lease(limits, { tokens: 51, usd: 0 }, null)).toMatchObject({
        ok: false,
        hit: { limit: "monthly_tokens", committed: 100 },
      });
    }));

  it("never gives budget back for negative or bogus amounts", () =>
    withLedger((ledger) => {
      const limits = { ...NONE, dailyTokens: 10, dailyUsd: 1 };
      const a = lease(ledger, limits, { tokens: -5, usd: Number.NaN });
      expect(a.granted).toEqual({ tokens: 1, usd: 1e-6 });
      ledger.spend(a.lease, { tokens: -100, usd: -3 });
      expect(ledger.status().daily.spent).toEqual({ tokens: 0, usd: 0 });
      expect(ledger.status().daily.reserved).toEqual({ tokens: 1, usd: 1e-6 });
    }));
});
