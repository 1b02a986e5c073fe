import type { Answer } from "./load.ts";
import { type Endpoint, quick, type Scenario } from "./scenarios.ts";

/**
 * The runtime floor's probes: bench/probe-worker.js, in the same workerd as the gateway, doing
 * one of the things the gateway does per request and nothing else. The proxies send the direct
 * OpenAI requests (the mock's key, its path) through the probe, and must answer exactly what the
 * mock answers directly; the binding probes answer a fixed text.
 */

export interface Probe {
  id: "noop" | "proxy" | "proxy-stream" | "relay" | "d1" | "ratelimit" | "log" | "queue";
  label: string;
  /** What the route does, for the report. */
  route: string;
  endpoint: Endpoint;
  /** The direct request whose answer the probe's first answer must equal, byte for byte. */
  sameAs?: Endpoint;
  /** The scenario whose direct side it is (the proxies are also timed one at a time against it). */
  directOf?: "openai" | "openai-stream";
}

export interface ProbeContext {
  /** The probe worker's origin. */
  probe: string;
  /** What GET /d1 answers: the user id of the probe's one row. */
  userId: string;
}

/** A fixed text body, status 200. */
const exactly =
  (body: string) =>
  (a: Answer): string | null => {
    if (a.status !== 200) return `status ${a.status}, expected 200`;
    return a.body === body
      ? null
      : `body ${JSON.stringify(a.body.slice(0, 100))}, expected ${JSON.stringify(body)}`;
  };

/** The probes, in the order they are measured (the queue last: its last batch is flushed late). */
export function buildProbes(ctx: ProbeContext, scenarios: readonly Scenario[]): Probe[] {
  const direct = (id: string) => {
    const s = scenarios.find((x) => x.id === id);
    if (!s) throw new Error(`no scenario ${id} to build the probes on`);
    return s.direct;
  };
  const get = (path: string, body: string): Endpoint => ({
    call: { method: "GET", url: `${ctx.probe}${path}`, headers: {} },
    check: exactly(body),
    quick: quick({ includes: [body] }),
  });
  /** The direct request, through the probe: `/openai/v1/...` becomes `<prefix>/openai/v1/...`. */
  const through = (prefix: string, d: Endpoint): Endpoint => {
    const { pathname, search } = new URL(d.call.url);
    return { ...d, call: { ...d.call, url: `${ctx.probe}${prefix}${pathname}${search}` } };
  };
  const plain = direct("openai");
  const stream = direct("openai-stream");
  return [
    { id: "noop", label: "noop", route: "`GET /noop`: a small text answer", endpoint: get("/noop", "ok") },
    {
      id: "proxy",
      label: "proxy",
      route: "`POST /proxy/openai/v1/chat/completions`: `fetch` to the mock, its Response returned as is",
      endpoint: through("/proxy", plain),
      sameAs: plain,
      directOf: "openai",
    },
    {
      id: "proxy-stream",
      label: "proxy, stream",
      route:
        "`POST /proxy-stream/openai/v1/chat/completions` (`chunks-16`, streamed): `new Response(upstream.body, upstream)`",
      endpoint: through("/proxy-stream", stream),
      sameAs: stream,
      directOf: "openai-stream",
    },
    {
      id: "relay",
      label: "relay, stream",
      route:
        "`POST /relay/openai/v1/chat/completions` (`chunks-16`, streamed): each chunk read, decoded and looked at in JavaScript, then written on (awaited) into a native stream",
      endpoint: through("/relay", stream),
      sameAs: stream,
      directOf: "openai-stream",
    },
    {
      id: "d1",
      label: "d1",
      route: "`GET /d1`: one prepared statement's `first()`, a row by primary key in a one-row table",
      endpoint: get("/d1", `user ${ctx.userId}`),
    },
    {
      id: "ratelimit",
      label: "ratelimit",
      route: "`GET /ratelimit`: one `env.RL.limit({ key })`",
      endpoint: get("/ratelimit", "allowed"),
    },
    {
      id: "log",
      label: "log line",
      route: "`GET /log`: one `console.log` of a request log line (JSON, 11 fields)",
      endpoint: get("/log", "logged"),
    },
    {
      id: "queue",
      label: "queue",
      route: '`GET /queue`: one `env.Q.send(message, { contentType: "json" })` of 466 bytes, awaited',
      endpoint: get("/queue", "sent"),
    },
  ];
}

/** The probe's answer against its direct counterpart's: the same status and the same bytes. */
export function sameAnswer(probe: Answer, direct: Answer): string | null {
  if (probe.status !== direct.status) return `status ${probe.status}, direct ${direct.status}`;
  if (probe.body === direct.body) return null;
  let at = 0;
  while (at < probe.body.length && probe.body[at] === direct.body[at]) at += 1;
  return `body differs from the direct answer at character ${at}: ${JSON.stringify(probe.body.slice(at, at + 60))} vs ${JSON.stringify(direct.body.slice(at, at + 60))}`;
}
