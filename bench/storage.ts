import type { StorageCounts } from "./counting.js";
import { timedRequest } from "./load.ts";
import type { Scenario } from "./scenarios.ts";

/**
 * The counting phase: each scenario's gateway request sent twice, one after the other, to the
 * counting worker (bench/counting-entry.js), and the second one's storage calls read back from it.
 * The first call warms the isolate (the vendor key decrypted, the circuit state read, the cache
 * lane's entry written if it was not there); its counts are read too, which waits for its
 * waitUntil work, so the second starts on a quiet worker. The scenarios must be built on the counting worker's origin.
 */

/** A warm call's storage: the second of two identical requests, sent one after the other. */
export interface WarmStorage {
  /** Whether it called the vendor; when not (a cache hit), `beforeUpstream` is all it did before answering. */
  upstream: boolean;
  /** Up to its first fetch to the vendor. */
  beforeUpstream: StorageCounts;
  /** The whole request, its waitUntil work included. */
  total: StorageCounts;
}

export interface CountedLane {
  storage: WarmStorage;
  /** Calls charged to no request so far (a lost async context); should stay all zero. */
  unattributed: StorageCounts;
}

/**
 * One request to the counting worker and the storage counts of its answer. The warm one must pass
 * the lane's quick check; the first need only succeed (the cache lane's may be the miss that fills it).
 */
async function countOne(origin: string, s: Scenario, warm: boolean): Promise<CountedLane> {
  // The same request twice: a pool's next path (conversations) would make the two differ.
  const { nextPath: _, ...call } = s.gateway.call;
  const { answer } = await timedRequest(undefined, call);
  const ok = answer.status >= 200 && answer.status < 300 ? null : `HTTP ${answer.status}`;
  const problem = !warm
    ? ok
    : s.gateway.quick(answer.status, answer.body, (name) => {
        const v = answer.headers[name];
        return Array.isArray(v) ? v.join(", ") : v;
      });
  if (problem) throw new Error(`${s.id}: ${problem}; body: ${answer.body.slice(0, 300)}`);
  const id = answer.headers["x-request-id"];
  if (typeof id !== "string") throw new Error(`${s.id}: the answer has no x-request-id`);
  const counts = await timedRequest(
    undefined,
    { method: "GET", url: `${origin}/__bench/storage?request=${encodeURIComponent(id)}`, headers: {} },
    15_000,
  );
  if (counts.answer.status !== 200) {
    throw new Error(
      `${s.id}: storage counts: HTTP ${counts.answer.status} ${counts.answer.body.slice(0, 300)}`,
    );
  }
  const { upstream, beforeUpstream, total, unattributed } = JSON.parse(counts.answer.body);
  return { storage: { upstream, beforeUpstream, total }, unattributed };
}

/** Each scenario's warm call, by scenario id. */
export async function countWarmStorage(
  origin: string,
  scenarios: readonly Scenario[],
): Promise<{ lanes: Map<string, WarmStorage>; unattributed: StorageCounts | undefined }> {
  const lanes = new Map<string, WarmStorage>();
  let unattributed: StorageCounts | undefined;
  for (const s of scenarios) {
    await countOne(origin, s, false);
    const warm = await countOne(origin, s, true);
    lanes.set(s.id, warm.storage);
    unattributed = warm.unattributed;
  }
  return { lanes, unattributed };
}
