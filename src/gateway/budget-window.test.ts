import { describe, expect, it } from "vitest";
import {
  type BudgetLimits,
  describeLimit,
  formatUsd,
  limitHit,
  limitMessage,
  windowsAt,
} from "./budget-window";

const NONE: BudgetLimits = { dailyUsd: null, monthlyUsd: null, dailyTokens: null, monthlyTokens: null };
const zero = { tokens: 0, usd: 0 };
const at = (iso: string) => Date.parse(iso);

describe("windowsAt", () => {
  it("names the UTC day and month and when each resets", () => {
    expect(windowsAt(at("2026-11-26T13:45:00.000Z"))).toEqual({
      day: "2026-11-26",
      month: "2026-11",
      dayResetsAt: at("2026-11-27T00:00:00.000Z"),
      monthResetsAt: at("2026-12-01T00:00:00.000Z"),
    });
  });

  it("rolls over at the last millisecond of a day, month and year", () => {
    const w = windowsAt(at("2026-12-31T23:59:59.999Z"));
    expect(w).toEqual({
      day: "2026-12-31",
      month: "2026-12",
      dayResetsAt: at("2027-01-01T00:00:00.000Z"),
      monthResetsAt: at("2027-01-01T00:00:00.000Z"),
    });
    expect(windowsAt(w.dayResetsAt)).toMatchObject({ day: "2027-01-01", month: "2027-01" });
  });

  it("knows leap days", () => {
    expect(windowsAt(at("2028-02-28T10:00:00Z")).dayResetsAt).toBe(at("2028-02-29T00:00:00Z"));
    expect(windowsAt(at("2028-02-29T10:00:00Z")).monthResetsAt).toBe(at("2028-03-01T00:00:00Z"));
  });
});

describe("limitHit", () => {
  const w = windowsAt(at("2026-11-26T12:00:00Z"));
  const committed = (daily: number, monthly: number, usd = 0) => ({
    daily: { tokens: daily, usd },
    monthly: { tokens: monthly, usd },
  });

  it("lets everything through without limits", () => {
    expect(limitHit(NONE, committed(1e9, 1e9, 1e9), { tokens: 1e9, usd: 1e9 }, w)).toBeNull();
  });

  it("allows a call that exactly fills the budget, not one token more", () => {
    const limits = { ...NONE, dailyTokens: 100 };
    expect(limitHit(limits, committed(60, 60), { tokens: 40, usd: 0 }, w)).toBeNull();
    expect(limitHit(limits, committed(60, 60), { tokens: 41, usd: 0 }, w)).toEqual({
      limit: "daily_tokens",
      value: 100,
      committed: 60,
      estimate: 41,
      resetsAt: w.dayResetsAt,
    });
  });

  it("refuses even a call estimated at zero once the budget is used up; a zero budget allows nothing", () => {
    expect(limitHit({ ...NONE, dailyUsd: 5 }, committed(0, 0, 5), zero, w)?.limit).toBe("daily_usd");
    expect(limitHit({ ...NONE, monthlyUsd: 0 }, committed(0, 0), zero, w)?.limit).toBe("monthly_usd");
    expect(limitHit({ ...NONE, dailyUsd: 5 }, committed(0, 0, 4.99), zero, w)).toBeNull();
  });

  it("tolerates float drift in USD sums", () => {
    expect(limitHit({ ...NONE, dailyUsd: 0.3 }, committed(0, 0, 0.1), { tokens: 0, usd: 0.2 }, w)).toBeNull();
  });

  it("names the limit that resets last when several are passed", () => {
    const limits = { dailyUsd: 1, monthlyUsd: 10, dailyTokens: 10, monthlyTokens: 1000 };
    const hit = limitHit(limits, committed(10, 1000, 10), zero, w);
    expect(hit).toMatchObject({ limit: "monthly_usd", resetsAt: w.monthResetsAt });
    expect(limitHit({ ...limits, monthlyUsd: null }, committed(10, 1000, 10), zero, w)?.limit).toBe(
      "monthly_tokens",
    );
    expect(limitHit({ ...limits, monthlyUsd: null }, committed(10, 999, 10), zero, w)?.limit).toBe(
      "daily_usd",
    );
  });
});

describe("messages", () => {
  it("formats amounts", () => {
    expect(formatUsd(5)).toBe("$5.00");
    expect(formatUsd(0)).toBe("$0.00");
    expect(formatUsd(1234.5)).toBe("$1234.50");
    expect(formatUsd(0.0042)).toBe("$0.0042");
    expect(describeLimit("daily_usd", 5)).toBe("daily USD budget of $5.00");
    expect(describeLimit("monthly_tokens", 1_000_000)).toBe("monthly token budget of 1,000,000 tokens");
  });

  it("says which limit, where the user stands and when it resets", () => {
    const message = limitMessage({
      limit: "daily_usd",
      value: 5,
      committed: 4.9,
      estimate: 0.25,
      resetsAt: at("2026-11-27T00:00:00Z"),
    });
    expect(message).toBe(
      "This request would exceed the user's daily USD budget of $5.00: $4.90 spent or reserved by calls " +
        "in flight, this request estimated at $0.25. The budget resets at 2026-11-27T00:00:00.000Z.",
    );
  });
});
