import {
  type Amount,
  type BudgetLimits,
  type BudgetPeriod,
  type LimitHit,
  limitHit,
  type Windows,
  windowsAt,
} from "./budget-window";

/**
 * One user's spending, in the SQLite storage of their BudgetTracker Durable Object
 * (budget-tracker.ts), with the clock injected so tests can move time.
 *
 * - `spent`: what calls used, per window (`day:2026-11-26`, `month:2026-11`);
 * - `reservations`: leases, room set aside for one gateway isolate's calls (budget-lease.ts),
 *   held against the windows they were granted in. A lease grows when its isolate asks for more
 *   and shrinks by what each call spends, so spent + held never passes a limit by more than the
 *   calls' usage beyond their estimates.
 *
 * Every method is synchronous (SQLite storage is in-process): a Durable Object runs one call at a
 * time, so a check and the lease it allows can never interleave with another request's, and all
 * writes of one call are committed together.
 */

/**
 * A lease nobody renewed (its isolate went idle or died) stops holding room after this. Its
 * isolate stops using it a little earlier (LEASE_MARGIN_MS in budget-lease.ts) and renews it
 * while it is in use, so only a call longer than this on an otherwise idle isolate outlives it.
 */
export const LEASE_TTL_MS = 2 * 60_000;
/** A lease is sized for this many calls like the one that asked for it, at most the room left. */
export const LEASE_CALLS = 8;

export interface ReservationRef {
  id: string;
  /** The windows the lease was granted in; its calls' real usage is charged to them. */
  day: string;
  month: string;
}

export type LeaseOutcome =
  | { ok: true; lease: ReservationRef; granted: Amount; ttlMs: number }
  | { ok: false; hit: LimitHit };

export interface WindowStatus {
  window: string;
  spent: Amount;
  reserved: Amount;
  resetsAt: number;
}

export type BudgetStatus = Record<BudgetPeriod, WindowStatus>;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS spent (
  bucket TEXT PRIMARY KEY,
  tokens INTEGER NOT NULL DEFAULT 0,
  usd REAL NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS reservations (
  id TEXT PRIMARY KEY,
  day TEXT NOT NULL,
  month TEXT NOT NULL,
  tokens INTEGER NOT NULL,
  usd REAL NOT NULL,
  expires_at INTEGER NOT NULL
);
`;

const dayKey = (day: string) => `day:${day}`;
const monthKey = (month: string) => `month:${month}`;

/** Negative or non-finite amounts (a vendor's bogus count) must never give budget back. */
const clean = (a: Amount): Amount => ({
  tokens: Number.isFinite(a.tokens) && a.tokens > 0 ? Math.ceil(a.tokens) : 0,
  usd: Number.isFinite(a.usd) && a.usd > 0 ? a.usd : 0,
});

export class BudgetLedger {
  constructor(
    private readonly sql: SqlStorage,
    private readonly now: () => number = Date.now,
  ) {
    sql.exec(SCHEMA);
  }

  /**
   * Room for calls that need `need` each: a new lease, or a renewed one when `renew` names a lease
   * still held in the current windows, with what of it its isolate has not handed to calls yet
   * (`unused`: that part counts as free for this check, so a call is weighed against spending
   * and others' holds, not against its own isolate's spare room). Refused, with the limit, when
   * `need` does not fit. The lease is sized LEASE_CALLS × `need`, at most the room, at least a
   * token or a millionth of a dollar, in each unit a limit is set on (0 in the others: nothing is
   * held where nothing is limited). `granted` is the change to the isolate's unused room (it may
   * shrink, near a limit); the lease lives LEASE_TTL_MS from now.
   */
  lease(limits: BudgetLimits, need: Amount, renew: { id: string; unused: Amount } | null): LeaseOutcome {
    const now = this.now();
    const windows = this.tidy(now);
    const amount = clean(need);
    const held = renew
      ? this.sql
          .exec<{ tokens: number; usd: number }>(
            "SELECT tokens, usd FROM reservations WHERE id = ? AND day = ? AND month = ?",
            renew.id,
            windows.day,
            windows.month,
          )
          .toArray()[0]
      : undefined;
    const unused = clean(renew?.unused ?? { tokens: 0, usd: 0 });
    const free = {
      tokens: Math.min(unused.tokens, held?.tokens ?? 0),
      usd: Math.min(unused.usd, held?.usd ?? 0),
    };
    const all = committed(this.statusOf(windows));
    const base = {
      daily: { tokens: all.daily.tokens - free.tokens, usd: all.daily.usd - free.usd },
      monthly: { tokens: all.monthly.tokens - free.tokens, usd: all.monthly.usd - free.usd },
    };
    const hit = limitHit(limits, base, amount, windows);
    if (hit) return { ok: false, hit };
    const room = roomLeft(limits, base);
    const size = (unit: keyof Amount, least: number) =>
      room[unit] === Number.POSITIVE_INFINITY
        ? 0
        : Math.min(room[unit], Math.max(amount[unit] * LEASE_CALLS, least));
    const target = { tokens: Math.floor(size("tokens", 1)), usd: size("usd", 1e-6) };
    const granted = { tokens: target.tokens - free.tokens, usd: target.usd - free.usd };
    const expiresAt = now + LEASE_TTL_MS;
    const lease = {
      id: held && renew ? renew.id : crypto.randomUUID(),
      day: windows.day,
      month: windows.month,
    };
    if (held) {
      this.sql.exec(
        "UPDATE reservations SET tokens = tokens + ?, usd = usd + ?, expires_at = ? WHERE id = ?",
        granted.tokens,
        granted.usd,
        expiresAt,
        lease.id,
      );
    } else {
      this.sql.exec(
        "INSERT INTO reservations (id, day, month, tokens, usd, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
        lease.id,
        lease.day,
        lease.month,
        granted.tokens,
        granted.usd,
        expiresAt,
      );
    }
    return { ok: true, lease, granted, ttlMs: LEASE_TTL_MS };
  }

  /**
   * Charges what a call on the lease really used to the lease's windows, and takes it off what
   * the lease holds. Charged even when the lease has expired meanwhile (the call still
   * happened), so call it exactly once per call.
   */
  spend(lease: ReservationRef, actual: Amount): void {
    const amount = clean(actual);
    if (amount.tokens === 0 && amount.usd === 0) return;
    this.sql.exec(
      "UPDATE reservations SET tokens = max(0, tokens - ?), usd = max(0, usd - ?) WHERE id = ?",
      amount.tokens,
      amount.usd,
      lease.id,
    );
    for (const bucket of [dayKey(lease.day), monthKey(lease.month)]) {
      this.sql.exec(
        `INSERT INTO spent (bucket, tokens, usd) VALUES (?, ?, ?)
         ON CONFLICT (bucket) DO UPDATE SET tokens = tokens + excluded.tokens, usd = usd + excluded.usd`,
        bucket,
        amount.tokens,
        amount.usd,
      );
    }
  }

  /** The isolate gave the lease up (new windows, new limits): its room is free at once. */
  returnLease(leaseId: string): void {
    this.sql.exec("DELETE FROM reservations WHERE id = ?", leaseId);
  }

  status(): BudgetStatus {
    return this.statusOf(this.tidy(this.now()));
  }

  /**
   * Lazy cleanup instead of an alarm: only lease() and status() read reservations, and both
   * clean first, so an expired one can never count. Past windows are dropped too (a settle that
   * arrives after midnight may re-create yesterday's row; the next call drops it again).
   */
  private tidy(now: number): Windows {
    const windows = windowsAt(now);
    this.sql.exec("DELETE FROM reservations WHERE expires_at <= ?", now);
    this.sql.exec(
      "DELETE FROM spent WHERE bucket NOT IN (?, ?)",
      dayKey(windows.day),
      monthKey(windows.month),
    );
    return windows;
  }

  private statusOf(windows: Windows): BudgetStatus {
    const spent = (key: string): Amount => {
      const row = this.sql
        .exec<{ tokens: number; usd: number }>("SELECT tokens, usd FROM spent WHERE bucket = ?", key)
        .toArray()[0];
      return { tokens: row?.tokens ?? 0, usd: row?.usd ?? 0 };
    };
    const reserved = (column: "day" | "month", value: string): Amount => {
      const row = this.sql
        .exec<{ tokens: number; usd: number }>(
          `SELECT coalesce(sum(tokens), 0) AS tokens, coalesce(sum(usd), 0) AS usd FROM reservations WHERE ${column} = ?`,
          value,
        )
        .one();
      return { tokens: row.tokens, usd: row.usd };
    };
    return {
      daily: {
        window: windows.day,
        spent: spent(dayKey(windows.day)),
        reserved: reserved("day", windows.day),
        resetsAt: windows.dayResetsAt,
      },
      monthly: {
        window: windows.month,
        spent: spent(monthKey(windows.month)),
        reserved: reserved("month", windows.month),
        resetsAt: windows.monthResetsAt,
      },
    };
  }
}

const committed = (s: BudgetStatus): Record<BudgetPeriod, Amount> => ({
  daily: {
    tokens: s.daily.spent.tokens + s.daily.reserved.tokens,
    usd: s.daily.spent.usd + s.daily.reserved.usd,
  },
  monthly: {
    tokens: s.monthly.spent.tokens + s.monthly.reserved.tokens,
    usd: s.monthly.spent.usd + s.monthly.reserved.usd,
  },
});

/** What is left under each unit's tightest limit; infinite in a unit no limit is set on. */
function roomLeft(limits: BudgetLimits, c: Record<BudgetPeriod, Amount>): Amount {
  const left = (pairs: [number | null, number][]) =>
    Math.max(
      0,
      Math.min(...pairs.map(([limit, used]) => (limit === null ? Number.POSITIVE_INFINITY : limit - used))),
    );
  return {
    tokens: left([
      [limits.dailyTokens, c.daily.tokens],
      [limits.monthlyTokens, c.monthly.tokens],
    ]),
    usd: left([
      [limits.dailyUsd, c.daily.usd],
      [limits.monthlyUsd, c.monthly.usd],
    ]),
  };
}
