const LF = 10;
const CR = 13;

/**
 * Where the complete SSE events in `bytes` end: the index just past each blank line, with `\n`,
 * `\r\n` and `\r` all ending a line (the SSE spec's three). A `\r` that is the last byte may be
 * the first half of a `\r\n`, so the scan stops before it unless the stream has ended (`final`).
 * Byte-level on purpose: 10 and 13 never occur inside a UTF-8 sequence, so the events between
 * these ends decode whole and can be forwarded as the very bytes that came.
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html#parsing-an-event-stream
 */
export function eventEnds(bytes: Uint8Array, final: boolean): number[] {
  // Most hosts end lines with `\n` alone: then the native indexOf finds each line end, where the
  // byte loop below would look at every byte in JavaScript (a stream's hottest loop).
  if (bytes.indexOf(CR) === -1) return lfEventEnds(bytes);
  const ends: number[] = [];
  const n = bytes.length;
  let lineStart = 0;
  let i = 0;
  while (i < n) {
    const b = bytes[i];
    if (b !== LF && b !== CR) {
      i++;
      continue;
    }
    let next = i + 1;
    if (b === CR) {
      if (next === n && !final) break;
      if (bytes[next] === LF) next++;
    }
    if (i === lineStart) ends.push(next);
    lineStart = next;
    i = next;
  }
  return ends;
}

function lfEventEnds(bytes: Uint8Array): number[] {
  const ends: number[] = [];
  let lineStart = 0;
  for (let i = bytes.indexOf(LF); i !== -1; i = bytes.indexOf(LF, i + 1)) {
    if (i === lineStart) ends.push(i + 1);
    lineStart = i + 1;
  }
  return ends;
}
