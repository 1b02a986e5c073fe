import { type ChildProcess, fork } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { availableParallelism, release } from "node:os";
import { basename, dirname, join, relative } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { PACED_FRAME_MS } from "../test/mocks/scenario.ts";
import { runLoad, runSequential, timedRequest } from "./load.ts";
import { measurePaced, PACED_MODEL, pacedCall } from "./paced.ts";
import { buildProbes, type Probe, sameAnswer } from "./probes.ts";
import { clockTicksPerSecond, cpuTicks } from "./proc.ts";
import {
  effectiveInterval,
  hotSpots,
  type IsolateSummary,
  profileIsolates,
  renderProfile,
  summarizeIsolate,
} from "./profile.ts";
import {
  type BenchResults,
  compareWithFloor,
  judgeTargets,
  type PacedResult,
  type ProbeResult,
  type RuntimeFloor,
  renderMarkdown,
  type ScenarioResult,
  type SideResult,
  type StorageCounts,
  type WarmStorage,
  wranglerGzipKiB,
} from "./report.ts";
import { buildScenarios, type Endpoint, quick, type Scenario } from "./scenarios.ts";
import { setUpGateway } from "./setup.ts";
import { cpuMicrosPerRequest, perSecond, phaseAmount, summarize } from "./stats.ts";
import { countWarmStorage } from "./storage.ts";
import { type Bundle, bootWorker, buildBundle, PROBE, type WorkerHandle } from "./worker.ts";

/**
 * `npm run bench`: the gateway's own cost per request. The deploy bundle runs under workerd
 * (bench/worker.ts) in front of the mock vendors (test/mocks, in a child process); each scenario
 * is sent to the gateway and the same request straight to the mock, under load and one at a
 * time, and the workerd process's CPU time is read from /proc around each phase. Every answer is
 * checked once in full before any load, and cheaply under load; any failure ends the run without
 * figures (exit code 1). Before the load, two phases that measure no CPU: each lane's warm call
 * is counted for storage round trips by the counting worker (bench/storage.ts, a worker of its
 * own, so the measured one stays the plain bundle), and the paced stream is timed per chunk
 * (bench/paced.ts). After it, the runtime's floor: bench/probe-worker.js, in the same workerd,
 * does each thing the gateway does per request alone (bench/probes.ts). Prints a markdown table
 * and writes bench/results/<time>.json.
 *
 * `npm run bench -- --profile [scenario ids]` measures nothing: it profiles the workerd isolates
 * during one load phase per scenario (default: openai, openai-stream) and says where the CPU
 * went (bench/profile.ts), writing the gateway isolate's .cpuprofile next to the results.
 */

// Phase lengths keep a full run under 5 minutes on 2 cores (it took 377 s with 5 s phases, 1 s
// warm-ups and 300 sequential requests, before the counting and paced phases were added). A
// gateway phase still holds at least 400 requests: hundreds of clock ticks of workerd CPU, ~3 s
// on the slowest lane of a quiet machine (a busy one slows the rate, and the fewest sets the length).
const CONNECTIONS = 32;
const PHASE_SECONDS = 3;
/** The direct sides (the Node mock, thousands of rps) need less to settle their figures. */
const DIRECT_PHASE_SECONDS = 2;
const WARMUP_SECONDS = 0.5;
const SEQUENTIAL_COUNT = 200;
/** The runtime floor's probes: eight of them, shorter phases (~3 s each, warm-up and settling included). */
const PROBE_PHASE_SECONDS = 2;
const PROBE_WARMUP_SECONDS = 0.5;
const CONVERSATION_POOL = 256;
/** Hard bounds: no phase runs longer, no run longer than this. */
const PHASE_TIMEOUT_MS = 30_000;
const RUN_TIMEOUT_MS = 15 * 60_000;
const ADMIN_KEY = "bench-admin-key";
const PROFILE_AMOUNT = 3000;
const PROFILE_SAMPLING_MICROS = 250;

const args = process.argv.slice(2);
// `--auth-cache N`: the gateway runs with AUTH_CACHE_SECONDS=N (0: a D1 read on every call);
// without it, the gateway's own default (5 s), as deployed.
const authCacheAt = args.indexOf("--auth-cache");
const authCacheSeconds = authCacheAt < 0 ? undefined : Number(args.splice(authCacheAt, 2)[1]);
if (authCacheSeconds !== undefined && (!Number.isInteger(authCacheSeconds) || authCacheSeconds < 0)) {
  throw new Error("--auth-cache takes a whole number of seconds");
}
const profileAt = args.indexOf("--profile");
const named = args.slice(profileAt + 1).filter((a) => !a.startsWith("-"));
const profileIds = profileAt < 0 ? undefined : named.length ? named : ["openai", "openai-stream"];

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const log = (line: string) => process.stderr.write(`${line}\n`);

class BenchFailure extends Error {
  readonly details: string[];
  constructor(message: string, details: string[] = []) {
    super(message);
    this.details = details;
  }
}

// --- Processes -----------------------------------------------------------------------------

async function startMock(): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(join(root, "bench", "mock-upstream.ts"), [], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new BenchFailure("the mock upstream did not start within 10 s")),
      10_000,
    );
    child.once("message", (m: { port?: number }) => {
      clearTimeout(timer);
      if (typeof m?.port === "number") resolve(m.port);
      else reject(new BenchFailure(`the mock upstream sent ${JSON.stringify(m)}`));
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new BenchFailure(`the mock upstream exited (${code}) before listening`));
    });
  });
  return { child, port };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 2000);
  await exited;
  clearTimeout(timer);
}

// --- Measuring -----------------------------------------------------------------------------

interface Pids {
  worker: number;
  mock: number;
}

/** The gateway's usage flush window (src/gateway/usage-outbox.ts), set explicitly for the run. */
const USAGE_FLUSH_MS = 1000;

/**
 * Waits until the worker uses no CPU for 200 ms (its after-response work is done), at most 2 s
 * after `atLeastMs`: a phase's last usage pack leaves up to one flush window after its response.
 */
async function settle(workerPid: number, atLeastMs = 0): Promise<void> {
  if (atLeastMs > 0) await new Promise((r) => setTimeout(r, atLeastMs));
  const deadline = performance.now() + 2000;
  let last = cpuTicks([workerPid]);
  let quiet = 0;
  while (performance.now() < deadline && quiet < 2) {
    await new Promise((r) => setTimeout(r, 100));
    const now = cpuTicks([workerPid]);
    quiet = now === last ? quiet + 1 : 0;
    last = now;
  }
}

function failIf(failures: string[], what: string): void {
  if (failures.length) throw new BenchFailure(`${what}: requests failed`, failures);
}

const loadPhase = (endpoint: Endpoint, amount: number) =>
  runLoad(endpoint.call, {
    connections: CONNECTIONS,
    amount,
    timeoutMs: PHASE_TIMEOUT_MS,
    check: endpoint.quick,
  });

/**
 * How long a measured phase and its warm-up last, the fewest requests a phase may have, and how
 * long to wait after it before reading the CPU: the gateway's last usage pack leaves up to one
 * flush window after the last response; a direct side leaves the worker idle.
 */
interface PhaseShape {
  phaseSeconds: number;
  warmupSeconds: number;
  minRequests: number;
  afterMs: number;
}
const SCENARIO_SHAPE: PhaseShape = {
  phaseSeconds: PHASE_SECONDS,
  warmupSeconds: WARMUP_SECONDS,
  minRequests: 400,
  afterMs: USAGE_FLUSH_MS + 50,
};
const DIRECT_SHAPE: PhaseShape = { ...SCENARIO_SHAPE, phaseSeconds: DIRECT_PHASE_SECONDS, afterMs: 0 };
const PROBE_SHAPE: PhaseShape = {
  phaseSeconds: PROBE_PHASE_SECONDS,
  warmupSeconds: PROBE_WARMUP_SECONDS,
  minRequests: 400,
  afterMs: 0,
};
/** The queue probe's consumer acknowledges batches after the sends: its CPU lands late. */
const QUEUE_PROBE_SHAPE: PhaseShape = { ...PROBE_SHAPE, afterMs: USAGE_FLUSH_MS + 50 };

/** A first short burst gives the rate, a second one lasts about `seconds`; returns its rate. */
async function warmUp(endpoint: Endpoint, what: string, seconds = WARMUP_SECONDS): Promise<number> {
  const first = await loadPhase(endpoint, CONNECTIONS * 5);
  failIf(first.failures, `${what} warm-up`);
  const amount = phaseAmount(perSecond(first.ok, first.elapsedMs), seconds, {
    min: CONNECTIONS * 5,
    max: 20_000,
  });
  const warm = await loadPhase(endpoint, amount);
  failIf(warm.failures, `${what} warm-up`);
  return perSecond(warm.ok, warm.elapsedMs);
}

async function measureLoad(
  endpoint: Endpoint,
  what: string,
  pids: Pids,
  hz: number,
  shape: PhaseShape = SCENARIO_SHAPE,
): Promise<SideResult["load"]> {
  const load = (amount: number) => loadPhase(endpoint, amount);
  const amount = phaseAmount(await warmUp(endpoint, what, shape.warmupSeconds), shape.phaseSeconds, {
    min: shape.minRequests,
    max: 300_000,
  });
  await settle(pids.worker);

  const before = { worker: cpuTicks([pids.worker]), mock: cpuTicks([pids.mock]), self: process.cpuUsage() };
  const run = await load(amount);
  const self = process.cpuUsage(before.self);
  await settle(pids.worker, shape.afterMs);
  const worker = cpuTicks([pids.worker]) - before.worker;
  const mock = cpuTicks([pids.mock]) - before.mock;
  failIf(run.failures, what);
  const result = {
    requests: run.ok,
    elapsedMs: run.elapsedMs,
    rps: perSecond(run.ok, run.elapsedMs),
    latencyMs: summarize(run.latencies),
    cpuMicrosPerRequest: {
      worker: cpuMicrosPerRequest(worker, hz, run.ok),
      mock: cpuMicrosPerRequest(mock, hz, run.ok),
      loadGenerator: (self.user + self.system) / run.ok,
    },
  };
  log(
    `  ${what}: ${run.ok} requests in ${(run.elapsedMs / 1000).toFixed(1)} s, ${result.rps.toFixed(0)} rps, p50 ${result.latencyMs.p50.toFixed(2)} ms, worker ${result.cpuMicrosPerRequest.worker.toFixed(0)} µs/req`,
  );
  return result;
}

async function measureSequential(
  endpoint: Endpoint,
  what: string,
  pids: Pids,
  hz: number,
  shape: PhaseShape = SCENARIO_SHAPE,
): Promise<SideResult["sequential"]> {
  const before = { worker: cpuTicks([pids.worker]), mock: cpuTicks([pids.mock]) };
  const run = await runSequential(endpoint.call, {
    count: SEQUENTIAL_COUNT,
    timeoutMs: PHASE_TIMEOUT_MS,
    check: endpoint.quick,
  });
  await settle(pids.worker, shape.afterMs);
  failIf(run.failures, `${what} sequential`);
  const result = {
    totalMs: summarize(run.total),
    ttfbMs: summarize(run.ttfb),
    cpuMicrosPerRequest: {
      worker: cpuMicrosPerRequest(cpuTicks([pids.worker]) - before.worker, hz, run.total.length),
      mock: cpuMicrosPerRequest(cpuTicks([pids.mock]) - before.mock, hz, run.total.length),
    },
  };
  log(
    `  ${what} sequential: p50 ${result.totalMs.p50.toFixed(2)} ms, TTFB p50 ${result.ttfbMs.p50.toFixed(2)} ms`,
  );
  return result;
}

/** Every scenario, both sides, answered once in full and right before anything is measured. */
async function checkAnswers(scenarios: Scenario[]): Promise<void> {
  const problems: string[] = [];
  for (const s of scenarios) {
    for (const [side, endpoint] of [
      ["gateway", s.gateway],
      ["direct", s.direct],
    ] as const) {
      if (side === "direct" && s.directOf) continue;
      try {
        const { answer } = await timedRequest(undefined, endpoint.call);
        const problem = endpoint.check(answer) ?? (await endpoint.confirm?.(answer)) ?? null;
        if (problem) problems.push(`${s.id} ${side}: ${problem}; body: ${answer.body.slice(0, 500)}`);
      } catch (err) {
        problems.push(`${s.id} ${side}: ${(err as Error).message}`);
      }
    }
  }
  if (problems.length) throw new BenchFailure("an answer was wrong before any load", problems);
}

/**
 * Every probe answered once and right before any load; a proxy's answer must be the very bytes
 * the mock answers directly.
 */
async function checkProbes(probes: Probe[]): Promise<void> {
  const problems: string[] = [];
  for (const p of probes) {
    try {
      const { answer } = await timedRequest(undefined, p.endpoint.call);
      const problem = p.endpoint.check(answer);
      if (problem) problems.push(`probe ${p.id}: ${problem}; body: ${answer.body.slice(0, 500)}`);
      else if (p.sameAs) {
        const direct = await timedRequest(undefined, p.sameAs.call);
        const differs = sameAnswer(answer, direct.answer);
        if (differs) problems.push(`probe ${p.id}: ${differs}`);
      }
    } catch (err) {
      problems.push(`probe ${p.id}: ${(err as Error).message}`);
    }
  }
  if (problems.length) throw new BenchFailure("a probe's answer was wrong before any load", problems);
}

/** The cache scenario needs its entry: one miss fills it (written after the response). */
async function fillCache(s: Scenario): Promise<void> {
  const first = await timedRequest(undefined, s.gateway.call);
  if (first.answer.status !== 200) {
    throw new BenchFailure("cache fill failed", [
      `HTTP ${first.answer.status}: ${first.answer.body.slice(0, 500)}`,
    ]);
  }
  const deadline = performance.now() + 3000;
  while (performance.now() < deadline) {
    const { answer } = await timedRequest(undefined, s.gateway.call);
    if (answer.headers["x-cache"] === "HIT") return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new BenchFailure("the cache entry never became a HIT within 3 s");
}

/** --profile: one profiled load phase per scenario, and where the worker's CPU went. */
async function profileScenarios(
  scenarios: Scenario[],
  ids: string[],
  worker: WorkerHandle,
  bundle: Bundle,
  hz: number,
): Promise<void> {
  const inspector = worker.inspectorUrl;
  if (!inspector) throw new BenchFailure("workerd was started without its inspector");
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const dir = join(root, "bench", "results");
  mkdirSync(dir, { recursive: true });
  for (const id of ids) {
    const s = scenarios.find((x) => x.id === id);
    if (!s) throw new BenchFailure(`no scenario ${id}; there are ${scenarios.map((x) => x.id).join(", ")}`);
    const rps = await warmUp(s.gateway, `${id} gateway`);
    await settle(worker.pid);
    const before = cpuTicks([worker.pid]);
    let requests = 0;
    // The profiler more than doubles the work: a slow lane (a translated stream runs at a few
    // hundred a second) gets what ~8 s unprofiled would take, well inside the 30 s phase bound.
    const amount = Math.max(CONNECTIONS * 5, Math.min(PROFILE_AMOUNT, Math.round(rps * 8)));
    const profiles = await profileIsolates(
      inspector,
      async () => {
        const run = await loadPhase(s.gateway, amount);
        failIf(run.failures, `${id} gateway (profiled)`);
        requests = run.ok;
        await settle(worker.pid);
      },
      PROFILE_SAMPLING_MICROS,
    );
    const gateway = [...profiles.keys()].find((k) => k.startsWith("core:user:")) ?? "";
    const isolates = new Map<string, IsolateSummary>();
    for (const [k, p] of profiles) isolates.set(k, summarizeIsolate(p));
    const main = profiles.get(gateway);
    const file = join(dir, `${stamp}-${id}.cpuprofile`);
    if (main) writeFileSync(file, JSON.stringify(main));
    process.stdout.write(
      `\n${renderProfile({
        label: s.label,
        requests,
        processMicrosPerRequest: cpuMicrosPerRequest(cpuTicks([worker.pid]) - before, hz, requests),
        intervalMicros: effectiveInterval(profiles.values(), PROFILE_SAMPLING_MICROS),
        isolates,
        gateway,
        hotSpots: main
          ? hotSpots(main, { url: basename(bundle.path), sourceMapPath: `${bundle.path}.map` }, 30)
          : [],
      })}\n  CPU profile of the gateway isolate (Chrome DevTools, Performance tab): ${relative(process.cwd(), file)}\n`,
    );
  }
}

/**
 * Each lane's warm call counted for storage round trips by the counting worker (bench/storage.ts):
 * the same scenarios, built on its origin. OpenAI passthrough's count is printed as a sanity check.
 */
async function countStorage(
  origin: string,
  setup: { key: string; conversations: string[] },
  mockUrl: string,
): Promise<{ lanes: Map<string, WarmStorage>; unattributed: StorageCounts | undefined }> {
  log(`Warm storage round trips: the counting worker on ${origin}`);
  const counted = buildScenarios({
    gateway: origin,
    mock: mockUrl,
    key: setup.key,
    conversations: setup.conversations,
  });
  const result = await countWarmStorage(origin, counted).catch((err: Error) => {
    throw new BenchFailure("counting the warm calls' storage failed", [err.message]);
  });
  const plain = result.lanes.get("openai");
  if (plain) {
    log(
      `  OpenAI passthrough, warm: ${plain.beforeUpstream.d1RoundTrips} D1 round trip(s) before upstream, ${plain.total.d1RoundTrips} in total`,
    );
  }
  return result;
}

/**
 * The paced lane (bench/paced.ts): the OpenAI passthrough stream with `paced-16`, one stream at a
 * time, on the gateway, straight to the mock, and through the probe's JavaScript relay.
 */
async function measurePacedLane(scenarios: Scenario[], probes: Probe[]): Promise<PacedResult | undefined> {
  const stream = scenarios.find((s) => s.id === "openai-stream");
  if (!stream) return undefined;
  log(`Paced stream (${PACED_MODEL}), one at a time`);
  const measure = async (what: string, call: Endpoint["call"]) => {
    const side = await measurePaced(pacedCall(call)).catch((err: Error) => {
      throw new BenchFailure(`paced stream, ${what}: ${err.message}`);
    });
    log(
      `  ${what}: per-chunk p50 ${side.chunkMs.p50.toFixed(3)} ms, p99 ${side.chunkMs.p99.toFixed(3)} ms over ${side.chunkMs.n} chunks`,
    );
    return side;
  };
  const relay = probes.find((p) => p.id === "relay");
  return {
    model: PACED_MODEL,
    frameMs: PACED_FRAME_MS,
    direct: await measure("direct", stream.direct.call),
    gateway: await measure("gateway", stream.gateway.call),
    relay: relay ? await measure("relay probe", relay.endpoint.call) : undefined,
  };
}

// --- Main ----------------------------------------------------------------------------------

function machineInfo(worker: WorkerHandle, hz: number): BenchResults["machine"] {
  const cpuinfo = readFileSync("/proc/cpuinfo", "utf8");
  const wrangler = JSON.parse(readFileSync(join(root, "node_modules", "wrangler", "package.json"), "utf8"));
  return {
    cpus: availableParallelism(),
    cpuModel: /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? "unknown",
    kernel: release(),
    node: process.version,
    workerd: worker.workerdVersion,
    miniflare: worker.miniflareVersion,
    wrangler: String(wrangler.version),
    clockTicksPerSecond: hz,
  };
}

async function main(cleanups: (() => Promise<void>)[]): Promise<void> {
  const started = new Date();
  const hz = clockTicksPerSecond();

  log("Building the deploy bundle (wrangler deploy --dry-run --minify)...");
  const bundle: Bundle = await buildBundle(root);
  cleanups.push(() => rm(bundle.dir, { recursive: true, force: true }));
  onExit(() => rmSync(bundle.dir, { recursive: true, force: true }));
  log(`  ${bundle.wranglerSummary ?? `${bundle.bytes} bytes`}`);

  const mock = await startMock();
  cleanups.push(() => stopChild(mock.child));
  onExit(() => mock.child.kill("SIGTERM"));
  const mockUrl = `http://127.0.0.1:${mock.port}`;
  log(`Mock vendors on ${mockUrl} (pid ${mock.child.pid})`);

  const worker = await bootWorker({
    root,
    bundle,
    vars: {
      ADMIN_API_KEY: ADMIN_KEY,
      ENCRYPTION_KEY: "bench-encryption-key",
      ENABLE_MOCK_VENDOR: "true",
      OPENAI_BASE_URL: `${mockUrl}/openai/v1`,
      ANTHROPIC_BASE_URL: `${mockUrl}/anthropic`,
      UPSTREAM_MAX_RETRIES: "0",
      // The default, stated: a phase's CPU is read only after the last usage pack has gone.
      USAGE_FLUSH_MS: String(USAGE_FLUSH_MS),
      ...(authCacheSeconds === undefined ? {} : { AUTH_CACHE_SECONDS: String(authCacheSeconds) }),
    },
    inspectorPort: profileIds ? 0 : undefined,
    // The probe and counting workers measure, not profile: a --profile run leaves them out.
    probeUpstream: profileIds ? undefined : mockUrl,
    countingUpstream: profileIds ? undefined : mockUrl,
  });
  cleanups.push(() => worker.dispose());
  const gateway = worker.url.origin;
  log(`Worker on ${gateway} (workerd ${worker.workerdVersion}, pid ${worker.pid})`);
  const pids = { worker: worker.pid, mock: mock.child.pid as number };

  try {
    const setup = await setUpGateway(gateway, ADMIN_KEY, {
      conversations: CONVERSATION_POOL,
      model: "openai/gpt-4o-mini",
    });
    const scenarios = buildScenarios({
      gateway,
      mock: mockUrl,
      key: setup.key,
      conversations: setup.conversations,
    });
    const probes = worker.probeUrl
      ? buildProbes({ probe: worker.probeUrl.origin, userId: PROBE.userId }, scenarios)
      : [];
    for (const s of scenarios.filter((x) => x.cached)) await fillCache(s);
    await checkAnswers(scenarios);
    await checkProbes(probes);
    log(`Every scenario${probes.length ? " and probe" : ""} answered correctly; measuring.`);
    if (profileIds) {
      await profileScenarios(scenarios, profileIds, worker, bundle, hz);
      return;
    }

    // Before any load, two phases that measure no CPU. Their usage records reach the gateway's
    // queue consumer in a batch or two within 5 s: one D1 insert each, noise next to a phase.
    const storage = worker.countingUrl
      ? await countStorage(worker.countingUrl.origin, setup, mockUrl)
      : undefined;
    const paced = await measurePacedLane(scenarios, probes);

    // The runtime's own floor: a route that touches no binding (no auth, no storage).
    log("Floor: GET /health");
    const floor = await measureLoad(
      {
        call: { method: "GET", url: `${gateway}/health`, headers: {} },
        check: () => null,
        quick: quick({ includes: ['"status":"ok"'] }),
      },
      "gateway",
      pids,
      hz,
      { ...SCENARIO_SHAPE, afterMs: 0 }, // no usage record, no flush to wait for
    );

    const results: ScenarioResult[] = [];
    for (const s of scenarios) {
      log(`${s.label}`);
      const gatewaySide: SideResult = {
        load: await measureLoad(s.gateway, "gateway", pids, hz),
        sequential: await measureSequential(s.gateway, "gateway", pids, hz),
      };
      const shared = s.directOf ? results.find((r) => r.id === s.directOf)?.direct : undefined;
      const directSide: SideResult = shared ?? {
        load: await measureLoad(s.direct, "direct", pids, hz, DIRECT_SHAPE),
        sequential: await measureSequential(s.direct, "direct", pids, hz, DIRECT_SHAPE),
      };
      results.push({
        id: s.id,
        label: s.label,
        stream: s.stream,
        gateway: gatewaySide,
        direct: directSide,
        directOf: s.directOf,
        note: s.note?.(),
        writesD1: s.writesD1,
        storage: storage?.lanes.get(s.id),
      });
    }

    // The runtime's floor: the probe worker, in the same workerd, one thing at a time.
    const probeResults: ProbeResult[] = [];
    if (probes.length) log(`Runtime floor: the probe worker on ${worker.probeUrl?.origin}`);
    for (const p of probes) {
      const shape = p.id === "queue" ? QUEUE_PROBE_SHAPE : PROBE_SHAPE;
      probeResults.push({
        id: p.id,
        label: p.label,
        route: p.route,
        load: await measureLoad(p.endpoint, `probe ${p.id}`, pids, hz, shape),
        // One at a time too: the proxies against direct, the bindings' hops against the noop.
        sequential: await measureSequential(p.endpoint, `probe ${p.id}`, pids, hz, shape),
        directOf: p.directOf,
      });
    }
    const runtimeFloor: RuntimeFloor | undefined = probeResults.length
      ? {
          phaseSeconds: PROBE_PHASE_SECONDS,
          warmupSeconds: PROBE_WARMUP_SECONDS,
          probes: probeResults,
          comparisons: compareWithFloor(probeResults, results),
        }
      : undefined;

    const gzipKiB = wranglerGzipKiB(bundle.wranglerSummary);
    const report: BenchResults = {
      startedAt: started.toISOString(),
      durationS: (Date.now() - started.getTime()) / 1000,
      machine: machineInfo(worker, hz),
      runtime: `the deploy bundle (wrangler deploy --dry-run --minify) under workerd ${worker.workerdVersion} through Miniflare ${worker.miniflareVersion} (wrangler's), on a direct workerd socket; D1, KV, Queues, the Cache API, Durable Objects and rate limits are Miniflare's local simulations inside the same workerd process`,
      config: {
        connections: CONNECTIONS,
        phaseSeconds: PHASE_SECONDS,
        warmupSeconds: WARMUP_SECONDS,
        sequentialCount: SEQUENTIAL_COUNT,
        authCacheSeconds,
        directPhaseSeconds: DIRECT_PHASE_SECONDS,
      },
      bundle: {
        bytes: bundle.bytes,
        gzipBytes: bundle.gzipBytes,
        wranglerSummary: bundle.wranglerSummary,
        wranglerGzipKiB: gzipKiB,
      },
      floor: {
        rps: floor.rps,
        latencyMs: floor.latencyMs,
        cpuMicrosPerRequest: floor.cpuMicrosPerRequest.worker,
      },
      scenarios: results,
      runtimeFloor,
      paced,
      storageUnattributed: storage?.unattributed,
      targets: judgeTargets(
        results,
        { gzipBytes: bundle.gzipBytes, wranglerGzipKiB: gzipKiB },
        { runtimeFloor, paced },
      ),
    };
    const dir = join(root, "bench", "results");
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${report.startedAt.replace(/[:.]/g, "-")}.json`);
    writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(`\n${renderMarkdown(report)}\n\nJSON: ${relative(process.cwd(), file)}\n`);
  } catch (err) {
    if (err instanceof BenchFailure) {
      const tail = worker.recentOutput().trim().split("\n").slice(-15).join("\n");
      if (tail) err.details.push(`last worker log lines:\n${tail}`);
    }
    throw err;
  }
}

const cleanups: (() => Promise<void>)[] = [];
/**
 * What must happen even when the process ends abruptly: Miniflare's signal hook exits the process
 * on SIGINT/SIGTERM (after stopping workerd) before the asynchronous cleanup above can run.
 */
function onExit(fn: () => void): void {
  process.on("exit", () => {
    try {
      fn();
    } catch {
      // best effort on the way out
    }
  });
}
let cleaning: Promise<void> | undefined;
const cleanUp = () => {
  cleaning ??= (async () => {
    for (const fn of cleanups.reverse()) await fn().catch((e) => log(`cleanup: ${(e as Error).message}`));
  })();
  return cleaning;
};
// `on`, not `once`: a signal-exit copy in wrangler re-raises a signal nobody else listens to any
// more. A second signal quits at once. (Miniflare's own hook may exit first: see onExit.)
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (cleaning) process.exit(130);
    log(`${signal}: stopping`);
    void cleanUp().then(() => process.exit(130));
  });
}
for (const event of ["uncaughtException", "unhandledRejection"] as const) {
  process.once(event, (err: unknown) => {
    log(`\nNo figures: ${event}: ${(err as Error)?.stack ?? String(err)}`);
    void cleanUp().then(() => process.exit(1));
  });
}
const watchdog = setTimeout(() => {
  log(`The benchmark ran past ${RUN_TIMEOUT_MS / 60_000} minutes: stopping without figures.`);
  void cleanUp().then(() => process.exit(1));
}, RUN_TIMEOUT_MS);
watchdog.unref();

try {
  await main(cleanups);
  await cleanUp();
  process.exit(0);
} catch (err) {
  await cleanUp();
  if (err instanceof BenchFailure) {
    log(`\nNo figures: ${err.message}`);
    for (const d of err.details) log(`  - ${d}`);
  } else {
    log(`\nNo figures: ${(err as Error).stack ?? String(err)}`);
  }
  process.exit(1);
}
