import { Agent, request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { performance } from "node:perf_hooks";
import autocannon from "autocannon";

/**
 * The two ways requests are sent. Under load: autocannon, closed loop, a fixed number of
 * connections and a fixed number of requests (so every request of a phase completes; none is cut
 * off by a timer), with a wall-clock bound on top. One at a time: Node's http client on one
 * keep-alive connection, timing the first body byte and the end of each answer.
 */

export interface HttpCall {
  method: "GET" | "POST";
  /** Full URL on 127.0.0.1. */
  url: string;
  headers: Record<string, string>;
  body?: string;
  /** Another path for each request (e.g. a conversation from a pool); same origin. */
  nextPath?: () => string;
}

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A cheap per-response check used under load: null when fine, else what is wrong. */
export type QuickCheck = (
  status: number,
  body: string,
  header: (name: string) => string | undefined,
) => string | null;

export interface LoadRun {
  /** Responses that were 2xx and passed the check. */
  ok: number;
  /** Milliseconds from the first request sent to the last answer received. */
  elapsedMs: number;
  /** Latency of each good response, in ms, to its last byte. */
  latencies: number[];
  /** What went wrong (empty when nothing did); at most a few examples per kind. */
  failures: string[];
}

const MAX_EXAMPLES = 5;

export function assertLoopback(url: string): void {
  const { hostname } = new URL(url);
  if (hostname !== "127.0.0.1") throw new Error(`bench only talks to 127.0.0.1, not ${hostname}`);
}

/** Sends `amount` requests over `connections` connections; bounded by `timeoutMs` overall. */
export async function runLoad(
  call: HttpCall,
  opts: { connections: number; amount: number; timeoutMs: number; check: QuickCheck },
): Promise<LoadRun> {
  assertLoopback(call.url);
  const url = new URL(call.url);
  const failures: string[] = [];
  const examples = new Map<string, number>();
  const fail = (kind: string, detail: string) => {
    const seen = examples.get(kind) ?? 0;
    examples.set(kind, seen + 1);
    if (seen < MAX_EXAMPLES) failures.push(`${kind}: ${detail}`);
  };
  const latencies: number[] = [];
  let ok = 0;
  let last = 0;
  const started = performance.now();
  const instance = autocannon({
    url: url.origin,
    connections: opts.connections,
    amount: opts.amount,
    timeout: 10,
    sampleInt: 50,
    requests: [
      {
        method: call.method,
        path: url.pathname + url.search,
        headers: call.headers,
        ...(call.body === undefined ? {} : { body: call.body }),
        ...(call.nextPath
          ? { setupRequest: (req) => ({ ...req, path: (call.nextPath as () => string)() }) }
          : {}),
        onResponse(status, body, _context, headers) {
          const problem = opts.check(status, body, (name) => headerValue(headers, name));
          if (problem) fail(`HTTP ${status}`, `${problem}; body: ${body.slice(0, 300)}`);
        },
      },
    ],
  });
  // Latencies come from here, not autocannon's histogram, which keeps whole milliseconds.
  instance.on("response", (_client: unknown, status: number, _bytes: number, ms: number) => {
    last = performance.now();
    if (status >= 200 && status < 300) {
      latencies.push(ms);
      ok += 1;
    }
  });
  instance.on("reqError", (err: Error) => fail("socket error", err.message));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    instance.stop();
  }, opts.timeoutMs);
  try {
    const result = await instance;
    if (timedOut)
      fail(
        "phase timeout",
        `${result.totalCompletedRequests} of ${opts.amount} requests in ${opts.timeoutMs} ms`,
      );
    else if (result.totalCompletedRequests < opts.amount) {
      fail("incomplete", `${result.totalCompletedRequests} of ${opts.amount} requests answered`);
    }
    if (result.errors) fail("errors", `${result.errors} (${result.timeouts} timeouts)`);
  } finally {
    clearTimeout(timer);
  }
  // Checked failures also made `ok` too high: a failing phase reports no figures anyway.
  return { ok, elapsedMs: last - started, latencies, failures };
}

function headerValue(headers: Record<string, string | string[]>, name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return Array.isArray(value) ? value.join(", ") : value;
  }
  return undefined;
}

export interface SequentialRun {
  /** Per request, ms to the first body byte and to the end. */
  ttfb: number[];
  total: number[];
  failures: string[];
}

/** One request at a time on one keep-alive connection, `count` times, within `timeoutMs`. */
export async function runSequential(
  call: HttpCall,
  opts: { count: number; timeoutMs: number; check: QuickCheck },
): Promise<SequentialRun> {
  assertLoopback(call.url);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const ttfb: number[] = [];
  const total: number[] = [];
  const failures: string[] = [];
  const deadline = performance.now() + opts.timeoutMs;
  const origin = new URL(call.url).origin;
  try {
    for (let i = 0; i < opts.count; i++) {
      if (performance.now() > deadline) {
        failures.push(`phase timeout: ${i} of ${opts.count} requests in ${opts.timeoutMs} ms`);
        break;
      }
      const url = call.nextPath ? origin + call.nextPath() : call.url;
      try {
        const t = await timedRequest(agent, { ...call, url });
        const problem = opts.check(t.answer.status, t.answer.body, (name) => {
          const v = t.answer.headers[name];
          return Array.isArray(v) ? v.join(", ") : v;
        });
        if (problem) {
          failures.push(`HTTP ${t.answer.status}: ${problem}; body: ${t.answer.body.slice(0, 300)}`);
          break;
        }
        ttfb.push(t.ttfbMs);
        total.push(t.totalMs);
      } catch (err) {
        failures.push(`request error: ${(err as Error).message}`);
        break;
      }
    }
  } finally {
    agent.destroy();
  }
  return { ttfb, total, failures };
}

/** One request through `agent`, timed to its first body byte and to its end. */
export function timedRequest(
  agent: Agent | undefined,
  call: HttpCall,
  timeoutMs = 10_000,
): Promise<{ answer: Answer; ttfbMs: number; totalMs: number }> {
  assertLoopback(call.url);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let firstByte = Number.NaN;
    const req = httpRequest(call.url, { method: call.method, headers: call.headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => {
        if (chunks.length === 0) firstByte = performance.now();
        chunks.push(chunk);
      });
      res.on("end", () => {
        const end = performance.now();
        resolve({
          answer: {
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString("utf8"),
          },
          ttfbMs: (Number.isNaN(firstByte) ? end : firstByte) - started,
          totalMs: end - started,
        });
      });
      res.on("error", reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end(call.body);
  });
}
