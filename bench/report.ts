import type { StorageCounts } from "./counting.js";
import type { PacedResult, PacedSide } from "./paced.ts";
import type { LatencySummary } from "./stats.ts";
import { ratio } from "./stats.ts";
import type { WarmStorage } from "./storage.ts";

export type { PacedResult, PacedSide, StorageCounts, WarmStorage };

/**
 * The results' shape (also the JSON file's), the issue's targets, and the markdown printed at
 * the end. Pure: test/node/bench-report.test.ts checks the targets' verdicts, the floors and the table.
 */

export interface SideResult {
  /** Under load (`connections` at once). */
  load: {
    requests: number;
    elapsedMs: number;
    rps: number;
    latencyMs: LatencySummary;
    /** CPU µs per request of each process: the worker's workerd, the mock, the load generator. */
    cpuMicrosPerRequest: { worker: number; mock: number; loadGenerator: number };
  };
  /** One request at a time. */
  sequential: {
    totalMs: LatencySummary;
    ttfbMs: LatencySummary;
    cpuMicrosPerRequest: { worker: number; mock: number };
  };
}

export interface ScenarioResult {
  id: string;
  label: string;
  stream: boolean;
  gateway: SideResult;
  direct: SideResult;
  /** The scenario whose direct run is reused (the same mock request). */
  directOf?: string | undefined;
  note?: string | undefined;
  /** It writes D1 after the vendor answers (a stored response, a conversation's messages). */
  writesD1?: boolean | undefined;
  /** Its warm call's storage round trips (bench/counting-entry.js, a worker of its own). */
  storage?: WarmStorage | undefined;
}

export interface BenchResults {
  startedAt: string;
  durationS: number;
  machine: {
    cpus: number;
    cpuModel: string;
    kernel: string;
    node: string;
    workerd: string;
    miniflare: string;
    wrangler: string;
    clockTicksPerSecond: number;
  };
  runtime: string;
  config: {
    connections: number;
    phaseSeconds: number;
    warmupSeconds: number;
    sequentialCount: number;
    /** AUTH_CACHE_SECONDS the gateway ran with; unset: its default (5 s). */
    authCacheSeconds?: number;
    /** Direct sides' measured phases, when shorter than the gateway's. */
    directPhaseSeconds?: number;
  };
  bundle: {
    bytes: number;
    gzipBytes: number;
    wranglerSummary: string | null;
    wranglerGzipKiB: number | null;
  };
  /** GET /health under the same load: no auth, no binding, the runtime's own cost. */
  floor: { rps: number; latencyMs: LatencySummary; cpuMicrosPerRequest: number };
  scenarios: ScenarioResult[];
  /** The probe worker's figures (bench/probe-worker.js), in the same workerd as the gateway. */
  runtimeFloor?: RuntimeFloor | undefined;
  paced?: PacedResult | undefined;
  /** Storage calls the counting worker made outside any request's context (should be none). */
  storageUnattributed?: StorageCounts | undefined;
  targets: TargetVerdict[];
}

export interface ProbeResult {
  id: string;
  label: string;
  /** What the probe's route does. */
  route: string;
  load: SideResult["load"];
  /** One at a time: the proxies next to the direct side of `directOf`, the rest next to the noop. */
  sequential?: SideResult["sequential"] | undefined;
  directOf?: string | undefined;
}

/** A lane's CPU next to the least any worker pays for the same bindings and fetch. */
export interface FloorComparison {
  /** The gateway scenario compared. */
  scenario: string;
  label: string;
  /** The probe the floor is built on: proxy, or for a stream the JavaScript relay. */
  base: "proxy" | "relay";
  /** The D1 round trips the floor counts (floorD1RoundTrips). */
  d1RoundTrips: number;
  /** FLOOR_FORMULA, worker CPU µs per request. */
  floorMicros: number;
  /** The gateway's measured worker CPU µs per request in that scenario. */
  gatewayMicros: number;
  /** gateway − floor: what the gateway's own JavaScript costs on top of the runtime's floor. */
  ownMicros: number;
  /** One queue send's cost, `queue − noop`; the floor counts it once per pack of records. */
  queueMicros: number;
}

export interface RuntimeFloor {
  phaseSeconds: number;
  warmupSeconds: number;
  probes: ProbeResult[];
  comparisons: FloorComparison[];
}

/** Usage records per queue message (src/gateway/usage-outbox.ts MAX_PACK_RECORDS): full at bench load. */
export const RECORDS_PER_PACK = 50;

/** The floor's formula, per lane (see compareWithFloor). */
export const FLOOR_FORMULA = `base + ratelimit − noop + (queue − noop) ÷ ${RECORDS_PER_PACK} + (d1 − noop) × D1 round trips`;

/**
 * The D1 round trips a lane's floor counts: its warm call's before the vendor is called (the
 * reads: with AUTH_CACHE_SECONDS on, or once the hot path needs none, zero), plus for a lane that
 * writes D1 after the answer (a stored response, a conversation's messages) every one it made in
 * total. NaN when the lane's storage was not counted.
 */
export function floorD1RoundTrips(s: ScenarioResult): number {
  if (!s.storage) return Number.NaN;
  return s.writesD1 ? s.storage.total.d1RoundTrips : s.storage.beforeUpstream.d1RoundTrips;
}

/**
 * Each lane's floor, FLOOR_FORMULA in worker CPU µs per request: an authenticated, rate-limited,
 * accounted call pays at least one proxy (inbound request and outbound fetch), one rate-limit call,
 * its share of a queue send (usage records travel in packs of 50, which at the benchmark's load are
 * always full) and one D1 statement per D1 round trip it makes (floorD1RoundTrips). Each probe pays
 * one inbound request of its own, so the noop is subtracted from each: the inbound request is
 * counted once. A stream must also be looked at as it passes (usage, finish reason, a cut-off), so
 * its base is the JavaScript relay probe, not the proxy. NaN where a figure is missing.
 */
export function compareWithFloor(
  probes: readonly ProbeResult[],
  scenarios: readonly ScenarioResult[],
): FloorComparison[] {
  const cpu = (id: string) => probes.find((p) => p.id === id)?.load.cpuMicrosPerRequest.worker ?? Number.NaN;
  const queueMicros = cpu("queue") - cpu("noop");
  const d1Micros = cpu("d1") - cpu("noop");
  const common = cpu("ratelimit") - cpu("noop") + queueMicros / RECORDS_PER_PACK;
  return scenarios.map((s): FloorComparison => {
    const base = s.stream ? "relay" : "proxy";
    const d1RoundTrips = floorD1RoundTrips(s);
    // No D1 term at all for a lane that makes no round trip (a NaN probe must not make it NaN).
    const d1 = d1RoundTrips === 0 ? 0 : d1Micros * d1RoundTrips;
    const floorMicros = cpu(base) + common + d1;
    const gatewayMicros = s.gateway.load.cpuMicrosPerRequest.worker;
    return {
      scenario: s.id,
      label: s.label,
      base,
      d1RoundTrips,
      floorMicros,
      gatewayMicros,
      ownMicros: gatewayMicros - floorMicros,
      queueMicros,
    };
  });
}

/**
 * The sequential (one request at a time) floor of the non-stream passthrough, p50 ms added over
 * direct: the proxy's own added latency plus a rate-limit call's and, per D1 round trip its warm
 * call makes before the vendor, a D1 read's, each over the noop. Undefined when a figure is missing.
 */
export function sequentialFloor(probes: readonly ProbeResult[], scenarios: readonly ScenarioResult[]) {
  const p50 = (id: string) => probes.find((p) => p.id === id)?.sequential?.totalMs.p50;
  const plain = scenarios.find((s) => s.id === "openai");
  const [noop, proxy, d1, ratelimit] = [p50("noop"), p50("proxy"), p50("d1"), p50("ratelimit")];
  const d1RoundTrips = plain ? floorD1RoundTrips(plain) : Number.NaN;
  if (noop === undefined || proxy === undefined || d1 === undefined || ratelimit === undefined || !plain) {
    return undefined;
  }
  if (!Number.isFinite(d1RoundTrips)) return undefined;
  const direct = plain.direct.sequential.totalMs.p50;
  const d1Ms = d1 - noop;
  const ratelimitMs = ratelimit - noop;
  return {
    d1Ms,
    ratelimitMs,
    d1RoundTrips,
    floorMs: proxy - direct + d1RoundTrips * d1Ms + ratelimitMs,
    gatewayMs: plain.gateway.sequential.totalMs.p50 - direct,
  };
}

/** What a paced side adds per chunk over direct, at the median and the 99th percentile, in ms. */
export const pacedAdded = (side: PacedSide, direct: PacedSide) => ({
  p50: side.chunkMs.p50 - direct.chunkMs.p50,
  p99: side.chunkMs.p99 - direct.chunkMs.p99,
});

export interface TargetVerdict {
  name: string;
  goal: string;
  value: number;
  unit: string;
  met: boolean;
  /** The reference peer's figure (Portkey's OSS gateway on this machine kind), when there is one. */
  peer?: string;
  /** What the runtime's floor (the probes) allows for it, when measured. */
  floor?: string;
}

/** Sequential latency the gateway adds at the median (end of answer), in ms. */
export const addedLatencyMs = (s: ScenarioResult) =>
  s.gateway.sequential.totalMs.p50 - s.direct.sequential.totalMs.p50;
/** Time to first byte the gateway adds at the median, in ms. */
export const addedTtfbMs = (s: ScenarioResult) =>
  s.gateway.sequential.ttfbMs.p50 - s.direct.sequential.ttfbMs.p50;
export const rpsRatio = (s: ScenarioResult) => ratio(s.gateway.load.rps, s.direct.load.rps);

/** Parses wrangler's `Total Upload: 769.28 KiB / gzip: 192.67 KiB` into the gzip KiB. */
export function wranglerGzipKiB(summary: string | null): number | null {
  const m = summary ? /gzip:\s*([\d.]+)\s*KiB/.exec(summary) : null;
  return m ? Number(m[1]) : null;
}

const BUNDLE_TARGET_KIB = 160;

const fixed = (n: number, digits: number) => (Number.isFinite(n) ? n.toFixed(digits) : "–");
const signed = (n: number, digits: number) =>
  Number.isFinite(n) ? `${n >= 0 ? "+" : ""}${n.toFixed(digits)}` : "–";
const triple = (l: LatencySummary) => `${fixed(l.p50, 2)} / ${fixed(l.p90, 2)} / ${fixed(l.p99, 2)}`;

/** The issue's per-chunk goal for a stream: what the gateway adds to each chunk after the first. */
export const CHUNK_DELAY_TARGET_MS = 0.2;

/**
 * The issue's targets, judged against the results (a missing scenario is not met), each with
 * what the runtime's floor allows for it when the probes ran (`floor`).
 */
export function judgeTargets(
  scenarios: ScenarioResult[],
  bundle: { gzipBytes: number; wranglerGzipKiB: number | null },
  measured: { runtimeFloor?: RuntimeFloor | undefined; paced?: PacedResult | undefined } = {},
): TargetVerdict[] {
  const byId = new Map(scenarios.map((s) => [s.id, s]));
  const verdicts: TargetVerdict[] = [];
  const add = (v: Omit<TargetVerdict, "met">, met: (value: number) => boolean) =>
    verdicts.push({ ...v, met: Number.isFinite(v.value) && met(v.value) });
  const plain = byId.get("openai");
  const stream = byId.get("openai-stream");
  const f = measured.runtimeFloor;
  const probe = (id: string) => f?.probes.find((p) => p.id === id);
  const laneFloor = (id: string) => f?.comparisons.find((c) => c.scenario === id)?.floorMicros;
  /** "a bare proxy: 0.10 ×; a JS relay: 0.14 ×", the parts whose figure is there. */
  const floorText = (parts: [string, number | undefined, (n: number) => string][]) =>
    parts
      .filter(([, n]) => n !== undefined && Number.isFinite(n))
      .map(([what, n, show]) => `${what}: ${show(n as number)}`)
      .join("; ") || undefined;
  const ratioTo = (id: string, s: ScenarioResult | undefined) => {
    const p = probe(id);
    return p && s ? ratio(p.load.rps, s.direct.load.rps) : undefined;
  };
  const ttfbAdded = (id: string) => {
    const p = probe(id)?.sequential;
    return p && stream ? p.ttfbMs.p50 - stream.direct.sequential.ttfbMs.p50 : undefined;
  };
  const times = (n: number) => `${fixed(n, 2)} ×`;
  const micros = (n: number) => `${fixed(n, 0)} µs`;
  const ms = (n: number) => `${signed(n, 2)} ms`;
  const optional = (floor: string | undefined) => (floor ? { floor } : {});
  add(
    {
      name: "non-stream rps vs direct",
      goal: "≥ 0.35",
      value: plain ? rpsRatio(plain) : Number.NaN,
      unit: "×",
      ...optional(floorText([["a bare proxy", ratioTo("proxy", plain), times]])),
    },
    (v) => v >= 0.35,
  );
  add(
    {
      name: "non-stream worker CPU per request",
      goal: "≤ 150 µs",
      value: plain?.gateway.load.cpuMicrosPerRequest.worker ?? Number.NaN,
      unit: "µs",
      peer: "~420 µs",
      ...optional(
        floorText([
          ["a bare proxy", probe("proxy")?.load.cpuMicrosPerRequest.worker, micros],
          ["the lane's floor", laneFloor("openai"), micros],
        ]),
      ),
    },
    (v) => v <= 150,
  );
  const seq = f ? sequentialFloor(f.probes, scenarios) : undefined;
  const proxySeq = probe("proxy")?.sequential;
  add(
    {
      name: "non-stream sequential added latency p50",
      goal: "≤ 0.3 ms",
      value: plain ? addedLatencyMs(plain) : Number.NaN,
      unit: "ms",
      peer: "+0.6 ms",
      ...optional(
        floorText([
          [
            "a bare proxy",
            proxySeq && plain ? proxySeq.totalMs.p50 - plain.direct.sequential.totalMs.p50 : undefined,
            ms,
          ],
          ["with its limit and D1 round trips", seq?.floorMs, ms],
        ]),
      ),
    },
    (v) => v <= 0.3,
  );
  add(
    {
      name: "stream TTFB added p50",
      goal: "≤ 1 ms",
      value: stream ? addedTtfbMs(stream) : Number.NaN,
      unit: "ms",
      peer: "+28 ms",
      ...optional(
        floorText([
          ["a native pipe", ttfbAdded("proxy-stream"), ms],
          ["a JS relay", ttfbAdded("relay"), ms],
        ]),
      ),
    },
    (v) => v <= 1,
  );
  const paced = measured.paced;
  add(
    {
      name: "stream per-chunk delay added p99 (paced, after the first chunk)",
      goal: `< ${CHUNK_DELAY_TARGET_MS} ms`,
      value: paced ? pacedAdded(paced.gateway, paced.direct).p99 : Number.NaN,
      unit: "ms",
      ...optional(
        floorText([["a JS relay", paced?.relay ? pacedAdded(paced.relay, paced.direct).p99 : undefined, ms]]),
      ),
    },
    (v) => v < CHUNK_DELAY_TARGET_MS,
  );
  add(
    {
      name: "stream worker CPU per 16-chunk stream",
      goal: "≤ 400 µs",
      value: stream?.gateway.load.cpuMicrosPerRequest.worker ?? Number.NaN,
      unit: "µs",
      peer: "~2 ms",
      ...optional(
        floorText([
          ["a native pipe", probe("proxy-stream")?.load.cpuMicrosPerRequest.worker, micros],
          ["a JS relay", probe("relay")?.load.cpuMicrosPerRequest.worker, micros],
          ["the lane's floor", laneFloor("openai-stream"), micros],
        ]),
      ),
    },
    (v) => v <= 400,
  );
  add(
    {
      name: "stream rps vs direct",
      goal: "≥ 0.5",
      value: stream ? rpsRatio(stream) : Number.NaN,
      unit: "×",
      ...optional(
        floorText([
          ["a native pipe", ratioTo("proxy-stream", stream), times],
          ["a JS relay", ratioTo("relay", stream), times],
        ]),
      ),
    },
    (v) => v >= 0.5,
  );
  add(
    {
      name: "bundle, minified, gzip",
      goal: `≤ ${BUNDLE_TARGET_KIB} KiB`,
      value: bundle.wranglerGzipKiB ?? bundle.gzipBytes / 1024,
      unit: "KiB",
    },
    (v) => v <= BUNDLE_TARGET_KIB,
  );
  return verdicts;
}

/**
 * A lane's storage calls, compactly: `D1 1 · DO 0 · KV 0 · cache 0 · queue 0`, with D1's statements
 * when a batch held more than one per round trip and the writes among KV's and the cache's calls.
 */
export function formatStorage(c: StorageCounts): string {
  const d1 =
    c.d1Statements === c.d1RoundTrips ? `${c.d1RoundTrips}` : `${c.d1RoundTrips} (${c.d1Statements} stmts)`;
  const withWrites = (reads: number, writes: number) =>
    writes ? `${reads + writes} (${writes} write${writes === 1 ? "" : "s"})` : `${reads}`;
  return `D1 ${d1} · DO ${c.doCalls} · KV ${withWrites(c.kvReads, c.kvWrites)} · cache ${withWrites(c.cacheReads, c.cacheWrites)} · queue ${c.queueSends}`;
}

/** The main table's storage column: before the vendor, or for a lane that never calls it, before answering. */
const storageBefore = (s: ScenarioResult) =>
  s.storage ? `${formatStorage(s.storage.beforeUpstream)}${s.storage.upstream ? "" : " (no upstream)"}` : "–";

const STORAGE_NOTE =
  "Warm storage: what the second of two identical requests, sent one after the other, asked of the runtime (bench/counting-entry.js: the same bundle in a worker of its own, its bindings, `caches` and `fetch` wrapped, each call charged to its request through AsyncLocalStorage). Before upstream: up to the gateway's first fetch to the vendor (a lane that makes none: up to its answer); in total: the whole request, waitUntil work included. D1 counts round trips (first/all/run/raw, a batch, an exec; statements in parentheses when a batch holds several), DO the calls on Durable Object stubs, KV and cache their reads and writes, queue the sends (the counting worker sends each usage record on its own, USAGE_FLUSH_MS=0, where under load 50 share a message).";

/** The runtime floor's section: the probes' table and every lane against its floor. */
export function renderRuntimeFloor(
  f: RuntimeFloor,
  r: Pick<BenchResults, "floor" | "config" | "scenarios">,
): string[] {
  const noop = f.probes.find((p) => p.id === "noop")?.load.cpuMicrosPerRequest.worker ?? Number.NaN;
  const lines = [
    "Runtime floor (probe worker in the same workerd, bench/probe-worker.js: its own D1 database, rate limit and queue):",
    "",
    "| probe | route | rps | ratio to direct | p50 ms | sequential added p50 ms | TTFB added p50 ms | worker CPU µs/req |",
    "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const p of f.probes) {
    const direct = r.scenarios.find((s) => s.id === p.directOf)?.direct;
    const stream = r.scenarios.find((s) => s.id === p.directOf)?.stream === true;
    const ratio = direct ? fixed(p.load.rps / direct.load.rps, 2) : "–";
    const added = (pick: (s: SideResult["sequential"]) => LatencySummary) =>
      direct && p.sequential ? signed(pick(p.sequential).p50 - pick(direct.sequential).p50, 2) : "–";
    lines.push(
      `| ${p.label} | ${p.route} | ${fixed(p.load.rps, 0)} | ${ratio} | ${fixed(p.load.latencyMs.p50, 2)} | ${added((s) => s.totalMs)} | ${stream ? added((s) => s.ttfbMs) : "–"} | ${fixed(p.load.cpuMicrosPerRequest.worker, 0)} |`,
    );
  }
  lines.push(
    "",
    `The gateway's \`GET /health\` (no auth, no binding) costs ${fixed(r.floor.cpuMicrosPerRequest, 0)} µs next to the noop's ${fixed(noop, 0)} µs.`,
    "",
    `Each lane's floor = ${FLOOR_FORMULA} (worker CPU µs/request). The base is the proxy probe, or for a stream the JavaScript relay (relay, stream), since usage, the finish reason and a cut-off can only be seen by looking at each chunk. Each probe pays one inbound request, so subtracting the noop counts it once; a usage record is one of ${RECORDS_PER_PACK} in a queue message. D1 round trips are the lane's warm call's before upstream (so a lane that reads no D1 on a warm call is credited none), plus, for a lane that writes D1 after the answer (a stored response, a conversation's messages), those after too: all it made. Nothing is credited for KV, the Cache API or Durable Objects (no probe measures them), so a lane that uses them (the cache hit's KV read) carries them in its own cost. The gateway's own cost is its measured CPU minus that floor: its JavaScript, and whatever its calls do beyond the probes' minimal ones (a D1 statement reading the key, its user, the model and the vendor, not one small row; the usage consumer's D1 write of each batch; the request log line).`,
    "",
    "| scenario | base | warm storage in total | D1 round trips counted | floor µs/req | gateway µs/req | the gateway's own cost µs/req |",
    "| --- | --- | --- | ---: | ---: | ---: | ---: |",
  );
  for (const c of f.comparisons) {
    const s = r.scenarios.find((x) => x.id === c.scenario);
    lines.push(
      `| ${c.label} | ${c.base} | ${s?.storage ? formatStorage(s.storage.total) : "–"} | ${fixed(c.d1RoundTrips, 0)} | ${fixed(c.floorMicros, 0)} | ${fixed(c.gatewayMicros, 0)} | ${fixed(c.ownMicros, 0)} |`,
    );
  }
  const seqFloor = sequentialFloor(f.probes, r.scenarios);
  if (seqFloor) {
    lines.push(
      "",
      `One at a time, over the noop, a D1 read adds ${fixed(seqFloor.d1Ms, 2)} ms and a rate-limit call ${fixed(seqFloor.ratelimitMs, 2)} ms: an authenticated, rate-limited passthrough making ${seqFloor.d1RoundTrips} D1 round trip${seqFloor.d1RoundTrips === 1 ? "" : "s"} before upstream adds at least proxy + ratelimit${seqFloor.d1RoundTrips ? ` + ${seqFloor.d1RoundTrips} × d1` : ""} = ${signed(seqFloor.floorMs, 2)} ms (p50) over direct on this runtime; the gateway adds ${signed(seqFloor.gatewayMs, 2)} ms.`,
    );
  }
  const native = f.probes.find((p) => p.id === "proxy-stream")?.load.cpuMicrosPerRequest.worker;
  const relay = f.probes.find((p) => p.id === "relay")?.load.cpuMicrosPerRequest.worker;
  if (native !== undefined && relay !== undefined) {
    lines.push(
      "",
      `A stream piped natively (proxy, stream) costs ${fixed(native, 0)} µs; the same stream passed through JavaScript, one read and one write a chunk (relay, stream), costs ${fixed(relay, 0)} µs before any auth, limit or accounting.`,
    );
  }
  lines.push(
    "",
    `Probes: ${r.config.connections} connections, ~${f.phaseSeconds} s measured after ~${f.warmupSeconds} s warm-up each.`,
  );
  return lines;
}

/** The paced lane's section: per-chunk latency on each side, and what the gateway and the relay add. */
export function renderPaced(p: PacedResult): string[] {
  const lines = [
    `Paced stream (\`${p.model}\`: the 16 deltas of \`chunks-16\`, one frame every ${p.frameMs} ms, each stamped with its write time; one stream at a time): per-chunk latency is a chunk's arrival at the client minus its write at the mock, for every chunk but each stream's first (the TTFB's); added is a side's percentile minus direct's.`,
    "",
    "| side | streams | chunks | per-chunk latency p50 / p90 / p99 ms | added p50 / p99 ms | TTFB p50 ms |",
    "| --- | ---: | ---: | ---: | ---: | ---: |",
  ];
  const row = (label: string, side: PacedSide) => {
    const added = pacedAdded(side, p.direct);
    const addedText = side === p.direct ? "–" : `${signed(added.p50, 3)} / ${signed(added.p99, 3)}`;
    const l = side.chunkMs;
    lines.push(
      `| ${label} | ${side.streams} | ${l.n} | ${fixed(l.p50, 3)} / ${fixed(l.p90, 3)} / ${fixed(l.p99, 3)} | ${addedText} | ${fixed(side.ttfbMs.p50, 2)} |`,
    );
  };
  row("direct (the mock)", p.direct);
  row("gateway (OpenAI passthrough)", p.gateway);
  if (p.relay) row("relay, stream (probe)", p.relay);
  return lines;
}

/** The results as markdown: the scenario table, the targets, the bundle and the machine. */
export function renderMarkdown(r: BenchResults): string {
  const lines: string[] = [];
  const own = new Map(r.runtimeFloor?.comparisons.map((c) => [c.scenario, c.ownMicros]));
  lines.push(
    "| scenario | rps gateway | rps direct | ratio | gateway p50 / p90 / p99 ms | direct p50 / p90 / p99 ms | sequential added p50 ms | TTFB added p50 ms | worker CPU µs/req | own cost above floor µs/req | storage before upstream (warm) |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
  );
  for (const s of r.scenarios) {
    const direct = s.directOf ? `${fixed(s.direct.load.rps, 0)}†` : fixed(s.direct.load.rps, 0);
    lines.push(
      `| ${s.label} | ${fixed(s.gateway.load.rps, 0)} | ${direct} | ${fixed(rpsRatio(s), 2)} | ${triple(s.gateway.load.latencyMs)} | ${triple(s.direct.load.latencyMs)} | ${signed(addedLatencyMs(s), 2)} | ${s.stream ? signed(addedTtfbMs(s), 2) : "–"} | ${fixed(s.gateway.load.cpuMicrosPerRequest.worker, 0)} | ${fixed(own.get(s.id) ?? Number.NaN, 0)} | ${storageBefore(s)} |`,
    );
  }
  const shares = new Set(r.scenarios.map((s) => s.directOf));
  const owners = r.scenarios.filter((s) => shares.has(s.id)).map((s) => s.id);
  for (const owner of owners) {
    const shared = r.scenarios.filter((s) => s.directOf === owner).map((s) => s.label);
    const label = r.scenarios.find((s) => s.id === owner)?.label ?? owner;
    lines.push("", `† the direct side of ${label}, measured once (${shared.join(", ")} compare with it).`);
  }
  for (const s of r.scenarios) if (s.note) lines.push("", `${s.label}: ${s.note}.`);
  if (r.runtimeFloor) {
    lines.push("", `Own cost above floor: worker CPU minus the lane's floor, ${FLOOR_FORMULA} (see below).`);
  }
  if (r.scenarios.some((s) => s.storage)) lines.push("", STORAGE_NOTE);
  const stray = r.storageUnattributed;
  if (stray && Object.values(stray).some((n) => n > 0)) {
    lines.push(
      "",
      `Storage calls charged to no request (a context lost on the way): ${formatStorage(stray)}.`,
    );
  }
  if (r.paced) lines.push("", ...renderPaced(r.paced));
  lines.push(
    "",
    "| target | goal | measured | met | the runtime's floor for it | reference peer |",
    "| --- | --- | ---: | --- | --- | --- |",
  );
  for (const t of r.targets) {
    const digits = t.unit === "µs" ? 0 : 2;
    lines.push(
      `| ${t.name} | ${t.goal} | ${fixed(t.value, digits)} ${t.unit} | ${t.met ? "yes" : "**no**"} | ${t.floor ?? ""} | ${t.peer ?? ""} |`,
    );
  }
  if (r.runtimeFloor) lines.push("", ...renderRuntimeFloor(r.runtimeFloor, r));
  const m = r.machine;
  const directPhase =
    r.config.directPhaseSeconds === undefined || r.config.directPhaseSeconds === r.config.phaseSeconds
      ? ""
      : ` (direct sides ~${r.config.directPhaseSeconds} s)`;
  lines.push(
    "",
    `Bundle: ${(r.bundle.bytes / 1024).toFixed(1)} KiB minified, ${(r.bundle.gzipBytes / 1024).toFixed(1)} KiB gzip (${r.bundle.wranglerSummary ?? "wrangler printed no size"}).`,
    `Runtime: ${r.runtime}.`,
    `Floor (GET /health: no auth, no binding): ${fixed(r.floor.rps, 0)} rps, ${fixed(r.floor.cpuMicrosPerRequest, 0)} µs worker CPU/request, p50 ${fixed(r.floor.latencyMs.p50, 2)} ms.`,
    `Machine: ${m.cpus} × ${m.cpuModel}, Linux ${m.kernel}, Node ${m.node}, workerd ${m.workerd}, miniflare ${m.miniflare}, wrangler ${m.wrangler}.`,
    `Load: ${r.config.connections} connections, ~${r.config.phaseSeconds} s measured after ~${r.config.warmupSeconds} s warm-up per side${directPhase}; sequential: ${r.config.sequentialCount} requests on one keep-alive connection. Gateway: ${r.config.authCacheSeconds === undefined ? "AUTH_CACHE_SECONDS unset (the default, 5 s)" : `AUTH_CACHE_SECONDS=${r.config.authCacheSeconds}${r.config.authCacheSeconds === 0 ? " (a D1 read on every call)" : ""}`}. Run ${r.startedAt}, ${r.durationS.toFixed(0)} s.`,
  );
  return lines.join("\n");
}
