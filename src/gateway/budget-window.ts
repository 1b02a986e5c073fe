/**
 * Budget arithmetic with no I/O: which UTC calendar windows an instant falls in, when they reset,
 * and whether a call fits. Shared by the budget Durable Object (budget-ledger.ts) and its tests.
 */

/** Tokens (prompt + completion) and USD, the two things a budget can limit. */
export interface Amount {
  tokens: number;
  usd: number;
}

/** A user's limits; null = no limit of that kind. */
export interface BudgetLimits {
  dailyUsd: number | null;
  monthlyUsd: number | null;
  dailyTokens: number | null;
  monthlyTokens: number | null;
}

export const NO_LIMITS: BudgetLimits = {
  dailyUsd: null,
  monthlyUsd: null,
  dailyTokens: null,
  monthlyTokens: null,
};

export type BudgetPeriod = "daily" | "monthly";
export type LimitName = "daily_usd" | "monthly_usd" | "daily_tokens" | "monthly_tokens";

/** The windows an instant falls in: `2026-11-26` and `2026-11` (UTC), and when each ends (ms). */
export interface Windows {
  day: string;
  month: string;
  dayResetsAt: number;
  monthResetsAt: number;
}

export function windowsAt(now: number): Windows {
  const d = new Date(now);
  const year = d.getUTCFullYear();
  const month = d.getUTCMonth();
  const iso = d.toISOString();
  return {
    day: iso.slice(0, 10),
    month: iso.slice(0, 7),
    // Date.UTC rolls day 32 and month 12 over into the next month and year.
    dayResetsAt: Date.UTC(year, month, d.getUTCDate() + 1),
    monthResetsAt: Date.UTC(year, month + 1, 1),
  };
}

export const hasLimits = (l: BudgetLimits): boolean =>
  l.dailyUsd !== null || l.monthlyUsd !== null || l.dailyTokens !== null || l.monthlyTokens !== null;

/** A limit a call would pass: which, its value, what is already committed, and when it resets. */
export interface LimitHit {
  limit: LimitName;
  value: number;
  /** Spent plus reserved by calls in flight, in this limit's unit. */
  committed: number;
  estimate: number;
  resetsAt: number;
}

/** Float sums of USD drift by ulps; a call that fits to a billionth of a dollar fits. */
const USD_EPSILON = 1e-9;

/**
 * The limit the call would break, or null when it fits. A limit is broken when what is committed
 * already reaches it (so even a call estimated at 0, such as an image of unknown price, is refused
 * once the budget is used up, and a budget of 0 allows nothing) or when the estimate would pass
 * it. Of several, the one that resets last is named: retrying before then would fail anyway.
 */
export function limitHit(
  limits: BudgetLimits,
  committed: Record<BudgetPeriod, Amount>,
  estimate: Amount,
  windows: Windows,
): LimitHit | null {
  const checks: [LimitName, number | null, number, number, number, number][] = [
    [
      "monthly_usd",
      limits.monthlyUsd,
      committed.monthly.usd,
      estimate.usd,
      windows.monthResetsAt,
      USD_EPSILON,
    ],
    [
      "monthly_tokens",
      limits.monthlyTokens,
      committed.monthly.tokens,
      estimate.tokens,
      windows.monthResetsAt,
      0,
    ],
    ["daily_usd", limits.dailyUsd, committed.daily.usd, estimate.usd, windows.dayResetsAt, USD_EPSILON],
    ["daily_tokens", limits.dailyTokens, committed.daily.tokens, estimate.tokens, windows.dayResetsAt, 0],
  ];
  for (const [limit, value, used, more, resetsAt, epsilon] of checks) {
    if (value === null) continue;
    if (used >= value - epsilon || used + more > value + epsilon) {
      return { limit, value, committed: used, estimate: more, resetsAt };
    }
  }
  return null;
}

const grouped = (n: number): string => String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");

/** `$5.00`, and enough digits for sub-cent amounts (`$0.0042`). */
export function formatUsd(usd: number): string {
  if (usd === 0 || Math.abs(usd) >= 0.01) return `$${usd.toFixed(2)}`;
  return `$${Number(usd.toPrecision(2))}`;
}

/** "daily USD budget of $5.00", "monthly token budget of 1,000,000 tokens". */
export function describeLimit(limit: LimitName, value: number): string {
  const [period, unit] = limit.split("_") as [BudgetPeriod, "usd" | "tokens"];
  return unit === "usd"
    ? `${period} USD budget of ${formatUsd(value)}`
    : `${period} token budget of ${grouped(value)} tokens`;
}

/** Whose budget it is: a user's, or one API key's own (src/auth/key-scope.ts). */
export type BudgetOwner = "user" | "API key";

/** The refusal's message: whose limit was hit, where they stand against it, and when it resets. */
export function limitMessage(hit: LimitHit, owner: BudgetOwner = "user"): string {
  const usd = hit.limit.endsWith("_usd");
  const amount = (n: number) => (usd ? formatUsd(n) : `${grouped(n)} tokens`);
  return (
    `This request would exceed the ${owner}'s ${describeLimit(hit.limit, hit.value)}: ` +
    `${amount(hit.committed)} spent or reserved by calls in flight, this request estimated at ${amount(hit.estimate)}. ` +
    `The budget resets at ${new Date(hit.resetsAt).toISOString()}.`
  );
}
