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
  // A client that leaves cancels the native stream: the source is stopped at once, even while
  // it is still waiting for its next chunk.
  writer.closed.catch((reason: unknown) => {
    if (!finished) leave(reason);
  });
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
      source.onEnd?.(source.outcome);
    });
  return readable;
}
