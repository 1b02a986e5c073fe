import { describe, expect, it } from "vitest";
import type { UserRow } from "../db/schema";
import { GatewayError } from "../errors/gateway-error";
import { type BudgetEnv, type BudgetPayer, holdBudget } from "./budget";
import { LeaseBook } from "./budget-lease";

const user = (daily: number | null): UserRow => ({
  id: "usr_budget",
  email: "b@example.com",
  name: null,
  role: "user",
  budgetDailyUsd: null,
  budgetMonthlyUsd: null,
  budgetDailyTokens: daily,
  budgetMonthlyTokens: null,
  createdAt: new Date(0),
  updatedAt: new Date(0),
});

/** A BUDGETS namespace whose tracker cannot be reached. */
const unreachable = (calls: string[]): BudgetEnv =>
  ({
    BUDGETS: {
      idFromName: (name: string) => name,
      get: (id: string) => ({
        lease: () => {
          calls.push(id);
          return Promise.reject(new Error("Durable Object is overloaded"));
        },
      }),
    },
  }) as unknown as BudgetEnv;

const payer = (env: BudgetEnv, u: UserRow, key: BudgetPayer["key"] = null) => ({
  env,
  user: u,
  key,
  waitUntil: () => {},
});

describe("holdBudget", () => {
  it("answers 503 budget_unavailable, retryable, when the tracker cannot be reached", async () => {
    const calls: string[] = [];
    const err = await holdBudget(
      payer(unreachable(calls), user(1000)),
      { tokens: 10, usd: 0 },
      new LeaseBook(),
    ).catch((e) => e);
    expect(calls).toEqual(["usr_budget"]);
    expect(err).toBeInstanceOf(GatewayError);
    expect(err).toMatchObject({
      status: 503,
      type: "internal_error",
      code: "budget_unavailable",
      retryable: true,
      headers: { "retry-after": "1" },
    });
  });

  it("asks the user's tracker and the key's own together, the key's by `key:<id>`", async () => {
    const calls: string[] = [];
    const limits = { dailyUsd: null, monthlyUsd: null, dailyTokens: 10, monthlyTokens: null };
    const err = await holdBudget(
      payer(unreachable(calls), user(1000), { id: "key_1", limits }),
      { tokens: 1, usd: 0 },
      new LeaseBook(),
    ).catch((e) => e);
    expect(calls.sort()).toEqual(["key:key_1", "usr_budget"]);
    expect(err).toMatchObject({ status: 503, code: "budget_unavailable" });
    // A key's budget alone is held without its user's.
    calls.length = 0;
    await holdBudget(
      payer(unreachable(calls), user(null), { id: "key_2", limits }),
      { tokens: 1, usd: 0 },
      new LeaseBook(),
    ).catch(() => {});
    expect(calls).toEqual(["key:key_2"]);
  });

  it("calls no tracker for a user without a budget", async () => {
    const calls: string[] = [];
    const estimate = () => {
      throw new Error("no estimate is worked out for a user without a budget");
    };
    await holdBudget(payer(unreachable(calls), user(null)), estimate, new LeaseBook());
    expect(calls).toEqual([]);
  });
});
