import type { LatencySummary } from "./stats.ts";
import { ratio } from "./stats.ts";

/**
 * The results' shape (also the JSON file's), the targets, and the markdown printed at
 * the end. Pure: test/node/bench.test.ts checks the targets' verdicts and the table.
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
    /** AUTH_CACHE_SECONDS the gateway ran with (0: off, the default). */
    authCacheSeconds?: number;
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

/** A gateway passthrough's CPU next to the least any worker pays for the same bindings and fetch. */
export interface FloorComparison {
  /** The gateway scenario compared (openai, openai-stream). */
  scenario: string;
  label: string;
  /** The probe the floor is built on: proxy, or for the stream the JavaScript relay. */
  proxy: string;
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

/**
 * The floor's formula. With AUTH_CACHE_SECONDS on, repeated calls read no D1 (the benchmark's
 * one key and model are always cached), so the D1 term is left out.
 */
export const floorFormula = (readsD1 = true) =>
  readsD1
    ? `proxy + d1 + ratelimit − 2 × noop + (queue − noop) ÷ ${RECORDS_PER_PACK}`
    : `proxy + ratelimit − noop + (queue − noop) ÷ ${RECORDS_PER_PACK}`;

/**
 * An authenticated, rate-limited, accounted passthrough pays at least one proxy (inbound request
 * and outbound fetch), one D1 statement and one rate-limit call, and its share of a queue send:
 * usage records travel in packs of 50, which at the benchmark's load are always full. Each probe
 * pays one inbound request of its own, so the noop is subtracted: the inbound request is counted
 * once. A stream must also be looked at as it passes (usage, finish reason, a cut-off), so its
 * floor is built on the JavaScript relay probe, not on the native pipe. NaN where a figure is missing.
 */
export function compareWithFloor(
  probes: readonly ProbeResult[],
  scenarios: readonly ScenarioResult[],
  readsD1 = true,
) {
  const cpu = (id: string) => probes.find((p) => p.id === id)?.load.cpuMicrosPerRequest.worker ?? Number.NaN;
  const queueMicros = cpu("queue") - cpu("noop");
  const d1Micros = readsD1 ? cpu("d1") - cpu("noop") : 0;
  const bindings = d1Micros + cpu("ratelimit") - cpu("noop") + queueMicros / RECORDS_PER_PACK;
  return (
    [
      ["openai", "proxy"],
      ["openai-stream", "relay"],
    ] as const
  ).map(([scenario, proxy]): FloorComparison => {
    const s = scenarios.find((x) => x.id === scenario);
    const floorMicros = cpu(proxy) + bindings;
    const gatewayMicros = s?.gateway.load.cpuMicrosPerRequest.worker ?? Number.NaN;
    return {
      scenario,
      label: s?.label ?? scenario,
      proxy,
      floorMicros,
      gatewayMicros,
      ownMicros: gatewayMicros - floorMicros,
      queueMicros,
    };
  });
}

/**
 * The sequential (one request at a time) floor of the non-stream passthrough, p50 ms added over
 * direct: the proxy's own added latency plus a D1 read's and a rate-limit call's, each over the
 * noop. Undefined when a figure is missing.
 */
export function sequentialFloor(
  probes: readonly ProbeResult[],
  scenarios: readonly ScenarioResult[],
  readsD1 = true,
) {
  const p50 = (id: string) => probes.find((p) => p.id === id)?.sequential?.totalMs.p50;
  const plain = scenarios.find((s) => s.id === "openai");
  const [noop, proxy, d1, ratelimit] = [p50("noop"), p50("proxy"), p50("d1"), p50("ratelimit")];
  if (noop === undefined || proxy === undefined || d1 === undefined || ratelimit === undefined || !plain) {
    return undefined;
  }
  const direct = plain.direct.sequential.totalMs.p50;
  const d1Ms = d1 - noop;
  const ratelimitMs = ratelimit - noop;
  return {
    d1Ms,
    ratelimitMs,
    floorMs: proxy - direct + (readsD1 ? d1Ms : 0) + ratelimitMs,
    gatewayMs: plain.gateway.sequential.totalMs.p50 - direct,
  };
}

export interface TargetVerdict {
  name: string;
  goal: string;
  value: number;
  unit: string;
  met: boolean;
  /** The reference peer's figure (Portkey's OSS gateway on this machine kind), when there is one. */
  peer?: string;
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

/** The targets, judged against the results (a missing scenario is not met). */
export function judgeTargets(
  scenarios: ScenarioResult[],
  bundle: { gzipBytes: number; wranglerGzipKiB: number | null },
): TargetVerdict[] {
  const byId = new Map(scenarios.map((s) => [s.id, s]));
  const verdicts: TargetVerdict[] = [];
  const add = (v: Omit<TargetVerdict, "met">, met: (value: number) => boolean) =>
    verdicts.push({ ...v, met: Number.isFinite(v.value) && met(v.value) });
  const plain = byId.get("openai");
  const stream = byId.get("openai-stream");
  add(
    {
      name: "non-stream rps vs direct",
      goal: "≥ 0.35",
      value: plain ? rpsRatio(plain) : Number.NaN,
      unit: "×",
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
    },
    (v) => v <= 150,
  );
  add(
    {
      name: "non-stream sequential added latency p50",
      goal: "≤ 0.3 ms",
      value: plain ? addedLatencyMs(plain) : Number.NaN,
      unit: "ms",
      peer: "+0.6 ms",
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
    },
    (v) => v <= 1,
  );
  add(
    {
      name: "stream worker CPU per 16-chunk stream",
      goal: "≤ 400 µs",
      value: stream?.gateway.load.cpuMicrosPerRequest.worker ?? Number.NaN,
      unit: "µs",
      peer: "~2 ms",
    },
    (v) => v <= 400,
  );
  add(
    { name: "stream rps vs direct", goal: "≥ 0.5", value: stream ? rpsRatio(stream) : Number.NaN, unit: "×" },
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

const fixed = (n: number, digits: number) => (Number.isFinite(n) ? n.toFixed(digits) : "–");
const signed = (n: number, digits: number) =>
  Number.isFinite(n) ? `${n >= 0 ? "+" : ""}${n.toFixed(digits)}` : "–";
const triple = (l: LatencySummary) => `${fixed(l.p50, 2)} / ${fixed(l.p90, 2)} / ${fixed(l.p99, 2)}`;

/** The runtime floor's section: the probes' table and the gateway's passthroughs against the floor. */
export function renderRuntimeFloor(
  f: RuntimeFloor,
  r: Pick<BenchResults, "floor" | "config" | "scenarios">,
): string[] {
  const noop = f.probes.find((p) => p.id === "noop")?.load.cpuMicrosPerRequest.worker ?? Number.NaN;
  const readsD1 = !r.config.authCacheSeconds;
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
    `Floor for an authenticated, rate-limited, accounted passthrough = ${floorFormula(readsD1)} (worker CPU µs/request)${readsD1 ? "" : ", with no D1 read: AUTH_CACHE_SECONDS is on and the benchmark's key and model stay cached"}: each probe pays one inbound request, so subtracting the noop counts it once, and a usage record is one of ${RECORDS_PER_PACK} in a queue message. For the stream the base is the JavaScript relay (relay, stream), since usage, the finish reason and a cut-off can only be seen by looking at each chunk. The gateway's own cost is its measured CPU minus that floor: its JavaScript, and whatever its calls do beyond the probes' minimal ones (a D1 statement reading the key, its user, the model and the vendor, not one small row; the usage consumer's D1 write of each batch; the request log line).`,
    "",
    "| scenario | floor µs/req | gateway µs/req | the gateway's own cost µs/req |",
    "| --- | ---: | ---: | ---: |",
  );
  for (const c of f.comparisons) {
    lines.push(
      `| ${c.label} | ${fixed(c.floorMicros, 0)} | ${fixed(c.gatewayMicros, 0)} | ${fixed(c.ownMicros, 0)} |`,
    );
  }
  const seqFloor = sequentialFloor(f.probes, r.scenarios, readsD1);
  if (seqFloor) {
    lines.push(
      "",
      `One at a time, over the noop, a D1 read adds ${fixed(seqFloor.d1Ms, 2)} ms and a rate-limit call ${fixed(seqFloor.ratelimitMs, 2)} ms: an authenticated, rate-limited passthrough adds at least ${readsD1 ? "proxy + d1 + ratelimit" : "proxy + ratelimit (no D1 read, AUTH_CACHE_SECONDS on)"} = ${signed(seqFloor.floorMs, 2)} ms (p50) over direct on this runtime; the gateway adds ${signed(seqFloor.gatewayMs, 2)} ms.`,
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

/** The results as markdown: the scenario table, the targets, the bundle and the machine. */
export function renderMarkdown(r: BenchResults): string {
  const lines: string[] = [];
  lines.push(
    "| scenario | rps gateway | rps direct | ratio | gateway p50 / p90 / p99 ms | direct p50 / p90 / p99 ms | sequential added p50 ms | TTFB added p50 ms | worker CPU µs/req |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  );
  for (const s of r.scenarios) {
    const direct = s.directOf ? `${fixed(s.direct.load.rps, 0)}†` : fixed(s.direct.load.rps, 0);
    lines.push(
      `| ${s.label} | ${fixed(s.gateway.load.rps, 0)} | ${direct} | ${fixed(rpsRatio(s), 2)} | ${triple(s.gateway.load.latencyMs)} | ${triple(s.direct.load.latencyMs)} | ${signed(addedLatencyMs(s), 2)} | ${s.stream ? signed(addedTtfbMs(s), 2) : "–"} | ${fixed(s.gateway.load.cpuMicrosPerRequest.worker, 0)} |`,
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
  lines.push("", "| target | goal | measured | met | reference peer |", "| --- | --- | ---: | --- | --- |");
  for (const t of r.targets) {
    const digits = t.unit === "µs" ? 0 : 2;
    lines.push(
      `| ${t.name} | ${t.goal} | ${fixed(t.value, digits)} ${t.unit} | ${t.met ? "yes" : "**no**"} | ${t.peer ?? ""} |`,
    );
  }
  if (r.runtimeFloor) lines.push("", ...renderRuntimeFloor(r.runtimeFloor, r));
  const m = r.machine;
  lines.push(
    "",
    `Bundle: ${(r.bundle.bytes / 1024).toFixed(1)} KiB minified, ${(r.bundle.gzipBytes / 1024).toFixed(1)} KiB gzip (${r.bundle.wranglerSummary ?? "wrangler printed no size"}).`,
    `Runtime: ${r.runtime}.`,
    `Floor (GET /health: no auth, no binding): ${fixed(r.floor.rps, 0)} rps, ${fixed(r.floor.cpuMicrosPerRequest, 0)} µs worker CPU/request, p50 ${fixed(r.floor.latencyMs.p50, 2)} ms.`,
    `Machine: ${m.cpus} × ${m.cpuModel}, Linux ${m.kernel}, Node ${m.node}, workerd ${m.workerd}, miniflare ${m.miniflare}, wrangler ${m.wrangler}.`,
    `Load: ${r.config.connections} connections, ~${r.config.phaseSeconds} s measured after ~${r.config.warmupSeconds} s warm-up per side; sequential: ${r.config.sequentialCount} requests on one keep-alive connection. Gateway: AUTH_CACHE_SECONDS=${r.config.authCacheSeconds ?? 0}${r.config.authCacheSeconds ? "" : " (off, the default)"}. Run ${r.startedAt}, ${r.durationS.toFixed(0)} s.`,
  );
  return lines.join("\n");
}
