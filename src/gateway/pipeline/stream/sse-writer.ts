/**
 * The one SSE writer for client streams: each event is one `event:` line (optional) and one
 * `data:` line. JSON never holds a raw newline, so one data line always suffices.
 */

const encoder = new TextEncoder();

export function encodeSse(data: string, event?: string): Uint8Array {
  return encoder.encode(event ? `event: ${event}\ndata: ${data}\n\n` : `data: ${data}\n\n`);
}

/**
 * An SSE comment: every EventSource parser (the OpenAI SDKs' included) skips it, and it keeps an
 * idle connection alive, as OpenRouter's `: OPENROUTER PROCESSING` does.
 */
export function encodeSseComment(text: string): Uint8Array {
  return encoder.encode(`: ${text}\n\n`);
}

export const SSE_HEADERS = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache",
  // Stops proxies (and Cloudflare's own buffering heuristics) from holding chunks back.
  "x-accel-buffering": "no",
} as const;
