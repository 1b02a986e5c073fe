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
 * - `spent`: what settled calls used, per window (`day:2026-11-26`, `month:2026-11`);
 * - `reservations`: calls in flight, each holding its estimate against the windows it started in.
 *
 * Every method is synchronous (SQLite storage is in-process): a Durable Object runs one call at a
 * time, so a check and the reservation it allows can never interleave with another request's,
 * and all writes of one call are committed together.
 */

/** A reservation nobody settled (the isolate running the call died) stops counting after this. */
export const RESERVATION_TTL_MS = 10 * 60_000;

export interface ReservationRef {
  id: string;
  /** The windows the call started in; its real usage is charged to them. */
  day: string;
  month: string;
}

export type ReserveOutcome = { ok: true; reservation: ReservationRef } | { ok: false; hit: LimitHit };

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

  /** Holds the estimate against the current windows if it fits every limit, atomically. */
  reserve(limits: BudgetLimits, estimate: Amount): ReserveOutcome {
    const now = this.now();
    const windows = this.tidy(now);
    const amount = clean(estimate);
    const status = this.statusOf(windows);
    const hit = limitHit(limits, committed(status), amount, windows);
    if (hit) return { ok: false, hit };
    const reservation = { id: crypto.randomUUID(), day: windows.day, month: windows.month };
    this.sql.exec(
      "INSERT INTO reservations (id, day, month, tokens, usd, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
      reservation.id,
      reservation.day,
      reservation.month,
      amount.tokens,
      amount.usd,
      now + RESERVATION_TTL_MS,
    );
    return { ok: true, reservation };
  }

  /**
   * Replaces the reservation by what the call really used. Charged even when the reservation has
   * expired meanwhile (a call longer than the TTL still happened), so call it exactly once.
   */
  settle(reservation: ReservationRef, actual: Amount): void {
    const amount = clean(actual);
    this.sql.exec("DELETE FROM reservations WHERE id = ?", reservation.id);
    if (amount.tokens === 0 && amount.usd === 0) return;
    for (const bucket of [dayKey(reservation.day), monthKey(reservation.month)]) {
      this.sql.exec(
        `INSERT INTO spent (bucket, tokens, usd) VALUES (?, ?, ?)
         ON CONFLICT (bucket) DO UPDATE SET tokens = tokens + excluded.tokens, usd = usd + excluded.usd`,
        bucket,
        amount.tokens,
        amount.usd,
      );
    }
  }

  /** The call failed before anything was spent. */
  release(reservationId: string): void {
    this.sql.exec("DELETE FROM reservations WHERE id = ?", reservationId);
  }

  status(): BudgetStatus {
    return this.statusOf(this.tidy(this.now()));
  }

  /**
   * Lazy cleanup instead of an alarm: only reserve() and status() read reservations, and both
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
