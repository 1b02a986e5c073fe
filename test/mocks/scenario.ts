import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * Mock upstreams take their behaviour from the requested model name, so tests running in
 * parallel never share state: `<scenario>[~<tag>]`, e.g. `fail-429~a1b2`. The tag only makes the
 * name unique (for the request log). Scenarios every vendor mock understands:
 *
 * - anything else: a normal answer;
 * - `inspect`: the answer's text is the JSON of what the mock received ({path, headers, body});
 * - `tool-call`: the model calls the first tool given;
 * - `fail-<status>`: that HTTP status with the vendor's own error body (`fail-429` adds Retry-After: 7);
 * - `fail-<status>-html`: that status with a non-JSON body;
 * - `malformed`: 200 with a body that is not JSON;
 * - `hang`: never answers (for timeouts);
 * - `reset`: destroys the connection without an answer;
 * - `cut-stream`: streams a few events, then ends without finishing;
 * - `error-event`: streams a few events, then the vendor's mid-stream error event;
 * - `slow-stream`: streams one event every 50 ms for 5 s (for client aborts);
 * - `stall-stream` (OpenAI, its Responses API too): two events, then silence with the connection
 *   held open (a client that leaves meanwhile must still stop the vendor);
 * - `flaky-<status>-<n>`: the first n requests for this exact model name fail with that status
 *   (429 and 503 carry `Retry-After: 1`), later ones answer normally (for retries);
 * - `chunks-16` (OpenAI, its Responses API, and Anthropic, for `npm run bench`): the answer is
 *   CHUNKS_16_TEXT, and a stream carries it in exactly 16 content deltas written back to back,
 *   each on its own event-loop turn but with no timer between them (other streams pause 1 ms per
 *   frame), so a benchmark measures the gateway and not the mock's pauses.
 * - `paced-16` (OpenAI's Chat Completions, for `npm run bench`'s per-chunk latency): the stream of
 *   `chunks-16`, one frame every PACED_FRAME_MS, each chunk carrying `x_written_at` (WRITTEN_AT):
 *   when the mock wrote it, in epoch ms with microsecond digits (epochMs). Readers that ignore
 *   unknown fields read the same stream as `chunks-16`'s.
 * - `fixture-<name>[~<bytes>]` (every vendor mock, for its own vendor): replays the recorded body
 *   test/fixtures/<vendor>/<name>.sse byte for byte (a stream request), or <name>.json (any
 *   request; also a stream request when there is no .sse, like a host that ignores `stream`).
 *   `~7` writes 7 bytes at a time and `~1` one byte at a time, each write on its own event-loop
 *   turn, so the gateway reads lines and UTF-8 characters split; no suffix writes the body whole.
 *   A further `~<tag>` only makes the name unique. Names stay URL-safe (Gemini puts the model in
 *   the path). See fixture-replay.ts and test/fixtures/README.md. OpenAI's Responses API replays
 *   test/fixtures/openai-responses/.
 */
export function scenarioOf(model: string | undefined): string {
  return (model ?? "").split("~")[0] ?? "";
}

/** The `chunks-16` answer: 16 words, one stream delta each (see `words`). */
export const CHUNKS_16_TEXT =
  "The quick brown fox jumps over the lazy dog while five boxing wizards jump quickly today.";

/** The pause between a `paced-16` stream's frames, in ms. */
export const PACED_FRAME_MS = 10;
/** The field of a `paced-16` chunk that says when it was written (see writeEvents' `stamp`). */
export const WRITTEN_AT = "x_written_at";
/** A frame's stamp before it is written: `"x_written_at":0`, replaced at the write. */
export const UNWRITTEN_STAMP = `"${WRITTEN_AT}":0`;
/**
 * Now, in epoch ms with microsecond digits. Two processes of one machine agree on it to within
 * microseconds; a benchmark that compares two sides measured by the same pair of processes loses
 * any constant offset in the difference anyway.
 */
export const epochMs = (): number => performance.timeOrigin + performance.now();

/** How long writeEvents waits between frames: `chunks-16` streams only yield to the event loop, `paced-16` ones wait PACED_FRAME_MS. */
export const framePause = (scenario: string, otherwise: number): number | "turn" =>
  scenario === "chunks-16" ? "turn" : scenario === "paced-16" ? PACED_FRAME_MS : otherwise;

export interface RecordedRequest {
  path: string;
  /** Epoch ms when the mock received it. */
  at?: number;
  model: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  /** The body's bytes as received (the Anthropic mock keeps them). */
  raw?: string;
  /** The client (the gateway) went away before the answer was complete. */
  aborted: boolean;
}

export const requestLog: RecordedRequest[] = [];

/** Each request's body as the bytes it came in (UTF-8), for tests of byte-faithful passthrough. */
export const rawBodies = new WeakMap<IncomingMessage, string>();

export async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  rawBodies.set(req, text);
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

const flakyCounts = new Map<string, number>();

/** For `flaky-<status>-<n>`: answers the failure and returns true while failures remain. */
export function flakyFailure(
  model: string,
  res: ServerResponse,
  errorBody: (status: number, message: string) => unknown,
): boolean {
  const m = /^flaky-(\d{3})-(\d+)$/.exec(scenarioOf(model));
  if (!m) return false;
  const seen = flakyCounts.get(model) ?? 0;
  flakyCounts.set(model, seen + 1);
  if (seen >= Number(m[2])) return false;
  const status = Number(m[1]);
  sendJson(
    res,
    status,
    errorBody(status, `Flaky failure ${seen + 1}`),
    status === 429 || status === 503 ? { "retry-after": "1" } : {},
  );
  return true;
}

/** Handles the scenarios that are the same for every vendor; returns true when it answered. */
export function commonScenario(
  scenario: string,
  res: ServerResponse,
  errorBody: (status: number, message: string) => unknown,
): boolean {
  const fail = /^fail-(\d{3})(-html)?$/.exec(scenario);
  if (fail) {
    const status = Number(fail[1]);
    const headers: Record<string, string> = status === 429 ? { "retry-after": "7" } : {};
    if (fail[2]) {
      res.writeHead(status, { "content-type": "text/html", ...headers });
      res.end("<html><body>Bad gateway</body></html>");
    } else {
      // The message carries a key-like string, as real vendors sometimes echo one back.
      sendJson(
        res,
        status,
        errorBody(status, `Mock failure ${status} (key sk-proj-abcdefghijklmnop0123)`),
        headers,
      );
    }
    return true;
  }
  if (scenario === "malformed") {
    res.writeHead(200, { "content-type": "application/json" });
    res.end("{not json");
    return true;
  }
  if (scenario === "hang") return true; // never answer; the socket closes when the gateway aborts
  if (scenario === "reset") {
    res.socket?.destroy();
    return true;
  }
  return false;
}

/**
 * Writes SSE frames with real pauses between writes so the client sees separate chunks; `"turn"`
 * writes the next frame on the next event-loop turn (its own write, without a timer). With
 * `stamp`, a frame's UNWRITTEN_STAMP becomes the time of its write (epochMs).
 */
export async function writeEvents(
  res: ServerResponse,
  frames: string[],
  pause: number | "turn" = 0,
  stamp = false,
) {
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  for (const frame of frames) {
    if (res.destroyed) return;
    res.write(stamp ? frame.replace(UNWRITTEN_STAMP, `"${WRITTEN_AT}":${epochMs()}`) : frame);
    if (pause === "turn") await new Promise((r) => setImmediate(r));
    else if (pause) await new Promise((r) => setTimeout(r, pause));
  }
  res.end();
}

/** Words of the answer, for splitting into stream deltas. */
export const words = (text: string): string[] => text.split(/(?<= )/);

export const lastUserText = (messages: { role: string; content: unknown }[]): string => {
  const last = [...messages].reverse().find((m) => m.role === "user");
  if (!last) return "";
  if (typeof last.content === "string") return last.content;
  if (Array.isArray(last.content)) {
    return last.content
      .map((p: { type?: string; text?: string }) => (p.type === "text" ? p.text : ""))
      .join("");
  }
  return "";
};
