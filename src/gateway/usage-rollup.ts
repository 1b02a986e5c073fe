import { rollUpBatch } from "../db/queries/usage-daily";

/**
 * Keeps usage_events bounded: raw records older than USAGE_RETENTION_DAYS (whole UTC days) are
 * summed into usage_daily and deleted, by the Cron Trigger (src/index.ts). Each transaction moves
 * at most USAGE_ROLLUP_BATCH_ROWS rows, and a run at most USAGE_ROLLUP_MAX_BATCHES transactions,
 * so one run stays far inside a Worker's limits (D1 statements of a few thousand rows, a few
 * dozen round trips); a backlog is worked off over the next runs. A run stopped at any point
 * loses nothing: every transaction moves rows and adds their sums together.
 */

const DAY_MS = 86_400_000;
export const DEFAULT_RETENTION_DAYS = 30;
const MAX_RETENTION_DAYS = 3650;
const DEFAULT_BATCH_ROWS = 5000;
const MAX_BATCH_ROWS = 10_000;
const DEFAULT_MAX_BATCHES = 20;

export interface RollupEnv {
  DB: D1Database;
  USAGE_RETENTION_DAYS?: string;
  USAGE_ROLLUP_BATCH_ROWS?: string;
  USAGE_ROLLUP_MAX_BATCHES?: string;
}

export interface RollupResult {
  /** Midnight UTC before which raw records are rolled up (ms). */
  cutoff: number;
  moved: number;
  batches: number;
  /** Nothing older than the cutoff is left raw. */
  done: boolean;
}

export async function rollUpUsage(env: RollupEnv, now: number): Promise<RollupResult> {
  const retention = whole(env.USAGE_RETENTION_DAYS, DEFAULT_RETENTION_DAYS, 1, MAX_RETENTION_DAYS);
  const batchRows = whole(env.USAGE_ROLLUP_BATCH_ROWS, DEFAULT_BATCH_ROWS, 1, MAX_BATCH_ROWS);
  const maxBatches = whole(env.USAGE_ROLLUP_MAX_BATCHES, DEFAULT_MAX_BATCHES, 1, 1000);
  const cutoff = Math.floor(now / DAY_MS) * DAY_MS - retention * DAY_MS;
  const result: RollupResult = { cutoff, moved: 0, batches: 0, done: false };
  while (result.batches < maxBatches) {
    const moved = await rollUpBatch(env.DB, cutoff, batchRows);
    result.batches += 1;
    result.moved += moved;
    if (moved < batchRows) {
      result.done = true;
      break;
    }
  }
  return result;
}

/** A whole number from a var, within bounds; the default when unset or not a number. */
function whole(raw: string | undefined, fallback: number, min: number, max: number): number {
  const n = raw === undefined || raw === "" ? Number.NaN : Number(raw);
  return Number.isInteger(n) ? Math.min(max, Math.max(min, n)) : fallback;
}
