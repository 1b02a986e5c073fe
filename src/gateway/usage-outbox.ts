import type { UsageMessage } from "./usage-message";

/**
 * Usage records leave an isolate in packs: the calls that finish within one flush window share
 * one queue message. A busy isolate then makes one queue send per window (or per full pack)
 * instead of one per call: less CPU on the request path's tail, and Queues bills per message
 * (per 64 KB), so a pack of 50 costs what one record did.
 *
 * The first record of a window arms a timer inside its own request's waitUntil; records added by
 * later requests ride along in that flush (plain data crosses requests, never promises or I/O
 * objects). A full pack is sent at once by the request that filled it. A record waits at most
 * the window (USAGE_FLUSH_MS, default 1 s; 0 sends each record on its own), and waitUntil keeps
 * the isolate alive until it is sent.
 */

/** One queue message: records in the order their calls finished. */
export interface UsagePack {
  records: UsageMessage[];
}

/** Records per message: a record is well under 1.5 KB, so a pack stays far below 128 KB. */
export const MAX_PACK_RECORDS = 50;
export const DEFAULT_FLUSH_MS = 1000;
const MAX_FLUSH_MS = 10_000;

export interface OutboxContext {
  env: Pick<Env, "USAGE_QUEUE" | "USAGE_FLUSH_MS">;
  waitUntil(promise: Promise<unknown>): void;
}

export type SendFailure = (records: UsageMessage[], err: unknown) => void;

export class UsageOutbox {
  #pending: UsageMessage[] = [];
  #armed = false;

  constructor(private readonly onFailure: SendFailure) {}

  add(ctx: OutboxContext, record: UsageMessage): void {
    this.#pending.push(record);
    const windowMs = flushWindow(ctx.env.USAGE_FLUSH_MS);
    if (windowMs === 0 || this.#pending.length >= MAX_PACK_RECORDS) {
      ctx.waitUntil(this.#send(ctx.env.USAGE_QUEUE));
      return;
    }
    if (this.#armed) return;
    this.#armed = true;
    const queue = ctx.env.USAGE_QUEUE;
    ctx.waitUntil(
      new Promise((resolve) => setTimeout(resolve, windowMs)).then(() => {
        this.#armed = false;
        return this.#send(queue);
      }),
    );
  }

  /** Records added and not yet handed to the queue (for tests and diagnostics). */
  get pending(): number {
    return this.#pending.length;
  }

  /** Sends what is pending as one message; never rejects (a failure is reported, not thrown). */
  async #send(queue: Queue): Promise<void> {
    const records = this.#pending;
    if (records.length === 0) return;
    this.#pending = [];
    try {
      await queue.send({ records } satisfies UsagePack, { contentType: "json" });
    } catch (err) {
      this.onFailure(records, err);
    }
  }
}

function flushWindow(raw: string | undefined): number {
  if (raw === undefined || raw === "") return DEFAULT_FLUSH_MS;
  const ms = Number(raw);
  return Number.isFinite(ms) && ms >= 0 ? Math.min(ms, MAX_FLUSH_MS) : DEFAULT_FLUSH_MS;
}
