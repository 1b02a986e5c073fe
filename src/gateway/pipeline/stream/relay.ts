import { type CallEnd, CLIENT_GONE } from "../types";

/**
 * A streamed response body written by a producer loop. The client reads a native stream
 * (workerd's IdentityTransformStream) that the loop writes into: per chunk one write, and no
 * JavaScript stream for the runtime to pull, which is where a pull-based ReadableStream spends
 * its time. Each write resolves once the client has taken the chunk, so a slow client slows the
 * source (backpressure). Every client stream goes through here, so client-gone handling is
 * written once.
 */
export interface RelaySource {
  /**
   * Writes the whole body, its closing or error event included (a source that fails writes its
   * own error event); rejects only when a write fails because the client left.
   */
  produce(write: (chunk: Uint8Array) => Promise<void>): Promise<void>;
  /** What the source reads from: cancelled when the client goes away, which stops the vendor. */
  reader: { cancel(reason?: unknown): Promise<void> };
  /** How the stream ended, filled in by the source; a client that left makes it CLIENT_GONE. */
  outcome: CallEnd;
  /** Called once, when the body is finished or abandoned, whatever happened. */
  onEnd?: ((outcome: CallEnd) => void) | undefined;
  /**
   * The client's request signal (enable_request_signal): it aborts when the client disconnects.
   * workerd does not reject `writer.closed` when the client cancels the body, only the next
   * write fails, so without it a client that leaves while the vendor is silent (a reasoning
   * model's pause) would be noticed only at the vendor's next chunk.
   */
  signal?: AbortSignal | undefined;
}

export function relayBody(source: RelaySource): ReadableStream<Uint8Array> {
  const { readable, writable } = new IdentityTransformStream();
  const writer = writable.getWriter();
  let finished = false;
  let gone = false;
  const leave = (reason: unknown) => {
    if (gone) return;
    gone = true;
    source.outcome.error ??= CLIENT_GONE;
    source.reader.cancel(reason).catch(() => {});
  };
  // A client that leaves is heard from its request's signal, or from the native stream: the
  // source is stopped at once, even while it is still waiting for its next chunk.
  writer.closed.catch((reason: unknown) => {
    if (!finished) leave(reason);
  });
  const { signal } = source;
  const onAbort = () => {
    if (finished) return;
    leave(signal?.reason);
    writer.abort(signal?.reason).catch(() => {});
  };
  if (signal?.aborted) onAbort();
  else signal?.addEventListener("abort", onAbort, { once: true });
  source
    .produce((chunk) => writer.write(chunk))
    .then(
      () => writer.close(),
      (err: unknown) => {
        leave(err);
        return writer.abort(err).catch(() => {});
      },
    )
    .catch(() => {})
    .finally(() => {
      finished = true;
      signal?.removeEventListener("abort", onAbort);
      source.onEnd?.(source.outcome);
    });
  return readable;
}
