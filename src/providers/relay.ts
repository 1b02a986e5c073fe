import type { StreamOutcome } from "../chat/to-openai";

/**
 * A streamed response body written by a producer loop. The client reads a native stream
 * (workerd's IdentityTransformStream) that the loop writes into: per chunk one write, and no
 * JavaScript stream for the runtime to pull, which is where a pull-based ReadableStream spends
 * its time. Each write resolves once the client has taken the chunk, so a slow client slows the
 * source (backpressure).
 */
export interface RelaySource {
  /** Writes the whole body, awaiting each write; rejects when the source (or a write) fails. */
  produce(write: (chunk: Uint8Array) => Promise<void>): Promise<void>;
  /** The source failed after the body started: the last bytes to send (an error event), or null. */
  failed(err: unknown): Uint8Array | null;
  /** What the source reads from: cancelled when the client goes away, which stops the vendor. */
  reader: { cancel(reason?: unknown): Promise<void> };
  /** How the stream ended, filled in by the source; a client that left makes it an error here. */
  outcome: StreamOutcome;
  /** Called once, when the body is finished or abandoned, whatever happened. */
  onEnd?: ((outcome: StreamOutcome) => void) | undefined;
}

export function relayBody(source: RelaySource): ReadableStream<Uint8Array> {
  const { readable, writable } = new IdentityTransformStream();
  const writer = writable.getWriter();
  let finished = false;
  let gone = false;
  const leave = (reason: unknown) => {
    if (gone) return;
    gone = true;
    source.outcome.error = new Error("client disconnected");
    source.reader.cancel(reason).catch(() => {});
  };
  const write = (chunk: Uint8Array) => writer.write(chunk);
  // A client that leaves cancels the native stream: the source is stopped at once, even while
  // it is still waiting for its next chunk.
  writer.closed.catch((reason: unknown) => {
    if (!finished) leave(reason);
  });
  source
    .produce(write)
    .then(
      () => writer.close(),
      async (err: unknown) => {
        if (gone) return;
        // The source failed, or a write did because the client left: then this write fails too.
        const last = source.failed(err);
        if (last) await write(last);
        await writer.close();
      },
    )
    .catch((err: unknown) => {
      leave(err);
      return writer.abort().catch(() => {});
    })
    .finally(() => {
      finished = true;
      source.onEnd?.(source.outcome);
    });
  return readable;
}
