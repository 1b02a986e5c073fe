import { Agent, request as httpRequest } from "node:http";
import { epochMs, WRITTEN_AT } from "../test/mocks/scenario.ts";
import { type Answer, assertLoopback, type HttpCall } from "./load.ts";
import { checkChatStream, STREAM_CHUNKS, STREAM_TEXT } from "./scenarios.ts";
import { type LatencySummary, summarize } from "./stats.ts";

/**
 * The paced lane: the mock's `paced-16` stream (test/mocks/scenario.ts: chunks-16's deltas, one
 * frame every 10 ms, each stamped with the time the mock wrote it), one stream at a time. A chunk's
 * latency is its arrival at the client minus that stamp; the first chunk of each stream is left
 * out (TTFB covers it). The mock and the client are two processes of one machine, whose clocks
 * agree to within microseconds; the figure that matters, a side's latency minus direct's, is taken
 * between the same two processes, so any constant offset between their clocks cancels.
 */

/** One side of the paced lane: per-chunk latency, from the mock's write to the client's read. */
export interface PacedSide {
  streams: number;
  /** Every chunk but each stream's first (its time is the TTFB's), in ms. */
  chunkMs: LatencySummary;
  ttfbMs: LatencySummary;
}

/**
 * The paced lane's result: one stream at a time on the OpenAI passthrough, straight to the mock,
 * and through the probe's JavaScript relay.
 */
export interface PacedResult {
  model: string;
  frameMs: number;
  direct: PacedSide;
  gateway: PacedSide;
  relay?: PacedSide | undefined;
}

export const PACED_MODEL = "paced-16";
export const PACED_STREAMS = 30;
const WARMUP_STREAMS = 3;

/** The same call for the paced scenario: `chunks-16` in the body's model becomes `paced-16`. */
export function pacedCall(call: HttpCall): HttpCall {
  const body = JSON.parse(call.body ?? "{}");
  if (typeof body.model !== "string" || !body.model.endsWith("chunks-16")) {
    throw new Error(`not a chunks-16 request: model ${JSON.stringify(body.model)}`);
  }
  return { ...call, body: JSON.stringify({ ...body, model: body.model.replace(/chunks-16$/, PACED_MODEL) }) };
}

const STAMP = new RegExp(`"${WRITTEN_AT}":([0-9.]+)`);

/**
 * Reads SSE bytes as they arrive: each complete event that carries a write stamp gives the delay
 * from its write to `arrivedAt` (the time its last byte arrived). Feed it every chunk of the body.
 */
export function chunkClock() {
  let pending = "";
  const delays: number[] = [];
  return {
    delays,
    feed(text: string, arrivedAt: number): void {
      pending += text;
      for (let end = pending.indexOf("\n\n"); end >= 0; end = pending.indexOf("\n\n")) {
        const event = pending.slice(0, end);
        pending = pending.slice(end + 2);
        const m = STAMP.exec(event);
        if (m) delays.push(arrivedAt - Number(m[1]));
      }
    },
  };
}

/**
 * One paced stream: its answer, TTFB, how many chunks were stamped, and each stamped chunk's delay
 * after the first, in ms.
 */
export function pacedStream(
  agent: Agent,
  call: HttpCall,
  timeoutMs = 10_000,
): Promise<{ answer: Answer; ttfbMs: number; stamped: number; delaysMs: number[] }> {
  assertLoopback(call.url);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let firstByte = Number.NaN;
    const clock = chunkClock();
    const req = httpRequest(call.url, { method: call.method, headers: call.headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => {
        const now = epochMs();
        if (chunks.length === 0) firstByte = performance.now();
        chunks.push(chunk);
        clock.feed(chunk.toString("utf8"), now);
      });
      res.on("end", () =>
        resolve({
          answer: {
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString("utf8"),
          },
          ttfbMs: firstByte - started,
          stamped: clock.delays.length,
          delaysMs: clock.delays.slice(1),
        }),
      );
      res.on("error", reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end(call.body);
  });
}

/**
 * `count` paced streams one after the other on one keep-alive connection (after a few unrecorded
 * ones), each checked in full as a chunks-16 stream whose every chunk was stamped.
 */
export async function measurePaced(call: HttpCall, count = PACED_STREAMS): Promise<PacedSide> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const delays: number[] = [];
  const ttfb: number[] = [];
  try {
    for (let i = 0; i < WARMUP_STREAMS + count; i++) {
      const run = await pacedStream(agent, call);
      const problem = checkChatStream(run.answer, STREAM_TEXT, STREAM_CHUNKS);
      if (problem) throw new Error(`${problem}; body: ${run.answer.body.slice(0, 300)}`);
      // The role chunk, 16 deltas, the finish and the usage chunk are stamped: all but the first count.
      if (run.stamped !== STREAM_CHUNKS + 3) {
        throw new Error(`${run.stamped} stamped chunks, expected ${STREAM_CHUNKS + 3}`);
      }
      if (i < WARMUP_STREAMS) continue;
      delays.push(...run.delaysMs);
      ttfb.push(run.ttfbMs);
    }
  } finally {
    agent.destroy();
  }
  return { streams: count, chunkMs: summarize(delays), ttfbMs: summarize(ttfb) };
}
