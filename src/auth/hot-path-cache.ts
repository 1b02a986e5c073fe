import type { HotPathRows } from "../db/queries/hot-path";

/**
 * A per-isolate cache of the hot path's one D1 read (the key, its user, the model's rows), so a
 * warm call reaches the vendor with no storage round trip: in production the D1 read is a network
 * round trip to the database, the largest part of the gateway's added latency.
 *
 * Freshness is bounded by AUTH_CACHE_SECONDS (default 5; 0 turns the cache off):
 * - a write through this isolate (revoking a key, changing a user, a model config or a vendor)
 *   empties its cache at once;
 * - every other isolate acts on a read for at most the bound: an entry older than it is never
 *   used, and one past half of it is still used but read again in the background (waitUntil), so
 *   under steady traffic entries stay about half the bound old and no call waits for the refresh;
 * - only keys that were found are kept, so a new key works at once and a wrong key is always
 *   checked; expiry is checked on every call against the clock, not the cached time.
 */

export const DEFAULT_AUTH_CACHE_SECONDS = 5;
const MAX_ENTRIES = 1024;
const MAX_SECONDS = 300;

interface Entry {
  rows: HotPathRows;
  readAt: number;
  /** A background read of this entry is under way: a second one would only repeat it. */
  refreshing: boolean;
}

const entries = new Map<string, Entry>();
/** Bumped by every forget: a read that began before a write must not be cached after it. */
let generation = 0;
const keyOf = (hash: string, model: string) => `${hash}\n${model}`;

/** AUTH_CACHE_SECONDS as a number of seconds: 0 is off; unset or not a whole number, the default. */
export function authCacheSeconds(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === "") return DEFAULT_AUTH_CACHE_SECONDS;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) return DEFAULT_AUTH_CACHE_SECONDS;
  return Math.min(n, MAX_SECONDS);
}

export interface CachedHotPath {
  rows: HotPathRows;
  /** True once per entry past half its bound: the caller reads it again in the background. */
  refresh: boolean;
}

export function cachedHotPath(
  hash: string,
  model: string,
  seconds: number,
  now = Date.now(),
): CachedHotPath | undefined {
  const key = keyOf(hash, model);
  const entry = entries.get(key);
  if (!entry) return undefined;
  const age = now - entry.readAt;
  if (age >= seconds * 1000) {
    entries.delete(key);
    return undefined;
  }
  const refresh = !entry.refreshing && age >= (seconds * 1000) / 2;
  if (refresh) entry.refreshing = true;
  return { rows: entry.rows, refresh };
}

/** The generation to hand back to cacheHotPath: take it before reading D1. */
export const hotPathGeneration = (): number => generation;

/**
 * Keeps what a read found (`rows`), or forgets the entry when the read found no key (a refresh
 * that sees a deleted key). A read that began before a forget is dropped.
 */
export function cacheHotPath(
  hash: string,
  model: string,
  rows: HotPathRows | undefined,
  readAtGeneration: number,
  readAt = Date.now(),
): void {
  if (readAtGeneration !== generation) return;
  const key = keyOf(hash, model);
  entries.delete(key);
  if (!rows) return;
  // Oldest first (a Map keeps insertion order): a full cache drops the entry read longest ago.
  if (entries.size >= MAX_ENTRIES) {
    const oldest = entries.keys().next().value;
    if (oldest !== undefined) entries.delete(oldest);
  }
  entries.set(key, { rows, readAt, refreshing: false });
}

/** A background refresh that failed: the entry may be refreshed again by the next call. */
export function refreshFailed(hash: string, model: string): void {
  const entry = entries.get(keyOf(hash, model));
  if (entry) entry.refreshing = false;
}

/** Forgets everything: after any write that can change what the hot path reads. */
export function forgetHotPaths(): void {
  generation += 1;
  entries.clear();
}
