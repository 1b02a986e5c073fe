/**
 * The one SSE writer for client streams: each event is one `event:` line (optional) and one
 * `data:` line. JSON never holds a raw newline, so one data line always suffices.
 */

const encoder = new TextEncoder();

export function encodeSse(data: string, event?: string): Uint8Array {
  return encoder.encode(event ? `event: ${event}\ndata: ${data}\n\n` : `data: ${data}\n\n`);
}

export const SSE_HEADERS = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache",
  // Stops proxies (and Cloudflare's own buffering heuristics) from holding chunks back.
  "x-accel-buffering": "no",
} as const;
