import type { HotPathRows } from "../db/queries/hot-path";

/**
 * An opt-in, per-isolate cache of the hot path's one D1 read (the key, its user, the model's
 * rows), for AUTH_CACHE_SECONDS (off by default). With it, repeated calls with the same key and
 * model reach the vendor without a D1 round trip: a network round trip to the database in
 * production, the largest part of the gateway's added latency.
 *
 * The price is PRODUCT's "revoke: the key stops working at once": a write through this isolate
 * (revoking a key, changing a user, a model config or a vendor) empties its cache at once, but
 * other isolates keep what they read for up to AUTH_CACHE_SECONDS. Only keys that were found are
 * kept, so a new key works at once and a wrong key is always checked; expiry is checked on every
 * call against the clock, not the cached time.
 */

const MAX_ENTRIES = 1024;
const MAX_SECONDS = 300;

interface Entry {
  rows: HotPathRows;
  expiresAt: number;
}

const entries = new Map<string, Entry>();
/** Bumped by every forget: a read that began before a write must not be cached after it. */
let generation = 0;
const keyOf = (hash: string, model: string) => `${hash}\n${model}`;

/** AUTH_CACHE_SECONDS as a number of seconds: 0 (off) unless a whole number from 1 to 300. */
export function authCacheSeconds(raw: string | undefined): number {
  if (raw === undefined || raw === "") return 0;
  const n = Number(raw);
  return Number.isInteger(n) && n > 0 ? Math.min(n, MAX_SECONDS) : 0;
}

export function cachedHotPath(hash: string, model: string, now = Date.now()): HotPathRows | undefined {
  const key = keyOf(hash, model);
  const entry = entries.get(key);
  if (!entry) return undefined;
  if (entry.expiresAt > now) return entry.rows;
  entries.delete(key);
  return undefined;
}

/** The generation to hand back to cacheHotPath: take it before reading D1. */
export const hotPathGeneration = (): number => generation;

export function cacheHotPath(
  hash: string,
  model: string,
  rows: HotPathRows,
  seconds: number,
  readAtGeneration: number,
): void {
  if (readAtGeneration !== generation) return;
  const key = keyOf(hash, model);
  entries.delete(key);
  // Oldest first (a Map keeps insertion order): a full cache drops the entry read longest ago.
  if (entries.size >= MAX_ENTRIES) {
    const oldest = entries.keys().next().value;
    if (oldest !== undefined) entries.delete(oldest);
  }
  entries.set(key, { rows, expiresAt: Date.now() + seconds * 1000 });
}

/** Forgets everything: after any write that can change what the hot path reads. */
export function forgetHotPaths(): void {
  generation += 1;
  entries.clear();
}
