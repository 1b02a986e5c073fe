import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { BudgetLedger, RESERVATION_TTL_MS } from "./budget-ledger";
import type { BudgetLimits } from "./budget-window";

const NONE: BudgetLimits = { dailyUsd: null, monthlyUsd: null, dailyTokens: null, monthlyTokens: null };
const MINUTE = 60_000;

/** A ledger in a fresh BudgetTracker's storage, with a clock the test moves. */
function withLedger(fn: (ledger: BudgetLedger, clock: { now: number }) => void) {
  const stub = env.BUDGETS.get(env.BUDGETS.idFromName(`ledger-${crypto.randomUUID()}`));
  return runInDurableObject(stub, (_instance, state) => {
    const clock = { now: Date.parse("2026-11-26T12:00:00.000Z") };
    fn(new BudgetLedger(state.storage.sql, () => clock.now), clock);
  });
}

describe("BudgetLedger", () => {
  it("holds reservations until settled with the real usage, or released", () =>
    withLedger((ledger) => {
      const limits = { ...NONE, dailyTokens: 100 };
      const a = ledger.reserve(limits, { tokens: 60, usd: 0.5 });
      const b = ledger.reserve(limits, { tokens: 40, usd: 0.25 });
      if (!a.ok || !b.ok) throw new Error("expected both to fit");
      expect(ledger.reserve(limits, { tokens: 1, usd: 0 })).toMatchObject({
        ok: false,
        hit: { limit: "daily_tokens", committed: 100, estimate: 1 },
      });
      expect(ledger.status().daily).toEqual({
        window: "2026-11-26",
        spent: { tokens: 0, usd: 0 },
        reserved: { tokens: 100, usd: 0.75 },
        resetsAt: Date.parse("2026-11-27T00:00:00.000Z"),
      });

      ledger.settle(a.reservation, { tokens: 25, usd: 0.125 });
      ledger.release(b.reservation.id);
      const s = ledger.status();
      expect(s.daily.spent).toEqual({ tokens: 25, usd: 0.125 });
      expect(s.daily.reserved).toEqual({ tokens: 0, usd: 0 });
      expect(s.monthly).toEqual({
        window: "2026-11",
        spent: { tokens: 25, usd: 0.125 },
        reserved: { tokens: 0, usd: 0 },
        resetsAt: Date.parse("2026-12-01T00:00:00.000Z"),
      });
      expect(ledger.reserve(limits, { tokens: 75, usd: 0 }).ok).toBe(true);
    }));

  it("stops counting a reservation nobody settled after its TTL", () =>
    withLedger((ledger, clock) => {
      const limits = { ...NONE, dailyTokens: 50 };
      expect(ledger.reserve(limits, { tokens: 50, usd: 0 }).ok).toBe(true);
      clock.now += RESERVATION_TTL_MS - 1;
      expect(ledger.reserve(limits, { tokens: 1, usd: 0 }).ok).toBe(false);
      expect(ledger.status().daily.reserved.tokens).toBe(50);
      clock.now += 1;
      expect(ledger.status().daily.reserved.tokens).toBe(0);
      expect(ledger.reserve(limits, { tokens: 50, usd: 0 }).ok).toBe(true);
    }));

  it("charges a settle that comes after its reservation expired (the call still happened)", () =>
    withLedger((ledger, clock) => {
      const r = ledger.reserve({ ...NONE, monthlyTokens: 1000 }, { tokens: 500, usd: 0 });
      if (!r.ok) throw new Error("expected to fit");
      clock.now += RESERVATION_TTL_MS + MINUTE;
      ledger.settle(r.reservation, { tokens: 300, usd: 0 });
      expect(ledger.status().monthly).toMatchObject({ spent: { tokens: 300 }, reserved: { tokens: 0 } });
    }));

  it("starts a new day at UTC midnight, and a new month on the 1st", () =>
    withLedger((ledger, clock) => {
      clock.now = Date.parse("2026-11-30T23:59:00.000Z");
      const limits = { ...NONE, dailyTokens: 100, monthlyTokens: 150 };
      const r = ledger.reserve(limits, { tokens: 100, usd: 0 });
      if (!r.ok) throw new Error("expected to fit");
      ledger.settle(r.reservation, { tokens: 100, usd: 0 });
      expect(ledger.reserve(limits, { tokens: 1, usd: 0 })).toMatchObject({
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
      expect(ledger.reserve(limits, { tokens: 100, usd: 0 }).ok).toBe(true);
    }));

  it("keeps the month's spending across days, and charges a call to the windows it started in", () =>
    withLedger((ledger, clock) => {
      clock.now = Date.parse("2026-11-25T23:59:00.000Z");
      const limits = { ...NONE, dailyTokens: 100, monthlyTokens: 150 };
      const r = ledger.reserve(limits, { tokens: 80, usd: 0 });
      if (!r.ok) throw new Error("expected to fit");
      clock.now = Date.parse("2026-11-26T00:01:00.000Z");
      // Still in flight across midnight: it holds against the month, not against the new day.
      expect(ledger.status().daily.reserved.tokens).toBe(0);
      expect(ledger.status().monthly.reserved.tokens).toBe(80);
      ledger.settle(r.reservation, { tokens: 80, usd: 0 });
      expect(ledger.status().daily.spent.tokens).toBe(0);
      expect(ledger.status().monthly.spent.tokens).toBe(80);
      expect(ledger.reserve(limits, { tokens: 71, usd: 0 })).toMatchObject({
        ok: false,
        hit: { limit: "monthly_tokens", committed: 80 },
      });
    }));

  it("never gives budget back for negative or bogus amounts", () =>
    withLedger((ledger) => {
      const limits = { ...NONE, dailyTokens: 10, dailyUsd: 1 };
      const r = ledger.reserve(limits, { tokens: -5, usd: Number.NaN });
      if (!r.ok) throw new Error("expected to fit");
      expect(ledger.status().daily.reserved).toEqual({ tokens: 0, usd: 0 });
      ledger.settle(r.reservation, { tokens: -100, usd: -3 });
      expect(ledger.status().daily.spent).toEqual({ tokens: 0, usd: 0 });
    }));
});
