/** Types of bench/counting.js (plain JavaScript, which workerd loads as is). */

/** Storage calls the gateway made for one request. */
export interface StorageCounts {
  /** D1 round trips: a statement's first/all/run/raw, a batch, an exec (database or session). */
  d1RoundTrips: number;
  /** D1 statements in them (a batch holds several). */
  d1Statements: number;
  /** Method calls on Durable Object stubs. */
  doCalls: number;
  /** KV get, getWithMetadata, list. */
  kvReads: number;
  /** KV put, delete. */
  kvWrites: number;
  /** Cache API match. */
  cacheReads: number;
  /** Cache API put, delete. */
  cacheWrites: number;
  /** Queue send and sendBatch calls, and the messages in them. */
  queueSends: number;
  queueMessages: number;
  ratelimitCalls: number;
  /** Fetches to the vendors' origin (the mock's). */
  upstreamFetches: number;
}

export type BindingKind = "d1" | "do" | "kv" | "queue" | "ratelimit";

export interface SettledCounts {
  upstream: boolean;
  beforeUpstream: StorageCounts;
  total: StorageCounts;
  unattributed: StorageCounts;
}

export interface Counting {
  wrapEnv<E extends object>(env: E, bindings: Record<string, BindingKind>): E;
  wrapCaches<C extends { default: object; open(name: string): Promise<object> }>(storage: C): C;
  wrapFetch<F extends (input: any, init?: any) => Promise<unknown>>(realFetch: F): F;
  count<R extends { headers: { get(name: string): string | null } }>(
    ctx: { waitUntil(promise: Promise<unknown>): void },
    handler: (ctx: { waitUntil(promise: Promise<unknown>): void }) => R | Promise<R>,
  ): Promise<R>;
  settle(
    requestId: string,
    options?: { timeoutMs?: number; pollMs?: number },
  ): Promise<SettledCounts | undefined>;
}

export function emptyCounts(): StorageCounts;
export function createCounting(options: { upstream: string }): Counting;
