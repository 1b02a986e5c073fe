import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { LeaseBook, type LeaseContext, type LeaseTracker } from "./budget-lease";
import { LEASE_CALLS } from "./budget-ledger";
import type { Amount, BudgetLimits } from "./budget-window";

const NONE: BudgetLimits = { dailyUsd: null, monthlyUsd: null, dailyTokens: null, monthlyTokens: null };

/**
 * Leases against a real BudgetTracker Durable Object (one per test user). Several LeaseBooks
 * stand for several isolates; each context counts the object's RPCs and keeps its waitUntil work
 * so a test can wait for what runs after the responses.
 */
function isolate(userId: string) {
  const stub = env.BUDGETS.get(env.BUDGETS.idFromName(userId));
  const rpcs: string[] = [];
  const later: Promise<unknown>[] = [];
  const counted =
    <A extends unknown[], R>(name: string, rpc: (...a: A) => R) =>
    (...a: A) => {
      rpcs.push(name);
      return rpc(...a);
    };
  const tracker: LeaseTracker = {
    lease: counted("lease", (...a: Parameters<LeaseTracker["lease"]>) => stub.lease(...a)),
    spend: counted("spend", (...a: Parameters<LeaseTracker["spend"]>) => stub.spend(...a)),
    returnLease: counted("returnLease", (id: string) => stub.returnLease(id)),
  };
  const cx: LeaseContext = { tracker: () => tracker, waitUntil: (p) => void later.push(p) };
  const book = new LeaseBook();
  return {
    book,
    rpcs,
    hold: (limits: BudgetLimits, need: Amount) => book.hold(userId, limits, need, cx),
    settled: async () => {
      while (later.length) await Promise.all(later.splice(0));
    },
  };
}

const status = (userId: string) => env.BUDGETS.get(env.BUDGETS.idFromName(userId)).status();
const newUser = () => `lease-${crypto.randomUUID()}`;

describe("budget leases", () => {
  it("let calls after the first take their estimates in memory, with no RPC before the call", async () => {
    const user = newUser();
    const here = isolate(user);
    const limits = { ...NONE, dailyTokens: 100_000 };
    const need = { tokens: 100, usd: 0 };
    (await here.hold(limits, need)).settle({ tokens: 60, usd: 0 });
    expect(here.rpcs).toEqual(["lease", "spend"]);
    await here.settled();
    here.rpcs.length = 0;
    const warm = await here.hold(limits, need);
    // Nothing reached the object before the call could go ahead.
    expect(here.rpcs).toEqual([]);
    warm.settle({ tokens: 90, usd: 0 });
    await here.settled();
    expect(here.rpcs).toEqual(["spend"]);
    const s = await status(user);
    expect(s.daily.spent.tokens).toBe(150);
    // The lease holds what it was granted less what was spent.
    expect(s.daily.reserved.tokens).toBe(100 * LEASE_CALLS - 150);
  });

  it("are topped up beside the call once low, so the next call still does not wait", async () => {
    const user = newUser();
    const here = isolate(user);
    const limits = { ...NONE, dailyTokens: 1_000_000 };
    const need = { tokens: 100, usd: 0 };
    for (let i = 0; i < LEASE_CALLS + 2; i++) (await here.hold(limits, need)).settle(need);
    await here.settled();
    // One grant, then top-ups in the background: never a wait after the first.
    expect(here.rpcs.filter((r) => r === "lease").length).toBeGreaterThanOrEqual(2);
    expect((await status(user)).daily.spent.tokens).toBe(100 * (LEASE_CALLS + 2));
  });

  it("never let concurrent calls on several isolates spend past the limit when they use their estimates", async () => {
    const user = newUser();
    const isolates = [isolate(user), isolate(user), isolate(user)];
    const limits = { ...NONE, dailyTokens: 2_000 };
    const need = { tokens: 70, usd: 0 };
    const results = await Promise.all(
      Array.from({ length: 60 }, async (_, i) => {
        const on = isolates[i % isolates.length] as (typeof isolates)[number];
        try {
          const hold = await on.hold(limits, need);
          await new Promise((r) => setTimeout(r, 1));
          hold.settle(need);
          return "ok";
        } catch (e) {
          expect(e).toMatchObject({ status: 429, code: "budget_exceeded" });
          return "refused";
        }
      }),
    );
    for (const i of isolates) await i.settled();
    const s = await status(user);
    const admitted = results.filter((r) => r === "ok").length;
    expect(s.daily.spent.tokens).toBe(admitted * 70);
    expect(s.daily.spent.tokens + s.daily.reserved.tokens).toBeLessThanOrEqual(2_000);
    // Room held by idle isolates' leases may refuse some calls, never more than a lease each.
    expect(admitted).toBeGreaterThanOrEqual(Math.floor(2_000 / 70) - isolates.length * LEASE_CALLS);
    expect(admitted).toBeLessThanOrEqual(Math.floor(2_000 / 70));
  });

  it("overspend only by what calls used beyond their estimates", async () => {
    const user = newUser();
    const here = isolate(user);
    const limits = { ...NONE, dailyTokens: 1_000 };
    const results: string[] = [];
    for (let i = 0; i < 20; i++) {
      try {
        (await here.hold(limits, { tokens: 100, usd: 0 })).settle({ tokens: 150, usd: 0 });
        results.push("ok");
      } catch {
        results.push("refused");
      }
    }
    await here.settled();
    const s = await status(user);
    // Each admitted call fit its estimate at admission; the excess is only the 50 over each.
    const admitted = results.filter((r) => r === "ok").length;
    expect(s.daily.spent.tokens).toBe(admitted * 150);
    expect(s.daily.spent.tokens - 1_000).toBeLessThanOrEqual(admitted * 50);
  });

  it("give room back on a failed call, and return a lease when the limits change", async () => {
    const user = newUser();
    const here = isolate(user);
    const need = { tokens: 100, usd: 0 };
    (await here.hold({ ...NONE, dailyTokens: 10_000 }, need)).release();
    expect(here.rpcs).toEqual(["lease"]);
    (await here.hold({ ...NONE, dailyTokens: 10_000 }, need)).release();
    expect(here.rpcs).toEqual(["lease"]);
    // New limits (the user row changed): the old lease is returned and a new one granted.
    const hold = await here.hold({ ...NONE, dailyTokens: 500 }, need);
    await here.settled();
    expect(here.rpcs).toEqual(["lease", "returnLease", "lease"]);
    hold.settle({ tokens: 40, usd: 0 });
    await here.settled();
    const s = await status(user);
    expect(s.daily.spent.tokens).toBe(40);
    expect(s.daily.reserved.tokens).toBe(500 - 40);
  });

  it("refuse with the limit when the call does not fit what is left", async () => {
    const user = newUser();
    const here = isolate(user);
    const limits = { ...NONE, dailyUsd: 1 };
    (await here.hold(limits, { tokens: 0, usd: 0.1 })).settle({ tokens: 0, usd: 0.95 });
    await here.settled();
    const err = await here.hold(limits, { tokens: 0, usd: 0.1 }).catch((e) => e);
    expect(err).toMatchObject({ status: 429, code: "budget_exceeded" });
    expect(err.message).toContain("daily USD budget of $1.00");
  });
});
