import { afterEach, describe, expect, it, vi } from "vitest";
import type { UsageMessage } from "./usage-message";
import { MAX_PACK_RECORDS, type OutboxContext, UsageOutbox, type UsagePack } from "./usage-outbox";

const record = (i: number) => ({ id: `use_${i}`, request_id: `req_${i}` }) as UsageMessage;

/** A queue that keeps what it is sent, and a request context whose waitUntil promises are kept. */
function harness(flushMs: string | undefined, send?: () => Promise<void>) {
  const sent: UsagePack[] = [];
  const queue = {
    send: send ?? (async (body: UsagePack) => void sent.push(body)),
  } as unknown as Queue;
  const waited: Promise<unknown>[] = [];
  const request = (): OutboxContext => ({
    env: { USAGE_QUEUE: queue, USAGE_FLUSH_MS: flushMs },
    waitUntil: (p) => void waited.push(p),
  });
  return { sent, waited, request };
}

describe("UsageOutbox", () => {
  afterEach(() => vi.restoreAllMocks());

  it("packs the records of calls finishing within one window into one message", async () => {
    const { sent, waited, request } = harness("5");
    const outbox = new UsageOutbox(() => undefined);
    for (let i = 0; i < 3; i++) outbox.add(request(), record(i));
    // Only the first request of the window waits, on its own timer; nothing is sent before it.
    expect(waited).toHaveLength(1);
    expect(sent).toEqual([]);
    await Promise.all(waited);
    expect(sent).toEqual([{ records: [record(0), record(1), record(2)] }]);
    expect(outbox.pending).toBe(0);

    // The next window starts with the next record.
    outbox.add(request(), record(3));
    expect(waited).toHaveLength(2);
    await Promise.all(waited);
    expect(sent).toEqual([{ records: [record(0), record(1), record(2)] }, { records: [record(3)] }]);
  });

  it("sends a full pack at once, from the request that filled it", async () => {
    const { sent, waited, request } = harness("60000");
    const outbox = new UsageOutbox(() => undefined);
    for (let i = 0; i < MAX_PACK_RECORDS; i++) outbox.add(request(), record(i));
    // The armed timer (first request) and the immediate send (the last one).
    expect(waited).toHaveLength(2);
    await waited[1];
    expect(sent).toHaveLength(1);
    expect(sent[0]?.records).toHaveLength(MAX_PACK_RECORDS);
    expect(outbox.pending).toBe(0);
  });

  it("sends each record on its own when the window is 0", async () => {
    const { sent, waited, request } = harness("0");
    const outbox = new UsageOutbox(() => undefined);
    outbox.add(request(), record(1));
    outbox.add(request(), record(2));
    await Promise.all(waited);
    expect(sent).toEqual([{ records: [record(1)] }, { records: [record(2)] }]);
  });

  it("reports a failed send with its records and never rejects", async () => {
    const failures: [UsageMessage[], unknown][] = [];
    const { waited, request } = harness("0", () => Promise.reject(new Error("queue unavailable")));
    const outbox = new UsageOutbox((records, err) => failures.push([records, err]));
    outbox.add(request(), record(7));
    await expect(Promise.all(waited)).resolves.toBeDefined();
    expect(failures).toEqual([[[record(7)], new Error("queue unavailable")]]);
  });

  it("falls back to the default window on a value that is not a number of milliseconds", async () => {
    const setTimeout = vi.spyOn(globalThis, "setTimeout");
    const { request } = harness("soon");
    new UsageOutbox(() => undefined).add(request(), record(1));
    expect(setTimeout).toHaveBeenCalledWith(expect.any(Function), 1000);
  });
});
