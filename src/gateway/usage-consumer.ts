import { z } from "zod";
import { insertUsageEvents } from "../db/queries/usage";
import { CALL_ROUTES } from "./call-record";
import { MAX_SESSION_ID_LENGTH } from "./session-id";
import type { UsageMessage } from "./usage-message";

/**
 * Usage accounting, consumer side: each queue batch (up to 100 messages, wrangler.toml) is one
 * D1 round trip. A message is a pack of records (src/gateway/usage-outbox.ts) or, as sent before
 * packs existed, one record. The batch succeeds or is retried as a whole; the insert ignores ids
 * it already has, so a retried or redelivered batch never counts a call twice.
 */

const count = z.number().int().nonnegative();
const UsageMessageSchema = z.object({
  id: z.string().startsWith("use_"),
  request_id: z.string(),
  user_id: z.string().nullable(),
  api_key_id: z.string().nullable(),
  route: z.enum(CALL_ROUTES),
  vendor: z.string().nullable(),
  upstream_model: z.string().nullable(),
  alias: z.string().nullable(),
  input_tokens: count,
  output_tokens: count,
  cached_tokens: count,
  cost_usd: z.number().nonnegative(),
  latency_ms: count.nullable(),
  ttft_ms: count.nullable(),
  status: z.number().int(),
  cache_hit: z.boolean(),
  tokens_estimated: z.boolean().optional(),
  retries: count,
  fallback_used: z.string().nullable(),
  vendor_key_id: z.string().max(64).nullish(),
  error_code: z.string().nullable(),
  session_id: z.string().max(MAX_SESSION_ID_LENGTH).nullish(),
  key_metadata: z.record(z.string(), z.string()).nullish(),
  created_at: count,
}) satisfies z.ZodType<UsageMessage>;

/** A pack's records are checked one by one, so one bad record does not cost the others. */
const UsagePackSchema = z.object({ records: z.array(z.unknown()).max(1000) });

/** Retries back off (2, 4, 8 … up to 60 s) so a D1 outage is not hammered. */
const retryDelaySeconds = (attempts: number) => Math.min(60, 2 ** Math.max(1, attempts));

/**
 * The well-formed records of one queue message's body (a pack, or a lone record), and how many
 * were not: retrying cannot fix a malformed record, so callers drop those and keep the rest.
 */
export function recordsOf(body: unknown): { rows: UsageMessage[]; dropped: number } {
  const pack = UsagePackSchema.safeParse(body);
  const records = pack.success ? pack.data.records : [body];
  const rows: UsageMessage[] = [];
  for (const record of records) {
    const parsed = UsageMessageSchema.safeParse(record);
    if (parsed.success) rows.push(parsed.data);
  }
  return { rows, dropped: records.length - rows.length };
}

export async function consumeUsageBatch(batch: MessageBatch<unknown>, env: Pick<Env, "DB">): Promise<void> {
  const rows: UsageMessage[] = [];
  const accepted: Message<unknown>[] = [];
  for (const message of batch.messages) {
    const { rows: good, dropped } = recordsOf(message.body);
    rows.push(...good);
    if (dropped > 0) log("error", "usage record malformed, dropped", { message_id: message.id, dropped });
    if (good.length === 0) message.ack();
    else accepted.push(message);
  }
  if (rows.length === 0) return;
  try {
    await insertUsageEvents(env.DB, rows);
    for (const message of accepted) message.ack();
  } catch (err) {
    const attempts = Math.max(...accepted.map((m) => m.attempts));
    const delaySeconds = retryDelaySeconds(attempts);
    log("error", "usage batch not written, retrying", {
      messages: accepted.length,
      records: rows.length,
      attempts,
      retry_in_s: delaySeconds,
      error: innermost(err),
    });
    for (const message of accepted) message.retry({ delaySeconds });
  }
}

/** Drizzle's wrapper repeats the statement and its parameters; the driver's error says what failed. */
function innermost(err: unknown): string {
  let cause = err;
  while (cause instanceof Error && cause.cause instanceof Error) cause = cause.cause;
  return cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
}

export function log(level: "error" | "info", msg: string, fields: Record<string, unknown>): void {
  (level === "error" ? console.error : console.log)(
    JSON.stringify({ level, msg, queue: "usage", ...fields }),
  );
}
