import { insertUsageEvents } from "../db/queries/usage";
import { log, recordsOf } from "./usage-consumer";
import type { UsageMessage } from "./usage-message";

/**
 * Usage batches that failed every retry (D1 down for longer than the queue's retries last) land
 * in the dead-letter queue. Its consumer parks each message in KV, where it waits for D1 to be
 * back; the schedule (src/index.ts) replays what is parked. Inserting is idempotent (keyed by each
 * record's call id), so a message parked twice or replayed after a partial success never counts
 * a call twice.
 */

const PREFIX = "usage-dlq:";
/** A parked message waits this long for a replay before KV drops it. */
const PARKED_TTL_SECONDS = 30 * 86_400;
/** Parked messages one run replays: each holds up to 50 records (usage-outbox.ts). */
const REPLAY_PER_RUN = 100;

export async function parkDeadLetters(batch: MessageBatch<unknown>, env: Pick<Env, "CACHE">): Promise<void> {
  await Promise.all(
    batch.messages.map(async (message) => {
      try {
        await env.CACHE.put(`${PREFIX}${message.id}`, JSON.stringify(message.body), {
          expirationTtl: PARKED_TTL_SECONDS,
        });
        message.ack();
      } catch {
        message.retry({ delaySeconds: 60 });
      }
    }),
  );
  log("error", "usage batch dead-lettered, parked for replay", { messages: batch.messages.length });
}

/** Writes parked messages' records to D1 and removes them from KV; returns the records written. */
export async function replayDeadLetters(env: Pick<Env, "CACHE" | "DB">): Promise<number> {
  const listed = await env.CACHE.list({ prefix: PREFIX, limit: REPLAY_PER_RUN });
  if (listed.keys.length === 0) return 0;
  const rows: UsageMessage[] = [];
  const keys: string[] = [];
  for (const { name } of listed.keys) {
    const body = await env.CACHE.get(name, "json");
    // Expired between the list and the read: nothing left to replay.
    if (body === null) continue;
    const parked = recordsOf(body);
    if (parked.dropped > 0)
      log("error", "parked usage record malformed, dropped", { key: name, dropped: parked.dropped });
    rows.push(...parked.rows);
    keys.push(name);
  }
  // All or nothing: a failure leaves every message parked for the next run.
  await insertUsageEvents(env.DB, rows);
  await Promise.all(keys.map((k) => env.CACHE.delete(k)));
  log("info", "parked usage replayed", { messages: keys.length, records: rows.length });
  return rows.length;
}
